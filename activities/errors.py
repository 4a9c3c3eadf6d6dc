"""Errors that end a case: business refusals, and broken invariants no retry can mend.

A refusal carries a reason the applicant can read. A broken invariant (a database constraint
that still fails on a second try, or data that fails its own model) is a fault in the data,
not in the network: retrying it would loop for ever while the applicant waits, so it is
non-retryable too, and the workflow ends the case where a supervisor sees it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from temporalio.exceptions import ApplicationError

from logging_setup import get_logger
from models.enums import RefusalType

INVARIANT_BROKEN = "InvariantBroken"
"""ApplicationError type of a broken invariant inside an activity."""

NON_RETRYABLE = [*(t.value for t in RefusalType), INVARIANT_BROKEN]

log = get_logger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def refuse(kind: RefusalType, reason: str) -> ApplicationError:
    """Build the error that ends a case: the message is shown to the applicant and sent by SMS."""
    return ApplicationError(reason, type=kind.value, non_retryable=True)


def broken(where: str, rule: str) -> ApplicationError:
    """The non-retryable error for a broken invariant found by a check in the code.

    The message goes into the workflow history, which holds no personal data: it names the
    rule, never the identity number or name that broke it.
    """
    return ApplicationError(
        f"{where}: invariant broken, retrying cannot help: {rule}",
        type=INVARIANT_BROKEN,
        non_retryable=True,
    )


def invariant_broken(where: str, err: IntegrityError | ValidationError) -> ApplicationError:
    """The non-retryable error for a constraint or a model that refused the data."""
    if isinstance(err, IntegrityError):
        return broken(where, _constraint(err))
    fields = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(model)'}: {e['type']}" for e in err.errors()
    )
    return broken(where, f"{err.title} failed validation ({fields})")


def _constraint(err: IntegrityError) -> str:
    diag = getattr(err.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:  # PostgreSQL names the constraint; its message would quote the values
        return f"constraint {name} violated"
    # SQLite's message names the columns only ("UNIQUE constraint failed: t.a, t.b").
    return str(err.orig).splitlines()[0] if err.orig is not None else "constraint violated"


def invariants_are_final(fn: Callable[P, R]) -> Callable[P, R]:
    """Make a broken invariant inside an activity final instead of retried for ever.

    An IntegrityError gets one second try in the same attempt, since two overlapping
    attempts of one activity can race on a unique key and the loser's second try finds the
    winner's row; if it fails again, it is the data, and it raises `InvariantBroken`. A
    pydantic ValidationError raises it at once. Operational errors (database locked or
    unreachable) pass through and Temporal retries them.
    """

    name = getattr(fn, "__name__", type(fn).__name__)

    @functools.wraps(fn)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            try:
                return fn(*args, **kwargs)
            except IntegrityError:
                log.warning("constraint failed; trying once more", activity=name)
                return fn(*args, **kwargs)
        except (IntegrityError, ValidationError) as err:
            broken = invariant_broken(name, err)
            log.error("invariant broken", activity=name, error=broken.message)
            # `from None`: the cause would carry the database's message, with the values.
            raise broken from None

    return guarded
