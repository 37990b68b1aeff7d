"""What the runtime tests share: a simulated clock, rows, ledgers, and a way to drain."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from cronspec import Run, ScheduleMap, Scheduler, SQLiteLedger
from cronspec.adapters.postgres import PostgresLedger


def utc(text: str) -> datetime:
    """``"2026-12-01T02:00"`` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def key(integration: str, at: str) -> str:
    """The idempotency key of ``integration`` at the UTC minute ``at``."""
    return f"{integration}@{utc(at):%Y-%m-%dT%H:%MZ}"


class Clock:
    """A simulated clock: every time the runtime uses comes from it."""

    def __init__(self, start: datetime | str) -> None:
        self.now = utc(start) if isinstance(start, str) else start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def set(self, at: datetime | str) -> None:
        with self._lock:
            self.now = utc(at) if isinstance(at, str) else at

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self.now += timedelta(**delta)
            return self.now


def row(
    integration: str,
    schedule: str | None,
    *,
    org: str = "org-1",
    kind: str = "xledger",
    enabled: bool = True,
    zone: str | None = None,
    **extra: object,
) -> dict[str, object]:
    return {
        "id": integration,
        "organization_id": org,
        "integration_type": kind,
        "cron_schedule": schedule,
        "is_enabled": enabled,
        "timezone": zone,
        **extra,
    }


def schedule_of(*rows: dict[str, object]) -> ScheduleMap:
    return ScheduleMap.from_rows(rows)


class Exports:
    """A handler that records every export, thread-safely; optionally fails some."""

    def __init__(self, fail: Callable[[Run], bool] = lambda run: False) -> None:
        self.calls: list[Run] = []
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self, run: Run) -> None:
        with self._lock:
            self.calls.append(run)
        if self.fail(run):
            raise RuntimeError(f"503 Service Unavailable for {run.idempotency_key}")

    @property
    def keys(self) -> Counter[str]:
        with self._lock:
            return Counter(run.idempotency_key for run in self.calls)


def execute(scheduler: Scheduler, runs: Iterable[Run], export: Callable[[Run], object]) -> None:
    """What run_forever does with each run, inline: export, then record the outcome."""
    for run in runs:
        try:
            export(run)
        except Exception as error:
            scheduler.failed(run, error)
        else:
            scheduler.succeeded(run)


def drain(scheduler: Scheduler, export: Callable[[Run], object], *, limit: int = 1000) -> int:
    """Tick once, then take and execute until nothing is takeable now; the runs executed."""
    runs = scheduler.tick(limit=limit)
    done = 0
    while runs:
        execute(scheduler, runs, export)
        done += len(runs)
        runs = scheduler.take(limit=limit)
    return done


def statuses_of(ledger: Any, since: str, until: str) -> dict[str, str]:
    """idempotency key -> status of every ledger row in [since, until)."""
    return {r.idempotency_key: r.status for r in ledger.history(utc(since), utc(until))}


@contextmanager
def sqlite_ledger(path: Path) -> Iterator[SQLiteLedger]:
    ledger = SQLiteLedger(path)
    try:
        yield ledger
    finally:
        ledger.close()


@contextmanager
def postgres_ledger(dsn: str, **options: Any) -> Iterator[PostgresLedger]:
    ledger = PostgresLedger(lambda: psycopg.connect(dsn, **options))
    ledger.install()
    try:
        yield ledger
    finally:
        ledger.close()
