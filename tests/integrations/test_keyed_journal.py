"""The journal behind the local gateways: one record per key, cheap lookups, old files indexed."""

from __future__ import annotations

import json
from pathlib import Path

from domain.identifiers import validate_s10
from integrations.ems import LocalEmsGateway
from integrations.keyed_journal import KeyedJournal
from integrations.sms import LocalOutboxSmsGateway


def test_a_key_is_made_once_and_numbered_in_order(tmp_path: Path) -> None:
    journal = KeyedJournal(tmp_path / "j.jsonl")
    first = journal.record("a", lambda n: {"n": n})
    second = journal.record("b", lambda n: {"n": n})
    again = journal.record("a", lambda n: {"n": n})
    assert (first["n"], second["n"], again["n"]) == (1, 2, 1)
    assert [r["idempotency_key"] for r in journal.records()] == ["a", "b"]


def test_lookups_do_not_read_the_journal(tmp_path: Path) -> None:
    journal = KeyedJournal(tmp_path / "j.jsonl")
    journal.record("a", lambda n: {"n": n})
    (tmp_path / "j.jsonl").write_text("not json\n")  # the index alone answers
    assert journal.record("a", lambda n: {"n": n})["n"] == 1


def test_journals_written_before_the_index_are_indexed_once(tmp_path: Path) -> None:
    sms_file = tmp_path / "outbox.jsonl"
    sms_file.write_text(
        json.dumps({"message_id": "old-1", "idempotency_key": "c:accepted:138", "text": "t"}) + "\n"
    )
    sms = LocalOutboxSmsGateway(sms_file)
    assert sms.send(phone="138", text="t", idempotency_key="c:accepted:138") == "old-1"
    assert len(sms.messages()) == 1

    ems_dir = tmp_path / "ems"
    ems_dir.mkdir()
    (ems_dir / "consignments.jsonl").write_text(
        json.dumps({"tracking_no": "EA000000014CN", "idempotency_key": "c1:certificate"}) + "\n"
    )
    ems = LocalEmsGateway(ems_dir)
    second = ems.create_consignment(
        recipient="李四", phone="13800000002", address="武汉市", idempotency_key="c2:certificate"
    )
    assert validate_s10(second) == "EA000000028CN"  # serial 2 follows the old serial 1
