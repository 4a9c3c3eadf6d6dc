"""The desk's look at the register before a case is stored (and before anyone pays).

Every case must name units the register has. A matter without a housing check would meet
the rest (a seizure, a seller who does not hold the unit, a title where a first registration
expects none, an advance notice or a lender's lien in the way, a released lien that is not
there) only at the registrar's review, after the taxes
are paid, so the desk asks the same rules (`domain.register_rules`) now and names the field
at fault. Matters with a housing check are left to it: housing decides on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain import register_rules as rules
from domain.business_types import BusinessType, Department
from domain.flows import Flow
from domain.register_rules import Refusal, Subject, facts_of_case
from models.database import Database
from models.register_facts import unit_facts

FIELDS: dict[Subject, tuple[str | int, ...]] = {
    Subject.UNIT: ("body", "unit_number"),
    Subject.EXCHANGE_UNIT: ("body", "exchange_unit_number"),
    Subject.SELLERS: ("body", "sellers"),
    Subject.BUYERS: ("body", "buyers"),
    Subject.CONTRACT: ("body",),
    Subject.LENDERS: ("body", "lenders"),
    Subject.RELEASES: ("body", "mortgage", "releases"),
}


@dataclass(frozen=True)
class RegisterRefusal:
    """Why the register refuses the application: the field, the reason, an error type.

    `type` is the refusal's name in snake case ("property_seized", "seller_not_owner",
    "title_exists", "property_not_found", "advance_notice_held", "mortgage_in_force",
    "mortgage_not_found").
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
    *,
    conditions: Mapping[str, bool] | None = None,
    releases: str | None = None,
    lender_ids: Iterable[str] = (),
    lender_names: Iterable[str] = (),
) -> RegisterRefusal | None:
    """The register's refusal of an application of type `bt`, or None if it may be stored.

    `conditions` are the catalog facts declared (``has_mortgage`` lets a lien follow the unit
    with the mortgagee's consent), `releases` the proof number of the lien the case releases,
    `lender_ids`/`lender_names` its lenders' credit codes and names (a cancellation must be
    the lien holder's).
    """
    case = facts_of_case(
        bt,
        seller_ids,
        buyer_ids,
        conditions=conditions,
        lenders=lender_ids,
        lender_names=lender_names,
        releases=releases,
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
