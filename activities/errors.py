"""Business refusals as non-retryable Temporal errors carrying a reason the applicant can read."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from models.enums import RefusalType

NON_RETRYABLE = [t.value for t in RefusalType]


def refuse(kind: RefusalType, reason: str) -> ApplicationError:
    """Build the error that ends a case: the message is shown to the applicant and sent by SMS."""
    return ApplicationError(reason, type=kind.value, non_retryable=True)
