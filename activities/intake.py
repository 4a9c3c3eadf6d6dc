"""Intake (收件): pre-review of the stored materials and the push of scans to the departments."""

from __future__ import annotations

from sqlmodel import select
from temporalio import activity

from activities.errors import invariants_are_final, refuse
from activities.handoffs import push
from domain.catalog import Catalog
from domain.prereview import pre_review
from integrations.blobs import BlobStore
from logging_setup import get_logger
from models.archive import Case, Document
from models.database import Database
from models.enums import RefusalType
from models.payloads import BlobRef, DocumentRef, PreReviewOutcome, PushResult, StepInput

log = get_logger(__name__)


class IntakeActivities:
    """Checks the case's materials against the catalog and fans the scans out."""

    def __init__(self, db: Database, blobs: BlobStore, catalog: Catalog) -> None:
        self.db = db
        self.blobs = blobs
        self.catalog = catalog

    def _documents(self, case_no: str) -> tuple[Case, list[Document]]:
        with self.db.session() as session:
            case = session.get(Case, case_no)
            if case is None:
                raise ValueError(f"case {case_no} is not in the archive")
            docs = list(session.exec(select(Document).where(Document.case_no == case_no)))
        return case, docs

    @activity.defn(name="pre_review_materials")
    @invariants_are_final
    def pre_review_materials(self, inp: StepInput) -> PreReviewOutcome:
        """Re-check every material: present per the catalog and its scan intact on disk.

        Raises:
            ApplicationError: MaterialsIncomplete, listing every missing or damaged item at once.
        """
        case, docs = self._documents(inp.case_no)
        intact = [
            d
            for d in docs
            if self.blobs.verify(BlobRef(key=d.blob_key, size=d.size, sha256=d.sha256))
        ]
        damaged = sorted({d.material for d in docs} - {d.material for d in intact})
        facts = {k: bool(v) for k, v in case.facts.get("conditions", {}).items()}
        result = pre_review(self.catalog, case.business_type, [d.material for d in intact], facts)
        if not result.complete or damaged:
            missing = [m.code for m in result.missing]
            notice = result.notice_zh
            if damaged:
                notice += f" 扫描件损坏/scan damaged: {', '.join(damaged)}"
            raise refuse(RefusalType.MATERIALS_INCOMPLETE, notice or f"missing {missing}")
        log.info("materials complete", case_no=inp.case_no, documents=len(intact))
        return PreReviewOutcome(
            complete=True,
            notice_zh=result.notice_zh,
            notice_en=result.notice_en,
            documents=[
                DocumentRef(
                    material=d.material,
                    blob=BlobRef(key=d.blob_key, size=d.size, sha256=d.sha256),
                )
                for d in intact
            ],
        )

    @activity.defn(name="push_documents")
    @invariants_are_final
    def push_documents(self, inp: StepInput) -> PushResult:
        """Share the classified scans with every department that uses each material."""
        case, docs = self._documents(inp.case_no)
        bt = self.catalog.business_type(case.business_type)
        taking_part = {d.value for d in bt.departments}
        departments: set[str] = set()
        with self.db.session() as session:
            for doc in docs:
                users: list[str] = [
                    d.value
                    for d in self.catalog.material(doc.material).departments
                    if d.value in taking_part
                ]
                departments.update(users)
                push(
                    session,
                    case_no=case.case_no,
                    from_department="service_desk",
                    to_departments=users,
                    subject=f"document:{doc.material}:{doc.sha256[:12]}",
                    payload={"blob_key": doc.blob_key, "material": doc.material},
                )
        return PushResult(documents=len(docs), departments=sorted(departments))
