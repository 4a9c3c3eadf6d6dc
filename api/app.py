"""The FastAPI application: `create_app()` and its lifespan (DB engine, Temporal client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from temporalio.client import Client

from api import errors, hold_errors
from api.auth.gate import AuthGate
from api.body_limit import JSON_BODY_LIMIT, BodySizeLimit
from api.routes import (
    cases,
    departments,
    documents,
    escalations,
    health,
    refunds,
    scans,
    tasks,
    withdrawal,
)
from config import Settings, get_settings
from domain.calendar.office_hours import load_office_hours, require_zone
from integrations.blobs import BlobStore
from integrations.factory import blob_store
from logging_setup import configure_logging
from models.database import Database
from temporal_client import connect


def create_app(
    settings: Settings | None = None,
    *,
    temporal: Client | None = None,
    db: Database | None = None,
    blobs: BlobStore | None = None,
) -> FastAPI:
    """Build the app; tests hand in their own client, database and blob store.

    Raises:
        ZoneMismatch: the office hours and the settings name different time zones; checked
            here, before serving, because `make run` and production both build the app so.
    """
    settings = settings or get_settings()
    require_zone(load_office_hours(), settings.TIMEZONE)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        own_db = db is None
        app.state.db = db or Database(settings.DATABASE_URL)
        app.state.temporal = temporal or await connect(settings)
        app.state.blobs = blobs or blob_store(settings)
        yield {}
        if own_db:
            app.state.db.dispose()

    app = FastAPI(
        title="onewindow",
        summary="一网受理、一窗办结 — one application, one window, three departments",
        version="0.1.0",
        lifespan=lifespan,
    )
    # Set here, not in the lifespan: no I/O, and routes that need only settings (the desk's
    # tax estimate reads the hall's "today") also answer on an app run without its lifespan.
    app.state.settings = settings
    errors.install(app)
    hold_errors.install(app)  # 409 naming the case that holds the unit
    refunds.install(app)  # 404 of an unknown refund, 409 naming who marked it refunded
    app.add_middleware(
        BodySizeLimit,
        default=JSON_BODY_LIMIT,
        limits={"/scans": scans.MAX_UPLOAD_BYTES, documents.UPLOAD_PATH: scans.MAX_UPLOAD_BYTES},
    )
    routers = (cases, departments, tasks, escalations, refunds, scans, documents, withdrawal)
    for module in (*routers, health):
        app.include_router(module.router)
    _include_domain_routers(app)
    # Added last, so it runs first: no body is read for a caller without a valid token.
    app.add_middleware(AuthGate, routes=app, secret=lambda: settings.AUTH_SECRET)
    return app


def _include_domain_routers(app: FastAPI) -> None:
    """The public procedure sheet, calendar, pre-review and tax estimate endpoints."""
    from api.routes import calendar, catalog, prereview, tax

    for module in (calendar, catalog, prereview, tax):
        app.include_router(module.router)


def main() -> FastAPI:
    """Entry point for `uvicorn api.app:main --factory`."""
    settings = get_settings()
    configure_logging(settings.log_format)
    return create_app(settings)
