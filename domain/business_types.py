"""Business types: what a registration matter needs, who takes part, how long each step may take.

A business type is data (``domain/data/business_types.toml``); these models give that data a
checked shape so the one case workflow, the hall and the procedure sheet read the same entry.
Cross-references to other entries (material codes, fact names, registration kinds) are checked
by :mod:`domain.catalog`, which sees the whole catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from domain.departments import PARTICIPANTS, STEP_DEPARTMENTS, StepName
from domain.departments import Department as Department  # re-exported: the catalog's word
from domain.flows import HAS_TRANSFEREE, HAS_TRANSFEROR, LIEN_KINDS, REGISTRATION_KINDS, Flow
from domain.parties import PartyKind

STATUTORY_LIMIT_DAYS = 30
"""不动产登记暂行条例 art. 20: registration completes within 30 working days of acceptance."""

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class DeadlineStep(StrEnum):
    """Steps of a case that carry a deadline in working days."""

    TRANSACTION_CHECK = "transaction_check"
    TAX_ASSESSMENT = "tax_assessment"
    PAYMENT = "payment"
    REGISTRATION = "registration"
    COLLECTION = "collection"
    OVERALL = "overall"


def deadline_participant(step: DeadlineStep) -> Department | None:
    """The department whose taking part makes a deadline apply (None: every case has it).

    Read from the one step map (:data:`domain.departments.STEP_DEPARTMENTS`); the overall
    deadline is the case's, not a step's.
    """
    if step is DeadlineStep.OVERALL:
        return None
    return STEP_DEPARTMENTS[StepName(step.value)].participant


BILLING_STEPS = frozenset({DeadlineStep.TAX_ASSESSMENT, DeadlineStep.PAYMENT})
"""Steps that run where the case is billed: taxes where tax takes part, or the fee alone."""


def is_billed(departments: Iterable[Department], fee_exempt: bool) -> bool:
    """Whether a matter gets a bill: taxes where tax takes part, else the registration fee."""
    return Department.TAX in departments or not fee_exempt


class Applicants(StrEnum):
    """Who must apply: both parties, or one party alone (条例 art. 14)."""

    JOINT = "joint"
    SINGLE = "single"


def _enum_values(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)


def parse_departments(value: Any) -> frozenset[Department]:
    """Read a list of taking-part department names, naming any other one.

    Shared with :class:`domain.materials.Material` so both files report the same message.
    Only :data:`~domain.departments.PARTICIPANTS` take part; the service desk, the applicant
    and ``none`` hold a case but are no department a catalog entry can list.

    Raises:
        ValueError: not a list, or an unknown department name.
    """
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"expected a list of departments, got {value!r}")
    departments: set[Department] = set()
    for item in value:
        if isinstance(item, str) and item in PARTICIPANTS:
            departments.add(Department(item))
        else:
            valid = ", ".join(department.value for department in PARTICIPANTS)
            raise ValueError(f"unknown department {item!r}; valid: {valid}")
    return frozenset(departments)


def in_department_order(departments: Iterable[Department]) -> list[Department]:
    """Departments in the order of the case (housing, tax, registration), for stable output."""
    wanted = set(departments)
    return [department for department in PARTICIPANTS if department in wanted]


def check_deadlines(value: Any) -> None:
    """Check a table of step = working days: known steps, positive whole days, overall ≤ 30.

    Used for each business type and for the catalog's default deadlines.

    Raises:
        ValueError: naming the step and the rule it breaks.
    """
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a table of step = working days, got {value!r}")
    for step, days in value.items():
        if step not in DeadlineStep._value2member_map_:
            raise ValueError(f"unknown step {step!r}; valid: {_enum_values(DeadlineStep)}")
        # bool is an int in Python; `true` days is a data error, not 1.
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise ValueError(f"step {step!r}: expected a positive whole number, got {days!r}")
    overall = value.get(DeadlineStep.OVERALL.value)
    if overall is not None and overall > STATUTORY_LIMIT_DAYS:
        raise ValueError(
            f"step 'overall': {overall} working days exceeds the statutory limit of "
            f"{STATUTORY_LIMIT_DAYS} (不动产登记暂行条例 art. 20)"
        )


class Fact(BaseModel):
    """A yes/no fact about a case that makes a conditional material required."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class RegistrationKind(BaseModel):
    """A registration type (首次/转移/变更/...) or a combination handled as one case."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class PartyKinds(BaseModel):
    """Which kinds of party may be the transferee (buyer) and the transferor (seller).

    An empty ``seller`` means the matter has no transferor party (e.g. a land grant), an
    empty ``buyer`` no transferee (a mortgage); ``lender`` is the mortgagee where a lien is
    recorded or released.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    buyer: frozenset[PartyKind]
    seller: frozenset[PartyKind]
    # The lender whose lien the matter records or releases (抵押权人); empty: no lender.
    lender: frozenset[PartyKind] = frozenset()

    @field_serializer("buyer", "seller", "lender")
    def _ordered(self, kinds: frozenset[PartyKind]) -> list[str]:
        return [kind.value for kind in PartyKind if kind in kinds]


class MaterialRequirement(BaseModel):
    """One material a business type needs, always or only when a fact holds."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    material: str = Field(min_length=1)
    required_when: str | None = None
    note_zh: str | None = None
    note_en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_code(cls, value: Any) -> Any:
        # The data file lists unconditional materials as bare codes to stay readable.
        return {"material": value} if isinstance(value, str) else value

    @property
    def conditional(self) -> bool:
        """Whether the material is needed only when its fact holds."""
        return self.required_when is not None


class HoldGroup(BaseModel):
    """A kind of right on a unit that a case changes; an open case holds its groups on the unit.

    Two open cases on one unit conflict when one holds a group the other's group does not ride
    with; a group never rides with itself, so two sales of one flat never run at once.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    rides_with: frozenset[str] = frozenset()

    @field_validator("rides_with", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ValueError(f"expected a list of hold groups, got {value!r}")
        return value

    @model_validator(mode="after")
    def _not_itself(self) -> HoldGroup:
        if self.code in self.rides_with:
            raise ValueError(f"'rides_with': a group never rides with itself ({self.code!r})")
        return self

    @field_serializer("rides_with")
    def _sorted(self, groups: frozenset[str]) -> list[str]:
        return sorted(groups)


def hold_lanes(holds: Iterable[str], groups: Mapping[str, HoldGroup]) -> frozenset[str]:
    """The lanes a case holding `holds` occupies on its unit: one per conflicting pair of groups.

    Lane ``"a"`` is a group against itself, ``"a+b"`` (sorted) two groups that do not ride
    together. Two cases share a lane exactly when they conflict (every group conflicts with
    itself), so a unique (unit, lane) key in the database is the whole rule.
    """
    lanes: set[str] = set()
    for held in holds:
        for other, group in groups.items():
            if other == held:
                lanes.add(held)
            elif other not in groups[held].rides_with:
                assert held not in group.rides_with, "rides_with is mutual (checked on load)"
                lanes.add("+".join(sorted((held, other))))
    return frozenset(lanes)


class BusinessType(BaseModel):
    """One registration matter as the hall handles it, read from the catalog data file."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    departments: frozenset[Department]
    # The case's shape (domain.flows): the workflow it starts and what its steps check.
    flow: Flow
    registration_kind: str = Field(min_length=1)
    applicants: Applicants
    party_kinds: PartyKinds
    materials: tuple[MaterialRequirement, ...] = Field(min_length=1)
    deadlines: dict[DeadlineStep, int]
    # The rights the matter changes (codes of [holds]); while its case is open no conflicting
    # case on the same unit is accepted. Empty: the matter changes no right (no hold).
    holds: frozenset[str] = frozenset()
    # The transfer carries out a court's order (协助执行): a seizure by the court does not
    # block it. For every other matter a seizure in force stops registration.
    court_ordered: bool = False
    # Housing checks a sales contract filed online (网签备案) for these parties and price.
    filed_contract: bool = False
    # The material carrying the decision the transfer rests on; intake asks its number.
    decision_material: str | None = None
    # No registration fee is charged (a cancellation); with no tax either, nothing is billed.
    fee_exempt: bool = False
    # A share passes between co-owners: the buyers already hold the title, and the holders
    # who neither sell nor buy keep their shares (one open title, new shares).
    between_co_owners: bool = False

    @field_validator("departments", mode="before")
    @classmethod
    def _known_departments(cls, value: Any) -> frozenset[Department]:
        departments = parse_departments(value)
        # Every matter here ends in a register entry; the workflow relies on it.
        if Department.REGISTRATION not in departments:
            raise ValueError("must include 'registration' (every business type ends in one)")
        return departments

    @field_validator("materials")
    @classmethod
    def _no_duplicate_materials(
        cls, value: tuple[MaterialRequirement, ...]
    ) -> tuple[MaterialRequirement, ...]:
        seen: set[str] = set()
        for requirement in value:
            if requirement.material in seen:
                raise ValueError(f"material {requirement.material!r} listed twice")
            seen.add(requirement.material)
        return value

    @field_validator("deadlines", mode="before")
    @classmethod
    def _working_days(cls, value: Any) -> Any:
        check_deadlines(value)
        return value

    @field_validator("deadlines")
    @classmethod
    def _steps_match_departments(
        cls, value: dict[DeadlineStep, int], info: ValidationInfo
    ) -> dict[DeadlineStep, int]:
        departments = info.data.get("departments")
        if departments is None:  # already reported under 'departments'
            return value
        for step in DeadlineStep:
            if step in BILLING_STEPS:
                continue  # they follow the bill (`billed`): checked with the whole entry
            department = deadline_participant(step)
            applies = department is None or department in departments
            if applies and step not in value:
                raise ValueError(f"missing step {step.value!r}")
            if not applies and step in value:
                raise ValueError(f"step {step.value!r} given but {department} does not take part")
        return value

    @field_validator("holds", mode="before")
    @classmethod
    def _hold_list(cls, value: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ValueError(f"expected a list of hold groups, got {value!r}")
        return value

    @model_validator(mode="after")
    def _flow_fits(self) -> BusinessType:
        """The flow records the entry's registration kind and has a transferor iff it does."""
        known = REGISTRATION_KINDS[self.flow]
        # An unknown kind is the catalog's to name (it sees [registration_kinds]).
        recorded = frozenset().union(*REGISTRATION_KINDS.values())
        if self.registration_kind in recorded and self.registration_kind not in known:
            raise ValueError(
                f"'flow': {self.flow.value} records {', '.join(sorted(known))}, "
                f"not {self.registration_kind!r}"
            )
        for step in BILLING_STEPS:
            if self.billed and step not in self.deadlines:
                raise ValueError(f"'deadlines': missing step {step.value!r} (the case is billed)")
            if not self.billed and step in self.deadlines:
                raise ValueError(
                    f"'deadlines': step {step.value!r} given but nothing is billed "
                    "(no tax, fee_exempt)"
                )
        if self.filed_contract and Department.HOUSING not in self.departments:
            raise ValueError("'filed_contract': only housing checks a filed contract")
        if self.decision_material is not None and self.decision_material not in {
            requirement.material for requirement in self.materials if not requirement.conditional
        }:
            raise ValueError(
                f"'decision_material': {self.decision_material!r} is not an unconditional"
                " material of the entry"
            )
        if HAS_TRANSFEROR[self.flow] != bool(self.party_kinds.seller):
            needs = "needs" if HAS_TRANSFEROR[self.flow] else "has no"
            raise ValueError(f"'flow': {self.flow.value} {needs} a transferor (party_kinds.seller)")
        if HAS_TRANSFEREE[self.flow] != bool(self.party_kinds.buyer):
            needs = "needs" if HAS_TRANSFEREE[self.flow] else "has no"
            raise ValueError(f"'flow': {self.flow.value} {needs} a transferee (party_kinds.buyer)")
        if (self.registration_kind in LIEN_KINDS) != bool(self.party_kinds.lender):
            needs = "needs" if self.registration_kind in LIEN_KINDS else "has no"
            raise ValueError(
                f"'party_kinds': registration kind {self.registration_kind!r} {needs} a lender"
            )
        return self

    @property
    def billed(self) -> bool:
        """Whether the case gets a bill (:func:`is_billed`)."""
        return is_billed(self.departments, self.fee_exempt)

    @field_serializer("holds")
    def _sorted_holds(self, holds: frozenset[str]) -> list[str]:
        return sorted(holds)

    @field_serializer("departments")
    def _ordered_departments(self, departments: frozenset[Department]) -> list[str]:
        return [department.value for department in in_department_order(departments)]

    def takes_part(self, department: Department) -> bool:
        """Whether the department has a step in this matter."""
        return department in self.departments

    @property
    def material_codes(self) -> tuple[str, ...]:
        """Codes of every material the matter may need, conditional ones included."""
        return tuple(requirement.material for requirement in self.materials)
