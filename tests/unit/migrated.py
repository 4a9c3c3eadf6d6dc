"""A database migrated to a given revision on either backend, for the migration tests.

Each test of a migration starts from the revision before it, fills in rows as the register
held them then, upgrades, and reads the result; these helpers are that common part.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from config import ROOT
from models.database import make_engine
from tests.conftest import PG_URL


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


@contextmanager
def migrated_to(
    backend: str, tmp_path: Path, revision: str, fill: Callable[[str], None] | None = None
) -> Iterator[str]:
    """The URL of a database at `revision` (PostgreSQL: a schema of its own, dropped after),
    filled by `fill` if given."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'at_{revision}.db'}"
        command.upgrade(alembic_config(url), revision)
        if fill is not None:
            fill(url)
        yield url
        return
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        command.upgrade(alembic_config(url), revision)
        if fill is not None:
            fill(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run_sql(url: str, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run statements in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for sql, params in statements:
                conn.execute(sa.text(sql), params)
    finally:
        engine.dispose()


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()
