"""Migration 0009 makes a lien a row of the register: the encumbrance table gains the
recording case, the secured debt and its term and the releasing case, one lien per case,
unit and lender, and keeps its rows and (SQLite) the unit-version triggers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import IntegrityError

from config import ROOT
from models.database import make_engine
from tests.conftest import BACKENDS, PG_URL

UNIT = "420103001002GB00015F00030601"
BANK = "91420100MA4K2B3C05"


def _config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def _run(url: str, *statements: tuple[str, dict[str, Any]]) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for sql, params in statements:
                conn.execute(sa.text(sql), params)
    finally:
        engine.dispose()


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def at_0008(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at 0008 holding one unit under a lien recorded before onewindow."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'at_0008.db'}"
        command.upgrade(_config(url), "0008")
        _fill(url)
        yield url
        return
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        command.upgrade(_config(url), "0008")
        _fill(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _fill(url: str) -> None:
    _run(
        url,
        (
            "INSERT INTO property (unit_number, address, area_m2, usage, division, version)"
            " VALUES (:u, '武汉市', '90.00', 'residential', '420103', 0)",
            {"u": UNIT},
        ),
        (
            "INSERT INTO encumbrance (unit_number, kind, holder, reference, registered_on)"
            " VALUES (:u, 'MORTGAGE', '建设银行', '鄂(2015)武汉市不动产证明第0011223号',"
            " '2015-04-02')",
            {"u": UNIT},
        ),
    )


def _lien(case_no: str, reference: str) -> tuple[str, dict[str, Any]]:
    return (
        "INSERT INTO encumbrance (unit_number, kind, holder, holder_id_number, reference,"
        " registered_on, case_no, secured_amount, term_start, term_end)"
        " VALUES (:u, 'MORTGAGE', '招商银行', :b, :r, '2026-11-30', :c, '800000.00',"
        " '2026-12-01', '2046-11-30')",
        {"u": UNIT, "b": BANK, "r": reference, "c": case_no},
    )


def _version(url: str) -> int:
    [(version,)] = _rows(url, f"SELECT version FROM property WHERE unit_number = '{UNIT}'")
    return int(version)


def test_0009_keeps_old_liens_and_records_one_lien_per_case_and_lender(at_0008: str) -> None:
    command.upgrade(_config(at_0008), "head")
    assert _rows(at_0008, "SELECT holder, case_no, secured_amount FROM encumbrance") == [
        ("建设银行", None, None)
    ]
    start = _version(at_0008)
    _run(at_0008, _lien("C1", "P1"))
    assert _version(at_0008) == start + 1  # the trigger still moves the unit's version
    with pytest.raises(IntegrityError):  # a retried recording cannot add a second row
        _run(at_0008, _lien("C1", "P2"))
    _run(
        at_0008,
        _lien("C2", "P3"),
        (
            "UPDATE encumbrance SET released_on = '2026-12-02', released_by_case = 'C3'"
            " WHERE reference = 'P1'",
            {},
        ),
    )
    assert _version(at_0008) == start + 3
    assert _rows(at_0008, "SELECT reference, released_by_case FROM encumbrance ORDER BY id") == [
        ("鄂(2015)武汉市不动产证明第0011223号", None),
        ("P1", "C3"),
        ("P3", None),
    ]


def test_0009_downgrades_keeping_the_rows_and_triggers(at_0008: str) -> None:
    command.upgrade(_config(at_0008), "head")
    _run(at_0008, _lien("C1", "P1"))
    command.downgrade(_config(at_0008), "0008")
    assert _rows(at_0008, "SELECT reference FROM encumbrance ORDER BY id") == [
        ("鄂(2015)武汉市不动产证明第0011223号",),
        ("P1",),
    ]
    start = _version(at_0008)
    _run(at_0008, ("UPDATE encumbrance SET released_on = '2026-12-02' WHERE reference = 'P1'", {}))
    assert _version(at_0008) == start + 1
    command.upgrade(_config(at_0008), "head")
