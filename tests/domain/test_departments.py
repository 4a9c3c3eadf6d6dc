"""One department vocabulary and one step → department map, stored values unchanged."""

from __future__ import annotations

import pytest

import models.enums
from domain import business_types
from domain.business_types import DeadlineStep, deadline_participant, parse_departments
from domain.departments import (
    PARTICIPANTS,
    STEP_DEPARTMENTS,
    Department,
    StepName,
    step_runs,
)

D = Department


def test_one_enum_under_every_name() -> None:
    assert models.enums.Department is Department
    assert business_types.Department is Department
    assert models.enums.StepName is StepName


def test_stored_values_never_change() -> None:
    # Search attributes, database rows and recorded histories hold these strings.
    assert [d.value for d in Department] == [
        "service_desk",
        "housing",
        "tax",
        "registration",
        "applicant",
        "none",
    ]
    assert [s.value for s in StepName] == [
        "pre_review",
        "push_documents",
        "transaction_check",
        "tax_assessment",
        "payment",
        "registration",
        "collection",
    ]


def test_every_step_has_a_holder_and_its_participant_takes_part() -> None:
    assert list(STEP_DEPARTMENTS) == list(StepName)
    holders = {step: entry.holder for step, entry in STEP_DEPARTMENTS.items()}
    assert holders == {
        StepName.PRE_REVIEW: D.SERVICE_DESK,
        StepName.PUSH_DOCUMENTS: D.SERVICE_DESK,
        StepName.TRANSACTION_CHECK: D.HOUSING,
        StepName.TAX_ASSESSMENT: D.TAX,
        StepName.PAYMENT: D.APPLICANT,
        StepName.REGISTRATION: D.REGISTRATION,
        StepName.COLLECTION: D.APPLICANT,
    }
    for entry in STEP_DEPARTMENTS.values():
        assert entry.participant is None or entry.participant in PARTICIPANTS


def test_deadlines_read_the_same_map() -> None:
    assert {step: deadline_participant(step) for step in DeadlineStep} == {
        DeadlineStep.TRANSACTION_CHECK: D.HOUSING,
        DeadlineStep.TAX_ASSESSMENT: D.TAX,
        DeadlineStep.PAYMENT: D.TAX,
        DeadlineStep.REGISTRATION: D.REGISTRATION,
        DeadlineStep.COLLECTION: D.REGISTRATION,  # every type has registration
        DeadlineStep.OVERALL: None,
    }


def test_a_step_runs_where_its_participant_takes_part() -> None:
    gift = ["registration", "tax"]  # as a CaseInput carries them: values
    assert [s for s in StepName if not step_runs(s, gift)] == [StepName.TRANSACTION_CHECK]
    assert all(step_runs(s, frozenset(PARTICIPANTS)) for s in StepName)


@pytest.mark.parametrize("holder_only", ["service_desk", "applicant", "none"])
def test_a_catalog_entry_lists_only_the_three_bodies(holder_only: str) -> None:
    with pytest.raises(ValueError, match="valid: housing, tax, registration"):
        parse_departments([holder_only])
