"""Request bodies are counted while they arrive: past the limit the answer is 413 at once.

Starlette would otherwise buffer a JSON body, or spool a multipart upload to disk, whole
before any route looks at it. This pure ASGI middleware refuses a declared
`Content-Length` over the limit before reading anything, and counts the bytes of each
`http.request` message (chunked uploads declare no length), so the 413 goes out while
the client is still sending. `Connection: close` makes the server stop reading the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_BODY_LIMIT = 1024 * 1024
"""A case with fifty parties and two hundred documents is under 100 KiB."""


class BodyTooLarge(HTTPException):
    """Raised from `receive`; an HTTPException so FastAPI's body parsing passes it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            detail=[
                {
                    "loc": ["body"],
                    "msg": f"request body larger than {limit} bytes",
                    "type": "too_large",
                    "limit": limit,
                }
            ],
            headers={"Connection": "close"},
        )


class BodySizeLimit:
    """Limit each request's body: `limits` by path, `default` everywhere else.

    A path may name parameters as the routes do (`/cases/{case_no}/documents`): each one
    stands for a single segment, so an upload route under a case gets its own limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int = JSON_BODY_LIMIT,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default = default
        self.limits = {p: n for p, n in (limits or {}).items() if "{" not in p}
        self.patterns = [(_pattern(p), n) for p, n in (limits or {}).items() if "{" in p]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"].rstrip("/") or "/")
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(BodyTooLarge(limit), scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge as err:
            # Normally the app's exception handler answers; this covers reads outside it.
            if started:
                raise
            await _refuse(err, scope, receive, send)

    def _limit(self, path: str) -> int:
        if path in self.limits:
            return self.limits[path]
        return next((n for pattern, n in self.patterns if pattern.fullmatch(path)), self.default)


def _pattern(path: str) -> re.Pattern[str]:
    """`/cases/{case_no}/documents` as a regex whose parameters match one path segment."""
    parts = re.split(r"\{\w+\}", path)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


async def _refuse(err: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"detail": err.detail}, status_code=413, headers=err.headers)
    await response(scope, receive, send)
