"""The HTTP SMS and EMS adapters against a real provider stub on a loopback port."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from domain.identifiers import InvalidIdentifier, make_s10
from integrations.ems import HttpEmsGateway
from integrations.sms import HttpSmsGateway

TOKEN = "test-token-1"


@dataclass
class Provider:
    """What a provider with idempotency keys does: one record per key, the first one."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad_tracking: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = self.headers.get("Idempotency-Key")
            with provider.lock:
                provider.requests.append(
                    {
                        "path": self.path,
                        "key": key,
                        "auth": self.headers.get("Authorization"),
                        "body": body,
                    }
                )
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(401, {"error": "unauthorised"})
                if not key:
                    return self._answer(400, {"error": "Idempotency-Key header is required"})
                if key not in provider.records:
                    n = len(provider.records) + 1
                    if self.path == "/messages":
                        provider.records[key] = {"id": f"msg-{n}", **body}
                    elif self.path == "/consignments":
                        number = str(make_s10("EA", n, "CN"))
                        if provider.bad_tracking:
                            number = number[:10] + str((int(number[10]) + 1) % 10) + "CN"
                        provider.records[key] = {"tracking_no": number, **body}
                    else:
                        return self._answer(404, {"error": "no such endpoint"})
                return self._answer(201, provider.records[key])

    return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_http_sms_sends_the_key_and_gets_the_first_id_again(provider: Provider) -> None:
    sms = HttpSmsGateway(provider.url, TOKEN)
    first = sms.send(phone="13800000002", text="【大厅】已受理", idempotency_key="C1:accepted:138")
    again = sms.send(phone="13800000002", text="【大厅】已受理", idempotency_key="C1:accepted:138")
    other = sms.send(phone="13800000001", text="【大厅】已受理", idempotency_key="C1:accepted:139")
    assert first == again == "msg-1" and other == "msg-2"
    assert [r["key"] for r in provider.requests] == [
        "C1:accepted:138",
        "C1:accepted:138",
        "C1:accepted:139",
    ]
    assert all(r["auth"] == f"Bearer {TOKEN}" for r in provider.requests)
    assert provider.requests[0]["path"] == "/messages"
    assert provider.requests[0]["body"] == {"to": "13800000002", "text": "【大厅】已受理"}
    assert len(provider.records) == 2


def test_http_sms_from_two_threads_is_one_message(provider: Provider) -> None:
    sms = HttpSmsGateway(provider.url, TOKEN)
    ids: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: ids.append(sms.send(phone="13800000002", text="t", idempotency_key="K"))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert ids == ["msg-1", "msg-1"] and len(provider.records) == 1


def test_http_sms_refusal_raises_so_the_activity_retries(provider: Provider) -> None:
    sms = HttpSmsGateway(provider.url, "wrong-token")
    with pytest.raises(httpx.HTTPStatusError) as caught:
        sms.send(phone="13800000002", text="t", idempotency_key="K")
    assert caught.value.response.status_code == 401
    assert provider.records == {}


def test_http_sms_unreachable_provider_raises(provider: Provider) -> None:
    sms = HttpSmsGateway("http://127.0.0.1:9", TOKEN, timeout=2)  # discard port: nobody there
    with pytest.raises(httpx.TransportError):
        sms.send(phone="13800000002", text="t", idempotency_key="K")


def test_http_ems_books_once_per_key_with_a_valid_s10(provider: Provider) -> None:
    ems = HttpEmsGateway(provider.url, TOKEN)
    args = {"recipient": "李四", "phone": "13800000002", "address": "武汉市江汉区新华路 100 号"}
    first = ems.create_consignment(**args, idempotency_key="C1:certificate")
    again = ems.create_consignment(**args, idempotency_key="C1:certificate")
    assert first == again == make_s10("EA", 1, "CN")
    assert [r["key"] for r in provider.requests] == ["C1:certificate", "C1:certificate"]
    assert provider.requests[0]["path"] == "/consignments"
    assert provider.requests[0]["body"] == args
    assert len(provider.records) == 1


def test_http_ems_rejects_a_tracking_number_with_a_bad_check_digit(provider: Provider) -> None:
    provider.bad_tracking = True
    ems = HttpEmsGateway(provider.url, TOKEN)
    with pytest.raises(InvalidIdentifier, match="check digit"):
        ems.create_consignment(
            recipient="李四",
            phone="13800000002",
            address="武汉市",
            idempotency_key="C1:certificate",
        )
