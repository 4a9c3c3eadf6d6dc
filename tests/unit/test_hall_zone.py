"""The hall's time zone comes from settings; a process on two clocks refuses to start."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

import worker
from activities.registry import RegistryActivities
from activities.tax import TaxActivities
from api.app import create_app
from api.routes.tax import hall_today
from config import Settings
from domain.calendar import load_office_hours
from domain.calendar.office_hours import ZoneMismatch
from models.database import Database

OTHER_ZONE = "Asia/Urumqi"


def test_the_default_zone_is_the_office_hours_zone() -> None:
    settings = Settings(ENVIRONMENT="test")
    assert settings.TIMEZONE == load_office_hours().tz
    assert settings.zone == ZoneInfo(settings.TIMEZONE)


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="TIMEZONE: unknown time zone 'Mars/Olympus'"):
        Settings(TIMEZONE="Mars/Olympus")


def test_the_api_refuses_to_start_on_another_zone() -> None:
    with pytest.raises(ZoneMismatch, match=OTHER_ZONE):
        create_app(Settings(ENVIRONMENT="test", TIMEZONE=OTHER_ZONE))


def test_the_worker_refuses_to_start_on_another_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "get_settings", lambda: Settings(TIMEZONE=OTHER_ZONE))

    async def no_temporal(*_: object) -> None:
        raise AssertionError("the zone is checked before connecting")

    monkeypatch.setattr(worker, "connect", no_temporal)
    with pytest.raises(ZoneMismatch, match=OTHER_ZONE):
        asyncio.run(worker.main())


def test_activities_get_the_settings_zone(tmp_path: Path) -> None:
    settings = Settings(
        ENVIRONMENT="test",
        TIMEZONE=OTHER_ZONE,
        BLOB_DIR=tmp_path / "blobs",
        SMS_OUTBOX_FILE=tmp_path / "sms.jsonl",
        EMS_LOCAL_DIR=tmp_path / "ems",
    )
    db = Database(f"sqlite:///{tmp_path / 'hall.db'}")
    try:
        owners = {activity.__self__ for activity in worker.build_activities(settings, db)}
    finally:
        db.dispose()
    zoned = {
        type(owner): owner.zone
        for owner in owners
        if isinstance(owner, TaxActivities | RegistryActivities)
    }
    assert zoned == {TaxActivities: ZoneInfo(OTHER_ZONE), RegistryActivities: ZoneInfo(OTHER_ZONE)}


def test_the_desks_today_is_read_in_the_settings_zone() -> None:
    # 25 hours apart: whatever the hour, Kiritimati's date is ahead of Pago Pago's.
    ahead = hall_today(Settings(ENVIRONMENT="test", TIMEZONE="Pacific/Kiritimati"))
    behind = hall_today(Settings(ENVIRONMENT="test", TIMEZONE="Pacific/Pago_Pago"))
    assert ahead > behind
