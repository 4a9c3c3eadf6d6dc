"""Registration bureau (不动产登记): review, recording in the register, certificate printing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlmodel import Session, select
from temporalio import activity

from activities.errors import broken, invariants_are_final, refuse
from domain.business_types import Department
from domain.catalog import Catalog
from domain.identifiers import CertificateKind, CertificateNumber
from logging_setup import get_logger
from models.archive import Case, Handoff, Party
from models.counters import next_serial
from models.database import Database
from models.enums import RefusalType
from models.payloads import RegistrationResult, StepInput
from models.register import (
    Certificate,
    FiledContract,
    Property,
    Title,
    TitleHolder,
    seizure_in_force,
)
from models.titles import (
    Holding,
    after_transfer,
    close_title,
    holders,
    open_title,
    parse_share,
    record_title,
    set_certificate,
)

log = get_logger(__name__)
# What registration waits for from each other department that takes part.
REVIEW_NEEDS = {Department.HOUSING: "transaction_check", Department.TAX: "taxes_paid"}


def _case(session: Session, case_no: str) -> Case:
    case = session.get(Case, case_no)
    if case is None:
        raise ValueError(f"case {case_no} is not in the archive")
    return case


def _fence(
    session: Session,
    case: Case,
    unit: Property,
    title: Title | None,
    held: list[TitleHolder],
    sellers: list[str],
) -> None:
    """Refuse to record if the register moved since the case was checked.

    A seizure that arrived since (the unit's version moved and a seizure is in force), a
    seller who no longer holds the open title (or an open title where a first registration
    expects none), or any other change to the unit since the check. The most telling reason
    is given first.
    """
    moved = case.unit_version is None or unit.version != case.unit_version
    if moved:
        seizure = seizure_in_force(session, unit.unit_number)
        if seizure is not None:
            raise refuse(
                RefusalType.PROPERTY_SEIZED,
                f"核查后该房屋已被{seizure.holder}查封（{seizure.reference}），不予登簿。"
                f" Since the check the property has been seized by {seizure.holder}"
                f" ({seizure.reference}); the transfer is not recorded.",
            )
    holding = {h.holder_id_number for h in held}
    if (sellers and not set(sellers) <= holding) or (not sellers and title is not None):
        raise refuse(
            RefusalType.TITLE_CHANGED,
            "登簿时卖方已不是该房屋现时登记的权利人，不予登簿。"
            " At recording the sellers no longer hold the unit's current title;"
            " the transfer is not recorded.",
        )
    if moved and case.unit_version is not None:
        raise refuse(
            RefusalType.UNIT_CHANGED,
            f"核查后该房屋的登记信息已变更（版本 {case.unit_version} → {unit.version}），"
            "须重新核查，不予登簿。"
            f" The unit's register entry changed after the check (version {case.unit_version}"
            f" → {unit.version}); the transfer is not recorded and needs a new check.",
        )


def _holding(
    holder: str,
    share: Fraction,
    kept: TitleHolder | None,
    names: dict[str, str],
    today: date,
    price: Decimal,
) -> Holding:
    """A holder of the new title: a buyer acquires today; a holder who stays keeps their date."""
    if holder in names:
        return Holding(names[holder], holder, share, today, price)
    assert kept is not None, "only buyers and holders who stay are on the new title"
    return Holding(kept.holder_name, holder, share, kept.since, kept.acquired_price)


class RegistryActivities:
    """Changes the register; each step is safe to retry."""

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        province: str,
        city: str,
        serial_width: int,
        *,
        zone: ZoneInfo,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.province = province
        self.city = city
        self.serial_width = serial_width
        self.zone = zone  # the hall's (Settings.TIMEZONE): register dates, certificate years

    @activity.defn(name="review_registration")
    @invariants_are_final
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
        if not bt.court_ordered:
            # The registrar's own look at the register (不动产登记暂行条例 art. 22): matters
            # without a housing check meet a seizure here, not only at recording.
            with self.db.session() as session:
                seizure = seizure_in_force(session, case.unit_number)
            if seizure is not None:
                raise refuse(
                    RefusalType.PROPERTY_SEIZED,
                    f"该房屋已被{seizure.holder}查封（{seizure.reference}），不予登记。"
                    f" The property is seized by {seizure.holder} ({seizure.reference});"
                    " it cannot be registered.",
                )
        if missing:
            raise refuse(
                RefusalType.REGISTRATION_REFUSED,
                f"登记审核未通过，缺少：{', '.join(sorted(missing))}。"
                f" Registration review failed: missing {', '.join(sorted(missing))}.",
            )

    @activity.defn(name="record_transfer")
    @invariants_are_final
    def record_transfer(self, inp: StepInput) -> None:
        """Record (登簿), the legal moment: the sellers' title closes and the buyers' opens.

        Inside this one transaction, with the unit locked, the fence checks again what the
        transaction check found (see `_fence`); a refusal leaves the register as it was.
        Once per case: a retry finds the title it recorded.
        """
        now = datetime.now(UTC)
        with self.db.session() as session:
            # Lock the case row: overlapping attempts (a timed-out one still running) queue
            # here on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises them.
            case = session.exec(
                select(Case).where(Case.case_no == inp.case_no).with_for_update()
            ).first()
            if case is None:
                raise ValueError(f"case {inp.case_no} is not in the archive")
            if session.exec(select(Title.id).where(Title.case_no == case.case_no)).first():
                return
            # Lock the unit (NO KEY UPDATE: new cases may still reference it). Every register
            # change bumps its version under the same row lock, so none slips in until commit.
            unit = session.exec(
                select(Property)
                .where(Property.unit_number == case.unit_number)
                .with_for_update(key_share=True)
            ).first()
            if unit is None:
                raise ValueError(f"unit {case.unit_number} of case {case.case_no} is gone")
            parties = list(session.exec(select(Party).where(Party.case_no == case.case_no)))
            sellers = [p.id_number for p in parties if p.role == "seller"]
            buyers = [p for p in parties if p.role == "buyer"]
            named = [*sellers, *(b.id_number for b in buyers)]
            if len(set(named)) != len(named) or not buyers:
                # Intake refuses both; an archive that has them was changed behind its back.
                raise broken(
                    "record_transfer",
                    f"case {case.case_no} names one party twice, or no buyer",
                )
            current = open_title(session, unit.unit_number)
            held = holders(session, current) if current else []
            _fence(session, case, unit, current, held, sellers)
            today = now.astimezone(self.zone).date()
            shares = after_transfer(
                {h.holder_id_number: parse_share(h.share) for h in held},
                sellers,
                [b.id_number for b in buyers],
            )
            kept = {h.holder_id_number: h for h in held}
            names = {b.id_number: b.name for b in buyers}
            if current is not None:
                close_title(session, current, now, today, case.case_no)
            record_title(
                session,
                unit_number=unit.unit_number,
                since=today,
                case_no=case.case_no,
                acquired_price=case.price,
                holdings=[
                    _holding(holder, share, kept.get(holder), names, today, case.price)
                    for holder, share in shares.items()
                ],
            )
            if case.contract_no:
                # The filed contract is spent: it cannot carry a second transfer.
                contract = session.get(FiledContract, case.contract_no)
                if contract is not None:
                    contract.status = "registered"
                    session.add(contract)
        log.info("transfer recorded", case_no=inp.case_no)

    @activity.defn(name="register")
    @invariants_are_final
    def register(self, inp: StepInput) -> RegistrationResult:
        """Review, record and print as one activity: one task and three history events
        instead of three and nine. Each part keeps its own transaction and is safe to repeat
        (a retry finds the title recorded and the certificate printed), so a retry after a
        fault in printing does not record twice."""
        self.review_registration(inp)
        self.record_transfer(inp)
        return self.print_certificate(inp)

    @activity.defn(name="print_certificate")
    @invariants_are_final
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
            title = session.exec(select(Title).where(Title.case_no == case.case_no)).first()
            if title is None:
                raise ValueError(f"case {inp.case_no}: print before record")
            owners = holders(session, title)
            now = datetime.now(UTC)
            year = now.astimezone(self.zone).year
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
            set_certificate(session, title, number)
        log.info("certificate printed", case_no=inp.case_no, certificate_no=number)
        return RegistrationResult(certificate_no=number, recorded_at=now)
