"""The gate in front of every route: 401 without a valid token, 403 with the wrong role.

Pure ASGI, so it answers before FastAPI reads a body or validates a parameter: a stranger
learns nothing about what a route would accept. Both refusals are logged with the route and
the staff id (never the token).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.routing import RouteContext
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth.fence import api_routes, route_fence
from api.auth.tokens import InvalidToken, read_token
from logging_setup import get_logger
from models.actor import Role

log = get_logger("api.auth")


class AuthGate:
    """Checks the bearer token against the matched route's fence."""

    def __init__(self, app: ASGIApp, *, routes: FastAPI, secret: Callable[[], str]) -> None:
        self.app = app
        self.routes = routes
        self.secret = secret
        self._table: list[tuple[RouteContext, frozenset[Role] | None]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        matched = self._route(scope)
        if matched is None:  # docs, openapi.json, or not found: the router answers
            await self.app(scope, receive, send)
            return
        route, fenced = matched
        if fenced is None:
            await self.app(scope, receive, send)
            return
        where = f"{scope['method']} {route.path}"
        token = _bearer(scope)
        if token is None:
            log.warning("401 no token", route=where)
            await _refuse(send, 401, "a staff token is required (Authorization: Bearer …)")
            return
        try:
            staff = read_token(self.secret(), token)
        except InvalidToken as err:
            log.warning("401 invalid token", route=where, why=str(err))
            await _refuse(send, 401, "the token is invalid or expired", invalid=True)
            return
        if not set(staff.roles) & fenced:
            log.warning("403 role", route=where, staff_id=staff.staff_id, roles=list(staff.roles))
            needed = ", ".join(sorted(r.value for r in fenced)) if fenced else "nobody"
            await _refuse(send, 403, f"role not admitted here (needs one of: {needed})")
            return
        scope.setdefault("state", {})["staff"] = staff
        await self.app(scope, receive, send)

    def _route(self, scope: Scope) -> tuple[RouteContext, frozenset[Role] | None] | None:
        if self._table is None:  # the route table is complete once the app serves
            self._table = [(ctx, route_fence(ctx)) for ctx in api_routes(self.routes)]
        for ctx, fenced in self._table:
            if ctx.matches(scope)[0] == Match.FULL:
                return ctx, fenced
        return None


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


async def _refuse(send: Send, code: int, message: str, *, invalid: bool = False) -> None:
    kind = "unauthorized" if code == 401 else "forbidden"
    body = json.dumps(
        {"detail": [{"loc": ["header", "authorization"], "msg": message, "type": kind}]}
    )
    headers = [(b"content-type", b"application/json")]
    if code == 401:
        challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
        headers.append((b"www-authenticate", challenge.encode()))
    await send({"type": "http.response.start", "status": code, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})
