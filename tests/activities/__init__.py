"""Helpers for activity tests: a stored case, as `POST /cases` leaves it, and the activities."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.archive import ArchiveActivities
from activities.case_steps import CaseStepActivities
from activities.delivery import DeliveryActivities
from activities.handoffs import push
from activities.housing import HousingActivities
from activities.intake import IntakeActivities
from activities.notify import NotifyActivities
from activities.registry import RegistryActivities
from activities.tax import TaxActivities
from api.schemas import CaseCreate
from api.services import case_intake
from config import Settings
from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from domain.catalog import get_catalog
from integrations.blobs import FileBlobStore
from integrations.ems import EmsGateway, LocalEmsGateway
from integrations.sms import LocalOutboxSmsGateway, SmsGateway
from models.archive import Case, Party
from models.database import Database
from models.payloads import StepInput

SELLER_PHONE = "13800000001"
BUYER_PHONE = "13800000002"
CORE_MATERIALS = ["application_form", "id_document", "title_certificate", "sales_contract"]


@dataclass
class Desk:
    """One hall's activities bound to a test database and local gateways."""

    db: Database
    blobs: FileBlobStore
    sms: LocalOutboxSmsGateway
    ems: LocalEmsGateway
    intake: IntakeActivities
    housing: HousingActivities
    tax: TaxActivities
    registry: RegistryActivities
    notify: NotifyActivities
    delivery: DeliveryActivities
    archive: ArchiveActivities

    def steps(self) -> CaseStepActivities:
        """The lean flows' one-activity-per-step wrappers over this desk's activities."""
        return CaseStepActivities(
            self.db,
            self.notify.outbox,
            self.intake,
            self.housing,
            self.tax,
            self.registry,
            self.delivery,
            self.archive,
        )


def make_desk(
    db: Database,
    root: Path,
    *,
    sms: SmsGateway | None = None,
    ems: EmsGateway | None = None,
) -> Desk:
    """The activities as the worker builds them; `sms`/`ems` replace the gateways they call."""
    settings = Settings(ENVIRONMENT="test", DATABASE_URL=db.url)
    blobs = FileBlobStore(root / "blobs")
    outbox = LocalOutboxSmsGateway(root / "sms.jsonl")
    book = LocalEmsGateway(root / "ems")
    return Desk(
        db=db,
        blobs=blobs,
        sms=outbox,
        ems=book,
        intake=IntakeActivities(db, blobs, get_catalog()),
        housing=HousingActivities(db, get_catalog()),
        tax=TaxActivities(db, zone=settings.zone),
        registry=RegistryActivities(
            db,
            get_catalog(),
            settings.PROVINCE_ABBR,
            settings.CITY_NAME,
            settings.CERTIFICATE_SERIAL_WIDTH,
            zone=settings.zone,
        ),
        notify=NotifyActivities(db, sms or outbox, settings.HALL_NAME),
        delivery=DeliveryActivities(db, ems or book),
        archive=ArchiveActivities(db),
    )


def store_case(
    desk: Desk,
    *,
    unit: str = FLAT_SALE,
    price: str = "2000000.00",
    seller: tuple[str, str, str] = ("张三", ZHANG_SAN, SELLER_PHONE),
    buyer: tuple[str, str, str] = ("李四", LI_SI, BUYER_PHONE),
    materials: list[str] = CORE_MATERIALS,
    sellers: list[tuple[str, str, str]] | None = None,
    buyers: list[tuple[str, str, str]] | None = None,
    business_type: str = "existing_home_sale",
    exchange_unit: str | None = None,
    lenders: list[tuple[str, str, str]] | None = None,
    mortgage: dict[str, str | None] | None = None,
    facts: dict[str, bool] | None = None,
) -> Case:
    """Upload one scan per material and store the case the way the intake service does.

    `sellers`/`buyers`, when given, replace the single `seller`/`buyer` (`sellers=[]`: a
    first registration names none, `buyers=[]` a mortgage). `lenders` are (name, credit
    code, phone); `mortgage` the lien's facts as intake keeps them (secured_amount,
    term_start, term_end, releases); `facts` the catalog conditions (``has_mortgage``).
    """
    docs = []
    for material in materials:
        ref = desk.blobs.put(io.BytesIO(f"%PDF-1.4 scan of {material}\n".encode() * 20))
        docs.append({"material": material, "blob_key": ref.key, "filename": f"{material}.pdf"})
    body = CaseCreate.model_validate(
        {
            "business_type": business_type,
            "unit_number": unit,
            "price": price,
            "sellers": [_party(p) for p in (sellers if sellers is not None else [seller])],
            "buyers": [_party(p) for p in (buyers if buyers is not None else [buyer])],
            "documents": docs,
            "facts": facts or {},
            "tax_facts": {"buyer_home_count": 1},
            "exchange_unit_number": exchange_unit,
            **({"lenders": [_lender(p) for p in lenders]} if lenders else {}),
            **({"mortgage": mortgage} if mortgage else {}),
        }
    )
    accepted = case_intake.store(
        desk.db, desk.blobs, body, f"activity-test-{uuid.uuid4()}", "420103", "Asia/Shanghai"
    )
    if lenders or mortgage:
        return _as_agreed(desk.db, accepted.case, lenders or [], mortgage)
    return accepted.case


def _as_agreed(
    db: Database,
    case: Case,
    lenders: list[tuple[str, str, str]],
    mortgage: dict[str, str | None] | None,
) -> Case:
    """The lenders and mortgage facts as intake agreed to store them (lender `Party` rows,
    ``facts["mortgage"]``), added here where this intake does not store them yet."""
    with db.session() as session:
        stored = session.get(Case, case.case_no)
        assert stored is not None
        roles = {p.id_number for p in stored_parties(session, case.case_no, "lender")}
        for name, code, phone in lenders:
            if code not in roles:
                session.add(
                    Party(
                        case_no=case.case_no,
                        role="lender",
                        name=name,
                        id_kind="credit_code",
                        id_number=code,
                        phone=phone,
                    )
                )
        if mortgage and stored.facts.get("mortgage") is None:
            stored.facts = {**stored.facts, "mortgage": mortgage}
            session.add(stored)
        return stored


def stored_parties(session: Any, case_no: str, role: str) -> list[Party]:
    return list(session.exec(select(Party).where(Party.case_no == case_no, Party.role == role)))


def _party(person: tuple[str, str, str]) -> dict[str, str]:
    return dict(zip(("name", "id_number", "phone"), person, strict=True))


def _lender(bank: tuple[str, str, str]) -> dict[str, str]:
    return {**_party(bank), "id_kind": "credit_code"}


def run(fn: Any, case: Case) -> Any:
    """Run an activity taking the case's `StepInput`, as a worker would."""
    return ActivityEnvironment().run(fn, StepInput(case_no=case.case_no))


def refused(fn: Any, case: Case) -> ApplicationError:
    """The business refusal the activity ends the case with (never retried)."""
    with pytest.raises(ApplicationError) as caught:
        run(fn, case)
    assert caught.value.non_retryable
    return caught.value


def taxes_paid(db: Database, case: Case) -> None:
    """What the tax bureau hands registration once the case is paid."""
    with db.session() as session:
        push(
            session,
            case_no=case.case_no,
            from_department="tax",
            to_departments=["registration"],
            subject="taxes_paid",
            payload={},
        )
