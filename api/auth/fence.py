"""The role fence each route declares: public, or the roles that may call it.

A route says `dependencies=[PUBLIC]` or takes `actor: Annotated[Actor, fence(Role.TAX)]`
(or `dependencies=[fence(...)]` when it needs no actor). The gate (api/auth/gate.py) reads
the same declaration from the route table before anything else runs, so a request without
a valid token gets its 401 before any body or parameter is looked at, and a route that
declares nothing is refused to everybody (tests/api/test_route_fence.py proves each one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth.tokens import Staff
from models.actor import Actor, Role

STAFF_ROLES = frozenset(r for r in Role if r is not Role.SYSTEM)
"""Every role a person can hold: what "staff only" admits."""

_bearer = HTTPBearer(auto_error=False, description="the hall's staff token (`make token`)")
_FENCE = "__onewindow_fence__"


def _public_route() -> None:
    """No token needed: health, docs, catalog, calendar, pre-review, the tax estimate."""


setattr(_public_route, _FENCE, None)
PUBLIC = Depends(_public_route)


def fence(*roles: Role) -> Any:
    """A dependency admitting staff holding one of `roles`; it gives the acting `Actor`."""
    allowed = frozenset(roles) or STAFF_ROLES

    def admitted(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Actor:
        staff = getattr(request.state, "staff", None)
        if not isinstance(staff, Staff):  # the gate always sets it; this is belt and braces
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "a staff token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return staff.acting_as(allowed)

    setattr(admitted, _FENCE, allowed)
    return Depends(admitted)


STAFF = fence()
"""Any member of staff (reads that are not public)."""


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every API route as served: full path, methods, and the router's dependencies too.

    (FastAPI ≥ 0.16x keeps included routers as such; its contexts give the effective routes.)
    """
    return [
        ctx for ctx in iter_route_contexts(app.routes) if isinstance(ctx.original_route, APIRoute)
    ]


def route_fence(route: APIRoute | RouteContext) -> frozenset[Role] | None:
    """What `route` declares: None if public, the roles it admits if fenced.

    A route that declares nothing admits nobody (an empty set): a new route can never be
    left open by forgetting its fence.
    """
    found: list[frozenset[Role] | None] = []

    def walk(dependant: Any) -> None:
        call: Callable[..., Any] | None = dependant.call
        if call is not None and hasattr(call, _FENCE):
            found.append(getattr(call, _FENCE))
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    if not found:
        return frozenset()
    fenced = [f for f in found if f is not None]
    if not fenced:
        return None
    return frozenset.intersection(*fenced)
