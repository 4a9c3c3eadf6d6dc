"""Accepting a case: validate against the catalog and register, store it, start its workflow.

Validation happens before anything is written (the per-flow form rules of
`domain.intake_rules`, the catalog's papers, the register through `register_check`); the
case, its parties, its documents and its holds on the unit (an exchange: on both units) are
stored in one transaction; the workflow start is idempotent on the
workflow id, so a client that repeats its `Idempotency-Key` gets the same case and never a
second workflow.

One open case per property: the hold is a row per lane of the unit (see `models.holds`),
unique among open holds, so of two conflicting requests however close together the
database stores one; the other gets `PropertyHeld` (a 409 naming the holding case).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from api.errors import FieldError, IdempotencyConflict
from api.hold_errors import PropertyHeld
from api.schemas import CaseCreate
from api.services.calendar_window import calendar_for
from api.services.register_check import register_refusal
from domain.business_types import STATUTORY_LIMIT_DAYS
from domain.calendar import load_office_hours
from domain.catalog import Catalog, UnknownBusinessType, UnknownFact, get_catalog
from domain.identifiers import format_case_no
from domain.intake_rules import FlowForm, form_issues
from domain.parties import PARTY_KIND_BY_ID
from domain.prereview import pre_review
from domain.tax.from_case import TaxDeclaration
from domain.tax.treatments import default_treatments
from integrations.blobs import BlobNotFound, BlobStore
from logging_setup import get_logger
from models import holds
from models.actor import SYSTEM_ACTOR, Actor
from models.archive import Case, Document, Party
from models.audit import record_event
from models.counters import next_serial
from models.database import Database
from models.enums import Department, SearchAttr, Stage
from models.payloads import CaseInput
from models.register import Property
from workflows.ids import FLOW_WORKFLOW_TYPES, case_workflow_id

log = get_logger(__name__)


@dataclass(frozen=True)
class Accepted:
    case: Case
    created: bool


# Fields added to the form since cases were first stored: left out of the hash while unset
# (None, or an empty list), so a repeat of a request stored before them still matches its case.
_LATER_FIELDS = ("decision_no", "exchange_unit_number", "lenders", "mortgage")


def fingerprint(body: CaseCreate) -> str:
    """A stable hash of the request, to tell a repeat from a different request under one key."""
    unset = {name for name in _LATER_FIELDS if getattr(body, name) in (None, [])}
    dumped = body.model_dump(mode="json", exclude=unset)
    canonical = json.dumps(dumped, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate(db: Database, catalog: Catalog, blobs: BlobStore, body: CaseCreate) -> None:
    """Every rule a case must meet before it is stored; raises FieldError naming the field."""
    try:
        bt = catalog.business_type(body.business_type)
    except UnknownBusinessType as err:
        raise FieldError(("body", "business_type"), str(err)) from err
    try:
        catalog.check_facts(body.facts)
    except UnknownFact as err:
        raise FieldError(("body", "facts", err.fact), str(err)) from err
    declared = TaxDeclaration.model_validate(body.tax_facts.model_dump())
    treatment = default_treatments().types.get(bt.code)
    for issue in form_issues(catalog, bt, treatment, flow_form(body), body.facts, declared):
        raise FieldError(("body", *issue.loc), issue.message, type=issue.type)
    for role, parties, allowed in (
        ("buyers", body.buyers, bt.party_kinds.buyer),
        ("sellers", body.sellers, bt.party_kinds.seller),
        ("lenders", body.lenders, bt.party_kinds.lender),
    ):
        for i, party in enumerate(parties):
            kind = PARTY_KIND_BY_ID[party.id_kind.value]
            if kind not in allowed:
                raise FieldError(
                    ("body", role, i, "id_kind"),
                    f"{bt.code} does not admit a {kind.value} among the {role}",
                )
    for i, doc in enumerate(body.documents):
        if doc.material not in catalog.materials:
            raise FieldError(
                ("body", "documents", i, "material"),
                f"unknown material {doc.material!r}; see GET /catalog/materials",
            )
        try:
            blobs.stat(doc.blob_key)
        except BlobNotFound as err:
            raise FieldError(
                ("body", "documents", i, "blob_key"),
                f"no uploaded scan {doc.blob_key}; upload it with POST /scans first",
            ) from err
    result = pre_review(
        catalog,
        bt.code,
        [d.material for d in body.documents],
        body.facts,
        form=flow_form(body),
        declared=declared,
    )
    if not result.complete:
        raise FieldError(("body", "documents"), result.notice_en, notice=result.model_dump())
    # The register: units it has, and (for matters without a housing check, which would
    # meet them only at the registrar's review, after paying) seizures, ownership, titles,
    # the liens in the way and the one a case releases.
    refusal = register_refusal(
        db,
        bt,
        body.unit_number,
        body.exchange_unit_number,
        [p.id_number for p in body.sellers],
        [p.id_number for p in body.buyers],
        conditions=body.facts,
        releases=body.mortgage.releases if body.mortgage is not None else None,
        lender_ids=[p.id_number for p in body.lenders],
        lender_names=[p.name for p in body.lenders],
    )
    if refusal is not None:
        raise FieldError(refusal.loc, refusal.message, type=refusal.type)


def flow_form(body: CaseCreate) -> FlowForm:
    """The parts of the request the per-flow rules read (shared with pre-review)."""
    return FlowForm(
        sellers=len(body.sellers),
        buyers=len(body.buyers),
        lenders=len(body.lenders),
        decision_no=body.decision_no,
        relationship=body.tax_facts.relationship,
        unit_number=body.unit_number,
        exchange_unit_number=body.exchange_unit_number,
        mortgage=None if body.mortgage is None else body.mortgage.terms(),
    )


def case_facts(catalog: Catalog, body: CaseCreate) -> dict[str, Any]:
    """What the case row keeps beyond its columns: the catalog's conditions, the tax
    declaration, where the transfer rests on a decision which one and its number, and the
    lien recorded or released (strings: amounts as plain decimals, dates ISO)."""
    facts: dict[str, Any] = {
        "conditions": body.facts,
        "tax": body.tax_facts.model_dump(mode="json"),
    }
    material = catalog.business_type(body.business_type).decision_material
    if material is not None and body.decision_no is not None:
        facts["decision"] = {"material": material, "number": body.decision_no}
    if body.mortgage is not None:
        lien = body.mortgage
        facts["mortgage"] = {
            "secured_amount": None if lien.secured_amount is None else f"{lien.secured_amount:f}",
            "term_start": None if lien.term_start is None else lien.term_start.isoformat(),
            "term_end": None if lien.term_end is None else lien.term_end.isoformat(),
            "releases": lien.releases,
        }
    return facts


def _units(body: CaseCreate) -> list[tuple[str, str]]:
    """The units the case is about, by the field naming each: an exchange has two."""
    units = [("unit_number", body.unit_number)]
    if body.exchange_unit_number is not None:
        units.append(("exchange_unit_number", body.exchange_unit_number))
    return units


def _find_by_key(db: Database, key: str) -> Case | None:
    with db.session() as session:
        return session.exec(select(Case).where(Case.idempotency_key == key)).first()


def accept(
    db: Database,
    catalog: Catalog,
    blobs: BlobStore,
    body: CaseCreate,
    key: str,
    hall: str,
    tz: str,
    *,
    actor: Actor = SYSTEM_ACTOR,
) -> Accepted:
    """A repeat of an earlier request gets its case back as it was; a new one is validated
    and stored. (Checking the key first means a repeat is answered even if the world has
    moved on since, e.g. the flat has been sold by this very case.)"""
    existing = _find_by_key(db, key)
    if existing is None:
        validate(db, catalog, blobs, body)
    return store(db, blobs, body, key, hall, tz, existing=existing, catalog=catalog, actor=actor)


def store(
    db: Database,
    blobs: BlobStore,
    body: CaseCreate,
    key: str,
    hall: str,
    tz: str,
    *,
    existing: Case | None = None,
    catalog: Catalog | None = None,
    actor: Actor = SYSTEM_ACTOR,
) -> Accepted:
    """Store the case in one transaction, or return the case this key already created.

    The acceptance's audit row (with `actor`) is written in the same transaction.

    `existing` is the caller's own lookup of the key, when it made one.

    Raises:
        PropertyHeld: an open case holds the unit for rights this one would change.
    """
    digest = fingerprint(body)
    existing = existing or _find_by_key(db, key)
    # A repeat needs no lanes (its business type may even have left the catalog since).
    lanes: frozenset[str] = frozenset()
    facts: dict[str, Any] = {}
    if existing is None:
        catalog = catalog or get_catalog()
        lanes = catalog.hold_lanes(body.business_type)
        facts = case_facts(catalog, body)
    for attempt in range(HOLD_ATTEMPTS):
        if existing is not None:
            break
        try:
            case = _insert(db, blobs, body, key, digest, hall, tz, lanes, facts, actor)
            return Accepted(case=case, created=True)
        except (IntegrityError, PropertyHeld) as err:
            # A concurrent request with the same key may have won: answer with its case.
            existing = _find_by_key(db, key)
            if existing is not None:
                break
            if isinstance(err, PropertyHeld):
                raise
            held = _held(db, [unit for _, unit in _units(body)], lanes)
            if held is not None:
                log.info("hold lost at the unique index", unit_number=held.unit_number)
                raise held from None
            if attempt == HOLD_ATTEMPTS - 1:
                raise
            # The hold that refused us was released meanwhile (its case ended): try again.
    assert existing is not None
    if existing.request_fingerprint != digest:
        raise IdempotencyConflict(key)
    return Accepted(case=existing, created=False)


HOLD_ATTEMPTS = 3


def _conflict(session: Session, hold: holds.PropertyHold) -> PropertyHeld:
    case = session.get(Case, hold.case_no)
    assert case is not None, "a hold references its case"
    return PropertyHeld(hold.unit_number, case.case_no, case.business_type, case.accepted_at)


def _held(db: Database, units: list[str], lanes: frozenset[str]) -> PropertyHeld | None:
    with db.session() as session:
        return _first_conflict(session, units, lanes)


def _first_conflict(
    session: Session, units: list[str], lanes: frozenset[str]
) -> PropertyHeld | None:
    """The 409 for the first of the units an open case holds, if one does."""
    for unit in units:
        hold = holds.holder(session, unit, lanes)
        if hold is not None:
            return _conflict(session, hold)
    return None


def _insert(
    db: Database,
    blobs: BlobStore,
    body: CaseCreate,
    key: str,
    digest: str,
    hall: str,
    tz: str,
    lanes: frozenset[str],
    facts: dict[str, Any],
    actor: Actor,
) -> Case:
    now = datetime.now(UTC)
    day = now.astimezone(ZoneInfo(tz)).date()
    with db.session() as session:
        # The serial's row lock (SQLite: the write lock) queues concurrent intakes, so the
        # hold lookup below mostly sees the winner's hold; the unique index catches the rest.
        serial = next_serial(session, f"case:{hall}:{day.isoformat()}")
        units = [unit for _, unit in _units(body)]
        conflict = _first_conflict(session, units, lanes)
        if conflict is not None:
            raise conflict
        unit = session.get(Property, body.unit_number)
        case = Case(
            case_no=format_case_no(hall, day, serial),
            idempotency_key=key,
            request_fingerprint=digest,
            business_type=body.business_type,
            unit_number=body.unit_number,
            price=body.price,
            hall=hall,
            accepted_at=now,
            facts=facts,
            unit_version=unit.version if unit is not None else None,
            exchange_unit_number=body.exchange_unit_number,
        )
        session.add(case)
        session.flush()
        # An exchange holds both units: each changes hands with the other.
        for unit_number in units:
            holds.take(session, case.case_no, unit_number, lanes, now)
        record_event(
            session,
            case_no=case.case_no,
            actor=actor,
            action="accepted",
            subject=body.business_type,
            request=body,
            at=now,
        )
        roles = (("seller", body.sellers), ("buyer", body.buyers), ("lender", body.lenders))
        for role, people in roles:
            for person in people:
                session.add(
                    Party(
                        case_no=case.case_no,
                        role=role,
                        name=person.name,
                        id_kind=person.id_kind.value,
                        id_number=person.id_number,
                        phone=person.phone,
                    )
                )
        for doc in body.documents:
            ref = blobs.stat(doc.blob_key)
            session.add(
                Document(
                    case_no=case.case_no,
                    material=doc.material,
                    blob_key=ref.key,
                    sha256=ref.sha256,
                    size=ref.size,
                    filename=doc.filename,
                )
            )
    return case


async def start_workflow(
    client: Client,
    catalog: Catalog,
    case: Case,
    task_queue: str,
    tz: str,
    *,
    manual: frozenset[str] = frozenset(),
    warn_share: float | None = None,
    supplement_days: int | None = None,
) -> None:
    """Start the workflow of the case's flow; a second call for the case attaches to it.

    `manual`: the departments whose clerks decide by hand in this hall (configuration);
    the case keeps those that take part in it. `warn_share`: when each department step's
    clerk is warned, as a share of its working time; `supplement_days`: the working days an
    applicant has to bring in papers a department asked for (configuration).
    """
    bt = catalog.business_type(case.business_type)
    accepted_day = case.accepted_at.astimezone(ZoneInfo(tz)).date()
    inp = CaseInput(
        case_no=case.case_no,
        business_type=case.business_type,
        hall=case.hall,
        accepted_at=case.accepted_at,
        calendar=calendar_for(accepted_day),
        office_hours=load_office_hours(),
        # The hall's limits per step, and the law's for the whole case.
        deadlines={str(k): v for k, v in bt.deadlines.items()}
        | {"legal": STATUTORY_LIMIT_DAYS}
        | ({"supplement": supplement_days} if supplement_days else {}),
        departments=sorted(d.value for d in bt.departments),
        billed=bt.billed,
        manual=sorted(d for d in manual if bt.takes_part(Department(d))),
        warn_share=warn_share,
    )
    await client.start_workflow(
        FLOW_WORKFLOW_TYPES[bt.flow],
        inp,
        id=case_workflow_id(case.case_no),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=_initial_attributes(case),
        static_summary=f"{bt.name_zh} / {bt.name_en} · {case.case_no}",
        static_details=(
            f"**{bt.name_zh}** ({bt.code})\n\n"
            f"受理 accepted: {case.accepted_at.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M} "
            f"at hall {case.hall}\n\n"
            f"部门 departments: {', '.join(sorted(d.value for d in bt.departments))}"
        ),
    )


def _initial_attributes(case: Case) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(SearchAttr.STAGE, Stage.PRE_REVIEW.value),
            SearchAttributePair(SearchAttr.BUSINESS_TYPE, case.business_type),
            SearchAttributePair(SearchAttr.DEPARTMENT, Department.SERVICE_DESK.value),
            SearchAttributePair(SearchAttr.HALL, case.hall),
        ]
    )


def forget(db: Database, case_no: str) -> None:
    """Undo a stored case whose workflow could not be started (nothing stays half-done)."""
    with db.session() as session:
        holds.forget(session, case_no)
        for model in (Document, Party):
            for row in session.exec(select(model).where(model.case_no == case_no)):
                session.delete(row)
        case = session.get(Case, case_no)
        if case is not None:
            session.delete(case)
            # The acceptance stays in the audit (append-only); this says why nothing followed.
            record_event(
                session,
                case_no=case_no,
                actor=SYSTEM_ACTOR,
                action="withdrawn_not_started",
                reason="the case's workflow could not be started",
            )
    log.warning("case withdrawn: workflow could not start", case_no=case_no)
