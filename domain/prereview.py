"""Pre-review (预审): check presented papers against a business type and tell everything at once.

不动产登记暂行条例 art. 17 requires one complete list of what is missing (一次性告知), so the
result gathers every missing, unknown and superfluous item before any notice is written.
Pre-review has no legal effect; acceptance happens at the intake window. Told what the form
says (:class:`~domain.intake_rules.FlowForm`), it also lists what the flow lacks on it, by
the window's own rules (:mod:`domain.intake_rules`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from pydantic import BaseModel

from domain.business_types import BusinessType, MaterialRequirement
from domain.catalog import Catalog
from domain.intake_rules import FieldIssue, FlowForm, form_issues, proofs_needed
from domain.tax.from_case import TaxDeclaration
from domain.tax.treatments import default_treatments

MISSING = "missing"
UNKNOWN = "unknown material code"
NOT_NEEDED = "not needed for this business type"

_NO_FACTS: Mapping[str, bool] = MappingProxyType({})


class MaterialIssue(BaseModel):
    """One item of the one-time notice: a missing paper, or a presented one that does not fit."""

    code: str
    name_zh: str
    name_en: str
    reason: str
    required_when: str | None = None
    note_zh: str | None = None
    note_en: str | None = None


class FormIssue(BaseModel):
    """One item of the notice about the form: a field the flow lacks or does not admit."""

    field: list[str]
    type: str
    name_zh: str
    name_en: str
    reason_zh: str
    reason_en: str

    @classmethod
    def of(cls, issue: FieldIssue) -> FormIssue:
        return cls(
            field=list(issue.loc),
            type=issue.type,
            name_zh=issue.name_zh,
            name_en=issue.name_en,
            reason_zh=issue.reason_zh,
            reason_en=issue.reason_en,
        )


class PreReviewResult(BaseModel):
    """What the desk tells the applicant: complete or not, and every item in one notice.

    ``complete`` needs every paper and, when the form was told, no item in ``form``.
    """

    business_type: str
    complete: bool
    missing: list[MaterialIssue]
    unexpected: list[MaterialIssue]
    form: list[FormIssue] = []
    required: list[str]
    notice_zh: str
    notice_en: str


def pre_review(
    catalog: Catalog,
    business_type: str,
    presented: Iterable[str],
    facts: Mapping[str, bool] = _NO_FACTS,
    form: FlowForm | None = None,
    declared: TaxDeclaration | None = None,
) -> PreReviewResult:
    """Compare the presented papers with what the business type needs given the facts.

    A conditional material is required only when its fact is true; an absent fact counts as
    false. ``complete`` looks only at missing papers: superfluous ones do not stop a case.

    Args:
        catalog: the catalog to check against.
        business_type: business-type code.
        presented: material codes handed in (order kept, duplicates ignored).
        facts: fact name -> true/false, deciding the conditional materials.
        form: what the case form says; None: the form is not reviewed (papers only).
        declared: the tax declaration on the form (with ``form``; None: nothing declared).

    Returns:
        The result with every missing and unexpected item and the notice in both languages.

    Raises:
        UnknownBusinessType: the code is not in the catalog.
        UnknownFact: a fact name is not in the catalog.
        ValueError: ``presented`` is a single string, or a fact value is not a bool.
    """
    matter = catalog.business_type(business_type)
    catalog.check_facts(facts)
    if isinstance(presented, str):
        raise ValueError("presented: expected a list of material codes, got a single string")
    handed_in = list(dict.fromkeys(presented))

    needed = [req for req in matter.materials if _applies(req, facts)]
    fields: list[FormIssue] = []
    if form is not None:
        extra = [p for p in proofs_needed(matter, form) if p.material not in _codes(needed)]
        needed += extra
        treatment = default_treatments().types.get(matter.code)
        declaration = declared or TaxDeclaration(relationship=form.relationship)
        issues = form_issues(catalog, matter, treatment, form, facts, declaration)
        fields = [FormIssue.of(issue) for issue in issues]
    needed_codes = _codes(needed)
    listed = {req.material: req for req in matter.materials}

    handed_in_set = set(handed_in)
    missing = [_issue(catalog, req, MISSING) for req in needed if req.material not in handed_in_set]
    unexpected: list[MaterialIssue] = []
    for code in handed_in:
        if code in needed_codes:
            continue
        if code not in catalog.materials:
            unexpected.append(MaterialIssue(code=code, name_zh=code, name_en=code, reason=UNKNOWN))
        elif code in listed:
            fact = listed[code].required_when
            unexpected.append(_issue(catalog, listed[code], f"not needed unless {fact!r} applies"))
        else:
            unexpected.append(_issue(catalog, MaterialRequirement(material=code), NOT_NEEDED))

    return PreReviewResult(
        business_type=matter.code,
        complete=not missing and not fields,
        missing=missing,
        unexpected=unexpected,
        form=fields,
        required=[req.material for req in needed],
        notice_zh=_notice_zh(catalog, matter, len(needed), missing, unexpected, fields),
        notice_en=_notice_en(catalog, matter, len(needed), missing, unexpected, fields),
    )


def _codes(requirements: Iterable[MaterialRequirement]) -> set[str]:
    return {req.material for req in requirements}


def _applies(requirement: MaterialRequirement, facts: Mapping[str, bool]) -> bool:
    return requirement.required_when is None or facts.get(requirement.required_when, False)


def _issue(catalog: Catalog, requirement: MaterialRequirement, reason: str) -> MaterialIssue:
    material = catalog.material(requirement.material)
    return MaterialIssue(
        code=material.code,
        name_zh=material.name_zh,
        name_en=material.name_en,
        reason=reason,
        required_when=requirement.required_when,
        note_zh=requirement.note_zh,
        note_en=requirement.note_en,
    )


def _qualifiers(catalog: Catalog, issue: MaterialIssue, language: str) -> list[str]:
    parts: list[str] = []
    if issue.required_when is not None and issue.reason == MISSING:
        fact = catalog.facts[issue.required_when]
        parts.append(fact.name_zh if language == "zh" else fact.name_en)
    note = issue.note_zh if language == "zh" else issue.note_en
    if note:
        parts.append(note)
    return parts


def _notice_zh(
    catalog: Catalog,
    matter: BusinessType,
    needed: int,
    missing: list[MaterialIssue],
    unexpected: list[MaterialIssue],
    fields: list[FormIssue],
) -> str:
    lines = [f"预审结果（一次性告知）：办理「{matter.name_zh}」"]
    if missing:
        lines[0] += f"尚缺以下{len(missing)}项材料，请一次备齐："
        for number, issue in enumerate(missing, start=1):
            extra = "；".join(_qualifiers(catalog, issue, "zh"))
            lines.append(f"{number}. {issue.name_zh}" + (f"（{extra}）" if extra else ""))
    else:
        lines[0] += f"所需的{needed}项材料已齐全。"
    not_needed = [i.name_zh for i in unexpected if i.reason != UNKNOWN]
    unknown = [i.code for i in unexpected if i.reason == UNKNOWN]
    if not_needed:
        lines.append(f"以下材料本次无需提交：{'、'.join(not_needed)}。")
    if unknown:
        lines.append(f"无法识别的材料代码：{'、'.join(unknown)}。")
    if fields:
        lines.append(f"申请表尚有以下{len(fields)}项需补正：")
        lines += [f"- {f.name_zh}：{f.reason_zh}" for f in fields]
    lines.append("预审不具有受理效力，以窗口受理为准。")
    return "\n".join(lines)


def _notice_en(
    catalog: Catalog,
    matter: BusinessType,
    needed: int,
    missing: list[MaterialIssue],
    unexpected: list[MaterialIssue],
    fields: list[FormIssue],
) -> str:
    lines = [f"Pre-review (one-time notice) for {matter.name_en}: "]
    if missing:
        noun = "material is" if len(missing) == 1 else "materials are"
        lines[0] += f"{len(missing)} {noun} missing; please bring them all at once:"
        for number, issue in enumerate(missing, start=1):
            extra = "; ".join(_qualifiers(catalog, issue, "en"))
            lines.append(f"{number}. {issue.name_en}" + (f" ({extra})" if extra else ""))
    else:
        lines[0] += f"all {needed} required materials are present."
    not_needed = [i.name_en for i in unexpected if i.reason != UNKNOWN]
    unknown = [i.code for i in unexpected if i.reason == UNKNOWN]
    if not_needed:
        lines.append(f"Not needed this time: {'; '.join(not_needed)}.")
    if unknown:
        lines.append(f"Unknown material codes: {', '.join(unknown)}.")
    if fields:
        noun = "item" if len(fields) == 1 else "items"
        lines.append(f"On the application form, {len(fields)} {noun} to put right:")
        lines += [f"- {f.name_en}: {f.reason_en}" for f in fields]
    lines.append("Pre-review has no legal effect; the case is accepted only at the window.")
    return "\n".join(lines)
