"""Migration 0011 adds `refund`: one row per payer and case (a retried close cannot add a
second), a case that exists, a status of due or refunded; downgrading drops only it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from tests.conftest import BACKENDS
from tests.unit.migrated import alembic_config, migrated_to, rows, run_sql

UNIT = "420103001002GB00015F00030502"
CASE = "420103-20261128-00001-0"


@pytest.fixture(params=BACKENDS)
def at_0010(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at 0010 holding one closed case on one unit."""
    with migrated_to(request.param, tmp_path, "0010", _fill) as url:
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
            'INSERT INTO "case" (case_no, idempotency_key, request_fingerprint, business_type,'
            " unit_number, facts, price, hall, accepted_at, status)"
            " VALUES (:c, :c, 'x', 'existing_home_sale', :u, '{}', '2000000.00', '420103',"
            " '2026-11-28 02:00:00', 'closed')",
            {"c": CASE, "u": UNIT},
        ),
    )


def _refund(payer: str, case_no: str = CASE, status: str = "due") -> tuple[str, dict[str, Any]]:
    return (
        "INSERT INTO refund (case_no, payer, amount, lines, legal_basis, reason, status,"
        " due_since) VALUES (:c, :p, '20080.00', '[]', '契税法第十二条', 'refused', :s,"
        " '2026-12-02 02:00:00')",
        {"c": case_no, "p": payer, "s": status},
    )


def test_0011_keeps_one_refund_per_payer_of_an_existing_case(at_0010: str) -> None:
    command.upgrade(alembic_config(at_0010), "0011")
    run_sql(at_0010, _refund("buyer"), _refund("seller"))

    with pytest.raises(IntegrityError):  # a retried close cannot write a second
        run_sql(at_0010, _refund("buyer"))
    with pytest.raises(IntegrityError):  # no refund of a case the archive does not hold
        run_sql(at_0010, _refund("buyer", case_no="420103-20261128-00002-0"))
    with pytest.raises(IntegrityError):
        run_sql(at_0010, _refund("lender", status="maybe"))
    kept = rows(at_0010, "SELECT payer, amount, status FROM refund ORDER BY id")
    # The amount is exact either way: text on SQLite, NUMERIC(16,2) on PostgreSQL.
    assert [(p, str(a), s) for p, a, s in kept] == [
        ("buyer", "20080.00", "due"),
        ("seller", "20080.00", "due"),
    ]


def test_0011_downgrades_dropping_only_the_refunds(at_0010: str) -> None:
    command.upgrade(alembic_config(at_0010), "0011")
    run_sql(at_0010, _refund("buyer"))

    command.downgrade(alembic_config(at_0010), "0010")

    assert rows(at_0010, 'SELECT case_no FROM "case"') == [(CASE,)]
    command.upgrade(alembic_config(at_0010), "head")
    assert rows(at_0010, "SELECT COUNT(*) FROM refund") == [(0,)]
