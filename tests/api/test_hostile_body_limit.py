"""The body-size limit holds while the body arrives: a real server, raw sockets, chunked bodies.

An HTTP client library sends the whole body before it reads the answer, so these tests
speak HTTP/1.1 over a socket themselves: they keep sending and never send the last chunk,
and the 413 has to arrive anyway.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import func, select

from api.body_limit import JSON_BODY_LIMIT
from api.routes.scans import MAX_UPLOAD_BYTES
from models.archive import Case
from tests.conftest import Hall, staff_headers

CHUNK = 256 * 1024
HOPELESS = 200 * 1024 * 1024  # what a hostile client would send in all


def _connect(api_url: str) -> socket.socket:
    # A bare socket, not asyncio streams: a stream transport drops what it has received
    # once a write fails, and the server resets the connection right after its 413.
    url = urlsplit(api_url)
    assert url.hostname and url.port
    sock = socket.create_connection((url.hostname, url.port))
    sock.setblocking(False)
    return sock


def _complete(data: bytes) -> bool:
    head, separator, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(separator and length and len(body) >= int(length.group(1)))


async def _response(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    """Status, headers and JSON body of the answer (readable even after a reset)."""
    data = b""
    while not _complete(data):
        try:
            more = await asyncio.get_running_loop().sock_recv(sock, 65536)
        except ConnectionError:
            break
        if not more:
            break
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
    return int(status.split()[1]), headers, json.loads(body)


# The fence answers first (401 before anything is read): these probes come with a token.
AUTHORIZATION = f"Authorization: {staff_headers()['Authorization']}\r\n"


async def _stream_until_answered(
    api_url: str, path: str, content_type: str, first: bytes
) -> tuple[int, dict[str, str], Any, int]:
    """POST a chunked body that would be HOPELESS bytes long; stop once the server answers.

    Returns the answer and how many body bytes had been sent by then. The last chunk
    (`0\\r\\n\\r\\n`) is never sent, so the server cannot have received the body in full.
    """
    loop = asyncio.get_running_loop()
    sock = _connect(api_url)
    await loop.sock_sendall(
        sock,
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
        f"{AUTHORIZATION}Transfer-Encoding: chunked\r\n\r\n".encode(),
    )
    answer = asyncio.ensure_future(_response(sock))
    sent = 0
    payload = first + b"x" * (CHUNK - len(first))
    try:
        while not answer.done() and sent < HOPELESS:
            await loop.sock_sendall(sock, b"%x\r\n%s\r\n" % (len(payload), payload))
            sent += len(payload)
            payload = b"x" * CHUNK
    except ConnectionError:
        pass  # the server answered and closed; the answer is read below
    status, headers, body = await asyncio.wait_for(answer, timeout=30)
    sock.close()
    return status, headers, body, sent


def _blobs(hall: Hall) -> list[Path]:
    root = Path(hall.settings.BLOB_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_chunked_scan_over_the_limit_is_413_before_it_ends(hall: Hall, api_url: str) -> None:
    first = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    status, headers, body, sent = await _stream_until_answered(
        api_url, "/scans", "multipart/form-data; boundary=B", first
    )
    assert status == 413, body
    assert body["detail"][0]["loc"] == ["body"] and body["detail"][0]["type"] == "too_large"
    assert headers.get("connection") == "close"
    # Answered once the limit was crossed, long before the 200 MB would have been sent.
    assert MAX_UPLOAD_BYTES < sent < MAX_UPLOAD_BYTES + 16 * 1024 * 1024, sent
    assert _blobs(hall) == []


async def test_chunked_json_over_the_limit_is_413_and_stores_no_case(
    hall: Hall, api_url: str
) -> None:
    status, _, body, sent = await _stream_until_answered(
        api_url, "/cases", "application/json", b'{"business_type": "'
    )
    assert status == 413, body
    assert body["detail"][0]["msg"] == f"request body larger than {JSON_BODY_LIMIT} bytes"
    assert JSON_BODY_LIMIT < sent < JSON_BODY_LIMIT + 16 * 1024 * 1024, sent
    with hall.db.session() as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 0


async def test_declared_length_over_the_limit_is_413_before_any_body_byte(
    hall: Hall, api_url: str
) -> None:
    sock = _connect(api_url)
    await asyncio.get_running_loop().sock_sendall(
        sock,
        b"POST /scans HTTP/1.1\r\nHost: test\r\nContent-Type: multipart/form-data; boundary=B\r\n"
        + AUTHORIZATION.encode()
        + b"Content-Length: %d\r\n\r\n" % HOPELESS,
    )
    status, headers, body = await asyncio.wait_for(_response(sock), timeout=10)
    sock.close()
    assert status == 413, body
    assert body["detail"][0]["limit"] == MAX_UPLOAD_BYTES
    assert headers.get("connection") == "close"
    assert _blobs(hall) == []


async def test_a_scan_within_the_limit_is_stored(hall: Hall, api_url: str) -> None:
    content = b"%PDF-1.4\n" + b"x" * (5 * 1024 * 1024)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        r = await api.post("/scans", files={"file": ("ok.pdf", content, "application/pdf")})
    assert r.status_code == 201, r.text
    assert r.json()["size"] == len(content)
    assert len(_blobs(hall)) == 1


async def test_a_scan_that_is_not_a_scan_is_refused_and_nothing_is_stored(
    hall: Hall, api_url: str
) -> None:
    """The type comes from the bytes: text named .pdf and sent as application/pdf is a 415."""
    text = b"not a scan at all\n" * 100
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        r = await api.post("/scans", files={"file": ("fake.pdf", text, "application/pdf")})
        empty = await api.post("/scans", files={"file": ("empty.pdf", b"", "application/pdf")})
    assert r.status_code == 415 and r.json()["detail"][0]["loc"] == ["body", "file"]
    assert empty.status_code == 422
    assert _blobs(hall) == []
