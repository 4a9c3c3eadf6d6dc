"""EMS gateways: a local consignment book by default, an HTTP adapter for China Post's API.

The local gateway issues real UPU S10 tracking numbers (with check digit) from its own
serial; both gateways return the same consignment for a repeated idempotency key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from domain.identifiers import make_s10, validate_s10
from integrations.keyed_journal import KeyedJournal


class EmsGateway(Protocol):
    def create_consignment(
        self, *, recipient: str, phone: str, address: str, idempotency_key: str
    ) -> str:
        """Book a consignment and return its tracking number."""
        ...


class LocalEmsGateway:
    """Keeps consignments in a JSON-lines book; service indicator `EA`, country `CN`."""

    def __init__(self, directory: Path, service: str = "EA") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "consignments.jsonl"
        self.journal = KeyedJournal(self.path)
        self.service = service

    def create_consignment(
        self, *, recipient: str, phone: str, address: str, idempotency_key: str
    ) -> str:
        record = self.journal.record(
            idempotency_key,
            lambda n: {
                "tracking_no": str(make_s10(self.service, n, "CN")),
                "recipient": recipient,
                "phone": phone,
                "address": address,
                "booked_at": datetime.now(UTC).isoformat(),
            },
        )
        return str(record["tracking_no"])


class HttpEmsGateway:
    """Books through a courier's JSON API; the key goes in `Idempotency-Key`."""

    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=url, headers=headers, timeout=timeout)

    def create_consignment(
        self, *, recipient: str, phone: str, address: str, idempotency_key: str
    ) -> str:
        response = self.client.post(
            "/consignments",
            json={"recipient": recipient, "phone": phone, "address": address},
            headers={"Idempotency-Key": idempotency_key},
        )
        response.raise_for_status()
        return validate_s10(str(response.json()["tracking_no"]))
