"""Who acts on a case: one model carried by every update, audit row and decision.

A person acts in one role at a time (the token's acting role); automatic steps act as the
named system actor, so every write in the audit has somebody behind it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """The hall's roles; each route and each workflow update names the ones it admits."""

    DESK = "desk"  # service desk: pre-review, scans
    INTAKE = "intake"  # intake window: cases, scans
    HOUSING = "housing"
    TAX = "tax"  # confirms payments: the tax bureau's, never the applicant's
    REGISTRATION = "registration"
    WINDOW = "window"  # hands certificates over
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SYSTEM = "system"  # automatic steps and operator commands, never a token's role


class Actor(BaseModel):
    """The staff member (or the system) behind one write."""

    model_config = ConfigDict(frozen=True)

    staff_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    role: Role
    window: str | None = Field(default=None, max_length=16)


SYSTEM_ACTOR = Actor(staff_id="system", name="onewindow", role=Role.SYSTEM)
"""The actor of automatic steps and of `make calendar-publish`."""


def refusal(actor: Actor | None, allowed: frozenset[Role], action: str) -> str | None:
    """Why `actor` may not do `action`, or None if they may (for update validators)."""
    if actor is None:
        return f"actor: {action} needs an authenticated actor (staff id, name, role)"
    if actor.role not in allowed:
        roles = ", ".join(sorted(r.value for r in allowed))
        return f"actor: role {actor.role.value} may not {action} (allowed: {roles})"
    return None
