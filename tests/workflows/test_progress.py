"""The progress a clerk and the Temporal UI read: steps, skips, closing and the details text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.calendar import WorkingCalendar, load_office_hours
from domain.catalog import get_catalog
from models.enums import Department, Stage, StepName, StepStatus
from models.payloads import CaseInput
from workflows.progress import ProgressTracker, initial_progress

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def case_input(
    business_type: str = "existing_home_sale", departments: list[str] | None = None
) -> CaseInput:
    bt = get_catalog().business_type(business_type)
    return CaseInput(
        case_no="420103-20261201-00001-0",
        business_type=business_type,
        hall="420103",
        accepted_at=T0,
        calendar=WorkingCalendar(first_day=T0.date(), last_day=T0.date() + timedelta(days=60)),
        office_hours=load_office_hours(),
        deadlines={str(k): v for k, v in bt.deadlines.items()},
        departments=(
            sorted(d.value for d in bt.departments) if departments is None else departments
        ),
    )


def statuses(tracker: ProgressTracker) -> dict[StepName, StepStatus]:
    return {s.name: s.status for s in tracker.progress.steps}


def test_a_sale_runs_every_step() -> None:
    progress = initial_progress(case_input())
    assert [s.name for s in progress.steps] == list(StepName)
    assert all(s.status == StepStatus.PENDING for s in progress.steps)
    assert progress.stage == Stage.PRE_REVIEW
    assert progress.department == Department.SERVICE_DESK
    assert progress.accepted_at == T0


def test_a_type_without_housing_skips_the_transaction_check_only() -> None:
    inp = case_input("inheritance_transfer")
    assert "housing" not in inp.departments  # the catalog's entry, not an assumption here
    tracker = ProgressTracker(initial_progress(inp))
    skipped = [n for n, s in statuses(tracker).items() if s == StepStatus.SKIPPED]
    assert skipped == [StepName.TRANSACTION_CHECK]
    assert not tracker.runs(StepName.TRANSACTION_CHECK)
    assert tracker.runs(StepName.TAX_ASSESSMENT) and tracker.runs(StepName.PAYMENT)


def test_without_tax_both_assessment_and_payment_are_skipped() -> None:
    tracker = ProgressTracker(initial_progress(case_input(departments=["registration"])))
    skipped = {n for n, s in statuses(tracker).items() if s == StepStatus.SKIPPED}
    assert skipped == {StepName.TRANSACTION_CHECK, StepName.TAX_ASSESSMENT, StepName.PAYMENT}
    # The service desk's own steps always run.
    assert tracker.runs(StepName.PRE_REVIEW) and tracker.runs(StepName.PUSH_DOCUMENTS)


def test_begin_and_finish_record_times_due_and_detail() -> None:
    tracker = ProgressTracker(initial_progress(case_input()))
    due = T0 + timedelta(days=1)
    tracker.begin(StepName.TRANSACTION_CHECK, T0, due)
    check = tracker.step(StepName.TRANSACTION_CHECK)
    assert (check.status, check.started_at, check.due_at) == (StepStatus.RUNNING, T0, due)
    assert tracker.running_step() is check
    tracker.escalated(StepName.TRANSACTION_CHECK)
    tracker.finish(StepName.TRANSACTION_CHECK, T0 + timedelta(hours=30), "contract WHCL1")
    assert check.status == StepStatus.DONE and check.escalated
    assert check.finished_at == T0 + timedelta(hours=30)
    assert check.detail == "contract WHCL1"
    assert tracker.running_step() is None


@pytest.mark.parametrize("stage", [Stage.REFUSED, Stage.LAPSED])
def test_close_fails_the_running_step_with_the_reason(stage: Stage) -> None:
    tracker = ProgressTracker(initial_progress(case_input()))
    tracker.finish(StepName.PRE_REVIEW, T0)
    tracker.begin(StepName.PAYMENT, T0, T0 + timedelta(days=14), StepStatus.WAITING)
    end = T0 + timedelta(days=14)
    tracker.close(stage, end, "逾期未缴税 / taxes not paid in time")
    payment = tracker.step(StepName.PAYMENT)
    assert payment.status == StepStatus.FAILED
    assert payment.detail == "逾期未缴税 / taxes not paid in time"
    assert payment.finished_at == end
    p = tracker.progress
    assert (p.stage, p.department, p.finished_at) == (stage, Department.NONE, end)
    assert p.reason == "逾期未缴税 / taxes not paid in time"
    assert tracker.step(StepName.PRE_REVIEW).status == StepStatus.DONE
    assert tracker.step(StepName.REGISTRATION).status == StepStatus.PENDING


def test_close_without_reason_names_the_stage_on_the_failed_step() -> None:
    tracker = ProgressTracker(initial_progress(case_input()))
    tracker.begin(StepName.TRANSACTION_CHECK, T0, None)
    tracker.close(Stage.REFUSED, T0)
    check = tracker.step(StepName.TRANSACTION_CHECK)
    assert (check.status, check.detail) == (StepStatus.FAILED, "refused")
    assert tracker.progress.reason is None


def test_completing_fails_nothing() -> None:
    tracker = ProgressTracker(initial_progress(case_input()))
    tracker.begin(StepName.COLLECTION, T0, None, StepStatus.WAITING)
    tracker.close(Stage.COMPLETED, T0)
    assert tracker.step(StepName.COLLECTION).status == StepStatus.WAITING
    assert tracker.progress.stage_en == "completed" and tracker.progress.stage_zh == "办结"


def test_details_say_where_the_case_stands_in_chinese_and_english() -> None:
    tracker = ProgressTracker(initial_progress(case_input()))
    tracker.enter(Stage.AWAITING_PAYMENT, Department.APPLICANT)
    due = datetime(2026, 12, 15, 9, 30, tzinfo=UTC)
    tracker.begin(StepName.PAYMENT, T0, due, StepStatus.WAITING)
    tracker.progress.tax_total = Decimal("40000.00")
    text = tracker.details()
    assert "**等待缴税** / waiting for the applicant to pay the taxes" in text
    assert "案件 case `420103-20261201-00001-0` · existing_home_sale" in text
    assert "时限 due: 2026-12-15T09:30+00:00" in text
    assert "税款 taxes: ¥40000.00" in text
    assert "证书" not in text and "原因" not in text

    tracker.progress.certificate_no = "鄂(2026)武汉市不动产权第0000001号"
    tracker.progress.tracking_no = "EA000000015CN"
    tracker.close(Stage.REFUSED, T0, "该房屋已被查封 / the property is seized")
    closed = tracker.details()
    assert closed.splitlines()[0] == "**不予办理** / refused"
    assert "证书 certificate: 鄂(2026)武汉市不动产权第0000001号" in closed
    assert "EMS: EA000000015CN" in closed
    assert "原因 reason: 该房屋已被查封 / the property is seized" in closed
    assert "时限" not in closed  # nothing is running any more
