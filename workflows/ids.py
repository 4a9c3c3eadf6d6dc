"""Stable names shared by the API, the worker and tests."""

from __future__ import annotations

PROPERTY_CASE_WORKFLOW = "PropertyCase"
CASE_ID_PREFIX = "case-"

# The query and updates every flow answers (workflows/kit): the API addresses a case by
# these names, whichever flow's workflow type it runs on.
QUERY_PROGRESS = "progress"
UPDATE_CONFIRM_PAYMENT = "confirm_payment"
UPDATE_CHOOSE_COLLECTION = "choose_collection"
UPDATE_RECORD_HANDOVER = "record_handover"
UPDATE_REBASE_CALENDAR = "rebase_calendar"


def case_workflow_id(case_no: str) -> str:
    """One workflow per case: `case-<case_no>`."""
    return f"{CASE_ID_PREFIX}{case_no}"
