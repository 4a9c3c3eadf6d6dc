"""Migration 0009 makes a lien a row of the register: the encumbrance table gains the
recording case, the secured debt and its term and the releasing case, one lien per case,
unit and lender, and keeps its rows and (SQLite) the unit-version triggers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from tests.conftest import BACKENDS
from tests.unit.migrated import alembic_config, migrated_to, rows, run_sql

UNIT = "420103001002GB00015F00030601"
BANK = "91420100MA4K2B3C05"


@pytest.fixture(params=BACKENDS)
def at_0008(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at 0008 holding one unit under a lien recorded before onewindow."""
    with migrated_to(request.param, tmp_path, "0008", _fill) as url:
        yield url


def _fill(url: str) -> None:
    run_sql(
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
    [(version,)] = rows(url, f"SELECT version FROM property WHERE unit_number = '{UNIT}'")
    return int(version)


def test_0009_keeps_old_liens_and_records_one_lien_per_case_and_lender(at_0008: str) -> None:
    command.upgrade(alembic_config(at_0008), "head")
    assert rows(at_0008, "SELECT holder, case_no, secured_amount FROM encumbrance") == [
        ("建设银行", None, None)
    ]
    start = _version(at_0008)
    run_sql(at_0008, _lien("C1", "P1"))
    assert _version(at_0008) == start + 1  # the trigger still moves the unit's version
    with pytest.raises(IntegrityError):  # a retried recording cannot add a second row
        run_sql(at_0008, _lien("C1", "P2"))
    run_sql(
        at_0008,
        _lien("C2", "P3"),
        (
            "UPDATE encumbrance SET released_on = '2026-12-02', released_by_case = 'C3'"
            " WHERE reference = 'P1'",
            {},
        ),
    )
    assert _version(at_0008) == start + 3
    assert rows(at_0008, "SELECT reference, released_by_case FROM encumbrance ORDER BY id") == [
        ("鄂(2015)武汉市不动产证明第0011223号", None),
        ("P1", "C3"),
        ("P3", None),
    ]


def test_0009_downgrades_keeping_the_rows_and_triggers(at_0008: str) -> None:
    command.upgrade(alembic_config(at_0008), "head")
    run_sql(at_0008, _lien("C1", "P1"))
    command.downgrade(alembic_config(at_0008), "0008")
    assert rows(at_0008, "SELECT reference FROM encumbrance ORDER BY id") == [
        ("鄂(2015)武汉市不动产证明第0011223号",),
        ("P1",),
    ]
    start = _version(at_0008)
    run_sql(
        at_0008, ("UPDATE encumbrance SET released_on = '2026-12-02' WHERE reference = 'P1'", {})
    )
    assert _version(at_0008) == start + 1
    command.upgrade(alembic_config(at_0008), "head")
