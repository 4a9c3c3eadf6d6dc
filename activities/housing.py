"""Housing department (房产交易): the transaction check against the register and filed contracts.

The activity gathers the facts (the case's units, their titles and encumbrances, the filed
contracts) and `domain.register_rules.transaction_check` decides.
"""

from __future__ import annotations

from sqlmodel import col, select
from temporalio import activity

from activities.errors import invariants_are_final
from activities.handoffs import push
from activities.register_check import gather, refusal_error
from domain.catalog import Catalog, get_catalog
from domain.flows import Flow
from domain.register_rules import Refusal, transaction_check
from logging_setup import get_logger
from models.archive import Case
from models.database import Database
from models.payloads import StepInput, TransactionCheckResult
from models.register import Property
from models.register_facts import filed_contracts

log = get_logger(__name__)


class HousingActivities:
    """Checks seizures, ownership, advance notices, mortgages and the filed contract, then
    tells tax and registry."""

    def __init__(self, db: Database, catalog: Catalog | None = None) -> None:
        self.db = db
        self.catalog = catalog or get_catalog()

    @activity.defn(name="check_transaction")
    @invariants_are_final
    def check_transaction(self, inp: StepInput) -> TransactionCheckResult:
        """Run the pre-transfer check (交易核查) and push its result to tax and registration.

        The units' register versions are read first, under a share lock that keeps writers
        out until the check commits, and kept (on the case, and for an exchange's second
        unit in the result): recording refuses if a unit has moved on since.

        A lender's lien on a unit the case transfers must be dealt with by the case (released
        by a 带押过户 naming it, or carried with the mortgagee's consent); the liens in force
        are noted for tax and registration.

        Raises:
            ApplicationError: PropertySeized, PropertyNotFound, SellerNotOwner, TitleExists,
                ContractNotFiled, AdvanceNoticeHeld, MortgageInForce or MortgageNotFound;
                each ends the case.
        """
        with self.db.session() as session:
            case = session.get(Case, inp.case_no)
            if case is None:
                raise ValueError(f"case {inp.case_no} is not in the archive")
            bt = self.catalog.business_type(case.business_type)
            numbers = [case.unit_number]
            if bt.flow is Flow.EXCHANGE and case.exchange_unit_number:
                numbers.append(case.exchange_unit_number)
            # Sorted, so two checks locking the same two units never wait on each other.
            locked = {
                unit.unit_number: unit
                for unit in session.exec(
                    select(Property)
                    .where(col(Property.unit_number).in_(sorted(set(numbers))))
                    .order_by(col(Property.unit_number))
                    .with_for_update(read=True)
                )
            }
            facts = gather(session, bt, case)
            decided = transaction_check(
                facts.case,
                facts.unit,
                facts.exchange_unit,
                filed_contracts(session, case.unit_number),
            )
            if isinstance(decided, Refusal):
                raise refusal_error(decided)
            result = TransactionCheckResult(
                unit_number=case.unit_number,
                contract_no=decided.contract_no,
                mortgages=decided.mortgages,
                notes=decided.notes,
                unit_versions={number: locked[number].version for number in numbers},
            )
            case.contract_no = decided.contract_no
            case.unit_version = locked[case.unit_number].version
            session.add(case)
            # 一网受理: the result goes to tax and registration in the same transaction.
            push(
                session,
                case_no=case.case_no,
                from_department="housing",
                to_departments=["tax", "registration"],
                subject="transaction_check",
                payload=result.model_dump(mode="json"),
            )
        log.info("transaction check passed", case_no=inp.case_no, mortgages=len(result.mortgages))
        return result
