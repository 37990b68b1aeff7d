"""The scheduler runtime on both ledgers (SQLite and a real PostgreSQL), on a simulated
clock: planning and its watermark, catch-up and missed runs, coalescing, periods, retries,
leases, single flight, stale workers, no retroactive fire, logging."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from itertools import chain, pairwise, repeat
from pathlib import Path
from typing import Any

import pytest
from runtime_support import (
    Clock,
    Exports,
    drain,
    execute,
    key,
    postgres_ledger,
    row,
    schedule_of,
    sqlite_ledger,
    statuses_of,
    utc,
)

from cronspec import Run, ScheduleMap, Scheduler

LedgerFactory = Callable[[], AbstractContextManager[Any]]


@pytest.fixture(params=["sqlite", "postgres"])
def ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """``ledgers()`` opens one more ledger object (its own connections) on one store."""
    opened: list[AbstractContextManager[Any]] = []

    def open_one() -> Any:
        if request.param == "sqlite":
            manager: AbstractContextManager[Any] = sqlite_ledger(tmp_path / "runs.sqlite")
        else:
            manager = postgres_ledger(request.getfixturevalue("pg_db_dsn"))
        opened.append(manager)
        return manager.__enter__()

    yield open_one
    for manager in reversed(opened):
        manager.__exit__(None, None, None)


HOURLY = row("i-1", "0 * * * *")
QUARTERLY = row("i-2", "*/15 * * * *", org="org-2", kind="bufdir")


def scheduler(
    schedules: ScheduleMap | Callable[[], ScheduleMap],
    ledger: Any,
    clock: Clock,
    worker: str = "w-1",
    **options: Any,
) -> Scheduler:
    return Scheduler(schedules, ledger, worker=worker, clock=clock, **options)


# -- planning -----------------------------------------------------------------------------------


def test_the_first_tick_plans_only_the_last_minute(ledgers: Callable[[], Any]) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T02:00:30")
    runs = scheduler(schedule_of(HOURLY, QUARTERLY), ledger, clock).tick()
    assert [(r.idempotency_key, r.period_start, r.attempt, r.worker) for r in runs] == [
        ("i-1@2026-12-01T02:00Z", utc("2026-12-01T01:00"), 1, "w-1"),
        ("i-2@2026-12-01T02:00Z", utc("2026-12-01T01:45"), 1, "w-1"),
    ]
    assert statuses_of(ledger, "2026-11-01T00:00", "2027-01-01T00:00") == {
        "i-1@2026-12-01T02:00Z": "running",
        "i-2@2026-12-01T02:00Z": "running",
    }


def test_nothing_is_planned_ahead_of_now(ledgers: Callable[[], Any]) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T01:59:59")
    assert scheduler(schedule_of(HOURLY), ledger, clock).tick() == []
    assert statuses_of(ledger, "2026-12-01T00:00", "2026-12-02T00:00") == {}


def test_a_restart_after_three_hours_runs_every_occurrence_of_the_gap_once(
    ledgers: Callable[[], Any],
) -> None:
    ledger = ledgers()
    schedule = schedule_of(HOURLY, QUARTERLY)
    clock = Clock("2026-12-01T01:00:30")
    exports = Exports()
    drain(scheduler(schedule, ledger, clock), exports)
    clock.set("2026-12-01T04:00:30")  # down for three hours; a new process starts
    drain(scheduler(schedule, ledgers(), clock, worker="w-2"), exports)
    expected = schedule.due_between(utc("2026-12-01T00:59:30"), utc("2026-12-01T04:00:30"))
    assert len(expected) == 4 + 13  # hourly 01:00-04:00, quarter-hourly 01:00-04:00
    assert exports.keys == Counter(due.idempotency_key for due in expected)
    assert set(statuses_of(ledger, "2026-12-01T00:00", "2026-12-02T00:00").values()) == {
        "succeeded"
    }


def test_runs_of_a_catch_up_carry_their_own_periods(ledgers: Callable[[], Any]) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T01:00:30")
    drain(scheduler(schedule_of(HOURLY), ledger, clock), Exports())
    clock.set("2026-12-01T03:10:00")
    exports = Exports()
    drain(scheduler(schedule_of(HOURLY), ledgers(), clock), exports)
    assert [(r.scheduled_at, r.period_start) for r in exports.calls] == [
        (utc("2026-12-01T02:00"), utc("2026-12-01T01:00")),
        (utc("2026-12-01T03:00"), utc("2026-12-01T02:00")),
    ]


def test_three_days_down_with_a_one_day_window_records_the_older_runs_as_missed(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T00:00:30")
    drain(scheduler(schedule_of(HOURLY), ledger, clock), Exports())
    clock.set("2026-12-04T00:00:30")
    exports = Exports()
    with caplog.at_level(logging.WARNING, logger="cronspec"):
        drain(scheduler(schedule_of(HOURLY), ledgers(), clock, catchup=timedelta(days=1)), exports)
    missed = ledger.history(utc("2026-12-01T00:00"), utc("2026-12-05T00:00"), status="missed")
    assert len(missed) == 48
    assert (missed[0].scheduled_at, missed[-1].scheduled_at) == (
        utc("2026-12-01T01:00"),
        utc("2026-12-03T00:00"),
    )
    assert {(r.started_at, r.attempts, r.worker) for r in missed} == {(None, 0, None)}
    assert len(exports.calls) == 24
    assert (exports.calls[0].scheduled_at, exports.calls[-1].scheduled_at) == (
        utc("2026-12-03T01:00"),
        utc("2026-12-04T00:00"),
    )
    warnings = [r for r in caplog.records if "missed" in r.getMessage()]
    assert [r.getMessage() for r in warnings] == [
        "integration i-1 of organization org-1 missed 48 runs (2026-12-01T01:00Z to"
        " 2026-12-03T00:00Z): older than the catch-up window of 1 day, 0:00:00, recorded as"
        " missed"
    ]
    assert (warnings[0].integration_id, warnings[0].missed) == ("i-1", 48)  # type: ignore[attr-defined]


def test_coalescing_merges_a_six_hour_gap_into_one_run_covering_every_period(
    ledgers: Callable[[], Any],
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T00:00:30")
    drain(scheduler(schedule_of(HOURLY), ledger, clock, coalesce=True), Exports())
    clock.set("2026-12-01T06:00:30")
    exports = Exports()
    drain(scheduler(schedule_of(HOURLY), ledgers(), clock, coalesce=True), exports)
    [run] = exports.calls
    assert (run.idempotency_key, run.period_start) == (
        "i-1@2026-12-01T06:00Z",
        utc("2026-12-01T00:00"),
    )
    records = ledger.history(utc("2026-12-01T00:00"), utc("2026-12-02T00:00"))
    assert [(r.scheduled_at.hour, r.status, r.covered_by) for r in records] == [
        (0, "succeeded", None),
        *[(hour, "coalesced", utc("2026-12-01T06:00")) for hour in range(1, 6)],
        (6, "succeeded", None),
    ]


def test_coalescing_leaves_a_single_due_run_alone(ledgers: Callable[[], Any]) -> None:
    clock = Clock("2026-12-01T02:00:30")
    [run] = scheduler(schedule_of(HOURLY), ledgers(), clock, coalesce=True).tick()
    assert (run.scheduled_at, run.period_start) == (
        utc("2026-12-01T02:00"),
        utc("2026-12-01T01:00"),
    )


def test_a_replica_planning_the_same_window_again_adds_nothing(
    ledgers: Callable[[], Any],
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T02:00:30")
    first = scheduler(schedule_of(HOURLY), ledger, clock)
    second = scheduler(schedule_of(HOURLY), ledgers(), clock, worker="w-2")
    assert [r.idempotency_key for r in first.tick()] == ["i-1@2026-12-01T02:00Z"]
    assert second.tick() == []
    clock.set("2026-12-01T02:00:10")  # a clock that went back never moves the watermark
    assert second.tick() == []
    assert statuses_of(ledger, "2026-12-01T00:00", "2026-12-02T00:00") == {
        "i-1@2026-12-01T02:00Z": "running"
    }


# -- failures, retries, leases ---------------------------------------------------------------------


def test_a_handler_failing_twice_then_succeeding_is_retried_with_doubling_backoff(
    ledgers: Callable[[], Any],
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T02:00:30")
    exports = Exports(fail=lambda run: run.attempt < 3)
    worker = scheduler(schedule_of(HOURLY), ledger, clock, retry_backoff=timedelta(minutes=1))
    attempts: list[tuple[str, int]] = []

    def tick_at(at: str) -> None:
        clock.set(at)
        runs = worker.tick()
        attempts.extend((at, run.attempt) for run in runs)
        execute(worker, runs, exports)

    for at in ["2026-12-01T02:00:30", "2026-12-01T02:01:29", "2026-12-01T02:01:30"]:
        tick_at(at)
    for at in ["2026-12-01T02:03:29", "2026-12-01T02:03:30"]:  # the 2nd retry waits 2 minutes
        tick_at(at)
    assert attempts == [
        ("2026-12-01T02:00:30", 1),
        ("2026-12-01T02:01:30", 2),
        ("2026-12-01T02:03:30", 3),
    ]
    [record] = ledger.history(utc("2026-12-01T02:00"), utc("2026-12-01T02:01"))
    assert (record.status, record.attempts, record.started_at, record.error) == (
        "succeeded",
        3,
        utc("2026-12-01T02:03:30"),
        "RuntimeError: 503 Service Unavailable for i-1@2026-12-01T02:00Z",
    )


def test_a_handler_failing_forever_ends_dead_while_the_next_period_waits(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T02:00:30")
    exports = Exports(fail=lambda run: run.scheduled_at.hour == 2)
    worker = scheduler(
        schedule_of(HOURLY), ledger, clock, max_attempts=3, retry_backoff=timedelta(minutes=20)
    )
    taken: list[tuple[str, int]] = []
    with caplog.at_level(logging.WARNING, logger="cronspec"):
        for at in ["02:00:30", "02:20:30", "03:00:30", "03:01:00", "03:02:00"]:
            clock.set(f"2026-12-01T{at}")
            runs = worker.tick()
            taken += [(f"{r.scheduled_at:%H:%M}#{r.attempt}", at) for r in runs]
            execute(worker, runs, exports)
    # 02:00 fails at 02:00:30 and 02:20:30; its third attempt is due at 03:00:30, before the
    # 03:00 period, which waits for it and runs once it is dead.
    assert taken == [
        ("02:00#1", "02:00:30"),
        ("02:00#2", "02:20:30"),
        ("02:00#3", "03:00:30"),
        ("03:00#1", "03:01:00"),
    ]
    assert statuses_of(ledger, "2026-12-01T00:00", "2026-12-02T00:00") == {
        "i-1@2026-12-01T02:00Z": "dead",
        "i-1@2026-12-01T03:00Z": "succeeded",
    }
    [dead] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert dead.getMessage() == (
        "run i-1@2026-12-01T02:00Z of organization org-1 is dead after 3 attempts:"
        " RuntimeError: 503 Service Unavailable for i-1@2026-12-01T02:00Z"
    )


def test_one_integration_never_runs_twice_at_once_and_its_periods_run_in_order(
    ledgers: Callable[[], Any],
) -> None:
    minutely = schedule_of(row("i-9", "* * * * *"))
    clock = Clock("2026-12-01T02:00:30")
    a = scheduler(minutely, ledgers(), clock, worker="a")
    b = scheduler(minutely, ledgers(), clock, worker="b")
    [first] = a.tick()
    clock.set("2026-12-01T02:02:30")
    assert b.tick() == []  # 02:01 and 02:02 wait while 02:00 runs
    assert a.succeeded(first)
    assert [r.idempotency_key for r in b.take()] == ["i-9@2026-12-01T02:01Z"]
    assert a.take() == []  # 02:02 waits for 02:01


def test_an_expired_lease_is_retaken_as_the_next_attempt_and_the_stale_worker_changes_nothing(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T02:00:30")
    a = scheduler(schedule_of(HOURLY, QUARTERLY), ledger, clock, worker="a")
    b = scheduler(schedule_of(HOURLY, QUARTERLY), ledgers(), clock, worker="b")
    first, second = a.tick()
    assert a.succeeded(second)
    clock.set("2026-12-01T02:05:30")  # the lease ends at 02:05:30: not yet expired
    assert b.take() == []
    clock.set("2026-12-01T02:05:31")
    [retaken] = b.take()
    assert (retaken.idempotency_key, retaken.attempt, retaken.worker) == (
        first.idempotency_key,
        2,
        "b",
    )
    with caplog.at_level(logging.WARNING, logger="cronspec"):
        assert a.succeeded(first) is False
        assert a.failed(first, "late") is False
        assert a.heartbeat(first) is False
    assert len(caplog.records) == 3
    assert caplog.records[0].getMessage() == (
        "run i-1@2026-12-01T02:00Z of organization org-1 succeeded: ignored, attempt 1 is no"
        " longer a's (its lease expired and the run was retaken, or it already finished)"
    )
    [record] = ledger.history(utc("2026-12-01T02:00"), utc("2026-12-01T02:00:01"), "running")
    assert (record.worker, record.attempts, record.error) == ("b", 2, None)
    assert b.succeeded(retaken)


def test_a_heartbeat_keeps_a_long_export_from_being_retaken(ledgers: Callable[[], Any]) -> None:
    clock = Clock("2026-12-01T02:00:30")
    a = scheduler(schedule_of(HOURLY), ledgers(), clock, worker="a")
    b = scheduler(schedule_of(HOURLY), ledgers(), clock, worker="b")
    [run] = a.tick()
    clock.set("2026-12-01T02:04:30")
    assert a.heartbeat(run)  # the lease now ends at 02:09:30
    clock.set("2026-12-01T02:09:30")
    assert b.take() == []
    clock.set("2026-12-01T02:09:31")
    assert [(r.idempotency_key, r.attempt) for r in b.take()] == [("i-1@2026-12-01T02:00Z", 2)]


def test_a_lease_expiring_on_the_last_attempt_makes_the_run_dead(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T02:00:30")
    worker = scheduler(schedule_of(HOURLY), ledger, clock, max_attempts=2)
    assert [r.attempt for r in worker.tick()] == [1]
    clock.advance(minutes=6)
    assert [r.attempt for r in worker.take()] == [2]
    clock.advance(minutes=6)
    with caplog.at_level(logging.ERROR, logger="cronspec"):
        assert worker.take() == []
    [record] = ledger.history(utc("2026-12-01T02:00"), utc("2026-12-01T03:00"))
    assert (record.status, record.error) == ("dead", "lease expired on attempt 2 of 2 (worker w-1)")
    assert [r.getMessage() for r in caplog.records] == [
        "run i-1@2026-12-01T02:00Z of organization org-1 is dead: its lease expired on attempt"
        " 2 of 2 (worker w-1)"
    ]


def test_a_late_start_is_a_warning_with_the_lateness(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T01:59:30")
    worker = scheduler(schedule_of(row("i-3", "0 2 * * *")), ledger, clock)
    assert worker.tick() == []
    clock.set("2026-12-01T02:07:00")  # the next tick comes seven minutes late
    with caplog.at_level(logging.WARNING, logger="cronspec"):
        [_run] = worker.tick()
    [warning] = caplog.records
    assert warning.getMessage() == (
        "run i-3@2026-12-01T02:00Z of organization org-1 started 0:07:00 after its scheduled"
        " time (drift alert 0:05:00)"
    )
    assert warning.lateness_seconds == 420.0  # type: ignore[attr-defined]
    [record] = ledger.history(utc("2026-12-01T00:00"), utc("2026-12-02T00:00"))
    assert record.lateness == timedelta(minutes=7)


def test_many_late_starts_also_get_one_summary_line(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock("2026-12-01T01:59:30")
    worker = scheduler(
        schedule_of(*(row(f"i-{n}", "0 2 * * *") for n in range(12))), ledgers(), clock
    )
    worker.tick()
    clock.set("2026-12-01T02:10:00")
    with caplog.at_level(logging.WARNING, logger="cronspec"):
        assert len(worker.tick()) == 12
    assert len(caplog.records) == 13
    assert caplog.records[-1].getMessage() == (
        "12 runs started later than 0:05:00 this tick (worst 0:10:00)"
    )


# -- edits, re-enables and bad rows -------------------------------------------------------------------


def test_an_edited_new_or_re_enabled_row_never_fires_before_it_was_seen(
    ledgers: Callable[[], Any],
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T01:00:30")
    before = schedule_of(
        row("same", "0 * * * *"),
        row("edited", "0 * * * *"),
        row("re-enabled", "0 * * * *", enabled=False),
    )
    after = schedule_of(
        row("same", "0 * * * *"),
        row("edited", "30 * * * *"),
        row("re-enabled", "0 * * * *"),
        row("new", "0 * * * *"),
    )
    maps = chain([before], repeat(after))
    worker = scheduler(lambda: next(maps), ledger, clock)
    drain(worker, Exports())
    clock.set("2026-12-01T04:00:30")  # three hours later, the same process refreshes
    exports = Exports()
    drain(worker, exports)
    assert sorted(exports.keys) == [
        key("new", "2026-12-01T04:00"),
        key("re-enabled", "2026-12-01T04:00"),
        key("same", "2026-12-01T02:00"),
        key("same", "2026-12-01T03:00"),
        key("same", "2026-12-01T04:00"),
    ]
    clock.set("2026-12-01T04:30:30")
    assert [r.idempotency_key for r in worker.tick()] == [key("edited", "2026-12-01T04:30")]


def test_updated_at_keeps_a_restarted_scheduler_from_firing_an_edit_retroactively(
    ledgers: Callable[[], Any],
) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T01:00:30")
    old = utc("2026-01-01T00:00")
    first = schedule_of(row("kept", "0 * * * *", updated_at=old), row("edited", "0 * * * *"))
    drain(scheduler(first, ledger, clock), Exports())
    clock.set("2026-12-01T04:00:30")
    edited = utc("2026-12-01T02:30:10")  # edited while no scheduler was running
    second = schedule_of(
        row("kept", "0 * * * *", updated_at=old),
        row("edited", "0 * * * *", updated_at=edited),
    )
    exports = Exports()
    drain(scheduler(second, ledgers(), clock, worker="w-2"), exports)
    assert sorted(exports.keys) == [
        key("edited", "2026-12-01T03:00"),
        key("edited", "2026-12-01T04:00"),
        key("kept", "2026-12-01T02:00"),
        key("kept", "2026-12-01T03:00"),
        key("kept", "2026-12-01T04:00"),
    ]


def test_a_bad_row_is_logged_once_across_reloads_and_again_when_its_value_changes(
    ledgers: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    values = iter(["99 * * * *", "99 * * * *", "99 * * * *", "0 0 30 2 *", "0 0 30 2 *"])
    clock = Clock("2026-12-01T02:00:30")
    worker = scheduler(lambda: schedule_of(HOURLY, row("typo", next(values))), ledgers(), clock)
    with caplog.at_level(logging.WARNING, logger="cronspec"):
        for _ in range(5):
            worker.tick()
            clock.advance(minutes=1)
    assert [r.getMessage() for r in caplog.records if "typo" in r.getMessage()] == [
        "skipping integration 'typo' of organization 'org-1': minute: 99 is out of range 0-59"
        " (column 1) (value: '99 * * * *')",
        "skipping integration 'typo' of organization 'org-1': day-of-month: February has no"
        " day 30 (column 5) (value: '0 0 30 2 *')",
    ]


# -- history -------------------------------------------------------------------------------------------


def test_history_selects_by_scheduled_time_and_status(ledgers: Callable[[], Any]) -> None:
    ledger = ledgers()
    clock = Clock("2026-12-01T00:00:30")
    drain(scheduler(schedule_of(HOURLY), ledger, clock), Exports())
    clock.set("2026-12-01T05:00:30")
    worker = scheduler(schedule_of(HOURLY), ledgers(), clock, catchup=timedelta(hours=2, minutes=1))
    worker.tick(limit=1)
    window = (utc("2026-12-01T00:00"), utc("2026-12-01T05:00"))
    assert [r.scheduled_at.hour for r in ledger.history(*window)] == [0, 1, 2, 3, 4]
    assert [r.scheduled_at.hour for r in ledger.history(*window, status="missed")] == [1, 2]
    assert [r.status for r in ledger.history(*window, status=["running", "pending"])] == [
        "running",
        "pending",
    ]
    assert [r.scheduled_at.hour for r in ledger.history(*window, limit=2)] == [0, 1]
    with pytest.raises(ValueError, match="unknown status 'lost'"):
        ledger.history(*window, status="lost")


# -- many replicas ----------------------------------------------------------------------------------------


def test_two_replicas_whose_clocks_are_seven_seconds_apart_never_duplicate(
    ledgers: Callable[[], Any],
) -> None:
    schedule = schedule_of(*(row(f"i-{n}", f"{n % 4 * 15} * * * *") for n in range(40)))
    real = Clock("2026-12-01T00:00:00")
    fast = Clock("2026-12-01T00:00:07")
    replicas = [
        scheduler(schedule, ledgers(), real, "slow"),
        scheduler(schedule, ledgers(), fast, "fast"),
    ]
    exports = Exports()
    for _ in range(6 * 60):  # six hours, a tick a minute each
        for replica in replicas:
            execute(replica, replica.tick(), exports)
        real.advance(minutes=1)
        fast.advance(minutes=1)
    expected = schedule.due_between(utc("2026-11-30T23:59:00"), real.now - timedelta(minutes=1))
    assert len(expected) == 240
    assert exports.keys == Counter(due.idempotency_key for due in expected)


DST_ROWS = [
    # Oslo's clocks go back from 03:00 to 02:00 on 25 October 2026 (01:00 UTC).
    row("fixed-0230", "30 2 * * *", zone="Europe/Oslo"),  # once, on the first pass
    row("wild-half-hours", "*/30 * * * *", zone="Europe/Oslo"),  # both passes
    row("wild-hour-2", "15 * * * *", zone="Europe/Oslo"),
    row("month-end", "0 23 L * *", zone="Europe/Oslo"),
    row("new-york", "0 */3 * * *", zone="America/New_York"),
    row("utc-quarters", "*/15 * * * *"),
]


def test_three_schedulers_through_48_hours_and_a_dst_night_export_everything_exactly_once(
    ledgers: Callable[[], Any],
) -> None:
    import random

    rows = [
        {**template, "id": f"{template['id']}-{n}", "organization_id": f"org-{n % 17}"}
        for n in range(33)
        for template in DST_ROWS
    ]
    schedule = ScheduleMap.from_rows(rows)
    assert len(schedule) == 198
    clock = Clock("2026-10-24T12:00:40")
    start = clock.now - timedelta(minutes=1)
    replicas = [scheduler(schedule, ledgers(), clock, f"replica-{n}") for n in range(3)]
    exports = Exports()
    steps = random.Random(25).choices([1, 1, 1, 2, 3, 7, 16], k=2000)
    barrier = threading.Barrier(4)
    done = threading.Event()
    errors: list[BaseException] = []

    def replica_loop(replica: Scheduler) -> None:
        while True:
            barrier.wait()
            if done.is_set():
                return
            try:
                drain(replica, exports, limit=50)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
            barrier.wait()

    threads = [threading.Thread(target=replica_loop, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    end = start + timedelta(hours=48)
    for step in steps:
        if clock.now + timedelta(minutes=step) > end:
            break
        barrier.wait()
        barrier.wait()
        clock.advance(minutes=step)
    done.set()
    barrier.wait()
    for thread in threads:
        thread.join()
    assert errors == []
    # What the last ticks left: everything due by then is done, nothing is left open.
    for replica in replicas:
        drain(replica, exports)
    expected = schedule.due_between(start, clock.now)
    night = [  # both passes of Oslo's repeated hour, 02:00-02:59 CEST then CET
        f"{d.scheduled_at:%H:%M}"
        for d in expected
        if d.integration_id == "wild-half-hours-0"
        and d.scheduled_at.date() == start.date() + timedelta(days=1)
        and d.scheduled_at.hour < 2
    ]
    assert night == ["00:00", "00:30", "01:00", "01:30"]
    assert exports.keys == Counter(due.idempotency_key for due in expected)
    assert max(exports.keys.values()) == 1
    ledger = replicas[0].ledger
    records = ledger.history(start, clock.now + timedelta(minutes=1))
    assert len(records) == len(expected)
    assert {r.status for r in records} == {"succeeded"}
    assert len({r.worker for r in records}) == 3  # all three replicas did work
    by_integration: dict[str, list[Run]] = {}
    for run in sorted(exports.calls, key=lambda r: r.scheduled_at):
        by_integration.setdefault(run.integration_id, []).append(run)
    for runs in by_integration.values():  # the periods tile the timeline: no gap, no overlap
        for earlier, later in pairwise(runs):
            assert later.period_start == earlier.scheduled_at


def test_a_spring_forward_night_runs_the_skipped_fixed_time_job_once_after_the_gap(
    ledgers: Callable[[], Any],
) -> None:
    schedule = schedule_of(
        row("fixed", "30 2 * * *", zone="Europe/Oslo"),  # 02:30 does not exist on 29 March
        row("wild", "*/30 * * * *", zone="Europe/Oslo"),
    )
    clock = Clock("2026-03-29T00:00:20")  # 01:00:20 in Oslo, an hour before the gap
    worker = scheduler(schedule, ledgers(), clock)
    exports = Exports()
    while clock.now < utc("2026-03-29T01:55:00"):
        drain(worker, exports)
        last = clock.now
        clock.advance(minutes=7)
    assert sorted(exports.keys) == [
        key("fixed", "2026-03-29T01:00"),  # 03:00 CEST: the first instant after the gap
        key("wild", "2026-03-29T00:00"),  # 01:00 CET
        key("wild", "2026-03-29T00:30"),  # 01:30 CET; then 02:00-02:59 never happens
        key("wild", "2026-03-29T01:00"),  # 03:00 CEST
        key("wild", "2026-03-29T01:30"),  # 03:30 CEST
    ]
    assert exports.keys == Counter(
        d.idempotency_key for d in schedule.due_between(utc("2026-03-28T23:59:20"), last)
    )


def test_the_scheduler_refuses_bad_settings_with_one_line_each() -> None:
    from cronspec import SQLiteLedger

    ledger = SQLiteLedger(":memory:")
    schedule = schedule_of(HOURLY)
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"worker": ""}, ValueError, "worker must be a non-empty str naming this replica"),
        ({"lease": timedelta(0)}, ValueError, "lease must be positive, not 0:00:00"),
        ({"catchup": timedelta(-1)}, ValueError, "catchup must be at least 0, not -1 day, 0:00:00"),
        ({"max_attempts": 0}, ValueError, "max_attempts must be an int of at least 1, not 0"),
        ({"retry_backoff": 60}, TypeError, "retry_backoff must be a timedelta, not int"),
    ]
    for options, error, message in cases:
        with pytest.raises(error) as raised:
            Scheduler(schedule, ledger, **{"worker": "w", **options})
        assert str(raised.value) == message
    with pytest.raises(TypeError, match="schedules must be a ScheduleMap or a callable"):
        Scheduler("0 2 * * *", ledger, worker="w")  # type: ignore[arg-type]
    naive = Scheduler(
        schedule, ledger, worker="w", clock=lambda: utc("2026-12-01").replace(tzinfo=None)
    )
    with pytest.raises(ValueError, match="clock returned a naive datetime 2026-12-01T00:00:00"):
        naive.tick()
    with pytest.raises(TypeError, match="schedules\\(\\) returned str, not a ScheduleMap"):
        Scheduler(lambda: "nope", ledger, worker="w", clock=Clock("2026-12-01T00:00")).tick()  # type: ignore[arg-type, return-value]


def test_local_mean_time_runs_at_the_next_whole_utc_minute_and_periods_still_tile(
    ledgers: Callable[[], Any],
) -> None:
    # Monrovia kept -0:44:30 until 1972: its 10:00 is 10:44:30 UTC, which runs at 10:45Z.
    clock = Clock("1970-06-01T10:44:50")
    worker = scheduler(
        schedule_of(row("lmt", "0 10 * * *", zone="Africa/Monrovia")), ledgers(), clock
    )
    assert worker.tick() == []  # the fire time has passed, its run minute has not
    clock.set("1970-06-01T10:45:00")
    [run] = worker.tick()
    assert (run.idempotency_key, run.period_start) == (
        "lmt@1970-06-01T10:45Z",
        utc("1970-05-31T10:45"),
    )
