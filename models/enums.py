"""Case stages, step names and the search-attribute keys supervisors filter on."""

from __future__ import annotations

from enum import StrEnum

from temporalio.common import SearchAttributeKey

# One vocabulary, defined in domain/ (which imports nothing of ours); re-exported here so the
# payloads, workflows and API keep importing them from models.enums.
from domain.departments import Department as Department
from domain.departments import StepName as StepName


class Stage(StrEnum):
    """Where a case stands; also the value of the `CaseStage` search attribute."""

    PRE_REVIEW = "pre_review"
    INTAKE = "intake"
    TRANSACTION_CHECK = "transaction_check"
    TAX_ASSESSMENT = "tax_assessment"
    AWAITING_PAYMENT = "awaiting_payment"
    REGISTRATION = "registration"
    AWAITING_COLLECTION_CHOICE = "awaiting_collection_choice"
    AWAITING_PICKUP = "awaiting_pickup"
    SHIPPING = "shipping"
    COMPLETED = "completed"
    REFUSED = "refused"
    LAPSED = "lapsed"
    FAILED = "failed"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    WITHDRAWN = "withdrawn"


STAGE_LABELS: dict[Stage, tuple[str, str]] = {
    Stage.PRE_REVIEW: ("材料预审", "pre-review of materials"),
    Stage.INTAKE: ("收件与推送", "intake and document push"),
    Stage.TRANSACTION_CHECK: ("房产交易核查", "transaction check by the housing department"),
    Stage.TAX_ASSESSMENT: ("税务核税", "tax assessment"),
    Stage.AWAITING_PAYMENT: ("等待缴税", "waiting for the applicant to pay the taxes"),
    Stage.REGISTRATION: ("审核、登簿、缮证", "review, recording and certificate printing"),
    Stage.AWAITING_COLLECTION_CHOICE: ("等待选择领证方式", "waiting for window or EMS choice"),
    Stage.AWAITING_PICKUP: ("等待窗口领证", "certificate waiting at the window"),
    Stage.SHIPPING: ("EMS 寄送", "certificate sent by EMS"),
    Stage.COMPLETED: ("办结", "completed"),
    Stage.REFUSED: ("不予办理", "refused"),
    Stage.LAPSED: ("逾期未缴税，已终止", "closed: the payment window lapsed"),
    Stage.FAILED: ("数据异常，已转人工处理", "stopped: broken data, handed to a supervisor"),
    Stage.AWAITING_SUPPLEMENT: ("等待补正材料", "waiting for the applicant's missing papers"),
    Stage.WITHDRAWN: ("申请人已撤回", "withdrawn by the applicant"),
}

TERMINAL_STAGES = frozenset(
    {Stage.COMPLETED, Stage.REFUSED, Stage.LAPSED, Stage.FAILED, Stage.WITHDRAWN}
)


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class CollectionMethod(StrEnum):
    WINDOW = "window"
    EMS = "ems"


class RefusalType(StrEnum):
    """Non-retryable business refusals; each is an ApplicationError type."""

    MATERIALS_INCOMPLETE = "MaterialsIncomplete"
    PROPERTY_SEIZED = "PropertySeized"
    PROPERTY_NOT_FOUND = "PropertyNotFound"
    SELLER_NOT_OWNER = "SellerNotOwner"
    CONTRACT_NOT_FILED = "ContractNotFiled"
    ADVANCE_NOTICE_HELD = "AdvanceNoticeHeld"
    # A first registration of a unit that already has an open title.
    TITLE_EXISTS = "TitleExists"
    REGISTRATION_REFUSED = "RegistrationRefused"
    # At recording: the sellers no longer hold the unit's open title.
    TITLE_CHANGED = "TitleChanged"
    # At recording: the unit's register entry changed after the transaction check.
    UNIT_CHANGED = "UnitChanged"
    # A lender's lien stands on the unit and the case neither releases it nor carries it with
    # the mortgagee's consent.
    MORTGAGE_IN_FORCE = "MortgageInForce"
    # The lien the case releases is not in force on the unit, or not the case's lender's.
    MORTGAGE_NOT_FOUND = "MortgageNotFound"


class SearchAttr:
    """Typed search-attribute keys, declared once; no personal data goes into any of them."""

    STAGE = SearchAttributeKey.for_keyword("CaseStage")
    BUSINESS_TYPE = SearchAttributeKey.for_keyword("BusinessType")
    DEPARTMENT = SearchAttributeKey.for_keyword("CaseDepartment")
    HALL = SearchAttributeKey.for_keyword("CaseHall")
    DUE_AT = SearchAttributeKey.for_datetime("CaseDueAt")
    # Years the case's deadlines rest on the statutory rule for ("2027"): the cases that
    # `make calendar-publish` hands the official year to once it is published.
    PROVISIONAL_YEARS = SearchAttributeKey.for_keyword_list("CaseProvisionalYears")
    # The last day the case's working-day calendar covers.
    CALENDAR_THROUGH = SearchAttributeKey.for_datetime("CaseCalendarThrough")

    ALL = (STAGE, BUSINESS_TYPE, DEPARTMENT, HALL, DUE_AT, PROVISIONAL_YEARS, CALENDAR_THROUGH)


def search_attribute_cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "KEYWORD_LIST": "KeywordList"}
    return [
        f"--search-attribute={key.name}={kinds[key.indexed_value_type.name]}"
        for key in SearchAttr.ALL
    ]
