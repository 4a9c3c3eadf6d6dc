"""The Temporal worker: the case workflow and every department's activities.

Run `python worker.py`; configuration comes from the environment (see `.env.example`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.archive import ArchiveActivities
from activities.case_steps import CaseStepActivities
from activities.delivery import DeliveryActivities
from activities.housing import HousingActivities
from activities.intake import IntakeActivities
from activities.notify import NotifyActivities
from activities.registry import RegistryActivities
from activities.tax import TaxActivities
from api.services.calendar_publish import publish_calendar
from config import Settings, WorkerRole, get_settings
from domain.calendar.office_hours import load_office_hours, require_zone
from domain.catalog import get_catalog
from integrations.blobs import BlobStore
from integrations.ems import EmsGateway
from integrations.factory import blob_store, ems_gateway, sms_gateway
from integrations.sms import SmsGateway
from logging_setup import configure_logging, get_logger
from models.database import Database
from temporal_client import connect, ensure_search_attributes
from workflows.registry import WORKFLOWS

log = get_logger("worker")


def build_activities(
    settings: Settings,
    db: Database,
    *,
    blobs: BlobStore | None = None,
    sms: SmsGateway | None = None,
    ems: EmsGateway | None = None,
) -> list[Any]:
    """Every activity bound to its dependencies; tests pass their own gateways."""
    intake = IntakeActivities(db, blobs or blob_store(settings), get_catalog())
    housing = HousingActivities(db, get_catalog())
    tax = TaxActivities(db, zone=settings.zone)
    registry = RegistryActivities(
        db,
        get_catalog(),
        settings.PROVINCE_ABBR,
        settings.CITY_NAME,
        settings.CERTIFICATE_SERIAL_WIDTH,
        zone=settings.zone,
    )
    notify = NotifyActivities(db, sms or sms_gateway(settings), settings.HALL_NAME)
    delivery = DeliveryActivities(db, ems or ems_gateway(settings))
    archive = ArchiveActivities(db)
    steps = CaseStepActivities(db, notify.outbox, intake, housing, tax, registry, delivery, archive)
    return [
        steps.intake_case,
        steps.check_and_notify,
        steps.record_payment_and_notify,
        steps.assess_and_bill,
        steps.register_and_notify,
        steps.deliver,
        steps.close_and_notify,
        steps.bill_and_notify,
        steps.assess_for_review,
        steps.check_for_review,
        steps.tell_parties,
        intake.pre_review_materials,
        intake.push_documents,
        housing.check_transaction,
        tax.assess_taxes,
        tax.record_payment,
        tax.adjust_bill,
        registry.review_registration,
        registry.record_transfer,
        registry.print_certificate,
        registry.register,
        notify.send_sms,
        delivery.record_collection_choice,
        delivery.record_handover,
        delivery.ship_certificate,
        archive.escalate_deadline,
        archive.audit_case_event,
        archive.close_case,
    ]


def build_worker(
    client: Client,
    task_queue: str,
    activities: list[Any],
    executor: ThreadPoolExecutor,
    *,
    role: WorkerRole = "all",
    **kwargs: Any,
) -> Worker:
    """The worker with the explicit lists of workflows and activities.

    `role` splits the two across processes: one Python process is bound by its GIL
    (bench/README.md), so a busy hall runs workflow and activity workers side by side.
    """
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS) if role != "activities" else [],
        activities=activities if role != "workflows" else [],
        activity_executor=executor if role != "workflows" else None,
        max_concurrent_activities=executor._max_workers,
        graceful_shutdown_timeout=timedelta(seconds=10),
        **kwargs,
    )


async def _publish_calendar(client: Client, settings: Settings) -> None:
    """Hand running cases any official year published since they started (never fatal)."""
    try:
        today = datetime.now(settings.zone).date()
        await publish_calendar(client, today=today)  # logs what it did
    except Exception as err:  # noqa: BLE001 - the worker must run even if this cannot
        log.warning("calendar publish failed; run `make calendar-publish`", error=str(err))


async def main() -> None:
    settings = get_settings()
    # Before anything connects: a worker on two clocks would misdate every deadline.
    require_zone(load_office_hours(), settings.TIMEZONE)
    configure_logging(settings.log_format)
    db = Database(settings.DATABASE_URL)
    client = await connect(settings)
    added = await ensure_search_attributes(client, settings.TEMPORAL_NAMESPACE)
    if added:
        log.info("search attributes registered", names=added)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=16) as executor:
        activities = build_activities(settings, db)
        worker = build_worker(
            client, settings.TASK_QUEUE, activities, executor, role=settings.WORKER_ROLE
        )
        log.info(
            "worker started",
            queue=settings.TASK_QUEUE,
            role=settings.WORKER_ROLE,
            temporal=settings.TEMPORAL_ADDRESS,
        )
        async with worker:
            publishing = asyncio.create_task(_publish_calendar(client, settings))
            await stop.wait()
            publishing.cancel()
            log.info("worker stopping: finishing running activities")
    db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
    # Everything has shut down gracefully by now. The Temporal core's own threads can still
    # outlive the interpreter's finalization and abort it ("PyGILState_Release", exit -6),
    # which turns a clean stop into a crash for the supervisor; leave without finalizing.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
