"""Migration 0008 lets a case record a title and print a certificate per unit, and keeps the
register as it was: rows, the one-open-title index and (SQLite) the unit-version triggers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from tests.conftest import BACKENDS
from tests.unit.migrated import alembic_config, migrated_to, rows, run_sql

UNIT_A = "420103001002GB00015F00030502"
UNIT_B = "420103001002GB00015F00030601"


@pytest.fixture(params=BACKENDS)
def at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at 0007 holding one unit with a recorded title, holder and certificate."""
    with migrated_to(request.param, tmp_path, "0007", _fill) as url:
        yield url


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
    run_sql(
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
    return dict(rows(url, "SELECT unit_number, version FROM property"))  # type: ignore[arg-type]


def test_0008_keeps_the_register_and_allows_a_title_per_unit_of_one_case(at_0007: str) -> None:
    before = _versions(at_0007)
    command.upgrade(alembic_config(at_0007), "head")
    assert _versions(at_0007) == before  # the rebuild itself changes no unit
    assert rows(at_0007, "SELECT id, unit_number, case_no FROM title") == [(1, UNIT_A, "C1")]
    assert rows(at_0007, "SELECT title_id, holder_id_number FROM title_holder") == [
        (1, "420103198001010016")
    ]
    assert rows(at_0007, "SELECT number, unit_number FROM certificate") == [("N1", UNIT_A)]
    # An exchange: the same case records a title and prints a certificate for the other unit.
    run_sql(at_0007, _title(UNIT_B, "C1", 2), _certificate(UNIT_B, "C1", "N2"))
    for statement in (
        # but never two for one unit, nor two open titles of a unit
        _title(UNIT_A, "C1", 3),
        _certificate(UNIT_A, "C1", "N3"),
        _title(UNIT_A, "C2", 4),
    ):
        with pytest.raises(IntegrityError):
            run_sql(at_0007, statement)
    # The open-title index is still partial: a closed title beside the open one is fine.
    run_sql(
        at_0007,
        (
            "INSERT INTO title (id, unit_number, since, case_no, closed_at) VALUES"
            " (5, :u, '2020-01-01', 'C0', '2026-11-01 02:00:00')",
            {"u": UNIT_A},
        ),
    )


def test_0008_keeps_the_unit_version_triggers(at_0007: str) -> None:
    command.upgrade(alembic_config(at_0007), "head")
    start = _versions(at_0007)
    run_sql(
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
    command.upgrade(alembic_config(at_0007), "head")
    command.downgrade(alembic_config(at_0007), "0006")
    with pytest.raises(IntegrityError):  # the old key is back
        run_sql(at_0007, _title(UNIT_B, "C1", 2))
    assert rows(at_0007, "SELECT title_id, holder_id_number FROM title_holder") == [
        (1, "420103198001010016")
    ]
    start = _versions(at_0007)
    run_sql(at_0007, ("UPDATE title SET certificate_no = 'Y' WHERE id = 1", {}))
    assert _versions(at_0007)[UNIT_A] == start[UNIT_A] + 1
    command.upgrade(alembic_config(at_0007), "head")
