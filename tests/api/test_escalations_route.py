"""GET /escalations: what was raised to the supervisors, from the database alone.

Cases and their views are written as in the queue tests; the escalation rows as the
workflow's escalate_deadline activity writes them. The app's Temporal client must never be
touched. Each test runs on SQLite and, when it answers, PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from config import Settings
from models.archive import Escalation
from models.database import Database
from models.enums import Department
from tests.api.test_task_queue import (
    HOUSING_CLERK,
    NOW,
    SUPERVISOR,
    headers,
    task,
)
from tests.api.test_task_queue import api as api  # noqa: F401  (the queue tests' app)
from tests.api.test_task_queue import settings as settings  # noqa: F401


def _raise(
    db: Database, case_no: str, kind: str, hours_ago: int, reason: str | None = None
) -> None:
    with db.session() as session:
        session.add(
            Escalation(
                case_no=case_no,
                step="transaction_check",
                department="housing",
                due_at=NOW - timedelta(hours=hours_ago + 1),
                escalated_at=NOW - timedelta(hours=hours_ago),
                kind=kind,
                reason=reason,
            )
        )


def _page(client: TestClient, hall: Settings, **params: object) -> dict[str, object]:
    r = client.get("/escalations", params=params, headers=headers(hall, SUPERVISOR))
    assert r.status_code == 200, r.text
    page: dict[str, object] = r.json()
    return page


def test_the_supervisor_sees_what_still_needs_them_newest_first(
    api: TestClient,
    settings: Settings,
    demo_db: Database,
) -> None:
    late = task(demo_db, 1, Department.HOUSING, due=NOW - timedelta(hours=3), escalated=True)
    warned = task(demo_db, 2, Department.HOUSING, due=NOW + timedelta(hours=3), warned=True)
    done = task(demo_db, 3, Department.HOUSING, finished=NOW - timedelta(hours=1))
    _raise(demo_db, late, "deadline", hours_ago=2)
    _raise(demo_db, warned, "warning", hours_ago=1, reason="held by 房管 吴一 (H-0101)")
    _raise(demo_db, done, "deadline", hours_ago=5)  # its case has closed since
    _raise(demo_db, done, "failed", hours_ago=4, reason="title row missing")

    page = _page(api, settings)
    items = page["items"]
    assert isinstance(items, list)
    assert [(i["case_no"], i["kind"]) for i in items] == [
        (warned, "warning"),
        (late, "deadline"),
        (done, "failed"),  # a failed case waits for a person however closed it is
    ]
    assert page["total"] == 3
    assert items[0]["reason"] == "held by 房管 吴一 (H-0101)" and items[0]["open"] is True
    assert items[1]["stage"] == "transaction_check"
    assert items[2]["open"] is False

    everything = _page(api, settings, all="true")
    assert everything["total"] == 4
    only_warnings = _page(api, settings, kind="warning")
    assert [i["case_no"] for i in only_warnings["items"]] == [warned]  # type: ignore[union-attr]
    second = _page(api, settings, limit=1, offset=1)
    assert [i["case_no"] for i in second["items"]] == [late]  # type: ignore[union-attr]


def test_only_supervisors_read_it_and_bad_filters_name_the_parameter(
    api: TestClient,
    settings: Settings,
) -> None:
    clerk = api.get("/escalations", headers=headers(settings, HOUSING_CLERK))
    assert clerk.status_code == 403
    assert api.get("/escalations").status_code == 401
    bad = api.get("/escalations", params={"kind": "gossip"}, headers=headers(settings, SUPERVISOR))
    assert bad.status_code == 422 and "kind" in bad.text
    big = api.get("/escalations", params={"limit": 201}, headers=headers(settings, SUPERVISOR))
    assert big.status_code == 422 and "limit" in big.text
