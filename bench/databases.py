"""The onewindow database for a phase: a migrated SQLite file, or a fresh PostgreSQL `bench`."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

from config import ROOT
from models.database import Database

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_NAME = "bench"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}"


def migrate(url: str) -> None:
    """Bring the schema to head with alembic, as tests/conftest.py and `make run` do."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.cmd_opts = None
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


def sqlite_database(workdir: Path) -> Database:
    """A new SQLite file in the phase's temp dir (WAL, as the embedded default runs it)."""
    url = f"sqlite:///{workdir / 'onewindow.db'}"
    migrate(url)
    return Database(url)


def postgres_answers() -> str | None:
    """None if PostgreSQL answers on 127.0.0.1:5432, else why not."""
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
    except psycopg.Error as err:
        return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return None


def _admin(statement: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def postgres_database() -> Database:
    """Create the `bench` database afresh (dropping a leftover one) and migrate it."""
    _admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {PG_NAME}")
    migrate(PG_URL)
    return Database(PG_URL)


def drop_postgres() -> None:
    """Remove the `bench` database again; the benchmark leaves nothing behind."""
    _admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
