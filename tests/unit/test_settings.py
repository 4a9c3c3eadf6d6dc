"""Settings: every field documented, bad values refused with the field named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config import ROOT, Settings


def test_env_example_documents_every_setting() -> None:
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert set(Settings.model_fields) <= documented


def test_postgres_url_gets_the_installed_driver() -> None:
    s = Settings(DATABASE_URL="postgresql://u@h:5432/db")
    assert s.DATABASE_URL.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "sqlite:// or postgresql://"),
        ("HALL_DIVISION", "4201", "HALL_DIVISION"),
        ("SMS_GATEWAY", "http", "SMS_HTTP_URL"),
        ("MANUAL_DEPARTMENTS", "applicant", "'applicant' cannot decide by hand"),
        ("WARN_SHARE", "1.5", "WARN_SHARE"),
        ("MANUAL_DEPARTMENTS", "registration:gift", "'registration:gift' names no business"),
    ],
)
def test_bad_settings_are_refused(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**{field: value})  # type: ignore[arg-type]


SECRET = "a-hall-secret-of-at-least-thirty-two-characters"


def test_production_logs_json() -> None:
    assert Settings(ENVIRONMENT="production", AUTH_SECRET=SECRET).log_format == "json"
    assert Settings(ENVIRONMENT="development").log_format == "console"


def test_production_refuses_the_public_default_secret() -> None:
    with pytest.raises(ValidationError, match="AUTH_SECRET must be set in production"):
        Settings(ENVIRONMENT="production")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(AUTH_SECRET="short")


def test_a_department_decides_by_hand_for_every_type_or_for_one() -> None:
    everywhere = Settings(MANUAL_DEPARTMENTS=" registration ")
    assert everywhere.manual_departments("gift_transfer") == {"registration"}
    one = Settings(MANUAL_DEPARTMENTS="registration:mortgage_cancellation")
    assert one.manual_departments("mortgage_cancellation") == {"registration"}
    assert one.manual_departments("mortgage_registration") == frozenset()
    assert Settings().manual_departments("gift_transfer") == frozenset()
