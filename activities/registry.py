"""Registration bureau (不动产登记): review, recording in the register, certificate printing.

Recording follows the business type's registration kind: a transfer moves titles; a first
registration opens one; a mortgage records a lender's lien (a register row with its own
registration-proof number) or releases one; the combined kinds do both in one transaction
(转移+抵押: the transfer and the buyer's lender's lien; 带押过户: the seller's lien released,
the transfer, the new lien).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from temporalio import activity

from activities.errors import broken, invariants_are_final, refuse
from activities.register_check import gather, refusal_error
from domain.business_types import Department
from domain.catalog import Catalog
from domain.flows import (
    HAS_TRANSFEREE,
    HAS_TRANSFEROR,
    LIEN_RECORDING_KINDS,
    RELEASING_KINDS,
    Flow,
)
from domain.identifiers import CertificateKind, CertificateNumber
from domain.register_rules import MORTGAGE_CANCELLATION, register_refusal, released_lien
from logging_setup import get_logger
from models.archive import Case, Handoff, Party
from models.case_view import write_view
from models.counters import next_serial
from models.database import Database
from models.enums import RefusalType
from models.notices import ViewedStep
from models.payloads import RegistrationResult, StepInput, TransactionCheckResult
from models.register import (
    Certificate,
    Encumbrance,
    EncumbranceKind,
    FiledContract,
    Property,
    Title,
    TitleHolder,
    seizure_in_force,
)
from models.register_facts import MortgageTerms, case_facts, in_force, mortgage_terms, unit_facts
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


def _recorded(session: Session, case_no: str) -> bool:
    """Whether the case has recorded: a title, a lien or a release of its own (all of them
    commit together, so one is enough)."""
    if session.exec(select(Title.id).where(Title.case_no == case_no)).first() is not None:
        return True
    lien = select(Encumbrance.id).where(
        (Encumbrance.case_no == case_no) | (Encumbrance.released_by_case == case_no)
    )
    return session.exec(lien).first() is not None


def _liens(session: Session, case_no: str) -> list[Encumbrance]:
    """The liens the case recorded, one row per lender, in the order recorded."""
    return list(
        session.exec(
            select(Encumbrance)
            .where(
                Encumbrance.case_no == case_no,
                Encumbrance.kind == EncumbranceKind.MORTGAGE,
            )
            .order_by(col(Encumbrance.id))
        )
    )


def _released(session: Session, case_no: str) -> list[str]:
    """The proof numbers of the liens the case released."""
    return sorted(
        set(
            session.exec(
                select(Encumbrance.reference).where(Encumbrance.released_by_case == case_no)
            )
        )
    )


def _case(session: Session, case_no: str) -> Case:
    case = session.get(Case, case_no)
    if case is None:
        raise ValueError(f"case {case_no} is not in the archive")
    return case


def _fence(
    session: Session,
    unit: Property,
    checked: int | None,
    title: Title | None,
    held: list[TitleHolder],
    givers: list[str],
    *,
    court_ordered: bool,
) -> None:
    """Refuse to record if the register moved since the case was checked (`checked`: the
    unit's version then, None if unknown).

    A seizure that arrived since (the unit's version moved and a seizure is in force; a
    court-ordered transfer, or a lien's cancellation, passes `court_ordered` and is not
    stopped by one), a giver who no longer holds the open title
    (or an open title where a first registration expects none), or any other change to the
    unit since the check. The most telling reason is given first.
    """
    moved = checked is None or unit.version != checked
    if moved and not court_ordered:
        seizure = seizure_in_force(session, unit.unit_number)
        if seizure is not None:
            raise refuse(
                RefusalType.PROPERTY_SEIZED,
                f"核查后该房屋已被{seizure.holder}查封（{seizure.reference}），不予登簿。"
                f" Since the check the property has been seized by {seizure.holder}"
                f" ({seizure.reference}); the transfer is not recorded.",
            )
    holding = {h.holder_id_number for h in held}
    if not givers and title is not None:
        raise refuse(
            RefusalType.TITLE_CHANGED,
            f"登簿时不动产单元{unit.unit_number}已有权利人登记，不予首次登记。"
            f" At recording unit {unit.unit_number} already has an open title;"
            " the first registration is not recorded.",
        )
    if givers and not set(givers) <= holding:
        raise refuse(
            RefusalType.TITLE_CHANGED,
            "登簿时卖方已不是该房屋现时登记的权利人，不予登簿。"
            " At recording the sellers no longer hold the unit's current title;"
            " the transfer is not recorded.",
        )
    if moved and checked is not None:
        raise refuse(
            RefusalType.UNIT_CHANGED,
            f"核查后该房屋的登记信息已变更（版本 {checked} → {unit.version}），"
            "须重新核查，不予登簿。"
            f" The unit's register entry changed after the check (version {checked}"
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
    """A holder of the new title: a taker acquires today; a holder who stays keeps their date."""
    if holder in names:
        return Holding(names[holder], holder, share, today, price)
    assert kept is not None, "only takers and holders who stay are on the new title"
    return Holding(kept.holder_name, holder, share, kept.since, kept.acquired_price)


@dataclass(frozen=True)
class _Move:
    """One unit changing hands in a recording: its givers' title passes to the takers."""

    unit_number: str
    givers: list[str]  # identity numbers; empty for a first registration
    takers: list[Party]


def _moves(case: Case, flow: Flow, sellers: list[Party], buyers: list[Party]) -> list[_Move]:
    """What the case records: its unit from the sellers to the buyers (from nobody for a
    first registration), and in an exchange the second unit from the buyers to the sellers."""
    givers = [s.id_number for s in sellers] if HAS_TRANSFEROR[flow] else []
    moves = [_Move(case.unit_number, givers, buyers)]
    if flow is Flow.EXCHANGE:
        if not case.exchange_unit_number:
            raise broken("record_transfer", f"exchange case {case.case_no} names no second unit")
        moves.append(_Move(case.exchange_unit_number, [b.id_number for b in buyers], sellers))
    return moves


def _checked_versions(session: Session, case: Case) -> dict[str, int | None]:
    """The versions the case was checked against: its unit's on the case (from intake or the
    housing check), others' in the check's hand-off to registration."""
    versions: dict[str, int | None] = {case.unit_number: case.unit_version}
    payload = session.exec(
        select(Handoff.payload).where(
            Handoff.case_no == case.case_no,
            Handoff.to_department == "registration",
            Handoff.subject == "transaction_check",
        )
    ).first()
    if payload:
        checked = TransactionCheckResult.model_validate(payload)
        for unit_number, version in checked.unit_versions.items():
            versions.setdefault(unit_number, version)
    return versions


def _transfer(
    session: Session,
    case: Case,
    move: _Move,
    current: Title | None,
    held: list[TitleHolder],
    now: datetime,
    today: date,
) -> None:
    """Close the unit's open title (if any) and open the takers' (with any holder who stays)."""
    shares = after_transfer(
        {h.holder_id_number: parse_share(h.share) for h in held},
        move.givers,
        [t.id_number for t in move.takers],
    )
    kept = {h.holder_id_number: h for h in held}
    names = {t.id_number: t.name for t in move.takers}
    if current is not None:
        close_title(session, current, now, today, case.case_no)
    record_title(
        session,
        unit_number=move.unit_number,
        since=today,
        case_no=case.case_no,
        acquired_price=case.price,
        holdings=[
            _holding(holder, share, kept.get(holder), names, today, case.price)
            for holder, share in shares.items()
        ],
    )


def _release_notices(session: Session, unit_number: str, buyers: set[str], today: date) -> None:
    """The buyers' advance notice is spent by the transfer it secured (预告转本)."""
    for notice in in_force(session, unit_number):
        if notice.kind == EncumbranceKind.ADVANCE_NOTICE and notice.holder_id_number in buyers:
            notice.released_on = today
            session.add(notice)
    session.flush()


def _release_lien(
    session: Session, case: Case, unit_number: str, reference: str, today: date
) -> None:
    """Release the lien named by the case (every lender's row of it): a cancellation, or the
    seller's lien in a 带押过户. Its rows stay, saying when and by which case."""
    for row in in_force(session, unit_number):
        if row.kind == EncumbranceKind.MORTGAGE and row.reference == reference:
            row.released_on = today
            row.released_by_case = case.case_no
            session.add(row)
    session.flush()


def _record_lien(
    session: Session,
    case: Case,
    unit_number: str,
    lenders: list[Party],
    terms: MortgageTerms,
    proof_no: str,
    today: date,
) -> None:
    """Record the lenders' new lien on the unit: one row per lender under one proof number."""
    for lender in lenders:
        session.add(
            Encumbrance(
                unit_number=unit_number,
                kind=EncumbranceKind.MORTGAGE,
                holder=lender.name,
                holder_id_number=lender.id_number,
                reference=proof_no,
                registered_on=today,
                case_no=case.case_no,
                secured_amount=terms.secured_amount,
                term_start=terms.term_start,
                term_end=terms.term_end,
            )
        )
    session.flush()


def _lien_terms(case: Case, kind: str, lenders: list[Party]) -> MortgageTerms:
    """The case's mortgage facts, checked for what its registration kind needs (intake
    refuses a case without them; an archive that lacks them was changed behind its back)."""
    terms = mortgage_terms(case)
    if kind in LIEN_RECORDING_KINDS or kind in RELEASING_KINDS:
        if not lenders:
            raise broken("record_transfer", f"case {case.case_no} ({kind}) names no lender")
    if kind in LIEN_RECORDING_KINDS and (
        terms.secured_amount is None or terms.term_start is None or terms.term_end is None
    ):
        raise broken("record_transfer", f"case {case.case_no} ({kind}) has no secured debt")
    if kind in RELEASING_KINDS and not terms.releases:
        raise broken("record_transfer", f"case {case.case_no} ({kind}) names no lien released")
    return terms


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
    def review_registration(self, inp: ViewedStep) -> None:
        """Review (审核): the register allows the case, and the results of the other
        departments taking part have arrived.

        The registrar's own look at the register (不动产登记暂行条例 art. 22), with the rules
        housing checks by: the units exist and are not seized (unless a court orders the
        transfer), no advance notice is in the way, the sellers hold each unit (or nobody
        does, for a first registration). Matters without a housing check meet all of these
        here, not only at recording. A case that has recorded already (a retried
        registration) is past this look.

        Then the housing check where housing takes part, and the paid taxes where tax does:
        the deed-tax law forbids registering a transfer before the tax is paid (契税法 art. 11).
        """
        with self.db.session() as session:
            case = _case(session, inp.case_no)
            bt = self.catalog.business_type(case.business_type)
            subjects = set(
                session.exec(
                    select(Handoff.subject).where(
                        Handoff.case_no == inp.case_no, Handoff.to_department == "registration"
                    )
                )
            )
            recorded = _recorded(session, case.case_no)
            facts = None if recorded else gather(session, bt, case)
        if facts is not None:
            refusal = register_refusal(facts.case, facts.unit, facts.exchange_unit)
            if refusal is not None:
                raise refusal_error(refusal)
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
        # The case now waits for the registrar's decision (a direct call may pass a bare
        # StepInput, which plans no view).
        view = getattr(inp, "view", None)
        if view is not None:
            with self.db.session() as session:
                write_view(session, view)

    @activity.defn(name="record_transfer")
    @invariants_are_final
    def record_transfer(self, inp: StepInput) -> None:
        """Record (登簿), the legal moment, as the case's registration kind has it.

        A transfer closes the sellers' title and opens the buyers'; a first registration
        opens the unit's first title; an advance-notice conversion is a transfer that also
        spends the buyers' notice; an exchange is two transfers, each unit to the other side.
        A mortgage records the lenders' lien under a new registration-proof number, leaving
        the title as it is; a cancellation releases the lien it names. 转移+抵押 is the
        transfer and then the buyer's lender's lien; 带押过户 releases the seller's lien, then
        transfers, then records the new lien.

        All in one transaction, with every unit locked and fenced (see `_fence`) before the
        first write: a refusal or a fault leaves the register as it was. Once per case: a
        retry finds what it recorded.
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
            if _recorded(session, case.case_no):
                return
            bt = self.catalog.business_type(case.business_type)
            kind = bt.registration_kind
            parties = list(
                session.exec(
                    select(Party).where(Party.case_no == case.case_no).order_by(col(Party.id))
                )
            )
            sellers = [p for p in parties if p.role == "seller"]
            buyers = [p for p in parties if p.role == "buyer"]
            lenders = [p for p in parties if p.role == "lender"]
            named = [p.id_number for p in parties]
            if len(set(named)) != len(named) or (HAS_TRANSFEREE[bt.flow] and not buyers):
                # Intake refuses both; an archive that has them was changed behind its back.
                raise broken(
                    "record_transfer",
                    f"case {case.case_no} names one party twice, or no buyer",
                )
            terms = _lien_terms(case, kind, lenders)
            moves = _moves(case, bt.flow, sellers, buyers) if HAS_TRANSFEREE[bt.flow] else []
            # A mortgage moves no title, but its unit is fenced all the same: the owners who
            # grant (or whose unit carried) the lien must still hold it.
            fenced = moves or [_Move(case.unit_number, [s.id_number for s in sellers], [])]
            # Lock the units (NO KEY UPDATE: new cases may still reference them), in order so
            # two exchanges of the same units never wait on each other. Every register change
            # bumps a unit's version under the same row lock, so none slips in until commit.
            units = {
                unit.unit_number: unit
                for unit in session.exec(
                    select(Property)
                    .where(col(Property.unit_number).in_(sorted({m.unit_number for m in fenced})))
                    .order_by(col(Property.unit_number))
                    .with_for_update(key_share=True)
                )
            }
            checked = _checked_versions(session, case)
            titles: list[tuple[Title | None, list[TitleHolder]]] = []
            for move in fenced:
                unit = units.get(move.unit_number)
                if unit is None:
                    raise ValueError(f"unit {move.unit_number} of case {case.case_no} is gone")
                current = open_title(session, move.unit_number)
                held = holders(session, current) if current else []
                _fence(
                    session,
                    unit,
                    checked.get(move.unit_number),
                    current,
                    held,
                    move.givers,
                    # Releasing a lien takes nothing from a seizing creditor.
                    court_ordered=bt.court_ordered or kind == MORTGAGE_CANCELLATION,
                )
                titles.append((current, held))
            if kind in RELEASING_KINDS:
                # The lien must still be there (and the lender's, for a cancellation).
                facts = case_facts(
                    bt,
                    case,
                    frozenset(s.id_number for s in sellers),
                    frozenset(b.id_number for b in buyers),
                    lenders,
                )
                gone = released_lien(facts, unit_facts(session, case.unit_number))
                if gone is not None:
                    raise refusal_error(gone)
            local = now.astimezone(self.zone)
            today = local.date()
            if terms.releases and kind in RELEASING_KINDS:
                _release_lien(session, case, case.unit_number, terms.releases, today)
            if moves:  # a mortgage moves no title (`titles` then holds its fenced unit's)
                for move, (current, held) in zip(moves, titles, strict=True):
                    _transfer(session, case, move, current, held, now, today)
            if bt.flow is Flow.ADVANCE_NOTICE:
                _release_notices(session, case.unit_number, {b.id_number for b in buyers}, today)
            if kind in LIEN_RECORDING_KINDS:
                proof_no = self._number(session, CertificateKind.PROOF, local.year)
                _record_lien(session, case, case.unit_number, lenders, terms, proof_no, today)
            if case.contract_no:
                # The filed contract is spent: it cannot carry a second transfer.
                contract = session.get(FiledContract, case.contract_no)
                if contract is not None:
                    contract.status = "registered"
                    session.add(contract)
        log.info("recorded", case_no=inp.case_no, kind=kind, units=len(moves))

    @activity.defn(name="register")
    @invariants_are_final
    def register(self, inp: StepInput) -> RegistrationResult:
        """Review, record and print as one activity: one task and three history events
        instead of three and nine. Each part keeps its own transaction and is safe to repeat
        (a retry finds the title recorded and the certificate printed), so a retry after a
        fault in printing does not record twice."""
        self.review_registration(ViewedStep(case_no=inp.case_no))
        self.record_transfer(inp)
        return self.print_certificate(inp)

    @activity.defn(name="print_certificate")
    @invariants_are_final
    def print_certificate(self, inp: StepInput) -> RegistrationResult:
        """Print (缮证): a title certificate for each title the case recorded (an exchange
        recorded two), with the next serial of the year, and the registration proof of each
        lien it recorded (its number was allocated with the lien) for the lenders.

        The serials and the certificate rows commit together, so numbers have no gaps and a
        retry returns the certificates already printed. The case's own unit comes first. A
        cancellation prints nothing: its result names the released lien.
        """
        with self.db.session() as session:
            case = _case(session, inp.case_no)

            def first_own(unit_number: str) -> bool:
                return unit_number != case.unit_number

            printed = {
                (c.kind, c.unit_number): c
                for c in session.exec(
                    select(Certificate).where(Certificate.case_no == case.case_no)
                )
            }
            titles = sorted(
                session.exec(select(Title).where(Title.case_no == case.case_no)),
                key=lambda t: (first_own(t.unit_number), t.id or 0),
            )
            liens = _liens(session, case.case_no)
            released = _released(session, case.case_no)
            if not titles and not liens and not released:
                raise ValueError(f"case {inp.case_no}: print before record")
            now = datetime.now(UTC)
            year = now.astimezone(self.zone).year
            for title in titles:
                if ("title", title.unit_number) not in printed:
                    certificate = self._print(session, case, title, now, year)
                    printed[("title", title.unit_number)] = certificate
            for unit_number in dict.fromkeys(lien.unit_number for lien in liens):
                if ("proof", unit_number) not in printed:
                    rows = [lien for lien in liens if lien.unit_number == unit_number]
                    printed[("proof", unit_number)] = self._print_proof(session, case, rows, now)
            certificates = sorted(
                printed.values(), key=lambda c: (first_own(c.unit_number), c.serial)
            )
        title_nos = [c.number for c in certificates if c.kind == "title"]
        proof_nos = [c.number for c in certificates if c.kind == "proof"]
        first = [*title_nos, *proof_nos]
        if first:
            log.info("certificates printed", case_no=inp.case_no, certificate_nos=first)
        return RegistrationResult(
            certificate_no=first[0] if first else "",
            recorded_at=certificates[0].issued_at if certificates else now,
            certificate_nos=title_nos,
            proof_nos=proof_nos,
            released_nos=released,
        )

    def _number(self, session: Session, kind: CertificateKind, year: int) -> str:
        """The next certificate or proof number of the year (each kind has its own serial)."""
        serial = next_serial(session, f"certificate:{kind.value}:{self.city}:{year}")
        return CertificateNumber(
            kind=kind,
            province=self.province,
            year=year,
            city=self.city,
            serial=serial,
            width=self.serial_width,
        ).format()

    def _print(
        self, session: Session, case: Case, title: Title, now: datetime, year: int
    ) -> Certificate:
        """One certificate for one recorded title: the next serial, the row, the title's link."""
        number = self._number(session, CertificateKind.TITLE, year)
        certificate = Certificate(
            number=number,
            case_no=case.case_no,
            kind="title",
            year=year,
            serial=CertificateNumber.parse(number).serial,
            unit_number=title.unit_number,
            holder_name="、".join(o.holder_name for o in holders(session, title)),
            issued_at=now,
        )
        session.add(certificate)
        set_certificate(session, title, number)
        return certificate

    def _print_proof(
        self, session: Session, case: Case, rows: list[Encumbrance], now: datetime
    ) -> Certificate:
        """The registration proof of a lien the case recorded, for its lenders."""
        number = CertificateNumber.parse(rows[0].reference)
        certificate = Certificate(
            number=rows[0].reference,
            case_no=case.case_no,
            kind="proof",
            year=number.year,
            serial=number.serial,
            unit_number=rows[0].unit_number,
            holder_name="、".join(row.holder for row in rows),
            issued_at=now,
        )
        session.add(certificate)
        session.flush()
        return certificate
