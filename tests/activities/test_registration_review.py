"""Registration reviews what the departments taking part must have sent, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.handoffs import push
from domain.business_types import Department
from domain.catalog import get_catalog
from models.archive import Case
from models.database import Database
from models.notices import ViewedStep
from tests.activities import make_desk, store_case


def _as_type(db: Database, case_no: str, business_type: str) -> None:
    with db.session() as session:
        case = session.get(Case, case_no)
        assert case is not None
        case.business_type = business_type
        session.add(case)


def _send(db: Database, case_no: str, frm: str, subject: str) -> None:
    with db.session() as session:
        push(
            session,
            case_no=case_no,
            from_department=frm,
            to_departments=["registration"],
            subject=subject,
            payload={},
        )


def test_a_sale_needs_the_check_and_the_paid_taxes(demo_db: Database, tmp_path: Path) -> None:
    desk = make_desk(demo_db, tmp_path)
    case = store_case(desk)
    env = ActivityEnvironment()
    _send(demo_db, case.case_no, "tax", "taxes_paid")
    with pytest.raises(ApplicationError, match="transaction_check") as refused:
        env.run(desk.registry.review_registration, ViewedStep(case_no=case.case_no))
    assert refused.value.non_retryable
    _send(demo_db, case.case_no, "housing", "transaction_check")
    env.run(desk.registry.review_registration, ViewedStep(case_no=case.case_no))


def test_a_type_without_housing_needs_only_the_paid_taxes(
    demo_db: Database, tmp_path: Path
) -> None:
    no_housing = next(
        code
        for code, bt in get_catalog().business_types.items()
        if not bt.takes_part(Department.HOUSING) and bt.takes_part(Department.TAX)
    )
    desk = make_desk(demo_db, tmp_path)
    case = store_case(desk)
    _as_type(demo_db, case.case_no, no_housing)
    env = ActivityEnvironment()
    with pytest.raises(ApplicationError, match="taxes_paid"):
        env.run(desk.registry.review_registration, ViewedStep(case_no=case.case_no))
    _send(demo_db, case.case_no, "tax", "taxes_paid")
    env.run(desk.registry.review_registration, ViewedStep(case_no=case.case_no))
