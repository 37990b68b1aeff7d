"""``Scheduler.run_forever`` in real time (a clock shifted to just before a minute):
threads, warm-up, failed attempts, draining a backlog at the handlers' speed, stopping,
SIGTERM, and a connection lost under it."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from runtime_support import Exports, key, postgres_ledger, row, schedule_of, sqlite_ledger, utc

from cronspec import DueIntegration, Run, Scheduler, SQLiteLedger

HERE = Path(__file__).parent


def shifted_clock(reads: str) -> Callable[[], datetime]:
    """A real-time clock that reads ``reads`` now."""
    offset = utc(reads) - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        with sqlite_ledger(tmp_path / "runs.sqlite") as opened:
            yield opened
    else:
        with postgres_ledger(request.getfixturevalue("pg_db_dsn")) as opened:
            yield opened


class Loop:
    """run_forever in a thread, stopped (and joined) at the end of the test."""

    def __init__(self, scheduler: Scheduler, handler: Callable[[Run], object], **options: Any):
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=scheduler.run_forever, args=(handler,), kwargs={"stop": self.stop, **options}
        )

    def __enter__(self) -> Loop:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


def test_the_loop_runs_due_exports_warms_up_and_treats_an_exception_as_a_failed_attempt(
    ledger: Any,
) -> None:
    warmed: list[list[DueIntegration]] = []
    scheduler = Scheduler(
        schedule_of(row("i-1", "* * * * *"), row("i-2", "* * * * *"), row("i-3", "0 2 * * *")),
        ledger,
        worker="loop",
        clock=shifted_clock("2026-12-01T01:59:57.5"),
        warmup=timedelta(seconds=0.5),
        on_warmup=warmed.append,
    )
    exports = Exports(fail=lambda run: run.integration_id == "i-2")
    with Loop(scheduler, exports, concurrency=2):
        wait_for(lambda: len(exports.calls) == 4)
        time.sleep(0.2)  # nothing more is taken this minute
    assert sorted(exports.keys) == [
        key("i-1", "2026-12-01T01:59"),
        key("i-1", "2026-12-01T02:00"),
        key("i-2", "2026-12-01T01:59"),
        key("i-3", "2026-12-01T02:00"),
    ]
    assert [[d.idempotency_key for d in due] for due in warmed] == [
        [
            key("i-1", "2026-12-01T02:00"),
            key("i-2", "2026-12-01T02:00"),
            key("i-3", "2026-12-01T02:00"),
        ]
    ]
    records = {r.idempotency_key: r for r in ledger.history(utc("2026-12-01"), utc("2026-12-02"))}
    assert {k: (r.status, r.attempts) for k, r in records.items()} == {
        key("i-1", "2026-12-01T01:59"): ("succeeded", 1),
        key("i-1", "2026-12-01T02:00"): ("succeeded", 1),
        key("i-2", "2026-12-01T01:59"): ("failed", 1),
        key("i-2", "2026-12-01T02:00"): ("pending", 0),  # waits for 01:59's retry
        key("i-3", "2026-12-01T02:00"): ("succeeded", 1),
    }
    assert records[key("i-2", "2026-12-01T01:59")].error == (
        "RuntimeError: 503 Service Unavailable for i-2@2026-12-01T01:59Z"
    )


def test_a_backlog_drains_at_the_handlers_speed_not_a_minute_at_a_time(ledger: Any) -> None:
    schedule = schedule_of(*(row(f"i-{n}", "0 * * * *") for n in range(10)))
    planner = Scheduler(schedule, ledger, worker="before", clock=lambda: utc("2026-12-01T23:00:30"))
    assert len(planner.tick(limit=0)) == 0  # 23:00 planned, not taken
    scheduler = Scheduler(
        schedule, ledger, worker="loop", clock=shifted_clock("2026-12-02T02:00:10")
    )
    exports = Exports()

    def slow_export(run: Run) -> None:
        time.sleep(0.02)
        exports(run)

    with Loop(scheduler, slow_export, concurrency=4):
        wait_for(lambda: len(exports.calls) == 40, seconds=30)  # well before 02:01
    assert len(exports.keys) == 40
    for n in range(10):
        assert [r.scheduled_at.hour for r in exports.calls if r.integration_id == f"i-{n}"] == [
            23,
            0,
            1,
            2,
        ]


def test_stop_lets_a_running_export_finish_before_returning(ledger: Any) -> None:
    release = threading.Event()
    started = threading.Event()

    def long_export(run: Run) -> None:
        started.set()
        release.wait(10)

    scheduler = Scheduler(
        schedule_of(row("i-1", "* * * * *")),
        ledger,
        worker="loop",
        clock=shifted_clock("2026-12-01T01:59:50"),
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=scheduler.run_forever, args=(long_export,), kwargs={"stop": stop}
    )
    thread.start()
    assert started.wait(10)
    stop.set()
    thread.join(timeout=0.5)
    assert thread.is_alive()  # still waiting for the export
    release.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    [record] = ledger.history(utc("2026-12-01T01:59"), utc("2026-12-01T02:00"))
    assert record.status == "succeeded"


def test_sigterm_stops_taking_and_lets_the_running_export_finish(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(
        "import sys, time\n"
        "from datetime import UTC, datetime, timedelta\n"
        "from cronspec import ScheduleMap, Scheduler, SQLiteLedger\n"
        "rows = [{'id': f'i-{n}', 'organization_id': 'o', 'integration_type': 'xledger',\n"
        "         'cron_schedule': '* * * * *', 'is_enabled': True} for n in range(3)]\n"
        "offset = datetime(2026, 12, 1, 1, 59, 50, tzinfo=UTC) - datetime.now(UTC)\n"
        "def export(run):\n"
        "    print('started', run.idempotency_key, flush=True)\n"
        "    time.sleep(1.0)\n"
        "    print('finished', run.idempotency_key, flush=True)\n"
        "Scheduler(ScheduleMap.from_rows(rows), SQLiteLedger(sys.argv[1]), worker='w',\n"
        "          clock=lambda: datetime.now(UTC) + offset).run_forever(export, concurrency=1)\n"
        "print('returned', flush=True)\n"
    )
    path = tmp_path / "runs.sqlite"
    worker = subprocess.Popen(
        [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().split()[0] == "started"
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert [line.split()[0] for line in worker.stdout] == ["finished", "returned"]
    with sqlite_ledger(path) as ledger:
        records = ledger.history(utc("2026-12-01T01:59"), utc("2026-12-01T02:00"))
    assert sorted(r.status for r in records) == ["pending", "pending", "succeeded"]


def test_a_lost_connection_is_logged_and_the_loop_carries_on(
    pg_db_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    exports = Exports()
    with postgres_ledger(pg_db_dsn) as ledger, caplog.at_level(logging.ERROR, logger="cronspec"):
        scheduler = Scheduler(
            schedule_of(row("i-1", "* * * * *")),
            ledger,
            worker="loop",
            clock=shifted_clock("2026-12-01T01:59:57.5"),
        )
        with Loop(scheduler, exports):
            wait_for(lambda: len(exports.calls) == 1)
            time.sleep(0.2)  # the outcome is recorded
            with psycopg.connect(pg_db_dsn, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            wait_for(lambda: len(exports.calls) == 2)
    assert sorted(exports.keys) == [key("i-1", "2026-12-01T01:59"), key("i-1", "2026-12-01T02:00")]
    assert [r.getMessage() for r in caplog.records] == [
        "tick failed; retrying in 1 s (nothing is lost)"
    ]


def test_the_loop_refuses_a_bad_concurrency_or_stop(tmp_path: Path) -> None:
    scheduler = Scheduler(
        schedule_of(row("i-1", "* * * * *")), SQLiteLedger(":memory:"), worker="w"
    )
    with pytest.raises(ValueError, match="concurrency must be an int of at least 1"):
        scheduler.run_forever(print, concurrency=0)
    with pytest.raises(TypeError, match=r"stop must be a threading\.Event"):
        scheduler.run_forever(print, stop=True)
