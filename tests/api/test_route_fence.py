"""Every route of the app, from its own route table: no token 401, wrong role 403, right role
gets past the fence. A route added without a fence is refused to everybody, and fails here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from api.auth.fence import STAFF_ROLES, api_routes, route_fence
from api.auth.tokens import Staff, issue_token
from config import Settings
from models.actor import Role
from tests.conftest import Hall

PUBLIC_PATHS = {
    "/healthz",
    "/catalog/business-types",
    "/catalog/business-types/{code}",
    "/catalog/materials",
    "/calendar/{year}",
    "/calendar/deadline",
    "/pre-review",
    "/tax/estimate",
}
SAMPLE = {
    "case_no": "420103-20261128-00001-0",
    "code": "existing_home_sale",
    "year": "2026",
    "key": "0" * 64,
    "department": "housing",
}


def _routes() -> list[tuple[str, str, frozenset[Role] | None]]:
    app = create_app(Settings(ENVIRONMENT="test"))
    table = []
    for route in api_routes(app):
        for method in sorted(route.methods or ()):
            table.append((method, str(route.path), route_fence(route)))
    return table


ROUTES = _routes()


def _token(settings: Settings, role: Role, *, secret: str | None = None, hours: int = 1) -> str:
    staff = Staff(
        staff_id=f"{role.value}-1", name="测试", roles=(role,), hall="420103", window="A1"
    )
    issued = datetime.now(UTC) - (timedelta(hours=2) if hours < 0 else timedelta())
    return issue_token(secret or settings.AUTH_SECRET, staff, hours=abs(hours), now=issued)


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "x"), path)


def test_every_route_declares_a_fence_and_only_the_listed_ones_are_public() -> None:
    undeclared = [(m, p) for m, p, fence in ROUTES if fence == frozenset()]
    assert undeclared == []
    public = {p for _, p, fence in ROUTES if fence is None}
    assert public == PUBLIC_PATHS


@pytest.mark.parametrize(
    ("method", "path", "fence"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
async def test_route_answers_by_token_and_role(
    hall: Hall, api_url: str, method: str, path: str, fence: frozenset[Role] | None
) -> None:
    settings = hall.settings
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:

        async def call(token: str | None) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            # A body that fails validation: the fence must answer before validation does.
            return await api.request(method, _url(path), headers=headers, content=b"{not json")

        if fence is None:
            assert (await call(None)).status_code not in (401, 403)
            return
        anonymous = await call(None)
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        for bad in (
            _token(settings, next(iter(fence)), secret="another-hall-secret-" + "x" * 20),
            _token(settings, next(iter(fence)), hours=-1),
            "not-a-jwt",
        ):
            refused = await call(bad)
            assert refused.status_code == 401, refused.text
        for role in sorted(STAFF_ROLES - fence):
            wrong = await call(_token(settings, role))
            assert wrong.status_code == 403, (role, wrong.text)
        for role in sorted(fence):
            right = await call(_token(settings, role))
            assert right.status_code not in (401, 403), (role, right.text)
