"""The facts the register rules (`domain.register_rules`) decide on, read from the database.

Housing's check, the registrar's review and the service desk read a unit the same way here,
so the three ask the pure rules about the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from domain.business_types import BusinessType
from domain.register_rules import (
    CaseFacts,
    ContractFacts,
    EncumbranceFact,
    UnitFacts,
    facts_of_case,
)
from models.archive import Case, Party
from models.register import Encumbrance, FiledContract, Property
from models.titles import holders, open_title


def in_force(session: Session, unit_number: str) -> list[Encumbrance]:
    """The unit's encumbrances not released, oldest first."""
    return list(
        session.exec(
            select(Encumbrance)
            .where(
                Encumbrance.unit_number == unit_number,
                col(Encumbrance.released_on).is_(None),
            )
            .order_by(col(Encumbrance.id))
        )
    )


def unit_facts(session: Session, unit_number: str | None) -> UnitFacts:
    """The unit as the register shows it now (None: a case that names no such unit)."""
    if not unit_number:
        return UnitFacts(unit_number="", exists=False)
    if session.get(Property, unit_number) is None:
        return UnitFacts(unit_number=unit_number, exists=False)
    title = open_title(session, unit_number)
    owners = (
        frozenset(h.holder_id_number for h in holders(session, title)) if title else frozenset()
    )
    return UnitFacts(
        unit_number=unit_number,
        owners=owners,
        titled=title is not None,
        encumbrances=tuple(
            EncumbranceFact(
                kind=e.kind,
                holder=e.holder,
                reference=e.reference,
                holder_id_number=e.holder_id_number,
            )
            for e in in_force(session, unit_number)
        ),
    )


@dataclass(frozen=True)
class MortgageTerms:
    """The lien a case records or releases, as intake keeps it in ``Case.facts["mortgage"]``:
    the secured debt and its term (a new lien), the proof number of the lien released."""

    secured_amount: Decimal | None = None
    term_start: date | None = None
    term_end: date | None = None
    releases: str | None = None


def mortgage_terms(case: Case) -> MortgageTerms:
    """Read the case's mortgage facts (absent or partial for types without a lien)."""
    raw: Any = (case.facts or {}).get("mortgage") or {}

    def day(key: str) -> date | None:
        value = raw.get(key)
        return date.fromisoformat(value) if value else None

    amount = raw.get("secured_amount")
    return MortgageTerms(
        secured_amount=Decimal(str(amount)) if amount is not None else None,
        term_start=day("term_start"),
        term_end=day("term_end"),
        releases=raw.get("releases") or None,
    )


def conditions(case: Case) -> dict[str, bool]:
    """The catalog facts the case declared (``has_mortgage``, ``agent_acts``, ...)."""
    return dict((case.facts or {}).get("conditions") or {})


def case_facts(
    bt: BusinessType,
    case: Case,
    sellers: frozenset[str],
    buyers: frozenset[str],
    lenders: list[Party] | None = None,
) -> CaseFacts:
    """The case's side: its flow and business-type switches, parties, price and lien."""
    lenders = lenders or []
    return facts_of_case(
        bt,
        sellers,
        buyers,
        price=case.price,
        conditions=conditions(case),
        lenders=[p.id_number for p in lenders],
        lender_names=[p.name for p in lenders],
        releases=mortgage_terms(case).releases,
    )


def party_ids(session: Session, case_no: str) -> tuple[frozenset[str], frozenset[str]]:
    """The identity numbers of the case's sellers and buyers."""
    parties = list(session.exec(select(Party).where(Party.case_no == case_no)))
    return (
        frozenset(p.id_number for p in parties if p.role == "seller"),
        frozenset(p.id_number for p in parties if p.role == "buyer"),
    )


def lenders(session: Session, case_no: str) -> list[Party]:
    """The case's lenders (抵押权人), in the order intake stored them."""
    return list(
        session.exec(
            select(Party)
            .where(Party.case_no == case_no, Party.role == "lender")
            .order_by(col(Party.id))
        )
    )


def filed_contracts(session: Session, unit_number: str) -> list[ContractFacts]:
    """The unit's sales contracts filed and not yet spent by a registration."""
    return [
        ContractFacts(
            contract_no=c.contract_no,
            seller_id_number=c.seller_id_number,
            buyer_id_number=c.buyer_id_number,
            price=c.price,
        )
        for c in session.exec(
            select(FiledContract)
            .where(FiledContract.unit_number == unit_number, FiledContract.status == "filed")
            .order_by(col(FiledContract.filed_on), col(FiledContract.contract_no))
        )
    ]
