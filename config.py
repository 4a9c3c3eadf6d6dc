"""One settings object for every process (API, worker, launcher), read from the environment."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
WorkerRole = Literal["all", "workflows", "activities"]
DEV_AUTH_SECRET = "onewindow-development-secret-not-for-production"
"""Public, so only good for tests and a laptop; production refuses to start with it."""


MANUAL_CAPABLE = frozenset({"housing", "tax", "registration"})
"""Departments whose step can wait for a clerk's decision (the flow kit's decisions)."""


class Settings(BaseSettings):
    """Process configuration; every field can be set by an environment variable of its name."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    ENVIRONMENT: Literal["development", "test", "production"] = "development"
    DATABASE_URL: str = f"sqlite:///{ROOT / 'var' / 'onewindow.db'}"
    TEMPORAL_ADDRESS: str = "127.0.0.1:7233"
    TEMPORAL_NAMESPACE: str = "default"
    TASK_QUEUE: str = "onewindow-cases"
    WORKER_ROLE: WorkerRole = "all"
    BLOB_DIR: Path = ROOT / "var" / "blobs"
    SMS_GATEWAY: Literal["local", "http"] = "local"
    SMS_OUTBOX_FILE: Path = ROOT / "var" / "sms" / "outbox.jsonl"
    SMS_HTTP_URL: str | None = None
    SMS_HTTP_TOKEN: str | None = None
    EMS_GATEWAY: Literal["local", "http"] = "local"
    EMS_LOCAL_DIR: Path = ROOT / "var" / "ems"
    EMS_HTTP_URL: str | None = None
    EMS_HTTP_TOKEN: str | None = None
    HALL_DIVISION: str = Field(default="420103", pattern=r"^\d{6}$")
    HALL_NAME: str = "江汉区不动产登记交易中心"
    PROVINCE_ABBR: str = "鄂"
    CITY_NAME: str = "武汉市"
    CERTIFICATE_SERIAL_WIDTH: int = Field(default=7, ge=3, le=10)
    # The hall's one clock: acceptance dates, certificate years, the desk's "today". The
    # office hours (domain/data/office_hours.toml) must name the same zone, or nothing starts.
    TIMEZONE: str = "Asia/Shanghai"
    LOG_FORMAT: Literal["console", "json"] | None = None
    # The hall's JWT signing secret. `make run` keeps a random one under var/; production
    # must set its own (the development default refuses to start there).
    AUTH_SECRET: str = Field(default=DEV_AUTH_SECRET, min_length=32)
    AUTH_TOKEN_HOURS: int = Field(default=12, ge=1, le=24 * 31)
    # Who decides by hand (comma-separated): a department for every business type
    # ("registration"), or for one ("registration:mortgage_cancellation"); the others
    # decide automatically, as the system actor.
    MANUAL_DEPARTMENTS: str = ""
    # How long `GET /cases/{case_no}` waits for the case's workflow to answer its query;
    # past it (no worker polling), the page is answered from the read side (case_view).
    LIVE_QUERY_TIMEOUT_SECONDS: float = Field(default=3.0, gt=0, le=60)
    # How long a clerk's update (payment, claim, decision, withdrawal, ...) waits for the
    # case's workflow to answer; past it the clerk gets a 503 rather than a hanging request.
    UPDATE_ANSWER_SECONDS: float = Field(default=20.0, gt=0, le=120)
    # The share of each department step's working time after which the clerk holding it is
    # warned (the queue's flag); the deadline itself escalates to the supervisors.
    WARN_SHARE: float = Field(default=0.75, gt=0, lt=1)
    # Working days an applicant has to bring in the papers a department asked for (补正);
    # the case's clock stands still meanwhile, and the case lapses if they do not come.
    SUPPLEMENT_DAYS: int = Field(default=15, ge=1, le=60)

    @field_validator("MANUAL_DEPARTMENTS")
    @classmethod
    def _known_manual(cls, value: str) -> str:
        from domain.catalog import get_catalog  # the catalog names the business types

        entries = {e.strip() for e in value.split(",") if e.strip()}
        for entry in sorted(entries):
            department, _, code = entry.partition(":")
            if department not in MANUAL_CAPABLE:
                raise ValueError(
                    f"MANUAL_DEPARTMENTS: {department!r} cannot decide by hand "
                    f"(valid: {', '.join(sorted(MANUAL_CAPABLE))})"
                )
            if code and code not in get_catalog().business_types:
                raise ValueError(f"MANUAL_DEPARTMENTS: {entry!r} names no business type")
        return ",".join(sorted(entries))

    def manual_departments(self, business_type: str) -> frozenset[str]:
        """The departments deciding a case of `business_type` by hand (`CaseInput.manual`)."""
        entries = [e for e in self.MANUAL_DEPARTMENTS.split(",") if e]
        return frozenset(
            department
            for department, _, code in (e.partition(":") for e in entries)
            if code in ("", business_type)
        )

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if value.startswith("postgresql://"):
            # psycopg 3 is the installed driver; plain postgresql:// would pick psycopg2.
            return value.replace("postgresql://", "postgresql+psycopg://", 1)
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"TIMEZONE: unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _secret_set_in_production(self) -> Settings:
        if self.ENVIRONMENT == "production" and self.AUTH_SECRET == DEV_AUTH_SECRET:
            raise ValueError("AUTH_SECRET must be set in production (the default is public)")
        return self

    @model_validator(mode="after")
    def _real_gateways_configured(self) -> Settings:
        if self.SMS_GATEWAY == "http" and not self.SMS_HTTP_URL:
            raise ValueError("SMS_GATEWAY=http needs SMS_HTTP_URL")
        if self.EMS_GATEWAY == "http" and not self.EMS_HTTP_URL:
            raise ValueError("EMS_GATEWAY=http needs EMS_HTTP_URL")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The hall's time zone, the one every process reads its local dates in."""
        return ZoneInfo(self.TIMEZONE)

    @property
    def log_format(self) -> Literal["console", "json"]:
        """JSON lines in production, readable lines elsewhere unless set explicitly."""
        if self.LOG_FORMAT:
            return self.LOG_FORMAT
        return "json" if self.ENVIRONMENT == "production" else "console"


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
