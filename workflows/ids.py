"""Stable names shared by the API, the worker and tests."""

from __future__ import annotations

PROPERTY_CASE_WORKFLOW = "PropertyCase"
CASE_ID_PREFIX = "case-"


def case_workflow_id(case_no: str) -> str:
    """One workflow per case: `case-<case_no>`."""
    return f"{CASE_ID_PREFIX}{case_no}"
