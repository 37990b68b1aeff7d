"""The four failures that started the runtime, replayed against it at their scale: 10,002
rows in a real PostgreSQL, loaded with ``load_schedule_map`` as a service would.

1. down from 01:00 to 03:00, then a fresh process: every run of the gap runs, once;
2. a replica that took the 02:00 runs and crashed after one export: the others are
   retaken after the lease and run once;
3. one export raising a 503 under ``run_forever``: the loop carries on, the export is
   retried and succeeds;
4. two replicas whose clocks are 7 s apart: no run twice, none lost.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from runtime_support import Clock, Exports, drain, execute, postgres_ledger, utc
from test_loop import Loop, shifted_clock, wait_for

from cronspec import ScheduleMap, Scheduler
from cronspec.adapters.postgres import load_schedule_map

sys.path.insert(0, str(Path(__file__).parent.parent))
from benchmarks.corpus import make_rows

COLUMNS = ("id", "organization_id", "integration_type", "cron_schedule", "is_enabled", "timezone")
EDITED = "2026-11-01T00:00:00Z"


Source = Callable[[], ScheduleMap]


@pytest.fixture
def seeded(pg_db_dsn: str) -> Iterator[tuple[str, Callable[[], Source]]]:
    """10,002 rows of ``organization_integrations`` (some invalid, some disabled), and a
    maker of sources that load them, each on a connection of its own, as a service's
    ``schedules`` callable does (one psycopg connection is not shared by two threads)."""
    rows = make_rows(10_002, seed=11)
    with (
        psycopg.connect(pg_db_dsn) as conn,
        conn.cursor().copy(
            "COPY organization_integrations (id, organization_id, integration_type,"
            " cron_schedule, is_enabled, timezone, updated_at) FROM STDIN"
        ) as copy,
    ):
        # Edited before the scenarios' clocks: the loader delivers updated_at, and a row
        # edited later (the default, now()) must not fire before its edit.
        for row in rows:
            copy.write_row([*(row[column] for column in COLUMNS), EDITED])
    opened: list[psycopg.Connection[Any]] = []

    def source() -> Source:
        conn = psycopg.connect(pg_db_dsn)
        opened.append(conn)
        return lambda: load_schedule_map(conn)

    try:
        yield pg_db_dsn, source
    finally:
        for conn in opened:
            conn.close()


def keys(schedule: ScheduleMap, since: str, until: str) -> Counter[str]:
    return Counter(d.idempotency_key for d in schedule.due_between(utc(since), utc(until)))


def test_a_restart_after_two_hours_down_runs_every_missed_run_once(
    seeded: tuple[str, Callable[[], Source]],
) -> None:
    dsn, source = seeded
    load = source()
    clock = Clock("2026-12-01T01:00:20")
    exports = Exports()
    with postgres_ledger(dsn) as ledger:
        drain(Scheduler(load, ledger, worker="before", clock=clock), exports)
        clock.set("2026-12-01T03:00:20")
        drain(Scheduler(load, ledger, worker="after", clock=clock), exports)
    expected = keys(load(), "2026-12-01T00:59:20", "2026-12-01T03:00:20")
    assert sum(expected.values()) == 12_514
    assert exports.keys == expected


def test_a_replica_crashing_after_taking_its_runs_loses_none_of_them(
    seeded: tuple[str, Callable[[], Source]],
) -> None:
    dsn, source = seeded
    load = source()
    clock = Clock("2026-12-01T02:00:20")
    exports = Exports()
    with postgres_ledger(dsn) as ledger:
        crashing = Scheduler(load, ledger, worker="crashing", clock=clock)
        taken = crashing.tick(limit=100_000)
        assert len(taken) == 2_727
        execute(crashing, taken[:1], exports)  # one export, then the process dies
        clock.set("2026-12-01T02:05:21")  # the lease (5 minutes) has expired
        drain(Scheduler(load, ledger, worker="rescuer", clock=clock), exports)
        records = ledger.history(utc("2026-12-01T02:00"), utc("2026-12-01T02:00:01"))
    assert exports.keys == keys(load(), "2026-12-01T01:59:20", "2026-12-01T02:05:21")
    assert Counter((r.status, r.attempts, r.worker) for r in records) == {
        ("succeeded", 1, "crashing"): 1,
        ("succeeded", 2, "rescuer"): 2_726,
    }


def test_one_export_raising_a_503_does_not_stop_the_loop_and_is_retried(
    seeded: tuple[str, Callable[[], Source]],
) -> None:
    dsn, source = seeded
    load = source()
    due = load().due_at(utc("2026-12-01T02:00"))
    unlucky = due[len(due) // 2].idempotency_key
    exports = Exports(fail=lambda run: run.idempotency_key == unlucky and run.attempt == 1)
    expected = keys(load(), "2026-12-01T01:58:59", "2026-12-01T02:00:00")
    with postgres_ledger(dsn) as ledger:
        scheduler = Scheduler(
            load,
            ledger,
            worker="loop",
            clock=shifted_clock("2026-12-01T01:59:57.5"),
            retry_backoff=timedelta(seconds=1),
        )
        with Loop(scheduler, exports, concurrency=8):
            wait_for(lambda: len(exports.calls) == sum(expected.values()) + 1, seconds=60)
        records = ledger.history(utc("2026-12-01T01:59"), utc("2026-12-01T02:00:01"))
    assert exports.keys == expected + Counter([unlucky])
    assert Counter(r.status for r in records) == {"succeeded": sum(expected.values())}
    assert [(r.idempotency_key, r.attempts) for r in records if r.attempts > 1] == [(unlucky, 2)]


def test_two_replicas_with_clocks_seven_seconds_apart_share_the_work_without_duplicates(
    seeded: tuple[str, Callable[[], Source]],
) -> None:
    dsn, source = seeded
    load = source()
    real, fast = Clock("2026-12-01T02:00:00"), Clock("2026-12-01T02:00:07")
    exports = Exports()
    with postgres_ledger(dsn) as slow_ledger, postgres_ledger(dsn) as fast_ledger:
        replicas = [
            Scheduler(load, slow_ledger, worker="slow", clock=real, refresh=timedelta(minutes=15)),
            Scheduler(
                source(), fast_ledger, worker="fast", clock=fast, refresh=timedelta(minutes=15)
            ),
        ]
        for _ in range(60):
            threads = [threading.Thread(target=drain, args=(r, exports)) for r in replicas]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            real.advance(minutes=1)
            fast.advance(minutes=1)
        for replica in replicas:  # the last minute's stragglers
            drain(replica, exports)
        workers = Counter(
            r.worker for r in slow_ledger.history(utc("2026-12-01"), utc("2026-12-02"))
        )
    assert exports.keys == keys(load(), "2026-12-01T01:59:00", "2026-12-01T03:00:07")
    assert set(workers) == {"slow", "fast"}


def test_with_the_database_clock_no_run_starts_before_its_minute(
    seeded: tuple[str, Callable[[], Source]],
) -> None:
    dsn, source = seeded
    load = source()
    with postgres_ledger(dsn) as ledger:
        scheduler = Scheduler(load, ledger, worker="db-clock")
        runs: list[Any] = []
        for _ in range(3):
            runs += scheduler.tick(limit=100_000)
            time.sleep(0.3)
        started = {
            r.idempotency_key: r.started_at
            for r in ledger.history(utc("2026-01-01"), utc("2100-01-01"), "running")
        }
    assert len(started) == len(runs) == len({r.idempotency_key for r in runs})
    assert all(started[r.idempotency_key] >= r.scheduled_at for r in runs)
