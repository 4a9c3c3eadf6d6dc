"""GET /calendar/...: the public working-day calendar and deadline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.calendar import router
from config import Settings
from domain.calendar.local_table import ENV_VAR


@pytest.fixture(autouse=True)
def empty_local_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local table of our own, so an entry a hall adds to the packaged one changes nothing."""
    table = tmp_path / "calendar_local.toml"
    table.write_text("[years]\n", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(table))
    return table


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        yield client


def _days(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in body["days"]}


def test_an_official_year_lists_its_days_with_reasons(client: TestClient) -> None:
    response = client.get("/calendar/2026")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026
    assert body["source"] == "official"
    assert body["confirmed"] is True
    assert body["reference"].startswith("chinesecalendar ")
    days = _days(body)
    assert days["2026-02-14"] == {
        "date": "2026-02-14",
        "working": True,
        "reason": "make_up_working_day",
        "name": "春节",
    }
    assert days["2026-01-02"] == {
        "date": "2026-01-02",
        "working": False,
        "reason": "holiday",
        "name": "元旦",
    }
    assert days["2026-01-03"]["working"] is False  # a Saturday inside the festival
    assert "2026-03-04" not in days  # an ordinary Wednesday
    assert "2026-03-07" not in days  # an ordinary Saturday
    assert list(days) == sorted(days)


def test_a_future_year_is_provisional_with_made_up_days(client: TestClient) -> None:
    body = client.get("/calendar/2027").json()
    assert body["source"] == "provisional"
    assert body["confirmed"] is False
    assert "全国年节及纪念日放假办法" in body["reference"]
    days = _days(body)
    assert days["2027-02-09"] == {
        "date": "2027-02-09",
        "working": False,
        "reason": "statutory_made_up",
        "name": "春节",
    }
    assert days["2027-10-01"]["reason"] == "holiday"
    assert not any(day["working"] for day in body["days"])


def test_a_hall_entry_makes_the_year_official_at_once(
    client: TestClient, empty_local_table: Path
) -> None:
    assert client.get("/calendar/2027").json()["source"] == "provisional"
    empty_local_table.write_text(
        '[years.2027]\nsource = "国办发明电〔2026〕N号"\n\n'
        '[[years.2027.holidays]]\nname = "元旦"\nfrom = 2027-01-01\nto = 2027-01-03\n',
        encoding="utf-8",
    )
    body = client.get("/calendar/2027").json()
    assert (body["source"], body["confirmed"], body["reference"]) == (
        "official",
        False,
        "国办发明电〔2026〕N号",
    )
    assert [day["date"] for day in body["days"]] == ["2027-01-01", "2027-01-02", "2027-01-03"]


def test_a_deadline_across_an_unpublished_year_is_provisional(client: TestClient) -> None:
    response = client.get(
        "/calendar/deadline",
        params={"start": "2026-12-20T10:00:00+08:00", "working_days": 10},
    )
    assert response.status_code == 200
    body = response.json()
    # Mon 21 .. Thu 31 December is 9 working days; 1 January 2027 is New Year's Day,
    # so the 10th is Monday 4 January 2027, closing at 17:30 (office_hours.toml).
    assert body["deadline"] == "2027-01-04T17:30:00+08:00"
    assert body["working_days"] == 10
    assert body["start"] == "2026-12-20T10:00:00+08:00"
    assert body["provisional"] is True
    assert body["years"] == [
        {"year": 2026, "source": "official"},
        {"year": 2027, "source": "provisional"},
    ]


def test_a_deadline_within_a_published_year_is_not_provisional(client: TestClient) -> None:
    body = client.get(
        "/calendar/deadline",
        params={"start": "2026-03-02T01:30:00Z", "working_days": 5},
    ).json()
    # 09:30 on Monday 2 March in the hall; five working days later is Monday 9 March.
    assert body["deadline"] == "2026-03-09T17:30:00+08:00"
    assert body["provisional"] is False
    assert body["years"] == [{"year": 2026, "source": "official"}]


def test_zero_working_days_is_the_same_day_if_it_is_a_working_day(client: TestClient) -> None:
    body = client.get(
        "/calendar/deadline",
        params={"start": "2026-03-04T09:00:00+08:00", "working_days": 0},
    ).json()
    assert body["deadline"] == "2026-03-04T17:30:00+08:00"


def _loc(response: Any) -> list[Any]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


@pytest.mark.parametrize("year", [2003, 2100, 1])
def test_a_year_out_of_range_is_refused_naming_it(client: TestClient, year: int) -> None:
    assert _loc(client.get(f"/calendar/{year}")) == [["path", "year"]]


def test_a_year_that_is_not_a_number_is_refused_naming_it(client: TestClient) -> None:
    assert _loc(client.get("/calendar/next")) == [["path", "year"]]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"start": "2026-03-02T09:00:00", "working_days": 5}, ["query", "start"]),
        ({"start": "2026-03-02", "working_days": 5}, ["query", "start"]),
        ({"start": "soon", "working_days": 5}, ["query", "start"]),
        ({"start": "2003-06-02T09:00:00+08:00", "working_days": 5}, ["query", "start"]),
        ({"start": "2100-06-02T09:00:00+08:00", "working_days": 5}, ["query", "start"]),
        ({"start": "0001-01-01T00:00:00+14:00", "working_days": 5}, ["query", "start"]),
        ({"start": "9999-12-31T23:59:59-14:00", "working_days": 5}, ["query", "start"]),
        ({"start": "2099-12-31T23:00:00-05:00", "working_days": 5}, ["query", "start"]),
        ({"working_days": 5}, ["query", "start"]),
        ({"start": "2026-03-02T09:00:00+08:00", "working_days": -1}, ["query", "working_days"]),
        ({"start": "2026-03-02T09:00:00+08:00", "working_days": 251}, ["query", "working_days"]),
        ({"start": "2026-03-02T09:00:00+08:00", "working_days": "x"}, ["query", "working_days"]),
        ({"start": "2026-03-02T09:00:00+08:00"}, ["query", "working_days"]),
    ],
)
def test_bad_deadline_input_is_refused_naming_the_parameter(
    client: TestClient, params: dict[str, Any], loc: list[str]
) -> None:
    assert _loc(client.get("/calendar/deadline", params=params)) == [loc]


def test_the_largest_count_is_answered(client: TestClient) -> None:
    body = client.get(
        "/calendar/deadline",
        params={"start": "2099-12-31T09:00:00+08:00", "working_days": 250},
    ).json()
    assert body["deadline"].startswith("2101-01-")
    assert body["provisional"] is True


def test_the_hall_app_serves_the_calendar_publicly() -> None:
    # No lifespan (no Temporal, no database): the calendar needs neither, nor any credentials.
    app = create_app(Settings(ENVIRONMENT="test"))
    response = TestClient(app).get("/calendar/2027")
    assert response.status_code == 200
    assert response.json()["source"] == "provisional"
    assert {"/calendar/{year}", "/calendar/deadline"} <= set(app.openapi()["paths"])
