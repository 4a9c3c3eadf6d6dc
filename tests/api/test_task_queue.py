"""GET /departments/{department}/tasks: each department's open cases from the read side.

The rows are written as the workflow's activities write them (`write_view`); the app runs
with a Temporal client that must never be touched, which proves the queue reads only the
database. Each test runs on SQLite and, when it answers, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from temporalio.client import Client

from api.app import create_app
from api.auth.tokens import Staff, issue_token
from config import Settings
from devtools.demo_data import FLAT_SALE
from domain.departments import STEP_DEPARTMENTS
from integrations.blobs import FileBlobStore
from models.actor import Actor, Role
from models.archive import Case
from models.case_view import ViewPlan, write_view
from models.database import Database
from models.enums import STAGE_LABELS, Department, Stage, StepName, StepStatus
from models.payloads import CaseProgress, StepProgress

NOW = datetime.now(UTC).replace(microsecond=0)
ACCEPTED = NOW - timedelta(days=3)
HOUSING_CLERK = Actor(staff_id="H-0101", name="房管 吴一", role=Role.HOUSING)
OTHER_HOUSING_CLERK = Actor(staff_id="H-0102", name="房管 郑二", role=Role.HOUSING)
SUPERVISOR = Actor(staff_id="S-0001", name="科长 孙八", role=Role.SUPERVISOR)
STEP_OF = {
    Department.HOUSING: (StepName.TRANSACTION_CHECK, Stage.TRANSACTION_CHECK),
    Department.TAX: (StepName.TAX_ASSESSMENT, Stage.TAX_ASSESSMENT),
    Department.REGISTRATION: (StepName.REGISTRATION, Stage.REGISTRATION),
}


def case_no(n: int) -> str:
    return f"420103-20261128-{n:05d}-0"


def progress_of(
    number: str,
    department: Department,
    *,
    due: datetime | None = None,
    warn: datetime | None = None,
    warned: bool = False,
    escalated: bool = False,
    started: datetime | None = None,
    finished: datetime | None = None,
) -> CaseProgress:
    """A sale waiting in `department`: the steps before it done, its own step waiting."""
    step, stage = STEP_OF[department]
    zh, en = STAGE_LABELS[stage]
    order = list(StepName)
    steps = []
    for name in order:
        if finished is not None or order.index(name) < order.index(step):
            status = StepStatus.DONE
        elif name is step:
            status = StepStatus.WAITING
        else:
            status = StepStatus.PENDING
        done, current = status is StepStatus.DONE, status is StepStatus.WAITING
        steps.append(
            StepProgress(
                name=name,
                department=STEP_DEPARTMENTS[name].holder,
                status=status,
                started_at=ACCEPTED if done else started if current else None,
                finished_at=ACCEPTED if done else None,
                due_at=due if current else None,
                warn_at=warn if current else None,
                warned=warned and current,
                escalated=escalated and current,
            )
        )
    return CaseProgress(
        case_no=number,
        business_type="existing_home_sale",
        stage=stage if finished is None else Stage.COMPLETED,
        stage_zh=zh,
        stage_en=en,
        department=department,
        accepted_at=ACCEPTED,
        steps=steps,
        completion_due_at=ACCEPTED + timedelta(days=7),
        legal_due_at=ACCEPTED + timedelta(days=42),
        finished_at=finished,
    )


def store(db: Database, progress: CaseProgress, holder: Actor | None = None) -> None:
    """The case in the archive and its view, as the intake and the step's activity leave
    them."""
    with db.session() as session:
        if session.get(Case, progress.case_no) is None:
            session.add(
                Case(
                    case_no=progress.case_no,
                    idempotency_key=progress.case_no,
                    request_fingerprint="x",
                    business_type=progress.business_type,
                    unit_number=FLAT_SALE,
                    price=Decimal("2000000.00"),
                    hall="420103",
                    accepted_at=progress.accepted_at,
                )
            )
            session.flush()
        plan = ViewPlan(seq=1, hall="420103", progress=progress, holder=holder)
        assert write_view(session, plan, NOW)


def task(db: Database, n: int, department: Department = Department.HOUSING, **kw: Any) -> str:
    """An open case waiting in `department` (holder=, and progress_of's keywords)."""
    holder = kw.pop("holder", None)
    kw.setdefault("started", ACCEPTED + timedelta(hours=n))
    store(db, progress_of(case_no(n), department, **kw), holder)
    return case_no(n)


def headers(settings: Settings, actor: Actor) -> dict[str, str]:
    staff = Staff(staff_id=actor.staff_id, name=actor.name, roles=(actor.role,), hall="420103")
    return {"Authorization": f"Bearer {issue_token(settings.AUTH_SECRET, staff)}"}


@pytest.fixture
def settings(demo_db: Database) -> Settings:
    return Settings(ENVIRONMENT="test", DATABASE_URL=demo_db.url)


@pytest.fixture
def api(demo_db: Database, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    nowhere = cast(Client, object())  # any call on it fails: the queue never asks Temporal
    app = create_app(settings, temporal=nowhere, db=demo_db, blobs=FileBlobStore(tmp_path))
    with TestClient(app) as client:
        yield client


def queue(
    api: TestClient,
    settings: Settings,
    department: str = "housing",
    actor: Actor = HOUSING_CLERK,
    **params: Any,
) -> dict[str, Any]:
    r = api.get(f"/departments/{department}/tasks", params=params, headers=headers(settings, actor))
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


def numbers(page: dict[str, Any]) -> list[str]:
    return [t["case_no"] for t in page["tasks"]]


def test_nearest_deadline_first_then_oldest_step_and_no_deadline_last(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    later = task(demo_db, 1, due=NOW + timedelta(days=3))
    none = task(demo_db, 2, due=None)
    soon_newer = task(demo_db, 3, due=NOW + timedelta(days=1), started=NOW - timedelta(hours=1))
    soon_older = task(demo_db, 4, due=NOW + timedelta(days=1), started=NOW - timedelta(hours=5))
    past = task(demo_db, 5, due=NOW - timedelta(hours=2))

    page = queue(api, settings)

    assert numbers(page) == [past, soon_older, soon_newer, later, none]
    assert (page["department"], page["total"], page["limit"], page["offset"]) == (
        "housing",
        5,
        50,
        0,
    )
    first = page["tasks"][0]
    assert first["stage"] == "transaction_check"
    assert (first["step"], first["step_status"]) == ("transaction_check", "waiting")
    assert first["business_type"] == "existing_home_sale"
    assert datetime.fromisoformat(first["due_at"]) == NOW - timedelta(hours=2)
    assert datetime.fromisoformat(first["legal_due_at"]) == ACCEPTED + timedelta(days=42)
    assert datetime.fromisoformat(first["completion_due_at"]) == ACCEPTED + timedelta(days=7)
    assert first["overdue"] is True and first["escalated"] is False
    assert page["tasks"][-1]["due_at"] is None and page["tasks"][-1]["overdue"] is False


def test_pages_cover_the_queue_once_and_total_counts_every_page(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    made = [task(demo_db, n, due=NOW + timedelta(days=n)) for n in range(1, 6)]

    pages = [queue(api, settings, limit=2, offset=offset) for offset in (0, 2, 4, 6)]

    assert [numbers(p) for p in pages] == [made[0:2], made[2:4], made[4:5], []]
    assert {p["total"] for p in pages} == {5}
    assert [(p["limit"], p["offset"]) for p in pages] == [(2, 0), (2, 2), (2, 4), (2, 6)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 100_001}, "offset"),
        ({"warned": "maybe"}, "warned"),
    ],
)
def test_bad_paging_is_a_422_naming_the_parameter(
    api: TestClient, settings: Settings, params: dict[str, Any], field: str
) -> None:
    r = api.get("/departments/housing/tasks", params=params, headers=headers(settings, SUPERVISOR))

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", field]


def test_a_clerk_reads_only_their_own_departments_queue(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    task(demo_db, 1, Department.TAX, due=NOW + timedelta(days=1))

    r = api.get("/departments/tax/tasks", headers=headers(settings, HOUSING_CLERK))

    assert r.status_code == 403, r.text
    assert "tax" in r.json()["detail"][0]["msg"]  # the roles the tax queue admits
    tax_clerk = Actor(staff_id="T-0107", name="税务 王五", role=Role.TAX)
    assert numbers(queue(api, settings, "tax", tax_clerk)) == [case_no(1)]
    window_clerk = Actor(staff_id="W-0203", name="窗口 赵六", role=Role.WINDOW)
    r = api.get("/departments/housing/tasks", headers=headers(settings, window_clerk))
    assert r.status_code == 403, r.text


def test_a_supervisor_reads_every_departments_queue_and_no_other_department_shows(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    housing = task(demo_db, 1, Department.HOUSING, due=NOW + timedelta(days=1))
    tax = task(demo_db, 2, Department.TAX, due=NOW + timedelta(days=1))
    registration = task(demo_db, 3, Department.REGISTRATION, due=NOW + timedelta(days=1))

    seen = {d: numbers(queue(api, settings, d, SUPERVISOR)) for d in ("housing", "tax")}
    seen["registration"] = numbers(queue(api, settings, "registration", SUPERVISOR))

    assert seen == {"housing": [housing], "tax": [tax], "registration": [registration]}
    assert (
        api.get("/departments/applicant/tasks", headers=headers(settings, SUPERVISOR)).status_code
        == 404
    )


def test_closed_cases_are_not_listed(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    still_open = task(demo_db, 1, due=NOW + timedelta(days=1))
    task(demo_db, 2, due=NOW + timedelta(days=1), finished=NOW - timedelta(hours=1))

    page = queue(api, settings, actor=SUPERVISOR)

    assert numbers(page) == [still_open]
    assert page["total"] == 1


def test_mine_lists_the_steps_the_caller_holds(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    mine = task(demo_db, 1, due=NOW + timedelta(days=2), holder=HOUSING_CLERK)
    theirs = task(demo_db, 2, due=NOW + timedelta(days=1), holder=OTHER_HOUSING_CLERK)
    free = task(demo_db, 3, due=NOW + timedelta(days=3))

    everything = queue(api, settings)
    only_mine = queue(api, settings, mine=True)

    assert numbers(everything) == [theirs, mine, free]
    assert numbers(only_mine) == [mine] and only_mine["total"] == 1
    assert only_mine["tasks"][0]["holder"] == {"staff_id": "H-0101", "name": "房管 吴一"}
    assert everything["tasks"][2]["holder"] is None


def test_warning_shows_once_given_or_once_its_time_has_passed(
    api: TestClient, settings: Settings, demo_db: Database
) -> None:
    due = NOW + timedelta(days=2)
    past_not_yet_given = task(demo_db, 1, due=due, warn=NOW - timedelta(minutes=5))
    given = task(demo_db, 2, due=due, warn=NOW - timedelta(hours=3), warned=True)
    not_yet = task(demo_db, 3, due=due, warn=NOW + timedelta(days=1))
    no_warning_time = task(demo_db, 4, due=due)
    escalated = task(demo_db, 5, due=due, warned=True, escalated=True)

    flags = {t["case_no"]: (t["warning"], t["overdue"]) for t in queue(api, settings)["tasks"]}
    warned = queue(api, settings, warned=True)
    calm = queue(api, settings, warned=False)

    assert flags == {
        past_not_yet_given: (True, False),
        given: (True, False),
        not_yet: (False, False),
        no_warning_time: (False, False),
        escalated: (True, True),  # the supervisor was told: overdue however the clock reads
    }
    assert set(numbers(warned)) == {past_not_yet_given, given, escalated}
    assert warned["total"] == 3
    assert set(numbers(calm)) == {not_yet, no_warning_time}
    assert calm["total"] == 2
