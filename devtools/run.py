"""`make run`: migrate, load the demo register, then run Temporal, the worker and the API together.

Ctrl-C stops all three cleanly. Temporal keeps its state in `var/temporal.db` and the
application in the configured database, so a second `make run` finds its earlier cases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from alembic import command
from alembic.config import Config

from api.auth.tokens import Staff, issue_token
from config import ROOT, get_settings
from devtools.demo_data import load_demo_data
from devtools.secret import hall_secret
from logging_setup import configure_logging, get_logger
from models.actor import Role
from models.database import Database
from models.enums import search_attribute_cli_flags

VAR = ROOT / "var"
BIN = Path(sys.executable).parent
API_PORT = int(os.environ.get("API_PORT", "8000"))
UI_PORT = int(os.environ.get("TEMPORAL_UI_PORT", "8233"))
log = get_logger("run")


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


def temporal_command(address: str) -> list[str]:
    host, _, port = address.rpartition(":")
    return [
        str(BIN / "temporal"),
        "server",
        "start-dev",
        "--ip",
        host or "127.0.0.1",
        "--port",
        port,
        "--ui-port",
        str(UI_PORT),
        "--db-filename",
        str(VAR / "temporal.db"),
        # WAL with normal syncs: as fast as in-memory here, still durable across a kill.
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        "--ui-disable-news-fetch",
        *search_attribute_cli_flags(),
    ]


DEMO_STAFF = {
    Role.DESK: ("D-0101", "服务台 周一", None),
    Role.INTAKE: ("I-0301", "收件 钱七", "A03"),
    Role.HOUSING: ("H-0201", "房产 吴二", None),
    Role.TAX: ("T-0107", "税务 王五", None),
    Role.REGISTRATION: ("R-0401", "登记 郑三", None),
    Role.WINDOW: ("W-0203", "窗口 赵六", "A03"),
    Role.SUPERVISOR: ("S-0001", "科长 孙八", None),
    Role.ADMIN: ("A-0001", "管理员", None),
}


def demo_tokens(secret: str, hall: str) -> str:
    """One token per role for the README walk (valid for a working day)."""
    lines = ["  Demo tokens (export the ones you need):"]
    for role, (staff_id, name, window) in DEMO_STAFF.items():
        staff = Staff(staff_id=staff_id, name=name, roles=(role,), hall=hall, window=window)
        token = issue_token(secret, staff, hours=12)
        lines.append(f"    export {role.value.upper()}_TOKEN={token}")
    return "\n".join(lines) + "\n"


def wait_until(check: object, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format)
    for sub in ("", "blobs", "sms", "ems"):
        (VAR / sub).mkdir(parents=True, exist_ok=True)
    migrate(settings.DATABASE_URL)
    db = Database(settings.DATABASE_URL)
    if load_demo_data(db):
        log.info("demo register loaded")
    db.dispose()

    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        # API first (no new cases), then the worker (finishes its activities), then Temporal.
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    secret = hall_secret(settings)
    # The demo hall: housing and tax decide automatically, registration by a person.
    env = {
        "MANUAL_DEPARTMENTS": "registration",
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "AUTH_SECRET": secret,
    }

    children.append(subprocess.Popen(temporal_command(settings.TEMPORAL_ADDRESS), env=env))
    ui = f"http://127.0.0.1:{UI_PORT}"
    wait_until(lambda: httpx.get(ui, timeout=2).status_code < 500, "Temporal")
    children.append(subprocess.Popen([sys.executable, str(ROOT / "worker.py")], env=env, cwd=ROOT))
    children.append(
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:main",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(API_PORT),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
    )
    api = f"http://127.0.0.1:{API_PORT}"
    wait_until(lambda: httpx.get(f"{api}/healthz", timeout=2).status_code == 200, "the API")
    sys.stderr.write(
        "\n  onewindow is running\n"
        f"    API docs     {api}/docs\n"
        f"    Temporal UI  {ui}/namespaces/{settings.TEMPORAL_NAMESPACE}/workflows\n"
        f"    SMS outbox   {settings.SMS_OUTBOX_FILE}\n"
        "  Ctrl-C stops everything.\n\n"
        f"{demo_tokens(secret, settings.HALL_DIVISION)}\n"
    )
    while True:
        for child in children:
            if child.poll() is not None:
                log.error("a process exited; stopping", args=str(child.args), code=child.returncode)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
