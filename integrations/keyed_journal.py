"""An append-only JSON-lines journal with one record per idempotency key.

The local SMS and EMS gateways keep what they "sent" here. A small index (one file per
key, named by the key's hash) answers "was this key seen?" without reading the journal,
so a send costs the same on the millionth message as on the first. A file lock makes
check-then-append atomic across threads and worker processes, and the lock file holds
the running sequence number (the EMS gateway's serial).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

Record = dict[str, Any]


class KeyedJournal:
    """`record(key, make)` returns the record kept for `key`, making and appending it once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = path.with_name(path.name + ".keys")
        self._seq = path.with_name(path.name + ".seq")
        self.index.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        self._seq.touch(exist_ok=True)

    def _entry(self, key: str) -> Path:
        return self.index / hashlib.sha256(key.encode()).hexdigest()

    @contextmanager
    def _locked(self) -> Iterator[IO[str]]:
        with self._seq.open("r+", encoding="utf-8") as seq:
            fcntl.flock(seq, fcntl.LOCK_EX)
            if not seq.read() and self.path.stat().st_size:
                self._rebuild(seq)
            seq.seek(0)
            yield seq

    def _rebuild(self, seq: IO[str]) -> None:
        # A journal written before the index existed: index it once.
        records = self.records()
        for record in records:
            self._entry(record["idempotency_key"]).write_text(json.dumps(record))
        _overwrite(seq, str(len(records)))

    def record(self, key: str, make: Callable[[int], Record]) -> Record:
        """The record for `key`; `make(n)` builds the n-th record (1-based) if the key is new.

        The index entry is written before the journal line: a crash in between loses a
        line of the local journal but never lets a retry send the same key twice.
        """
        entry = self._entry(key)
        if not entry.exists():
            with self._locked() as seq:
                if not entry.exists():
                    n = int(seq.read() or 0) + 1
                    record = {**make(n), "idempotency_key": key}
                    line = json.dumps(record, ensure_ascii=False)
                    tmp = entry.with_suffix(".tmp")
                    tmp.write_text(line, encoding="utf-8")
                    os.replace(tmp, entry)
                    with self.path.open("a", encoding="utf-8") as journal:
                        journal.write(line + "\n")
                    _overwrite(seq, str(n))
                    return record
        return dict(json.loads(entry.read_text(encoding="utf-8")))

    def records(self) -> list[Record]:
        """Everything recorded, in order."""
        with self.path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


def _overwrite(f: IO[str], text: str) -> None:
    f.seek(0)
    f.truncate()
    f.write(text)
    f.flush()
