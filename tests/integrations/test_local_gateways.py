"""Local SMS outbox and EMS book: one result per idempotency key, even from two threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from domain.identifiers import InvalidIdentifier, validate_s10
from integrations.ems import LocalEmsGateway
from integrations.sms import LocalOutboxSmsGateway

T = TypeVar("T")


def at_once(n: int, call: Callable[[int], T]) -> list[T]:
    """Run `call(i)` in `n` threads released together by a barrier."""
    barrier = threading.Barrier(n)
    results: list[T | None] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except BaseException as err:  # surfaced below, with the thread's own traceback
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


# --- SMS -----------------------------------------------------------------------------------


def test_sms_repeated_key_returns_the_first_message_id(tmp_path: Path) -> None:
    outbox = LocalOutboxSmsGateway(tmp_path / "sms" / "outbox.jsonl")
    first = outbox.send(phone="13800000002", text="first", idempotency_key="C1:accepted:138")
    again = outbox.send(phone="13800000002", text="second", idempotency_key="C1:accepted:138")
    other = outbox.send(phone="13800000002", text="other", idempotency_key="C1:shipped:138")
    assert first == again != other
    messages = outbox.messages()
    assert [m["text"] for m in messages] == ["first", "other"]  # the repeat sent nothing
    assert messages[0]["phone"] == "13800000002"


def test_sms_two_threads_with_one_key_send_one_message(tmp_path: Path) -> None:
    outbox = LocalOutboxSmsGateway(tmp_path / "outbox.jsonl")
    ids = at_once(2, lambda i: outbox.send(phone="13800000001", text=f"t{i}", idempotency_key="K"))
    assert ids[0] == ids[1]
    assert len(outbox.messages()) == 1


def test_sms_many_threads_many_keys_lose_nothing(tmp_path: Path) -> None:
    outbox = LocalOutboxSmsGateway(tmp_path / "outbox.jsonl")
    # Two gateway objects on one file, as two worker processes would have.
    twin = LocalOutboxSmsGateway(tmp_path / "outbox.jsonl")
    at_once(
        16,
        lambda i: (outbox if i % 2 else twin).send(
            phone="13800000001", text="x", idempotency_key=f"K{i // 2}"
        ),
    )
    keys = [m["idempotency_key"] for m in outbox.messages()]
    assert sorted(keys) == sorted(f"K{i}" for i in range(8))


# --- EMS -----------------------------------------------------------------------------------


def book(ems: LocalEmsGateway, key: str, recipient: str = "李四") -> str:
    return ems.create_consignment(
        recipient=recipient,
        phone="13800000002",
        address="武汉市江汉区新华路 100 号",
        idempotency_key=key,
    )


def test_ems_repeated_key_returns_the_first_tracking_number(tmp_path: Path) -> None:
    ems = LocalEmsGateway(tmp_path / "ems")
    first = book(ems, "C1:certificate")
    assert book(ems, "C1:certificate", recipient="someone else") == first
    second = book(ems, "C2:certificate")
    assert second != first
    assert len(ems.path.read_text(encoding="utf-8").splitlines()) == 2


def test_ems_numbers_are_valid_s10_with_check_digit(tmp_path: Path) -> None:
    ems = LocalEmsGateway(tmp_path / "ems")
    numbers = [book(ems, f"C{i}:certificate") for i in range(12)]
    for number in numbers:
        assert validate_s10(number) == number
        assert number.startswith("EA") and number.endswith("CN") and len(number) == 13
    assert len(set(numbers)) == 12
    wrong = numbers[0][:10] + str((int(numbers[0][10]) + 1) % 10) + "CN"
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_s10(wrong)


def test_ems_two_threads_with_one_key_book_one_consignment(tmp_path: Path) -> None:
    ems = LocalEmsGateway(tmp_path / "ems")
    twin = LocalEmsGateway(tmp_path / "ems")
    numbers = at_once(2, lambda i: book(ems if i else twin, "C9:certificate"))
    assert numbers[0] == numbers[1]
    assert len(ems.path.read_text(encoding="utf-8").splitlines()) == 1


def test_ems_concurrent_distinct_keys_get_distinct_numbers(tmp_path: Path) -> None:
    ems = LocalEmsGateway(tmp_path / "ems")
    numbers = at_once(12, lambda i: book(ems, f"C{i}:certificate"))
    assert len(set(numbers)) == 12
