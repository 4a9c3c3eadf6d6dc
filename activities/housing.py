"""Housing department (房产交易): the transaction check against the register and filed contracts."""

from __future__ import annotations

from sqlmodel import col, select
from temporalio import activity

from activities.errors import invariants_are_final, refuse
from activities.handoffs import push
from logging_setup import get_logger
from models.archive import Case, Party
from models.database import Database
from models.enums import RefusalType
from models.payloads import StepInput, TransactionCheckResult
from models.register import Encumbrance, EncumbranceKind, FiledContract, Property
from models.titles import holders, open_title

log = get_logger(__name__)


class HousingActivities:
    """Checks seizures, ownership, mortgages and the filed contract, then tells tax and registry."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @activity.defn(name="check_transaction")
    @invariants_are_final
    def check_transaction(self, inp: StepInput) -> TransactionCheckResult:
        """Run the pre-transfer check (交易核查) and push its result to tax and registration.

        The unit's register version is read first, under a share lock that keeps writers out
        until the check commits, and kept on the case: recording refuses if it has moved on.

        Raises:
            ApplicationError: PropertySeized, PropertyNotFound, SellerNotOwner,
                ContractNotFiled or AdvanceNoticeHeld; each ends the case.
        """
        with self.db.session() as session:
            case = session.get(Case, inp.case_no)
            if case is None:
                raise ValueError(f"case {inp.case_no} is not in the archive")
            unit = session.exec(
                select(Property)
                .where(Property.unit_number == case.unit_number)
                .with_for_update(read=True)
            ).first()
            if unit is None:
                raise refuse(
                    RefusalType.PROPERTY_NOT_FOUND,
                    f"不动产单元{case.unit_number}未登记。"
                    f" Unit {case.unit_number} is not in the register.",
                )
            active = list(
                session.exec(
                    select(Encumbrance).where(
                        Encumbrance.unit_number == unit.unit_number,
                        col(Encumbrance.released_on).is_(None),
                    )
                )
            )
            seizures = [e for e in active if e.kind == EncumbranceKind.SEIZURE]
            if seizures:
                s = seizures[0]
                raise refuse(
                    RefusalType.PROPERTY_SEIZED,
                    f"该房屋已被{s.holder}查封（{s.reference}），不能转移登记。"
                    f" The property is seized by {s.holder} ({s.reference}); it cannot be"
                    " transferred until the seizure is lifted.",
                )
            notices = [e for e in active if e.kind == EncumbranceKind.ADVANCE_NOTICE]
            if notices:
                raise refuse(
                    RefusalType.ADVANCE_NOTICE_HELD,
                    f"该房屋存在预告登记（{notices[0].holder}），须经权利人同意。"
                    " An advance-notice registration needs its holder's consent.",
                )
            parties = list(session.exec(select(Party).where(Party.case_no == case.case_no)))
            sellers = {p.id_number for p in parties if p.role == "seller"}
            buyers = {p.id_number for p in parties if p.role == "buyer"}
            title = open_title(session, unit.unit_number)
            owners = {h.holder_id_number for h in holders(session, title)} if title else set()
            # Every seller holds the title, and every holder sells or buys: co-owners sell
            # together, or one buys the others out. A co-owner left out would need consent.
            if not sellers or not sellers <= owners or not owners <= sellers | buyers:
                raise refuse(
                    RefusalType.SELLER_NOT_OWNER,
                    "卖方与登记簿记载的权利人不一致。"
                    " The sellers named in the case are not the registered owners.",
                )
            contract = session.exec(
                select(FiledContract).where(
                    FiledContract.unit_number == unit.unit_number,
                    FiledContract.status == "filed",
                )
            ).first()
            if (
                contract is None
                or contract.seller_id_number not in sellers
                or contract.buyer_id_number not in buyers
                or contract.price != case.price
            ):
                raise refuse(
                    RefusalType.CONTRACT_NOT_FILED,
                    "未找到与本案买卖双方及成交价一致的网签备案合同。"
                    " No filed sales contract matches these parties and price.",
                )
            mortgages = [
                f"{e.holder} {e.reference}" for e in active if e.kind == EncumbranceKind.MORTGAGE
            ]
            notes = [f"objection: {e.reference}" for e in active if e.kind == "objection"]
            result = TransactionCheckResult(
                unit_number=unit.unit_number,
                contract_no=contract.contract_no,
                mortgages=mortgages,
                notes=notes,
            )
            case.contract_no = contract.contract_no
            case.unit_version = unit.version
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
        log.info("transaction check passed", case_no=inp.case_no, mortgages=len(mortgages))
        return result
