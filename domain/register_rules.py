"""What the register says about a case: pure rules over facts the departments gather.

Housing's transaction check, the registrar's review and the service desk ask the same
questions of the register (is the unit seized, do the sellers hold it, is an advance notice
or a lender's lien in the way, is the sales contract filed), each at its own moment. The
activities and the desk gather the facts (:class:`UnitFacts`, :class:`CaseFacts`,
:class:`ContractFacts`) and these functions decide, as the tax engine does: no I/O, so
every rule is tested on its own.

A decision is a :class:`Refusal` (its kind is the name of the error the case ends with,
and a message the applicant reads in Chinese and English) or, for the transaction check,
a :class:`CheckPassed` with the notes the other departments need (mortgages, objections).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from domain.business_types import BusinessType
from domain.flows import HAS_TRANSFEROR, RELEASING_KINDS, Flow

MORTGAGE_CANCELLATION = "mortgage_cancellation"
TRANSFER_AND_MORTGAGE_CHANGE = "transfer_and_mortgage_change"
CONSENT_MATERIAL = "mortgagee_consent"
CONSENT_FACT = "has_mortgage"


class RefusalKind(StrEnum):
    """Why the register stops a case; the values are the case's refusal types."""

    PROPERTY_NOT_FOUND = "PropertyNotFound"
    PROPERTY_SEIZED = "PropertySeized"
    SELLER_NOT_OWNER = "SellerNotOwner"
    TITLE_EXISTS = "TitleExists"
    ADVANCE_NOTICE_HELD = "AdvanceNoticeHeld"
    CONTRACT_NOT_FILED = "ContractNotFiled"
    # A lender's lien stands on a unit the case would transfer, and the case does not deal
    # with it (release it, carry it with the mortgagee's consent, or a court's order).
    MORTGAGE_IN_FORCE = "MortgageInForce"
    # The lien the case would release is not in force on the unit, or not the lender's.
    MORTGAGE_NOT_FOUND = "MortgageNotFound"


class Subject(StrEnum):
    """What in the application the refusal is about: the desk names that field."""

    UNIT = "unit"
    EXCHANGE_UNIT = "exchange_unit"
    SELLERS = "sellers"
    BUYERS = "buyers"
    CONTRACT = "contract"
    LENDERS = "lenders"
    RELEASES = "releases"


class EncumbranceKind(StrEnum):
    """The register's kinds of encumbrance (the stored values of `models.register`)."""

    MORTGAGE = "mortgage"
    SEIZURE = "seizure"
    ADVANCE_NOTICE = "advance_notice"
    OBJECTION = "objection"


@dataclass(frozen=True)
class EncumbranceFact:
    """An encumbrance in force. `holder_id_number` says whose an advance notice is
    (None: recorded before the register kept it, so it is nobody's in this case)."""

    kind: EncumbranceKind
    holder: str
    reference: str
    holder_id_number: str | None = None


@dataclass(frozen=True)
class UnitFacts:
    """One unit as the register shows it now."""

    unit_number: str
    exists: bool = True
    # Identity numbers of the open title's holders; empty when no title is open.
    owners: frozenset[str] = frozenset()
    titled: bool = False
    encumbrances: tuple[EncumbranceFact, ...] = ()

    def in_force(self, kind: EncumbranceKind) -> list[EncumbranceFact]:
        return [e for e in self.encumbrances if e.kind == kind]


@dataclass(frozen=True)
class ContractFacts:
    """The sales contract filed online for the unit (网签备案), if one is filed."""

    contract_no: str
    seller_id_number: str
    buyer_id_number: str
    price: Decimal


@dataclass(frozen=True)
class CaseFacts:
    """What the case and its business type say: the flow, the parties, the price, and for a
    lien its lenders (identity numbers and, for liens recorded before the register kept the
    holder's number, names) and the lien the case releases (its proof number)."""

    flow: Flow
    sellers: frozenset[str]
    buyers: frozenset[str]
    price: Decimal = Decimal(0)
    court_ordered: bool = False
    filed_contract: bool = False
    registration_kind: str = "transfer"
    lenders: frozenset[str] = frozenset()
    lender_names: frozenset[str] = frozenset()
    releases: str | None = None
    # The case declares the unit mortgaged and brings the mortgagee's consent: the lien stays
    # and follows the unit (民法典 art. 406).
    lien_consented: bool = False
    # Shares pass between co-owners (共有份额转移): the buyers already hold the title.
    between_co_owners: bool = False

    @property
    def changes_owner(self) -> bool:
        """Whether the case passes a title that may carry a lien (not a mortgage, nor a first
        registration, where nobody holds the unit yet)."""
        return self.flow not in (Flow.MORTGAGE, Flow.FIRST_REGISTRATION)


def facts_of_case(
    bt: BusinessType,
    sellers: Iterable[str],
    buyers: Iterable[str],
    *,
    price: Decimal = Decimal(0),
    conditions: Mapping[str, bool] | None = None,
    lenders: Iterable[str] = (),
    lender_names: Iterable[str] = (),
    releases: str | None = None,
) -> CaseFacts:
    """The case's side as the business type and the application give it: one builder for the
    desk (before the case is stored) and the departments (from the archive)."""
    declared = bool((conditions or {}).get(CONSENT_FACT))
    asks_consent = any(m.material == CONSENT_MATERIAL for m in bt.materials)
    return CaseFacts(
        flow=bt.flow,
        sellers=frozenset(sellers),
        buyers=frozenset(buyers),
        price=price,
        court_ordered=bt.court_ordered,
        filed_contract=bt.filed_contract,
        registration_kind=bt.registration_kind,
        lenders=frozenset(lenders),
        lender_names=frozenset(lender_names),
        releases=releases,
        lien_consented=declared and asks_consent,
        between_co_owners=bt.between_co_owners,
    )


@dataclass(frozen=True)
class Refusal:
    """The register stops the case; `zh` and `en` are read by the applicant."""

    kind: RefusalKind
    subject: Subject
    zh: str
    en: str

    @property
    def message(self) -> str:
        """Both languages, as a refusal's reason is sent (SMS, history)."""
        return f"{self.zh} {self.en}"


@dataclass(frozen=True)
class CheckPassed:
    """The transaction check found nothing in the way; notes for tax and registration."""

    contract_no: str | None = None
    mortgages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Transfer:
    """One unit passing from `givers` to `takers` (an exchange has two)."""

    unit: UnitFacts
    givers: frozenset[str]
    takers: frozenset[str]
    subject: Subject


def transfers(case: CaseFacts, unit: UnitFacts, exchange_unit: UnitFacts | None) -> list[Transfer]:
    """The units the case moves: its unit from the sellers to the buyers, and in an exchange
    the second unit from the buyers to the sellers."""
    moves = [Transfer(unit, case.sellers, case.buyers, Subject.UNIT)]
    if case.flow is Flow.EXCHANGE:
        second = exchange_unit or UnitFacts(unit_number="", exists=False)
        moves.append(Transfer(second, case.buyers, case.sellers, Subject.EXCHANGE_UNIT))
    return moves


def unit_missing(
    case: CaseFacts, unit: UnitFacts, exchange_unit: UnitFacts | None
) -> Refusal | None:
    """A unit the case names is not in the register (an exchange names two)."""
    for move in transfers(case, unit, exchange_unit):
        if not move.unit.exists:
            number = move.unit.unit_number
            if not number:
                return Refusal(
                    RefusalKind.PROPERTY_NOT_FOUND,
                    move.subject,
                    "互换须写明对方交换的不动产单元。",
                    "An exchange must name the unit given in return.",
                )
            return Refusal(
                RefusalKind.PROPERTY_NOT_FOUND,
                move.subject,
                f"不动产单元{number}未登记。",
                f"Unit {number} is not in the register.",
            )
    return None


def seizure(case: CaseFacts, unit: UnitFacts, subject: Subject = Subject.UNIT) -> Refusal | None:
    """A seizure (查封) in force stops every matter but a transfer the court itself orders and
    a lien's release (it takes nothing from the seizing creditor)."""
    if case.court_ordered or case.registration_kind == MORTGAGE_CANCELLATION:
        return None
    seizures = unit.in_force(EncumbranceKind.SEIZURE)
    if not seizures:
        return None
    s = seizures[0]
    if case.flow is Flow.MORTGAGE:
        return Refusal(
            RefusalKind.PROPERTY_SEIZED,
            subject,
            f"该房屋已被{s.holder}查封（{s.reference}），不能办理抵押登记。",
            f"The property is seized by {s.holder} ({s.reference}); it cannot be"
            " mortgaged until the seizure is lifted.",
        )
    return Refusal(
        RefusalKind.PROPERTY_SEIZED,
        subject,
        f"该房屋已被{s.holder}查封（{s.reference}），不能转移登记。",
        f"The property is seized by {s.holder} ({s.reference}); it cannot be"
        " transferred until the seizure is lifted.",
    )


def advance_notice(case: CaseFacts, unit: UnitFacts, buyers: frozenset[str]) -> Refusal | None:
    """An advance notice (预告登记) binds the unit to its holder (民法典 art. 221).

    In the advance-notice flow the notice must be the buyers' own: it is what the case
    converts, and recording spends it. Any other notice needs its holder's consent, which
    the hall does not take, so it refuses; outside that flow every notice does.
    """
    if case.registration_kind == MORTGAGE_CANCELLATION:
        return None  # releasing a lien disposes of nothing the notice secures
    notices = unit.in_force(EncumbranceKind.ADVANCE_NOTICE)
    own = [n for n in notices if n.holder_id_number is not None and n.holder_id_number in buyers]
    if case.flow is Flow.ADVANCE_NOTICE:
        others = [n for n in notices if n not in own]
        if others:
            return _notice_held(others[0])
        if not own:
            return Refusal(
                RefusalKind.ADVANCE_NOTICE_HELD,
                Subject.BUYERS,
                "登记簿上没有买受人的预告登记，不能办理预告转本登记。",
                "The register holds no advance notice of the buyers; there is nothing"
                " to convert into the transfer.",
            )
        return None
    return _notice_held(notices[0]) if notices else None


def _notice_held(notice: EncumbranceFact) -> Refusal:
    return Refusal(
        RefusalKind.ADVANCE_NOTICE_HELD,
        Subject.UNIT,
        f"该房屋存在预告登记（{notice.holder}），须经权利人同意。",
        "An advance-notice registration needs its holder's consent.",
    )


def ownership(case: CaseFacts, move: Transfer) -> Refusal | None:
    """Who may give the unit.

    With a transferor: every giver holds the open title and every holder gives or takes
    (co-owners sell together, or one buys the others out; a co-owner left out would need
    consent). Between co-owners (a share transfer) the takers hold the title already and
    co-owners who neither sell nor buy keep their shares. A mortgage: every owner grants the
    lien; a cancellation needs only that its applicants hold the unit. A first registration:
    nobody holds the unit yet.
    """
    if not HAS_TRANSFEROR[case.flow]:
        if move.unit.titled:
            return Refusal(
                RefusalKind.TITLE_EXISTS,
                move.subject,
                f"不动产单元{move.unit.unit_number}已有权利人登记，不能办理首次登记。",
                f"Unit {move.unit.unit_number} already has a registered owner;"
                " it cannot be registered for the first time.",
            )
        return None
    owners = move.unit.owners
    givers = move.givers
    if case.flow is Flow.MORTGAGE:
        everyone = case.registration_kind == MORTGAGE_CANCELLATION or owners <= givers
        if givers and givers <= owners and everyone:
            return None
        return Refusal(
            RefusalKind.SELLER_NOT_OWNER,
            Subject.SELLERS,
            "抵押人与登记簿记载的权利人不一致（共有房屋须全体共有人抵押）。",
            "The mortgagors named in the case are not the registered owners (every co-owner"
            " grants the mortgage).",
        )
    if case.between_co_owners and move.subject is Subject.UNIT:
        if givers and givers <= owners and move.takers and move.takers <= owners:
            return None
        if givers and givers <= owners:
            return Refusal(
                RefusalKind.SELLER_NOT_OWNER,
                Subject.BUYERS,
                "共有份额转让的受让人须为该房屋现有的共有人。",
                "A share passes between co-owners: the buyers must already hold the title.",
            )
    elif givers and givers <= owners and owners <= givers | move.takers:
        return None
    if move.subject is Subject.EXCHANGE_UNIT:
        return Refusal(
            RefusalKind.SELLER_NOT_OWNER,
            Subject.BUYERS,
            "换入方与登记簿记载的交换房屋权利人不一致。",
            "The buyers named in the case are not the registered owners of the unit"
            " given in return.",
        )
    return Refusal(
        RefusalKind.SELLER_NOT_OWNER,
        Subject.SELLERS,
        "卖方与登记簿记载的权利人不一致。",
        "The sellers named in the case are not the registered owners.",
    )


def lien_holder(case: CaseFacts, lien: EncumbranceFact) -> bool:
    """Whether the lien is one of the case's lenders': by credit code, or by name for a lien
    recorded before the register kept the holder's number."""
    if lien.holder_id_number is not None:
        return lien.holder_id_number in case.lenders
    return lien.holder in case.lender_names


def released_lien(case: CaseFacts, unit: UnitFacts) -> Refusal | None:
    """The lien a cancellation or a 带押过户 releases: named (`releases`), a mortgage in force
    on the unit, and for a cancellation the case's lender's own (the lender releases it)."""
    if case.registration_kind not in RELEASING_KINDS:
        return None
    if not case.releases:
        return Refusal(
            RefusalKind.MORTGAGE_NOT_FOUND,
            Subject.RELEASES,
            "须写明所注销抵押权的不动产登记证明号。",
            "Name the registration proof number of the mortgage the case releases.",
        )
    lien = next(
        (m for m in unit.in_force(EncumbranceKind.MORTGAGE) if m.reference == case.releases),
        None,
    )
    if lien is None:
        return Refusal(
            RefusalKind.MORTGAGE_NOT_FOUND,
            Subject.RELEASES,
            f"不动产单元{unit.unit_number}上没有有效的抵押权{case.releases}。",
            f"Unit {unit.unit_number} carries no mortgage in force under {case.releases}.",
        )
    if case.registration_kind == MORTGAGE_CANCELLATION and not lien_holder(case, lien):
        return Refusal(
            RefusalKind.MORTGAGE_NOT_FOUND,
            Subject.LENDERS,
            f"抵押权{lien.reference}的抵押权人为{lien.holder}，与申请的抵押权人不一致。",
            f"The mortgage {lien.reference} is held by {lien.holder}, not by the lender"
            " named in the case.",
        )
    return None


def mortgage_in_force(case: CaseFacts, move: Transfer) -> Refusal | None:
    """A unit under an unreleased lien passes only in a case that deals with the lien: the
    case releases it (带押过户 naming it), the mortgagee consents and the lien follows the
    unit (民法典 art. 406: `has_mortgage` declared, `mortgagee_consent` among the materials),
    or a court orders the transfer. A mortgage case transfers nothing (a second-rank lien is
    allowed)."""
    if not case.changes_owner or case.court_ordered or case.lien_consented:
        return None
    for lien in move.unit.in_force(EncumbranceKind.MORTGAGE):
        released = (
            case.registration_kind == TRANSFER_AND_MORTGAGE_CHANGE
            and move.subject is Subject.UNIT
            and lien.reference == case.releases
        )
        if not released:
            return Refusal(
                RefusalKind.MORTGAGE_IN_FORCE,
                move.subject,
                f"该房屋设有抵押（抵押权人{lien.holder}，{lien.reference}），须先注销抵押、"
                "办理带押过户或经抵押权人同意，不能转移登记。",
                f"The property is mortgaged to {lien.holder} ({lien.reference}); release the"
                " mortgage, transfer it with the mortgage (带押过户) or bring the mortgagee's"
                " consent before it can be transferred.",
            )
    return None


def register_refusal(
    case: CaseFacts, unit: UnitFacts, exchange_unit: UnitFacts | None = None
) -> Refusal | None:
    """The register's own look at a case (不动产登记暂行条例 art. 22): the units exist, none is
    seized (unless a court orders the transfer), no advance notice is in the way, the lien the
    case releases is there, no other lien stands in the way of a transfer, and the givers
    hold each unit (or, for a first registration, nobody does). The most telling reason comes
    first: seizures, then notices, then liens, then ownership.
    """
    missing = unit_missing(case, unit, exchange_unit)
    if missing is not None:
        return missing
    moves = transfers(case, unit, exchange_unit)
    for move in moves:
        seized = seizure(case, move.unit, move.subject)
        if seized is not None:
            return seized
    for move in moves:
        held = advance_notice(case, move.unit, move.takers)
        if held is not None:
            return held
    released = released_lien(case, unit)
    if released is not None:
        return released
    for move in moves:
        liened = mortgage_in_force(case, move)
        if liened is not None:
            return liened
    for move in moves:
        refused = ownership(case, move)
        if refused is not None:
            return refused
    return None


def contract_refusal(case: CaseFacts, contracts: Iterable[ContractFacts]) -> Refusal | None:
    """Where the business type sells under a filed contract, one must match the parties
    and the price; types without one (resettlement, exchange) need none."""
    if not case.filed_contract or matching_contract(case, contracts) is not None:
        return None
    return Refusal(
        RefusalKind.CONTRACT_NOT_FILED,
        Subject.CONTRACT,
        "未找到与本案买卖双方及成交价一致的网签备案合同。",
        "No filed sales contract matches these parties and price.",
    )


def matching_contract(case: CaseFacts, contracts: Iterable[ContractFacts]) -> ContractFacts | None:
    """The first filed contract between a seller and a buyer of the case at its price."""
    for contract in contracts:
        if (
            contract.seller_id_number in case.sellers
            and contract.buyer_id_number in case.buyers
            and contract.price == case.price
        ):
            return contract
    return None


def transaction_check(
    case: CaseFacts,
    unit: UnitFacts,
    exchange_unit: UnitFacts | None = None,
    contracts: Iterable[ContractFacts] = (),
) -> Refusal | CheckPassed:
    """Housing's transaction check (交易核查): the register's look, then the filed contract;
    what passes carries the mortgages and objections for tax and registration."""
    contracts = list(contracts)
    refused = register_refusal(case, unit, exchange_unit) or contract_refusal(case, contracts)
    if refused is not None:
        return refused
    contract = matching_contract(case, contracts) if case.filed_contract else None
    units = [move.unit for move in transfers(case, unit, exchange_unit)]
    several = len(units) > 1

    def where(u: UnitFacts) -> str:
        return f" ({u.unit_number})" if several else ""

    return CheckPassed(
        contract_no=contract.contract_no if contract else None,
        mortgages=[
            f"{e.holder} {e.reference}{where(u)}"
            for u in units
            for e in u.in_force(EncumbranceKind.MORTGAGE)
        ],
        notes=[
            f"objection: {e.reference}{where(u)}"
            for u in units
            for e in u.in_force(EncumbranceKind.OBJECTION)
        ],
    )
