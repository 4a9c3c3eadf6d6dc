"""How a case ends before its last step, and the retry policy every activity call shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.errors import INVARIANT_BROKEN, NON_RETRYABLE
    from models.enums import Stage, StepName

# Technical faults (database busy, gateway down) are retried without limit: a case must
# never be lost to an outage. Business refusals are non-retryable and end the case.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=NON_RETRYABLE,
)
# Every activity here is a database write or one gateway call; a worker that dies
# mid-step gets its attempt retried elsewhere after this long.
STEP_TIMEOUT = timedelta(seconds=15)


class CaseRefused(Exception):
    """Internal: a step refused the case with a reason the applicant can read."""

    def __init__(self, step: StepName, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason


class CaseClosed(Exception):
    """Internal: the case ends early in `stage` (a lapse, a withdrawal), the parties told by
    SMS `template` with the reason."""

    def __init__(self, stage: Stage, reason: str, template: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason
        self.template = template


class CaseFailed(Exception):
    """Internal: an activity found broken data that no retry can mend (`InvariantBroken`)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
        self.reason = reason


def require(refused: str | None) -> None:
    """Raise a validator's refusal, if there is one."""
    if refused is not None:
        raise ValueError(refused)


def invariant_broken(err: ActivityError) -> CaseFailed | None:
    """The CaseFailed an activity's `InvariantBroken` error stands for, else None."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == INVARIANT_BROKEN:
        return CaseFailed(err.activity_type or "activity", cause.message)
    return None


def refusal_of(err: ActivityError) -> ApplicationError | None:
    """The business refusal an activity error carries, else None."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type in NON_RETRYABLE:
        return cause
    return None


def any_of(*conditions: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: any(condition() for condition in conditions)


def applicant_time(moment: datetime | None, zone: tzinfo) -> str:
    """A deadline as the applicant reads it: hall-local time, or "TBD" if unknown."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "待定/TBD"
