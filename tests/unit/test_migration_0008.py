"""Migration 0008 lets a case record a title and print a certificate per unit, and keeps the
register as it was: rows, the one-open-title index and (SQLite) the unit-version triggers."""

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

UNIT_A = "420103001002GB00015F00030502"
UNIT_B = "420103001002GB00015F00030601"


def _config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


@pytest.fixture(params=BACKENDS)
def at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at 0007 holding one unit with a recorded title, holder and certificate."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'at_0007.db'}"
        command.upgrade(_config(url), "0007")
        _fill(url)
        yield url
        return
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        command.upgrade(_config(url), "0007")
        _fill(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


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


def _title(unit: str, case_no: str, title_id: int) -> tuple[str, dict[str, Any]]:
    return (
        "INSERT INTO title (id, unit_number, since, case_no) VALUES (:i, :u, '2026-11-01', :c)",
        {"i": title_id, "u": unit, "c": case_no},
    )


def _certificate(unit: str, case_no: str, number: str) -> tuple[str, dict[str, Any]]:
    return (
        "INSERT INTO certificate (number, case_no, kind, year, serial, unit_number, holder_name,"
        " issued_at) VALUES (:n, :c, 'title', 2026, 1, :u, '张三', '2026-11-01 02:00:00')",
        {"n": number, "c": case_no, "u": unit},
    )


def _fill(url: str) -> None:
    _run(
        url,
        *(
            (
                "INSERT INTO property (unit_number, address, area_m2, usage, division, version)"
                " VALUES (:u, '武汉市', '90.00', 'residential', '420103', 0)",
                {"u": unit},
            )
            for unit in (UNIT_A, UNIT_B)
        ),
        _title(UNIT_A, "C1", 1),
        (
            "INSERT INTO title_holder (title_id, unit_number, holder_name, holder_id_number,"
            " share, since) VALUES (1, :u, '张三', '420103198001010016', '1', '2026-11-01')",
            {"u": UNIT_A},
        ),
        _certificate(UNIT_A, "C1", "N1"),
    )


def _versions(url: str) -> dict[str, int]:
    return dict(_rows(url, "SELECT unit_number, version FROM property"))  # type: ignore[arg-type]


def test_0008_keeps_the_register_and_allows_a_title_per_unit_of_one_case(at_0007: str) -> None:
    before = _versions(at_0007)
    command.upgrade(_config(at_0007), "head")
    assert _versions(at_0007) == before  # the rebuild itself changes no unit
    assert _rows(at_0007, "SELECT id, unit_number, case_no FROM title") == [(1, UNIT_A, "C1")]
    assert _rows(at_0007, "SELECT title_id, holder_id_number FROM title_holder") == [
        (1, "420103198001010016")
    ]
    assert _rows(at_0007, "SELECT number, unit_number FROM certificate") == [("N1", UNIT_A)]
    # An exchange: the same case records a title and prints a certificate for the other unit.
    _run(at_0007, _title(UNIT_B, "C1", 2), _certificate(UNIT_B, "C1", "N2"))
    for statement in (
        # but never two for one unit, nor two open titles of a unit
        _title(UNIT_A, "C1", 3),
        _certificate(UNIT_A, "C1", "N3"),
        _title(UNIT_A, "C2", 4),
    ):
        with pytest.raises(IntegrityError):
            _run(at_0007, statement)
    # The open-title index is still partial: a closed title beside the open one is fine.
    _run(
        at_0007,
        (
            "INSERT INTO title (id, unit_number, since, case_no, closed_at) VALUES"
            " (5, :u, '2020-01-01', 'C0', '2026-11-01 02:00:00')",
            {"u": UNIT_A},
        ),
    )


def test_0008_keeps_the_unit_version_triggers(at_0007: str) -> None:
    command.upgrade(_config(at_0007), "head")
    start = _versions(at_0007)
    _run(
        at_0007,
        ("UPDATE title SET certificate_no = 'X' WHERE unit_number = :u", {"u": UNIT_A}),
        ("UPDATE title_holder SET certificate_no = 'X' WHERE unit_number = :u", {"u": UNIT_A}),
        (
            "INSERT INTO encumbrance (unit_number, kind, holder, holder_id_number, reference,"
            " registered_on) VALUES (:u, 'ADVANCE_NOTICE', '李四', '420106198503150026', 'R1',"
            " '2026-11-28')",
            {"u": UNIT_B},
        ),
    )
    assert _versions(at_0007) == {UNIT_A: start[UNIT_A] + 2, UNIT_B: start[UNIT_B] + 1}


def test_0008_downgrades_to_one_title_per_case(at_0007: str) -> None:
    command.upgrade(_config(at_0007), "head")
    command.downgrade(_config(at_0007), "0006")
    with pytest.raises(IntegrityError):  # the old key is back
        _run(at_0007, _title(UNIT_B, "C1", 2))
    assert _rows(at_0007, "SELECT title_id, holder_id_number FROM title_holder") == [
        (1, "420103198001010016")
    ]
    start = _versions(at_0007)
    _run(at_0007, ("UPDATE title SET certificate_no = 'Y' WHERE id = 1", {}))
    assert _versions(at_0007)[UNIT_A] == start[UNIT_A] + 1
    command.upgrade(_config(at_0007), "head")
