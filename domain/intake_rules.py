"""What each flow needs on the case form, beyond the papers: one set of rules for the desk
and the window.

The intake window refuses a form that breaks one (a 422 naming the field); the desk's
pre-review lists every one in its one-time notice (一次性告知). Both call
:func:`form_issues`, so the desk never tells an applicant "complete" for a form the window
would refuse. The rules read the catalog and the tax treatment, never the register: whether
a unit exists or is seized is the window's to ask the database.

A field the desk was not told (``None`` in :class:`FlowForm`) is not checked, except the
ones a flow cannot do without (the decision's number, the relationship, the second unit,
the lien's amount, term and the proof it releases), which the notice then lists as missing.

Liens go by the catalog's registration kind (`domain.flows`: `LIEN_RECORDING_KINDS`,
`RELEASING_KINDS`): a first mortgage, or a transfer with the buyer's new mortgage, names
the lender and the lien's amount and term; a cancellation names the lender and the proof
of the lien it releases; a transfer carrying the seller's lien over to the buyer's bank
(带押过户) names both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.business_types import BusinessType, MaterialRequirement
from domain.catalog import Catalog
from domain.flows import (
    HAS_TRANSFEREE,
    HAS_TRANSFEROR,
    LIEN_KINDS,
    LIEN_RECORDING_KINDS,
    RELEASING_KINDS,
    Flow,
)
from domain.tax.declarations_required import missing_declarations
from domain.tax.from_case import TaxDeclaration
from domain.tax.relationship import Relationship
from domain.tax.treatments import Treatment

KINSHIP_PROOF = "kinship_proof"
"""The material proving a relationship (户口簿、结婚证、出生医学证明…)."""

RELATIONSHIP_FIELD = ("tax_facts", "relationship")


@dataclass(frozen=True)
class MortgageTerms:
    """The lien as the form gives it (request field ``mortgage``); None: left out."""

    secured_amount: Decimal | None = None
    term_start: date | None = None
    term_end: date | None = None
    releases: str | None = None


@dataclass(frozen=True)
class FlowForm:
    """The parts of a case form the flow rules read.

    Attributes:
        sellers: how many transferors the form names; None: not told (pre-review).
        buyers: how many transferees the form names; None: not told.
        lenders: how many lenders (mortgagees) the form names; None: not told.
        decision_no: the number of the decision the transfer rests on.
        relationship: the transferee's relationship to the transferor.
        unit_number: the unit the case is about; None: not told.
        exchange_unit_number: an exchange's second unit.
        mortgage: the lien recorded or released; None: none given.
    """

    sellers: int | None = None
    buyers: int | None = None
    lenders: int | None = None
    decision_no: str | None = None
    relationship: Relationship | None = None
    unit_number: str | None = None
    exchange_unit_number: str | None = None
    mortgage: MortgageTerms | None = None


@dataclass(frozen=True)
class FieldIssue:
    """One thing the form lacks or should not carry, named by its field (`loc` under body)."""

    loc: tuple[str, ...]
    name_zh: str
    name_en: str
    type: str
    reason_zh: str
    reason_en: str

    @property
    def message(self) -> str:
        """The 422's message: the rule, in English, as the API speaks it."""
        return self.reason_en


def asks_relationship(matter: BusinessType, treatment: Treatment | None) -> bool:
    """Whether the matter's relationship matters: its papers include kinship proof (an heir's
    right, a gift's reliefs) or its tax treatment grants reliefs by relationship."""
    listed = KINSHIP_PROOF in matter.material_codes
    return listed or bool(treatment is not None and treatment.relationship_exempt)


def needs_relationship(matter: BusinessType) -> bool:
    """Whether the form must name the relationship: the catalog always asks for its proof
    (an inheritance: who the heirs are to the deceased decides the exemptions)."""
    return any(r.material == KINSHIP_PROOF and not r.conditional for r in matter.materials)


def proofs_needed(matter: BusinessType, form: FlowForm) -> list[MaterialRequirement]:
    """Papers the form itself calls for: a declared relationship needs its proof."""
    if form.relationship is None or KINSHIP_PROOF not in matter.material_codes:
        return []
    return [
        MaterialRequirement(
            material=KINSHIP_PROOF,
            note_zh=f"证明所申报的关系（{form.relationship.value}）",
            note_en=f"proves the declared relationship ({form.relationship.value})",
        )
    ]


def form_issues(
    catalog: Catalog,
    matter: BusinessType,
    treatment: Treatment | None,
    form: FlowForm,
    conditions: Mapping[str, bool],
    declared: TaxDeclaration,
) -> list[FieldIssue]:
    """Every field the flow lacks or refuses, in the order of the form."""
    return [
        *_sellers(matter, form),
        *_buyers(matter, form),
        *_lenders(matter, form),
        *_mortgage(matter, form),
        *_decision(catalog, matter, form),
        *_exchange(matter, form),
        *_relationship(matter, treatment, form, conditions, declared),
        *_declarations(treatment, conditions, declared),
    ]


def _sellers(matter: BusinessType, form: FlowForm) -> list[FieldIssue]:
    if form.sellers is None:
        return []
    name = ("sellers",), "转让方", "sellers"
    if matter.flow is Flow.MORTGAGE and form.sellers == 0:
        return [
            FieldIssue(
                ("sellers",),
                "抵押人（产权人）",
                "sellers (the owners)",
                type="transferor_required",
                reason_zh=f"「{matter.name_zh}」须列明产权人（抵押人）为转让方",
                reason_en=(
                    f"{matter.code} ({matter.flow.value}) needs at least one owner of the unit "
                    "among the sellers: the mortgagors"
                ),
            )
        ]
    if HAS_TRANSFEROR[matter.flow] and form.sellers == 0:
        return [
            FieldIssue(
                *name,
                type="transferor_required",
                reason_zh=f"「{matter.name_zh}」须列明至少一名转让方",
                reason_en=f"{matter.code} ({matter.flow.value}) needs at least one transferor",
            )
        ]
    if not HAS_TRANSFEROR[matter.flow] and form.sellers > 0:
        return [
            FieldIssue(
                *name,
                type="transferor_not_admitted",
                reason_zh=f"「{matter.name_zh}」为首次登记，无转让方，请勿填写",
                reason_en=(
                    f"{matter.code} is a first registration: nobody transfers the unit "
                    "(the state grants it), so sellers must be empty"
                ),
            )
        ]
    return []


def _buyers(matter: BusinessType, form: FlowForm) -> list[FieldIssue]:
    if form.buyers is None:
        return []
    name = ("buyers",), "受让方", "buyers"
    if HAS_TRANSFEREE[matter.flow] and form.buyers == 0:
        return [
            FieldIssue(
                *name,
                type="transferee_required",
                reason_zh=f"「{matter.name_zh}」须列明至少一名受让方",
                # Worded as the schema's own "missing" was, when buyers could not be left out.
                reason_en=(
                    f"Field required: {matter.code} ({matter.flow.value}) needs at least one "
                    "transferee"
                ),
            )
        ]
    if not HAS_TRANSFEREE[matter.flow] and form.buyers > 0:
        return [
            FieldIssue(
                *name,
                type="transferee_not_admitted",
                reason_zh=(
                    f"「{matter.name_zh}」不转移所有权，无受让方，请勿填写；"
                    "产权人（抵押人）列为转让方，抵押权人列为抵押权人"
                ),
                reason_en=(
                    f"{matter.code} changes no owner, so buyers must be empty: the owners "
                    "(mortgagors) are the sellers, the lender goes in lenders"
                ),
            )
        ]
    return []


def _lenders(matter: BusinessType, form: FlowForm) -> list[FieldIssue]:
    if form.lenders is None:
        return []
    name = ("lenders",), "抵押权人", "lenders"
    lien = matter.registration_kind in LIEN_KINDS
    if lien and form.lenders == 0:
        act = "releases" if matter.registration_kind == "mortgage_cancellation" else "records"
        return [
            FieldIssue(
                *name,
                type="lender_required",
                reason_zh=f"「{matter.name_zh}」须列明抵押权人",
                reason_en=(
                    f"{matter.code} ({matter.registration_kind}) needs at least one lender: "
                    f"the mortgagee whose lien it {act}"
                ),
            )
        ]
    if not lien and form.lenders > 0:
        return [
            FieldIssue(
                *name,
                type="lender_not_admitted",
                reason_zh=f"「{matter.name_zh}」不涉及抵押权，请勿填写抵押权人",
                reason_en=(
                    f"{matter.code} ({matter.registration_kind}) records or releases no lien; "
                    "leave lenders out"
                ),
            )
        ]
    return []


_MORTGAGE_NAMES = {
    "secured_amount": ("被担保主债权数额", "secured amount"),
    "term_start": ("债务履行期限起始日", "start of the term"),
    "term_end": ("债务履行期限届满日", "end of the term"),
    "releases": ("注销的抵押权登记证明号", "proof number of the lien released"),
}


def _mortgage(matter: BusinessType, form: FlowForm) -> list[FieldIssue]:
    """The lien's parts the registration kind records (amount, term) or releases (proof)."""
    kind = matter.registration_kind
    if kind not in LIEN_KINDS:
        if form.mortgage is None:
            return []
        return [
            FieldIssue(
                ("mortgage",),
                "抵押权",
                "mortgage",
                type="mortgage_not_admitted",
                reason_zh=f"「{matter.name_zh}」不涉及抵押权，请勿填写抵押信息",
                reason_en=f"{matter.code} ({kind}) records or releases no lien; leave mortgage out",
            )
        ]
    given = form.mortgage or MortgageTerms()
    wanted = {
        "secured_amount": kind in LIEN_RECORDING_KINDS,
        "term_start": kind in LIEN_RECORDING_KINDS,
        "term_end": kind in LIEN_RECORDING_KINDS,
        "releases": kind in RELEASING_KINDS,
    }
    issues = [
        _lien_part(matter, part, needed, getattr(given, part) is not None)
        for part, needed in wanted.items()
    ]
    found = [issue for issue in issues if issue is not None]
    start, end = given.term_start, given.term_end
    if kind in LIEN_RECORDING_KINDS and start is not None and end is not None and end <= start:
        found.append(
            FieldIssue(
                ("mortgage", "term_end"),
                *_MORTGAGE_NAMES["term_end"],
                type="term_order",
                reason_zh=f"债务履行期限届满日须晚于起始日（{start.isoformat()}）",
                reason_en=f"must be after term_start ({start.isoformat()})",
            )
        )
    return found


def _lien_part(matter: BusinessType, part: str, needed: bool, given: bool) -> FieldIssue | None:
    kind = matter.registration_kind
    name_zh, name_en = _MORTGAGE_NAMES[part]
    group = "term" if part.startswith("term_") else part
    if needed and not given:
        return FieldIssue(
            ("mortgage", part),
            name_zh,
            name_en,
            type=f"{group}_required",
            reason_zh=f"「{matter.name_zh}」须填写{name_zh}",
            reason_en=f"required for {matter.code} ({kind}): the {name_en}",
        )
    if given and not needed:
        return FieldIssue(
            ("mortgage", part),
            name_zh,
            name_en,
            type=f"{group}_not_admitted",
            reason_zh=f"「{matter.name_zh}」无需填写{name_zh}，请勿填写",
            reason_en=f"{matter.code} ({kind}) does not take the {name_en}; leave it out",
        )
    return None


def _decision(catalog: Catalog, matter: BusinessType, form: FlowForm) -> list[FieldIssue]:
    name = ("decision_no",), "决定书文号", "decision number"
    if matter.decision_material is None:
        if form.decision_no is None:
            return []
        return [
            FieldIssue(
                *name,
                type="decision_not_admitted",
                reason_zh=f"「{matter.name_zh}」不依据任何决定书，请勿填写文号",
                reason_en=f"{matter.code} rests on no decision; leave decision_no out",
            )
        ]
    if form.decision_no is not None:
        return []
    material = catalog.material(matter.decision_material)
    return [
        FieldIssue(
            *name,
            type="decision_required",
            reason_zh=f"缺少{material.name_zh}的文号",
            reason_en=f"required for {matter.code}: the number of the {material.name_en}",
        )
    ]


def _exchange(matter: BusinessType, form: FlowForm) -> list[FieldIssue]:
    name = ("exchange_unit_number",), "互换的另一不动产单元号", "exchange unit number"
    given = form.exchange_unit_number
    if matter.flow is not Flow.EXCHANGE:
        if given is None:
            return []
        return [
            FieldIssue(
                *name,
                type="exchange_unit_not_admitted",
                reason_zh=f"「{matter.name_zh}」不是互换，请勿填写另一单元",
                reason_en=f"{matter.code} is no exchange; leave exchange_unit_number out",
            )
        ]
    if given is None:
        return [
            FieldIssue(
                *name,
                type="exchange_unit_required",
                reason_zh="互换须填写另一方的不动产单元号",
                reason_en="required for an exchange: the unit given in return",
            )
        ]
    if given == form.unit_number:
        return [
            FieldIssue(
                *name,
                type="exchange_unit_same",
                reason_zh="互换的两个不动产单元不能相同",
                reason_en="must differ from unit_number: an exchange swaps two units",
            )
        ]
    return []


def _relationship(
    matter: BusinessType,
    treatment: Treatment | None,
    form: FlowForm,
    conditions: Mapping[str, bool],
    declared: TaxDeclaration,
) -> list[FieldIssue]:
    name = RELATIONSHIP_FIELD, "与转让方的关系", "relationship"
    if form.relationship is not None and not asks_relationship(matter, treatment):
        return [
            FieldIssue(
                *name,
                type="relationship_not_admitted",
                reason_zh=f"「{matter.name_zh}」的税费不考虑当事人关系，请勿填写",
                reason_en=(
                    f"{matter.code}'s taxes do not depend on a relationship; "
                    "leave tax_facts.relationship out"
                ),
            )
        ]
    # A gift to a close relative is the tax declarations' rule (below), named once.
    gift_rule = any(
        field == RELATIONSHIP_FIELD[1]
        for field, _ in missing_declarations(treatment, conditions, declared)
    )
    if form.relationship is None and needs_relationship(matter) and not gift_rule:
        kinds = ", ".join(r.value for r in Relationship)
        return [
            FieldIssue(
                *name,
                type="relationship_required",
                reason_zh="须申报继承人与被继承人的关系",
                reason_en=(
                    f"required for {matter.code}: the heirs' relationship to the deceased "
                    f"decides the exemptions; one of {kinds}"
                ),
            )
        ]
    return []


_DECLARATION_NAMES = {
    "relationship": ("与转让方的关系", "relationship"),
    "exchange_price_difference": ("互换差价", "exchange price difference"),
}


def _declarations(
    treatment: Treatment | None, conditions: Mapping[str, bool], declared: TaxDeclaration
) -> list[FieldIssue]:
    issues = []
    for field, rule in missing_declarations(treatment, conditions, declared):
        name_zh, name_en = _DECLARATION_NAMES.get(field, (field, field))
        issues.append(
            FieldIssue(
                ("tax_facts", field),
                name_zh,
                name_en,
                type="declaration_required",
                reason_zh=f"须申报{name_zh}",
                reason_en=rule,
            )
        )
    return issues
