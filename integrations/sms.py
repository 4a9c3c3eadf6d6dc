"""SMS gateways: a local outbox file by default, an HTTP adapter for a real provider.

Every send carries an idempotency key; both gateways return the first result for a key
again instead of sending twice, so a retried activity can never text an applicant twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from integrations.keyed_journal import KeyedJournal


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        """Send one message and return the provider's message id."""
        ...


class LocalOutboxSmsGateway:
    """Appends each message to a JSON-lines outbox that a clerk or a test can read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.journal = KeyedJournal(path)

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        record = self.journal.record(
            idempotency_key,
            lambda _n: {
                "message_id": f"local-{idempotency_key}",
                "phone": phone,
                "text": text,
                "sent_at": datetime.now(UTC).isoformat(),
            },
        )
        return str(record["message_id"])

    def messages(self) -> list[dict[str, str]]:
        """Everything sent so far (for the demo and tests)."""
        return self.journal.records()


class HttpSmsGateway:
    """Posts to a provider's JSON API; the key goes in `Idempotency-Key` for provider dedup."""

    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=url, headers=headers, timeout=timeout)

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        response = self.client.post(
            "/messages",
            json={"to": phone, "text": text},
            headers={"Idempotency-Key": idempotency_key},
        )
        response.raise_for_status()
        return str(response.json()["id"])
