"""Stable names shared by the API, the worker and tests."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.flows import Flow

PROPERTY_CASE_WORKFLOW = "PropertyCase"
"""The first case workflow, frozen: registered until no case of it is open; none starts."""

TRANSFER_SALE_WORKFLOW = "TransferSale"
TRANSFER_GRATUITOUS_WORKFLOW = "TransferGratuitous"
EXCHANGE_WORKFLOW = "Exchange"
FIRST_REGISTRATION_WORKFLOW = "FirstRegistration"
ADVANCE_NOTICE_WORKFLOW = "AdvanceNotice"
MORTGAGE_WORKFLOW = "Mortgage"

FLOW_WORKFLOW_TYPES: Mapping[Flow, str] = MappingProxyType(
    {
        Flow.TRANSFER_SALE: TRANSFER_SALE_WORKFLOW,
        Flow.TRANSFER_GRATUITOUS: TRANSFER_GRATUITOUS_WORKFLOW,
        Flow.EXCHANGE: EXCHANGE_WORKFLOW,
        Flow.FIRST_REGISTRATION: FIRST_REGISTRATION_WORKFLOW,
        Flow.ADVANCE_NOTICE: ADVANCE_NOTICE_WORKFLOW,
        Flow.MORTGAGE: MORTGAGE_WORKFLOW,
    }
)
"""The workflow type a new case of each flow starts (the API needs no workflow class)."""

CASE_WORKFLOW_TYPES: tuple[str, ...] = (PROPERTY_CASE_WORKFLOW, *FLOW_WORKFLOW_TYPES.values())
"""Every workflow type a case may run on, the frozen one included (for visibility queries)."""

CASE_ID_PREFIX = "case-"

# The query and updates every flow answers (workflows/kit): the API addresses a case by
# these names, whichever flow's workflow type it runs on.
QUERY_PROGRESS = "progress"
UPDATE_CONFIRM_PAYMENT = "confirm_payment"
UPDATE_CHOOSE_COLLECTION = "choose_collection"
UPDATE_RECORD_HANDOVER = "record_handover"
UPDATE_REBASE_CALENDAR = "rebase_calendar"
# The catalog's flows only (workflows/kit/decisions.py): the frozen PropertyCase has none.
UPDATE_CLAIM = "claim"
UPDATE_RELEASE = "release"
UPDATE_DECIDE = "decide"
UPDATE_REQUEST_SUPPLEMENT = "request_supplement"  # a department returns the case (补正)
UPDATE_SUPPLEMENT = "supplement_received"  # a paper the applicant brought in
UPDATE_WITHDRAW = "withdraw"  # the applicant withdraws (撤回)


def case_workflow_id(case_no: str) -> str:
    """One workflow per case: `case-<case_no>`."""
    return f"{CASE_ID_PREFIX}{case_no}"
