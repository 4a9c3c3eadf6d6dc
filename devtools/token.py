"""`make token ROLE=<role> NAME=<name> [WINDOW=A03] [STAFF=<id>]`: a staff token for this hall.

Prints the bare token as the last line on stdout (anything else goes to stderr), signed
with the secret `make run` uses, so `TOKEN=$(make -s token ROLE=tax NAME=王五)` works.
"""

from __future__ import annotations

import argparse
import sys

from api.auth.tokens import Staff, issue_token
from config import get_settings
from devtools.secret import hall_secret
from models.actor import Role

HUMAN_ROLES = [r.value for r in Role if r is not Role.SYSTEM]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="issue a staff token for this hall")
    parser.add_argument("--role", required=True, action="append", choices=HUMAN_ROLES)
    parser.add_argument("--name", required=True)
    parser.add_argument("--window")
    parser.add_argument("--staff", help="staff id (default: the role and name)")
    parser.add_argument("--hours", type=int)
    args = parser.parse_args(argv)
    settings = get_settings()
    staff = Staff(
        staff_id=args.staff or f"{args.role[0]}-{args.name}",
        name=args.name,
        roles=tuple(Role(r) for r in args.role),
        hall=settings.HALL_DIVISION,
        window=args.window,
    )
    token = issue_token(hall_secret(settings), staff, hours=args.hours or settings.AUTH_TOKEN_HOURS)
    sys.stderr.write(f"token for {staff.staff_id} ({', '.join(args.role)})\n")
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
