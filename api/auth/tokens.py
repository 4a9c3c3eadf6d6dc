"""Bearer tokens: a JWT signed with the hall's secret, naming one staff member and roles.

PyJWT does the signing and checking (HS256, expiry, issued-at); this module fixes the claims
and turns every way a token can be wrong into one `InvalidToken`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.actor import Actor, Role

ALGORITHM = "HS256"
ISSUER = "onewindow"


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed with the hall's secret."""


class Staff(BaseModel):
    """The caller a valid token names."""

    model_config = ConfigDict(frozen=True)

    staff_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    roles: tuple[Role, ...] = Field(min_length=1)
    hall: str = Field(min_length=1, max_length=16)
    window: str | None = Field(default=None, max_length=16)

    def acting_as(self, allowed: frozenset[Role]) -> Actor:
        """The actor for a write that `allowed` roles may make (the first role that may)."""
        role = next((r for r in self.roles if r in allowed), self.roles[0])
        return Actor(staff_id=self.staff_id, name=self.name, role=role, window=self.window)


def issue_token(secret: str, staff: Staff, *, hours: int = 12, now: datetime | None = None) -> str:
    """A signed token for `staff`, valid for `hours`."""
    if Role.SYSTEM in staff.roles:
        raise ValueError("roles: system is the automatic steps' role, never a token's")
    issued = now or datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": staff.staff_id,
        "name": staff.name,
        "roles": [r.value for r in staff.roles],
        "hall": staff.hall,
        "window": staff.window,
        "iat": issued,
        "exp": issued + timedelta(hours=hours),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> Staff:
    """The staff member a token names.

    Raises:
        InvalidToken: For any token that is not ours, not intact or no longer valid.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        staff = Staff(
            staff_id=claims["sub"],
            name=claims.get("name", ""),
            roles=tuple(claims.get("roles") or ()),
            hall=claims.get("hall", ""),
            window=claims.get("window"),
        )
    except (jwt.InvalidTokenError, ValidationError, KeyError, TypeError) as err:
        raise InvalidToken(type(err).__name__) from None
    if Role.SYSTEM in staff.roles:
        raise InvalidToken("system role in a token")
    return staff
