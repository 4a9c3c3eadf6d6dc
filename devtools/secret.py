"""The signing secret of a hall run by `make run`: random, kept under var/, never committed."""

from __future__ import annotations

import os
import secrets

from config import DEV_AUTH_SECRET, ROOT, Settings

SECRET_FILE = ROOT / "var" / "auth_secret"


def hall_secret(settings: Settings) -> str:
    """The configured AUTH_SECRET if one is set, else the one `make run` keeps in var/."""
    if settings.AUTH_SECRET != DEV_AUTH_SECRET:
        return settings.AUTH_SECRET
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return SECRET_FILE.read_text().strip()
