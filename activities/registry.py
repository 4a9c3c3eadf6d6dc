"""Registration bureau (不动产登记): review, recording in the register, certificate printing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from temporalio import activity

from activities.errors import refuse
from domain.business_types import Department
from domain.catalog import Catalog
from domain.identifiers import CertificateKind, CertificateNumber
from logging_setup import get_logger
from models.archive import Case, Handoff, Party
from models.counters import next_serial
from models.database import Database
from models.enums import RefusalType
from models.payloads import RegistrationResult, StepInput
from models.register import Certificate, FiledContract, Ownership

log = get_logger(__name__)
HALL_TZ = ZoneInfo("Asia/Shanghai")
# What registration waits for from each other department that takes part.
REVIEW_NEEDS = {Department.HOUSING: "transaction_check", Department.TAX: "taxes_paid"}


def _case(session: Session, case_no: str) -> Case:
    case = session.get(Case, case_no)
    if case is None:
        raise ValueError(f"case {case_no} is not in the archive")
    return case


class RegistryActivities:
    """Changes the register; each step is safe to retry."""

    def __init__(
        self, db: Database, catalog: Catalog, province: str, city: str, serial_width: int
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.province = province
        self.city = city
        self.serial_width = serial_width

    @activity.defn(name="review_registration")
    def review_registration(self, inp: StepInput) -> None:
        """Review (审核): the results of the other departments taking part must have arrived.

        The housing check where housing takes part, and the paid taxes where tax does:
        the deed-tax law forbids registering a transfer before the tax is paid (契税法 art. 11).
        """
        with self.db.session() as session:
            case = _case(session, inp.case_no)
            subjects = set(
                session.exec(
                    select(Handoff.subject).where(
                        Handoff.case_no == inp.case_no, Handoff.to_department == "registration"
                    )
                )
            )
        bt = self.catalog.business_type(case.business_type)
        needed = {
            subject for department, subject in REVIEW_NEEDS.items() if bt.takes_part(department)
        }
        missing = needed - subjects
        if missing:
            raise refuse(
                RefusalType.REGISTRATION_REFUSED,
                f"登记审核未通过，缺少：{', '.join(sorted(missing))}。"
                f" Registration review failed: missing {', '.join(sorted(missing))}.",
            )

    @activity.defn(name="record_transfer")
    def record_transfer(self, inp: StepInput) -> None:
        """Record (登簿): the sellers' title ends and the buyers' begins, once per case."""
        now = datetime.now(UTC)
        with self.db.session() as session:
            # Lock the case row: overlapping attempts (a timed-out one still running) queue
            # here on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises them.
            case = session.exec(
                select(Case).where(Case.case_no == inp.case_no).with_for_update()
            ).first()
            if case is None:
                raise ValueError(f"case {inp.case_no} is not in the archive")
            done = session.exec(select(Ownership).where(Ownership.case_no == case.case_no)).first()
            if done is not None:
                return
            parties = list(session.exec(select(Party).where(Party.case_no == case.case_no)))
            sellers = {p.id_number for p in parties if p.role == "seller"}
            buyers = [p for p in parties if p.role == "buyer"]
            today = now.astimezone(HALL_TZ).date()
            for owner in session.exec(
                select(Ownership).where(
                    Ownership.unit_number == case.unit_number,
                    col(Ownership.ended_on).is_(None),
                    col(Ownership.holder_id_number).in_(sellers),
                )
            ):
                owner.ended_on = today
                session.add(owner)
            if case.contract_no:
                # The filed contract is spent: it cannot carry a second transfer.
                contract = session.get(FiledContract, case.contract_no)
                if contract is not None:
                    contract.status = "registered"
                    session.add(contract)
            share = f"{100 / len(buyers):g}%"
            for buyer in buyers:
                session.add(
                    Ownership(
                        unit_number=case.unit_number,
                        holder_name=buyer.name,
                        holder_id_number=buyer.id_number,
                        share=share,
                        since=today,
                        acquired_price=case.price,
                        case_no=case.case_no,
                    )
                )
        log.info("transfer recorded", case_no=inp.case_no)

    @activity.defn(name="print_certificate")
    def print_certificate(self, inp: StepInput) -> RegistrationResult:
        """Print (缮证): allocate the next serial of the year and attach it to the new title.

        The serial and the certificate row commit together, so numbers have no gaps and a
        retry returns the certificate already printed.
        """
        with self.db.session() as session:
            existing = session.exec(
                select(Certificate).where(
                    Certificate.case_no == inp.case_no, Certificate.kind == "title"
                )
            ).first()
            if existing is not None:
                return RegistrationResult(
                    certificate_no=existing.number, recorded_at=existing.issued_at
                )
            case = _case(session, inp.case_no)
            owners = list(session.exec(select(Ownership).where(Ownership.case_no == case.case_no)))
            if not owners:
                raise ValueError(f"case {inp.case_no}: print before record")
            now = datetime.now(UTC)
            year = now.astimezone(HALL_TZ).year
            serial = next_serial(session, f"certificate:title:{self.city}:{year}")
            number = CertificateNumber(
                kind=CertificateKind.TITLE,
                province=self.province,
                year=year,
                city=self.city,
                serial=serial,
                width=self.serial_width,
            ).format()
            session.add(
                Certificate(
                    number=number,
                    case_no=case.case_no,
                    kind="title",
                    year=year,
                    serial=serial,
                    unit_number=case.unit_number,
                    holder_name="、".join(o.holder_name for o in owners),
                    issued_at=now,
                )
            )
            for owner in owners:
                owner.certificate_no = number
                session.add(owner)
        log.info("certificate printed", case_no=inp.case_no, certificate_no=number)
        return RegistrationResult(certificate_no=number, recorded_at=now)
