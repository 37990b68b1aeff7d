"""A worker process for the SIGKILL test: takes the due runs, exports all but the last,
then hangs in the middle of the last export until it is killed.

Usage: ``python kill_target.py DSN`` (rows: tests.test_runtime_postgres.KILL_ROWS).
Prints ``exported <key>`` per finished export and ``exporting <key> <period_start>`` once
it is stuck, then sleeps.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import psycopg

from cronspec import ScheduleMap, Scheduler
from cronspec.adapters.postgres import PostgresLedger

ROWS = [
    {
        "id": f"kill-{n}",
        "organization_id": "org-k",
        "integration_type": "dynamics",
        "cron_schedule": "* * * * *",
        "is_enabled": True,
    }
    for n in range(3)
]


def main(dsn: str) -> None:
    ledger = PostgresLedger(lambda: psycopg.connect(dsn))
    scheduler = Scheduler(
        ScheduleMap.from_rows(ROWS), ledger, worker="victim", lease=timedelta(seconds=2)
    )
    *done, last = scheduler.tick()
    for run in done:
        assert scheduler.succeeded(run)
        print("exported", run.idempotency_key, flush=True)
    print("exporting", last.idempotency_key, last.period_start.isoformat(), flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1])
