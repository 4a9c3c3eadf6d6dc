"""The desk's look at the register before a case is stored (and before anyone pays).

Every case must name units the register has. A matter without a housing check would meet
the rest (a seizure, a seller who does not hold the unit, a title where a first registration
expects none, an advance notice in the way) only at the registrar's review, after the taxes
are paid, so the desk asks the same rules (`domain.register_rules`) now and names the field
at fault. Matters with a housing check are left to it: housing decides on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain import register_rules as rules
from domain.business_types import BusinessType, Department
from domain.flows import Flow
from domain.register_rules import CaseFacts, Refusal, Subject
from models.database import Database
from models.register_facts import unit_facts

FIELDS: dict[Subject, tuple[str | int, ...]] = {
    Subject.UNIT: ("body", "unit_number"),
    Subject.EXCHANGE_UNIT: ("body", "exchange_unit_number"),
    Subject.SELLERS: ("body", "sellers"),
    Subject.BUYERS: ("body", "buyers"),
    Subject.CONTRACT: ("body",),
}


@dataclass(frozen=True)
class RegisterRefusal:
    """Why the register refuses the application: the field, the reason, an error type.

    `type` is the refusal's name in snake case ("property_seized", "seller_not_owner",
    "title_exists", "property_not_found", "advance_notice_held").
    """

    loc: tuple[str | int, ...]
    message: str
    type: str
    message_zh: str


def register_refusal(
    db: Database,
    bt: BusinessType,
    unit_number: str,
    exchange_unit_number: str | None,
    seller_ids: Iterable[str],
    buyer_ids: Iterable[str],
) -> RegisterRefusal | None:
    """The register's refusal of an application of type `bt`, or None if it may be stored."""
    case = CaseFacts(
        flow=bt.flow,
        sellers=frozenset(seller_ids),
        buyers=frozenset(buyer_ids),
        court_ordered=bt.court_ordered,
        filed_contract=bt.filed_contract,
    )
    with db.session() as session:
        unit = unit_facts(session, unit_number)
        second = unit_facts(session, exchange_unit_number) if bt.flow is Flow.EXCHANGE else None
    missing = rules.unit_missing(case, unit, second)
    if missing is not None:
        return _field_error(missing)
    if bt.takes_part(Department.HOUSING):
        return None
    refusal = rules.register_refusal(case, unit, second)
    return _field_error(refusal) if refusal is not None else None


def _field_error(refusal: Refusal) -> RegisterRefusal:
    return RegisterRefusal(
        loc=FIELDS[refusal.subject],
        message=refusal.en,
        type=re.sub(r"(?<!^)(?=[A-Z])", "_", refusal.kind.value).lower(),
        message_zh=refusal.zh,
    )
