"""The catalog: business types and materials loaded from data a registration bureau can edit.

Loading checks everything a clerk or a workflow will later rely on (shapes, names, deadlines,
and every cross-reference between the two files), so a broken file is refused at start-up with
a message naming the file, the entry and the field, rather than failing mid-case.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from domain.business_types import (
    BILLING_STEPS,
    BusinessType,
    DeadlineStep,
    Fact,
    HoldGroup,
    RegistrationKind,
    check_deadlines,
    deadline_participant,
    hold_lanes,
    in_department_order,
    is_billed,
    parse_departments,
)
from domain.departments import PARTICIPANTS
from domain.materials import Material

Source = str | os.PathLike[str] | Traversable
_Model = TypeVar("_Model", bound=BaseModel)


class CatalogError(ValueError):
    """A catalog data file is unreadable or breaks a rule; the message names entry and field."""


class UnknownBusinessType(ValueError):
    """A business-type code that the catalog does not define."""

    def __init__(self, code: str, valid: list[str]) -> None:
        self.code = code
        self.valid = valid
        super().__init__(f"unknown business type {code!r}; valid: {', '.join(valid)}")


class UnknownMaterial(ValueError):
    """A material code that the catalog does not define."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"unknown material {code!r}")


class UnknownFact(ValueError):
    """A fact name that the catalog does not define (a typo would silently drop a material)."""

    def __init__(self, fact: str, valid: list[str]) -> None:
        self.fact = fact
        self.valid = valid
        super().__init__(f"unknown fact {fact!r}; valid: {', '.join(valid)}")


class MaterialCount(BaseModel):
    """Papers handed in at the one window against papers the departments would ask separately."""

    model_config = ConfigDict(frozen=True)

    one_window: int
    separately: int


@dataclass(frozen=True)
class Catalog:
    """Every business type and material, cross-checked; build it with :func:`load_catalog`."""

    materials: dict[str, Material]
    business_types: dict[str, BusinessType]
    facts: dict[str, Fact]
    registration_kinds: dict[str, RegistrationKind]
    hold_groups: dict[str, HoldGroup] = field(default_factory=dict)

    def business_type(self, code: str) -> BusinessType:
        """The business type with this code.

        Raises:
            UnknownBusinessType: naming the code and listing the valid ones.
        """
        try:
            return self.business_types[code]
        except KeyError:
            raise UnknownBusinessType(code, list(self.business_types)) from None

    def material(self, code: str) -> Material:
        """The material with this code.

        Raises:
            UnknownMaterial: naming the code.
        """
        try:
            return self.materials[code]
        except KeyError:
            raise UnknownMaterial(code) from None

    def check_facts(self, facts: Mapping[str, object]) -> None:
        """Refuse fact names the catalog does not define and values that are not true/false.

        Raises:
            UnknownFact: for the first unknown name.
            ValueError: for a value that is not a bool.
        """
        for name, value in facts.items():
            if name not in self.facts:
                raise UnknownFact(name, list(self.facts))
            if not isinstance(value, bool):
                raise ValueError(f"fact {name!r}: expected true or false, got {value!r}")

    def hold_lanes(self, code: str) -> frozenset[str]:
        """The lanes a case of this business type holds on its unit while it is open.

        Raises:
            UnknownBusinessType: if the code is not in the catalog.
        """
        return hold_lanes(self.business_type(code).holds, self.hold_groups)

    def material_counts(self, code: str) -> MaterialCount:
        """How many papers the applicant hands in once, against asking each department apart.

        Conditional materials count too: the figure is the full list a case may need.

        Raises:
            UnknownBusinessType: if the code is not in the catalog.
        """
        business_type = self.business_type(code)
        separately = sum(
            1
            for department in business_type.departments
            for requirement in business_type.materials
            if self.materials[requirement.material].used_by(department)
        )
        return MaterialCount(one_window=len(business_type.materials), separately=separately)


@functools.cache
def get_catalog() -> Catalog:
    """The catalog packaged with onewindow, loaded once on first use."""
    data = resources.files("domain") / "data"
    return load_catalog(data / "materials.toml", data / "business_types.toml")


def load_catalog(materials_path: Source, business_types_path: Source) -> Catalog:
    """Load and check a materials file and a business-types file.

    Args:
        materials_path: TOML file of ``[[material]]`` entries.
        business_types_path: TOML file of ``[defaults]``, ``[facts]``, ``[registration_kinds]``,
            ``[holds]`` and ``[[business_type]]`` entries.

    Returns:
        The checked catalog, business types in file order.

    Raises:
        CatalogError: naming the file, the entry and the field of the first fault found.
    """
    materials_file, materials_doc = _read_toml(materials_path)
    types_file, types_doc = _read_toml(business_types_path)
    _only_keys(materials_file, materials_doc, {"material"})
    _only_keys(
        types_file, types_doc, {"defaults", "facts", "registration_kinds", "holds", "business_type"}
    )

    materials = _load_entries(materials_file, materials_doc, "material", Material)
    facts = _load_named(types_file, types_doc, "facts", Fact)
    kinds = _load_named(types_file, types_doc, "registration_kinds", RegistrationKind)
    holds = _load_named(types_file, types_doc, "holds", HoldGroup)
    _check_holds(types_file, holds)
    defaults = _default_deadlines(types_file, types_doc)
    default_holds = _default_holds(types_file, types_doc, holds)
    raw_types = _entries(types_file, types_doc, "business_type")
    business_types = _load_entries(
        types_file,
        {"business_type": [_with_defaults(raw, defaults, default_holds) for raw in raw_types]},
        "business_type",
        BusinessType,
    )
    for business_type in business_types.values():
        _check_references(types_file, business_type, materials, facts, kinds, holds)
    return Catalog(
        materials=materials,
        business_types=business_types,
        facts=facts,
        registration_kinds=kinds,
        hold_groups=holds,
    )


def _read_toml(source: Source) -> tuple[str, dict[str, Any]]:
    file = source.name if isinstance(source, Traversable) else Path(source).name
    readable = source if isinstance(source, Traversable) else Path(source)
    try:
        return file, tomllib.loads(readable.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise CatalogError(f"{file}: cannot read the file: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{file}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{file}: not valid TOML: {exc}") from exc


def _only_keys(file: str, doc: Mapping[str, Any], allowed: set[str]) -> None:
    for key in doc:
        if key not in allowed:
            raise CatalogError(
                f"{file}: unknown top-level key {key!r}; expected: {', '.join(sorted(allowed))}"
            )


def _entries(file: str, doc: Mapping[str, Any], key: str) -> list[Any]:
    entries = doc.get(key)
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{file}: no [[{key}]] entries")
    return entries


def _entry_label(raw: Any, index: int) -> str:
    code = raw.get("code") if isinstance(raw, Mapping) else None
    return f"entry {code!r}" if isinstance(code, str) and code else f"entry #{index + 1}"


def _load_entries(
    file: str, doc: Mapping[str, Any], key: str, model: type[_Model]
) -> dict[str, _Model]:
    loaded: dict[str, _Model] = {}
    for index, raw in enumerate(_entries(file, doc, key)):
        where = f"{file}: {_entry_label(raw, index)}"
        if not isinstance(raw, Mapping):
            raise CatalogError(f"{where}: expected a table, got {raw!r}")
        entry = _validate(model, raw, where)
        code = entry.code  # type: ignore[attr-defined]
        if code in loaded:
            raise CatalogError(f"{where}: field 'code': duplicate code {code!r}")
        loaded[code] = entry
    return loaded


def _load_named(
    file: str, doc: Mapping[str, Any], key: str, model: type[_Model]
) -> dict[str, _Model]:
    table = doc.get(key, {})
    if not isinstance(table, Mapping):
        raise CatalogError(f"{file}: [{key}] must be a table of named entries")
    loaded: dict[str, _Model] = {}
    for code, raw in table.items():
        where = f"{file}: [{key}] entry {code!r}"
        if not isinstance(raw, Mapping):
            raise CatalogError(f"{where}: expected a table, got {raw!r}")
        loaded[code] = _validate(model, {"code": code, **raw}, where)
    return loaded


def _default_deadlines(file: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, Mapping) or set(defaults) - {"deadlines", "holds"}:
        raise CatalogError(f"{file}: [defaults] may hold only 'deadlines' and 'holds'")
    deadlines = defaults.get("deadlines", {})
    try:
        check_deadlines(deadlines)
    except ValueError as exc:
        raise CatalogError(f"{file}: [defaults] field 'deadlines': {exc}") from exc
    return dict(deadlines)


def _default_holds(file: str, doc: Mapping[str, Any], groups: Mapping[str, HoldGroup]) -> list[str]:
    """The hold groups of an entry that names none (none at all if [defaults] has no 'holds')."""
    holds = doc.get("defaults", {}).get("holds", [])
    if not isinstance(holds, list) or not all(isinstance(h, str) for h in holds):
        raise CatalogError(f"{file}: [defaults] field 'holds': expected a list of hold groups")
    for held in holds:
        if held not in groups:
            raise CatalogError(
                f"{file}: [defaults] field 'holds': unknown hold group {held!r}; "
                f"valid: {', '.join(groups)}"
            )
    return holds


def _check_holds(file: str, groups: Mapping[str, HoldGroup]) -> None:
    """Every `rides_with` names a known group, and riding together is mutual."""
    for code, group in groups.items():
        for other in sorted(group.rides_with):
            where = f"{file}: [holds] entry {code!r}: field 'rides_with'"
            if other not in groups:
                raise CatalogError(
                    f"{where}: unknown hold group {other!r}; valid: {', '.join(groups)}"
                )
            if code not in groups[other].rides_with:
                raise CatalogError(
                    f"{where}: {code!r} rides with {other!r} but {other!r} does not ride with "
                    f"{code!r}; riding together must be mutual"
                )


def _with_defaults(raw: Any, defaults: Mapping[str, Any], default_holds: list[str]) -> Any:
    """Fill in the default deadlines of the steps that apply to the entry's departments,
    and the default hold groups unless the entry names its own."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("deadlines", {}), Mapping):
        return raw  # the model reports the wrong shape
    try:
        departments = parse_departments(raw.get("departments", []))
    except ValueError:
        # The model reports the bad department; take every default so it reports nothing else.
        departments = frozenset(PARTICIPANTS)
    # The billing steps follow the bill: taxes, or the registration fee unless exempt.
    billed = is_billed(departments, raw.get("fee_exempt") is True)
    applicable = {
        step: days
        for step, days in defaults.items()
        if (
            billed
            if DeadlineStep(step) in BILLING_STEPS
            else deadline_participant(DeadlineStep(step)) in {None, *departments}
        )
    }
    return {
        "holds": default_holds,
        **raw,
        "deadlines": {**applicable, **raw.get("deadlines", {})},
    }


def _validate(model: type[_Model], raw: Mapping[str, Any], where: str) -> _Model:
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        problems = "; ".join(_describe(error, model) for error in exc.errors())
        raise CatalogError(f"{where}: {problems}") from exc


def _describe(error: Any, model: type[BaseModel]) -> str:
    """Turn one pydantic error into "field 'x': what is wrong"."""
    loc = [str(part) for part in error["loc"]]
    field = loc[0] if loc else "(entry)"
    detail = "".join(f"[{int(p) + 1}]" if p.isdigit() else f".{p}" for p in loc[1:])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "missing (required)"
    elif error["type"] == "extra_forbidden":
        message = "unknown key"
        if len(loc) == 1:
            message = f"unknown field; valid: {', '.join(model.model_fields)}"
    elif "input" in error and error["type"] not in {"value_error", "assertion_error"}:
        message = f"{message} (got {error['input']!r})"
    return f"field {field!r}: {detail.lstrip('.') + ': ' if detail else ''}{message}"


def _check_references(
    file: str,
    business_type: BusinessType,
    materials: Mapping[str, Material],
    facts: Mapping[str, Fact],
    kinds: Mapping[str, RegistrationKind],
    holds: Mapping[str, HoldGroup],
) -> None:
    where = f"{file}: entry {business_type.code!r}"
    for held in sorted(business_type.holds):
        if held not in holds:
            raise CatalogError(
                f"{where}: field 'holds': unknown hold group {held!r}; "
                f"valid: {', '.join(holds) or '(no [holds] defined)'}"
            )
    if business_type.registration_kind not in kinds:
        raise CatalogError(
            f"{where}: field 'registration_kind': unknown registration kind "
            f"{business_type.registration_kind!r}; valid: {', '.join(kinds)}"
        )
    for requirement in business_type.materials:
        material = materials.get(requirement.material)
        if material is None:
            raise CatalogError(
                f"{where}: field 'materials': unknown material {requirement.material!r}"
            )
        if requirement.required_when is not None and requirement.required_when not in facts:
            raise CatalogError(
                f"{where}: field 'materials': material {requirement.material!r}: unknown fact "
                f"{requirement.required_when!r} in required_when; valid: {', '.join(facts)}"
            )
        if not material.departments & business_type.departments:
            users = ", ".join(in_department_order(material.departments))
            raise CatalogError(
                f"{where}: field 'materials': material {requirement.material!r} is used only by "
                f"{users}, which does not take part"
            )
