"""The register facts of a case, gathered once for housing's check and the registrar's review,
and the error a register rule's refusal ends the case with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from temporalio.exceptions import ApplicationError

from activities.errors import refuse
from domain.business_types import BusinessType
from domain.flows import Flow
from domain.register_rules import CaseFacts, Refusal, UnitFacts
from models.archive import Case
from models.enums import RefusalType
from models.register_facts import case_facts, lenders, party_ids, unit_facts


@dataclass(frozen=True)
class CaseRegister:
    """A case's side and the units it moves, as the rules take them."""

    case: CaseFacts
    unit: UnitFacts
    exchange_unit: UnitFacts | None


def gather(session: Session, bt: BusinessType, case: Case) -> CaseRegister:
    """Read the case's parties (lenders too) and its units (an exchange's second one too)."""
    sellers, buyers = party_ids(session, case.case_no)
    second = unit_facts(session, case.exchange_unit_number) if bt.flow is Flow.EXCHANGE else None
    return CaseRegister(
        case=case_facts(bt, case, sellers, buyers, lenders(session, case.case_no)),
        unit=unit_facts(session, case.unit_number),
        exchange_unit=second,
    )


def refusal_error(refusal: Refusal) -> ApplicationError:
    """The non-retryable error that ends the case, with the rule's bilingual reason."""
    return refuse(RefusalType(refusal.kind.value), refusal.message)
