"""POST/GET /cases/{case_no}/documents: a case's papers, checked whole before anything is stored.

The app runs on the real database and blob store with a fake Temporal client standing for
the case's workflow: it answers the progress query with the stage a test sets and records
the `supplement_received` updates it gets (the workflow's side of the update is built
elsewhere; its end-to-end test goes with it). Every refusal is checked to leave no
document and no audit row behind.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.app import create_app
from api.auth.tokens import Staff, issue_token
from api.schemas import CaseCreate
from api.services import case_intake
from api.services.documents import ACTION
from config import Settings
from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from domain.catalog import get_catalog
from integrations.blobs import FileBlobStore
from models.actor import Role
from models.archive import Case, Document
from models.audit import CaseEvent
from models.case_view import ViewPlan, write_view
from models.database import Database
from models.enums import Department, Stage
from models.payloads import CaseProgress
from models.supplement import SupplementReceived, SupplementState
from tests.api.test_task_queue import progress_of
from workflows.ids import QUERY_PROGRESS, UPDATE_SUPPLEMENT, case_workflow_id

MATERIALS = ["application_form", "id_document", "title_certificate", "sales_contract"]
PDF = b"%PDF-1.4\n% a supplement scanned at window A03\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 100
MISSING = "power_of_attorney"  # a paper of a sale, needed when an agent acts


@dataclass
class FakeWorkflow:
    """The case's workflow as the route sees it: a stage to answer and updates received."""

    stage: Stage | None = Stage.TRANSACTION_CHECK
    query_error: RPCError | None = None
    refuse: str | None = None
    updates: list[tuple[str, str, Any]] = field(default_factory=list)

    def get_workflow_handle(self, workflow_id: str) -> FakeHandle:
        return FakeHandle(self, workflow_id)


@dataclass
class FakeHandle:
    workflow: FakeWorkflow
    id: str

    async def query(self, name: str, *, result_type: type[Any], rpc_timeout: Any = None) -> Any:
        assert (name, result_type) == (QUERY_PROGRESS, CaseProgress)
        if self.workflow.query_error is not None:
            raise self.workflow.query_error
        case_no = self.id.removeprefix("case-")
        progress = progress_of(case_no, Department.HOUSING)
        return progress.model_copy(update={"stage": self.workflow.stage})

    async def execute_update(self, name: str, arg: Any, *, result_type: type[Any]) -> Any:
        assert result_type is SupplementState
        if self.workflow.refuse is not None:
            raise WorkflowUpdateFailedError(ApplicationError(self.workflow.refuse))
        self.workflow.updates.append((self.id, name, arg))
        return SupplementState(asked_by=Department.HOUSING, waiting_for=[], resumed=True)


@dataclass
class Hall:
    api: TestClient
    db: Database
    blobs: FileBlobStore
    settings: Settings
    workflow: FakeWorkflow

    def headers(self, role: Role) -> dict[str, str]:
        staff = Staff(staff_id=f"{role.value}-1", name="钱七", roles=(role,), hall="420103")
        return {"Authorization": f"Bearer {issue_token(self.settings.AUTH_SECRET, staff)}"}

    def upload(
        self,
        case_no: str,
        content: bytes = PDF,
        material: str = MISSING,
        *,
        name: str = "scan.pdf",
        content_type: str = "application/pdf",
        role: Role = Role.INTAKE,
    ) -> Any:
        return self.api.post(
            f"/cases/{case_no}/documents",
            data={"material": material},
            files={"file": (name, content, content_type)},
            headers=self.headers(role),
        )

    def listed(self, case_no: str, role: Role = Role.HOUSING) -> list[dict[str, Any]]:
        r = self.api.get(f"/cases/{case_no}/documents", headers=self.headers(role))
        assert r.status_code == 200, r.text
        rows: list[dict[str, Any]] = r.json()
        return rows

    def counts(self) -> tuple[int, int]:
        """Document rows and audit rows in all: a refusal must change neither."""
        with self.db.session() as session:
            docs = session.exec(select(func.count()).select_from(Document)).one()
            events = session.exec(select(func.count()).select_from(CaseEvent)).one()
        return int(docs), int(events)

    def blob_count(self) -> int:
        return sum(1 for p in self.blobs.root.rglob("*") if p.is_file())


@pytest.fixture
def hall(demo_db: Database, tmp_path: Path) -> Iterator[Hall]:
    settings = Settings(ENVIRONMENT="test", DATABASE_URL=demo_db.url)
    blobs = FileBlobStore(tmp_path / "blobs")
    workflow = FakeWorkflow()
    app = create_app(settings, temporal=cast(Client, workflow), db=demo_db, blobs=blobs)
    with TestClient(app) as api:
        yield Hall(api, demo_db, blobs, settings, workflow)


def store_sale(hall: Hall) -> Case:
    """The demo flat's sale stored as `POST /cases` stores it (no workflow)."""
    docs = []
    for material in MATERIALS:
        ref = hall.blobs.put(io.BytesIO(f"%PDF-1.4 scan of {material}\n".encode() * 20))
        docs.append({"material": material, "blob_key": ref.key, "filename": f"{material}.pdf"})
    body = CaseCreate.model_validate(
        {
            "business_type": "existing_home_sale",
            "unit_number": FLAT_SALE,
            "price": "2000000.00",
            "sellers": [{"name": "张三", "id_number": ZHANG_SAN, "phone": "13800000001"}],
            "buyers": [{"name": "李四", "id_number": LI_SI, "phone": "13800000002"}],
            "documents": docs,
            "tax_facts": {"buyer_home_count": 1},
        }
    )
    accepted = case_intake.store(
        hall.db, hall.blobs, body, "documents-test", "420103", hall.settings.TIMEZONE
    )
    return accepted.case


@pytest.fixture
def case_no(hall: Hall) -> str:
    return store_sale(hall).case_no


def added_events(hall: Hall, case_no: str) -> list[CaseEvent]:
    with hall.db.session() as session:
        return list(
            session.exec(
                select(CaseEvent).where(CaseEvent.case_no == case_no, CaseEvent.action == ACTION)
            )
        )


def test_a_pdf_is_stored_and_listed_with_the_catalog_names(hall: Hall, case_no: str) -> None:
    r = hall.upload(case_no)

    assert r.status_code == 201, r.text
    stored = r.json()
    assert stored["case_no"] == case_no and stored["material"] == MISSING
    assert stored["blob_key"] == f"sha256/{stored['sha256']}" and stored["size"] == len(PDF)
    assert stored["content_type"] == "application/pdf"
    assert (stored["told_case"], stored["supplement"]) == (False, None)
    assert hall.blobs.verify(hall.blobs.stat(stored["blob_key"]))
    assert hall.workflow.updates == []  # the case waits for no supplement

    listed = hall.listed(case_no)
    assert [d["material"] for d in listed] == [*MATERIALS, MISSING]
    assert [d["id"] for d in listed] == sorted(d["id"] for d in listed)
    catalog = get_catalog().materials[MISSING]
    last = listed[-1]
    assert (last["name_zh"], last["name_en"]) == (catalog.name_zh, catalog.name_en)
    assert (last["blob_key"], last["sha256"], last["size"]) == (
        stored["blob_key"],
        stored["sha256"],
        len(PDF),
    )
    assert (last["filename"], last["content_type"]) == ("scan.pdf", "application/pdf")
    assert datetime.fromisoformat(last["stored_at"]) == datetime.fromisoformat(stored["stored_at"])
    with hall.db.session() as session:
        case = session.get(Case, case_no)
        assert case is not None
        accepted = case.accepted_at.replace(tzinfo=UTC)
    # The papers handed in at intake were stored with the case.
    assert {datetime.fromisoformat(d["stored_at"]) for d in listed[:-1]} == {accepted}
    (event,) = added_events(hall, case_no)
    assert (event.subject, event.reason, event.actor_role) == (
        stored["blob_key"],
        MISSING,
        "intake",
    )


def test_the_same_bytes_again_are_the_paper_already_stored(hall: Hall, case_no: str) -> None:
    first = hall.upload(case_no)
    assert first.status_code == 201, first.text
    counts = hall.counts()

    again = hall.upload(case_no, name="again.pdf")

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert hall.counts() == counts
    assert len(added_events(hall, case_no)) == 1
    with hall.db.session() as session:
        rows = session.exec(select(Document).where(Document.material == MISSING)).all()
    assert len(rows) == 1


def test_the_same_bytes_for_another_material_are_another_paper(hall: Hall, case_no: str) -> None:
    assert hall.upload(case_no).status_code == 201
    other = hall.upload(case_no, material="marital_status")
    assert other.status_code == 201, other.text
    assert len(added_events(hall, case_no)) == 2


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (TIFF, "image/tiff"), (PDF, "application/pdf")],
)
def test_the_type_is_read_from_the_bytes_not_the_name(
    hall: Hall, case_no: str, content: bytes, kind: str
) -> None:
    r = hall.upload(case_no, content, name="scan.pdf", content_type="application/pdf")

    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == kind
    assert hall.listed(case_no)[-1]["content_type"] == kind


def test_a_text_file_named_pdf_is_refused_naming_the_file(hall: Hall, case_no: str) -> None:
    before, blobs = hall.counts(), hall.blob_count()

    r = hall.upload(case_no, b"just some text, not a scan\n" * 10, name="scan.pdf")

    assert r.status_code == 415, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "file"]
    assert "PDF, JPEG, PNG or TIFF" in error["msg"]
    assert (hall.counts(), hall.blob_count()) == (before, blobs)
    assert len(hall.listed(case_no)) == len(MATERIALS)


def test_an_empty_file_is_refused_naming_the_file(hall: Hall, case_no: str) -> None:
    before = hall.counts()
    r = hall.upload(case_no, b"")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "file"]
    assert hall.counts() == before


def test_a_file_over_the_scan_limit_is_refused_while_read(
    hall: Hall, case_no: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.routes.documents.MAX_SCAN_BYTES", 1024)
    before, blobs = hall.counts(), hall.blob_count()

    r = hall.upload(case_no, b"%PDF-1.4\n" + b"0" * 2048)

    assert r.status_code == 413, r.text
    (error,) = r.json()["detail"]
    assert (error["loc"], error["type"], error["limit"]) == (["body", "file"], "too_large", 1024)
    assert (hall.counts(), hall.blob_count()) == (before, blobs)
    at_limit = hall.upload(case_no, b"%PDF-1.4\n" + b"0" * (1024 - 9))
    assert at_limit.status_code == 201, at_limit.text


def test_a_scan_larger_than_a_json_body_passes_the_body_limit(hall: Hall, case_no: str) -> None:
    """The upload path takes a scan's body limit, not the 1 MiB of a JSON body."""
    r = hall.upload(case_no, b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("material", ["no_such_paper", "mortgage_release"])
def test_a_material_the_business_type_does_not_list_is_refused_naming_it(
    hall: Hall, case_no: str, material: str
) -> None:
    before, blobs = hall.counts(), hall.blob_count()

    r = hall.upload(case_no, material=material)

    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "material"]
    assert material in error["msg"] and "existing_home_sale" in error["msg"]
    assert MISSING in error["valid"] and "title_certificate" in error["valid"]
    assert (hall.counts(), hall.blob_count()) == (before, blobs)


def test_a_closed_case_takes_no_papers(hall: Hall, case_no: str) -> None:
    with hall.db.session() as session:
        case = session.get(Case, case_no)
        assert case is not None
        case.status = "closed"
        session.add(case)
    before = hall.counts()

    r = hall.upload(case_no)

    assert r.status_code == 409, r.text
    assert r.json()["detail"][0]["loc"] == ["path", "case_no"]
    assert hall.counts() == before


def test_only_the_intake_window_adds_papers_and_the_window_lists_none(
    hall: Hall, case_no: str
) -> None:
    before = hall.counts()
    assert hall.upload(case_no, role=Role.WINDOW).status_code == 403
    assert hall.upload(case_no, role=Role.DESK).status_code == 403
    assert hall.counts() == before
    r = hall.api.get(f"/cases/{case_no}/documents", headers=hall.headers(Role.WINDOW))
    assert r.status_code == 403
    for role in (Role.INTAKE, Role.HOUSING, Role.TAX, Role.REGISTRATION, Role.SUPERVISOR):
        assert len(hall.listed(case_no, role)) == len(MATERIALS)


def test_an_unknown_case_is_404(hall: Hall) -> None:
    unknown = "420103-20261128-00999-0"
    before = hall.counts()
    r = hall.upload(unknown)
    assert r.status_code == 404, r.text
    assert r.json()["detail"][0]["loc"] == ["path", "case_no"]
    assert hall.counts() == before
    got = hall.api.get(f"/cases/{unknown}/documents", headers=hall.headers(Role.HOUSING))
    assert got.status_code == 404


def test_a_case_awaiting_a_supplement_is_told_before_the_paper_is_recorded(
    hall: Hall, case_no: str
) -> None:
    hall.workflow.stage = Stage.AWAITING_SUPPLEMENT

    r = hall.upload(case_no)

    assert r.status_code == 201, r.text
    stored = r.json()
    assert stored["told_case"] is True
    assert stored["supplement"] == {"asked_by": "housing", "waiting_for": [], "resumed": True}
    ((workflow_id, update, sent),) = hall.workflow.updates
    assert (workflow_id, update) == (case_workflow_id(case_no), UPDATE_SUPPLEMENT)
    assert isinstance(sent, SupplementReceived)
    assert (sent.material, sent.blob_key, sent.sha256) == (
        MISSING,
        stored["blob_key"],
        stored["sha256"],
    )
    assert sent.actor is not None and sent.actor.role is Role.INTAKE
    assert len(added_events(hall, case_no)) == 1
    # The same bytes again are the paper stored: the case is not told twice.
    assert hall.upload(case_no).status_code == 200
    assert len(hall.workflow.updates) == 1


def test_a_supplement_the_case_refuses_is_a_409_and_nothing_is_recorded(
    hall: Hall, case_no: str
) -> None:
    hall.workflow.stage = Stage.AWAITING_SUPPLEMENT
    hall.workflow.refuse = "material: power_of_attorney was not asked for (waiting for: x)"
    before = hall.counts()

    r = hall.upload(case_no)

    assert r.status_code == 409, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "material"] and "not asked for" in error["msg"]
    assert hall.counts() == before
    assert len(hall.listed(case_no)) == len(MATERIALS)


def test_without_a_live_answer_the_stored_stage_decides(hall: Hall, case_no: str) -> None:
    hall.workflow.query_error = RPCError("no poller", RPCStatusCode.DEADLINE_EXCEEDED, b"")
    waiting = progress_of(case_no, Department.HOUSING).model_copy(
        update={"stage": Stage.AWAITING_SUPPLEMENT}
    )
    with hall.db.session() as session:
        write_view(session, ViewPlan(seq=1, hall="420103", progress=waiting), datetime.now(UTC))

    r = hall.upload(case_no)

    assert r.status_code == 201, r.text
    assert r.json()["told_case"] is True and len(hall.workflow.updates) == 1


def test_without_a_live_answer_or_a_stored_stage_nothing_is_stored(
    hall: Hall, case_no: str
) -> None:
    hall.workflow.query_error = RPCError("no poller", RPCStatusCode.DEADLINE_EXCEEDED, b"")
    before = hall.counts()

    r = hall.upload(case_no)

    assert r.status_code == 503, r.text
    assert hall.counts() == before and hall.workflow.updates == []


def test_a_case_whose_workflow_is_gone_takes_the_paper_without_telling(
    hall: Hall, case_no: str
) -> None:
    hall.workflow.query_error = RPCError("not found", RPCStatusCode.NOT_FOUND, b"")
    r = hall.upload(case_no)
    assert r.status_code == 201, r.text
    assert r.json()["told_case"] is False


def test_stored_at_is_recent(hall: Hall, case_no: str) -> None:
    r = hall.upload(case_no)
    at = datetime.fromisoformat(r.json()["stored_at"])
    assert datetime.now(UTC) - at < timedelta(minutes=1)
