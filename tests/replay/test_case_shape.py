"""What a routine sale costs, read off its recorded history: a budget of activities and events.

The kit decides what every case costs in history (storage, replay time, throughput). The
catalog's flows are lean (issue 9): a routine case stays within 8 activities and 80
events. The frozen PropertyCase keeps the ratchet it had, so a
change that adds work to every case fails here and has to say why.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

HISTORIES = Path(__file__).parent / "histories"
SCHEDULED = "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"


def _shape(name: str) -> tuple[Counter[str], int, list[str]]:
    events = json.loads((HISTORIES / f"{name}.json").read_text())["events"]
    kinds = Counter(e["eventType"] for e in events)
    scheduled = [
        e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for e in events
        if e["eventType"] == SCHEDULED
    ]
    return kinds, len(events), scheduled


@pytest.mark.parametrize(
    ("history", "max_activities", "max_events", "delivered_by"),
    [
        # The catalog's flows: one activity per step, SMS sent by the step that causes it
        # (a sale by EMS: 7 activities and 75 events; a gift to the window: 6 and 71).
        ("transfer_sale_ems", 8, 80, "deliver"),
        ("transfer_gratuitous_gift_window", 8, 80, "deliver"),
        # The frozen flow: 16 activities and 141 events before registration was one activity.
        ("existing_home_sale_ems_audited", 14, 131, "ship_certificate"),
    ],
)
def test_a_routine_sale_stays_within_its_activity_and_event_budget(
    history: str, max_activities: int, max_events: int, delivered_by: str
) -> None:
    kinds, events, scheduled = _shape(history)
    assert kinds[SCHEDULED] <= max_activities
    assert events <= max_events
    # The history is of a completed sale with EMS collection, not a shortened one.
    assert kinds["EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"] == 1
    assert delivered_by in scheduled
    assert "send_sms" not in scheduled or history.startswith("existing_home_sale")
    assert any(name.startswith("register") for name in scheduled)
