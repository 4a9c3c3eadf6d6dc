"""What the register says about a case: pure rules over facts the departments gather.

Housing's transaction check, the registrar's review and the service desk ask the same
questions of the register (is the unit seized, do the sellers hold it, is an advance notice
in the way, is the sales contract filed), each at its own moment. The activities and the
desk gather the facts (:class:`UnitFacts`, :class:`CaseFacts`, :class:`ContractFacts`) and
these functions decide, as the tax engine does: no I/O, so every rule is tested on its own.

A decision is a :class:`Refusal` (its kind is the name of the error the case ends with,
and a message the applicant reads in Chinese and English) or, for the transaction check,
a :class:`CheckPassed` with the notes the other departments need (mortgages, objections).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from domain.flows import HAS_TRANSFEROR, Flow


class RefusalKind(StrEnum):
    """Why the register stops a case; the values are the case's refusal types."""

    PROPERTY_NOT_FOUND = "PropertyNotFound"
    PROPERTY_SEIZED = "PropertySeized"
    SELLER_NOT_OWNER = "SellerNotOwner"
    TITLE_EXISTS = "TitleExists"
    ADVANCE_NOTICE_HELD = "AdvanceNoticeHeld"
    CONTRACT_NOT_FILED = "ContractNotFiled"


class Subject(StrEnum):
    """What in the application the refusal is about: the desk names that field."""

    UNIT = "unit"
    EXCHANGE_UNIT = "exchange_unit"
    SELLERS = "sellers"
    BUYERS = "buyers"
    CONTRACT = "contract"


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
    """What the case and its business type say: the flow, the parties, the price."""

    flow: Flow
    sellers: frozenset[str]
    buyers: frozenset[str]
    price: Decimal = Decimal(0)
    court_ordered: bool = False
    filed_contract: bool = False


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
    """A seizure (查封) in force stops every matter but a transfer the court itself orders."""
    if case.court_ordered:
        return None
    seizures = unit.in_force(EncumbranceKind.SEIZURE)
    if not seizures:
        return None
    s = seizures[0]
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
    consent). A first registration: nobody holds the unit yet.
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
    if givers and givers <= owners and owners <= givers | move.takers:
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


def register_refusal(
    case: CaseFacts, unit: UnitFacts, exchange_unit: UnitFacts | None = None
) -> Refusal | None:
    """The register's own look at a case (不动产登记暂行条例 art. 22): the units exist, none is
    seized (unless a court orders the transfer), no advance notice is in the way, and the
    givers hold each unit (or, for a first registration, nobody does). The most telling
    reason comes first: seizures, then notices, then ownership.
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
