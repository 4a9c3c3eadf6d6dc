"""Gap-free serials under concurrency, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from models.counters import next_serial
from models.database import Database
from models.register import Counter

THREADS = 8
EACH = 25


class Abort(Exception):
    """Raised inside a session to roll its transaction back."""


def allocate(db: Database, name: str) -> int:
    with db.session() as session:
        return next_serial(session, name)


def value(db: Database, name: str) -> int | None:
    with db.session() as session:
        row = session.exec(select(Counter).where(Counter.name == name)).first()
        return None if row is None else row.value


def test_a_new_counter_starts_at_one_and_counters_are_independent(db: Database) -> None:
    assert [allocate(db, "case:420103:2026-12-01") for _ in range(3)] == [1, 2, 3]
    assert allocate(db, "case:420103:2026-12-02") == 1
    assert value(db, "case:420103:2026-12-01") == 3


def test_concurrent_transactions_get_1_to_200_without_gaps_or_repeats(db: Database) -> None:
    name = "certificate:title:武汉市:2026"
    barrier = threading.Barrier(THREADS)
    got: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            for _ in range(EACH):
                got[i].append(allocate(db, name))  # each allocation its own transaction
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    values = sorted(v for per_thread in got for v in per_thread)
    assert values == list(range(1, THREADS * EACH + 1))
    assert all(per_thread == sorted(per_thread) for per_thread in got)
    assert value(db, name) == THREADS * EACH


def test_a_rolled_back_transaction_gives_its_number_back(db: Database) -> None:
    name = "certificate:title:武汉市:2027"
    assert allocate(db, name) == 1
    with pytest.raises(Abort):
        with db.session() as session:
            assert next_serial(session, name) == 2
            raise Abort
    assert allocate(db, name) == 2
    assert value(db, name) == 2


def test_a_rolled_back_first_allocation_leaves_no_counter(db: Database) -> None:
    name = "case:420103:2026-12-24"
    with pytest.raises(Abort):
        with db.session() as session:
            assert next_serial(session, name) == 1
            raise Abort
    assert value(db, name) is None
    assert allocate(db, name) == 1


def test_a_rollback_while_others_allocate_leaves_no_gap(db: Database) -> None:
    """A transaction holding a number and then failing must not leave a hole for the others."""
    name = "case:420103:2026-12-25"
    allocate(db, name)  # the row exists, so the holder locks it rather than inserting it
    holding = threading.Event()
    release = threading.Event()
    others: list[int] = []
    errors: list[BaseException] = []

    def failing() -> None:
        try:
            with db.session() as session:
                next_serial(session, name)
                holding.set()
                release.wait(timeout=30)
                raise Abort
        except Abort:
            pass
        except BaseException as err:
            errors.append(err)

    def waiting() -> None:
        try:
            others.append(allocate(db, name))
        except BaseException as err:
            errors.append(err)

    holder = threading.Thread(target=failing)
    holder.start()
    assert holding.wait(timeout=30)
    waiters = [threading.Thread(target=waiting) for _ in range(3)]
    for t in waiters:
        t.start()
    release.set()
    holder.join(timeout=30)
    for t in waiters:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(others) == [2, 3, 4]
    assert value(db, name) == 4
