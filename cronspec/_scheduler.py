"""The scheduler: plan what fell due into the ledger, take runs, record how they ended.

A tick reads one ``now`` (from ``clock``, else the ledger's clock), then

1. *plans* ``(watermark, now]`` in one ledger transaction: every occurrence of the window
   becomes a row (``missed`` when older than ``now - catchup``, else ``pending``; with
   ``coalesce``, an integration's pending backlog becomes one run covering its periods),
   and the watermark moves to ``now`` in the same transaction, so a crash loses nothing
   and a restart repeats nothing;
2. *takes* the runs this worker may start now (see ``_runs.py`` for the life of a row).

The handler's outcome is recorded with :meth:`Scheduler.succeeded` / :meth:`failed`; a
long export calls :meth:`heartbeat`. :meth:`run_forever` arranges all of it in time.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from ._runs import Batch, Ledger, Run, batches, error_text, retry_delay
from ._schedule import DueIntegration, ScheduleMap, quiet_rejections

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

FIRST_WINDOW = timedelta(minutes=1)  # the first tick ever plans (now - 1 minute, now]
BATCH_ROWS = 50_000  # occurrences per insert statement
MANY_LATE = 10  # late runs in one tick that also earn a summary line
_NEVER = datetime.min.replace(tzinfo=UTC)

Schedules = ScheduleMap | Callable[[], ScheduleMap]


def _minute(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def _positive(name: str, value: timedelta, *, zero: bool = False) -> timedelta:
    if not isinstance(value, timedelta):
        raise TypeError(f"{name} must be a timedelta, not {type(value).__name__}")
    if value < timedelta(0) or (value == timedelta(0) and not zero):
        raise ValueError(f"{name} must be {'at least 0' if zero else 'positive'}, not {value}")
    return value


class _Missed:
    """The missed occurrences of one planning, per integration, for one WARNING each."""

    def __init__(self) -> None:
        self.groups: list[tuple[list[str], list[str], str, int, datetime, datetime]] = []

    def add(self, orgs: list[str], ids: list[str], kind: str, times: list[datetime]) -> None:
        self.groups.append((orgs, ids, kind, len(times), times[0], times[-1]))

    def log(self, catchup: timedelta) -> None:
        for orgs, ids, kind, count, first, last in self.groups:
            for org, integration in zip(orgs, ids, strict=True):
                logger.warning(
                    "integration %s of organization %s missed %d run%s (%s to %s): "
                    "older than the catch-up window of %s, recorded as missed",
                    integration,
                    org,
                    count,
                    "s" * (count != 1),
                    f"{first:%Y-%m-%dT%H:%MZ}",
                    f"{last:%Y-%m-%dT%H:%MZ}",
                    catchup,
                    extra={
                        "org_id": org,
                        "integration_id": integration,
                        "integration_type": kind,
                        "missed": count,
                        "first_missed": first.isoformat(),
                        "last_missed": last.isoformat(),
                    },
                )


class Scheduler:
    """Runs every due integration once per occurrence, across replicas, through restarts.

    ``schedules`` is a :class:`ScheduleMap` or a callable returning one, called again every
    ``refresh``. ``ledger`` records every occurrence (:class:`SQLiteLedger`, or
    ``PostgresLedger`` for replicas). ``clock=None`` uses the ledger's clock, read once
    per tick, so replicas agree; a given clock supplies every time the runtime uses.
    """

    def __init__(
        self,
        schedules: Schedules,
        ledger: Ledger,
        *,
        worker: str,
        clock: Callable[[], datetime] | None = None,
        catchup: timedelta = timedelta(days=1),
        coalesce: bool = False,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 5,
        retry_backoff: timedelta = timedelta(minutes=1),
        drift_alert: timedelta = timedelta(minutes=5),
        refresh: timedelta = timedelta(minutes=1),
        warmup: timedelta = timedelta(seconds=30),
        on_warmup: Callable[[list[DueIntegration]], object] | None = None,
    ) -> None:
        if not isinstance(schedules, ScheduleMap) and not callable(schedules):
            raise TypeError("schedules must be a ScheduleMap or a callable returning one")
        if not isinstance(worker, str) or not worker:
            raise ValueError("worker must be a non-empty str naming this replica")
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise ValueError(f"max_attempts must be an int of at least 1, not {max_attempts!r}")
        self.ledger = ledger
        self.worker = worker
        self.catchup = _positive("catchup", catchup, zero=True)
        self.coalesce = bool(coalesce)
        self.lease = _positive("lease", lease)
        self.max_attempts = max_attempts
        self.retry_backoff = _positive("retry_backoff", retry_backoff, zero=True)
        self.drift_alert = _positive("drift_alert", drift_alert, zero=True)
        self.refresh = _positive("refresh", refresh)
        self.warmup = _positive("warmup", warmup, zero=True)
        self.on_warmup = on_warmup
        self._clock = clock
        self._source = None if isinstance(schedules, ScheduleMap) else schedules
        self._map = schedules if isinstance(schedules, ScheduleMap) else None
        self._loaded_at = 0.0
        # Rows a refresh saw for the first time (new, edited or re-enabled): they never
        # fire before the minute of the tick that first saw them.
        self._first_seen: dict[str, datetime | None] = {}
        self._rejections: set[tuple[str, str, str]] = set()

    def __repr__(self) -> str:
        return f"<Scheduler worker={self.worker!r} ledger={self.ledger!r}>"

    # -- time and schedules ----------------------------------------------------------------

    def _given_now(self) -> datetime | None:
        if self._clock is None:
            return None
        now = self._clock()
        if now.utcoffset() is None:
            raise ValueError(f"clock returned a naive datetime {now.isoformat()}: give it a zone")
        return now

    def _elapsed(self) -> float:
        """Seconds on the clock that paces refreshes: the given clock, else monotonic."""
        return self._clock().timestamp() if self._clock else time.monotonic()

    @property
    def schedule(self) -> ScheduleMap:
        """The current schedule map, re-read from a callable every ``refresh``."""
        if self._source is None:
            assert self._map is not None
            return self._map
        at = self._elapsed()
        if self._map is None or at - self._loaded_at >= self.refresh.total_seconds():
            seen: set[tuple[str, str, str]] = set()
            with quiet_rejections(self._rejections, seen):
                fresh = self._source()
            if not isinstance(fresh, ScheduleMap):
                raise TypeError(f"schedules() returned {type(fresh).__name__}, not a ScheduleMap")
            if self._map is not None:
                for integration in fresh.changed_since(self._map):
                    self._first_seen.setdefault(integration, None)
            self._map, self._loaded_at, self._rejections = fresh, at, seen
        return self._map

    # -- planning ------------------------------------------------------------------------------

    def plan(self) -> datetime:
        """Plan ``(watermark, now]`` into the ledger in one transaction; returns ``now``.

        A replica that cannot lock the watermark (another one is planning) plans nothing.
        """
        return self._plan(self.schedule, self._given_now())

    def _plan(self, schedule: ScheduleMap, given: datetime | None) -> datetime:
        missed = _Missed()
        with self.ledger.planning(given) as planning:
            now = planning.now
            for integration, seen in self._first_seen.items():
                if seen is None:
                    self._first_seen[integration] = now
            if planning.locked:
                since = planning.watermark or now - FIRST_WINDOW
                if now > since:
                    rows = self._occurrences(schedule, since, now, missed)
                    for batch in batches(rows, BATCH_ROWS):
                        planning.insert(batch)
                planning.advance(now)
        self._first_seen.clear()
        missed.log(self.catchup)
        return now

    def _occurrences(
        self, schedule: ScheduleMap, since: datetime, now: datetime, missed: _Missed
    ) -> Iterator[Batch]:
        """The ledger rows for ``(since, now]``, schedule by schedule, type by type."""
        horizon = now - self.catchup
        not_before = {i: _minute(at) for i, at in self._first_seen.items() if at is not None}
        for integration, edited in schedule.edited_after(since).items():
            not_before[integration] = max(_minute(edited), not_before.get(integration, _NEVER))
        for firing in schedule.firing(since, now):
            times, members = firing.times, firing.members
            periods = [firing.period_start(), *times[:-1]]
            for kind, (orgs, ids) in members.items():
                if not_before and not not_before.keys().isdisjoint(ids):
                    orgs, ids, fresh = _partition(orgs, ids, not_before)
                    for org, integration in fresh:
                        first = bisect_left(times, not_before[integration])
                        yield from self._rows(
                            times[first:],
                            periods[first:],
                            [org],
                            [integration],
                            kind,
                            horizon,
                            missed,
                        )
                if ids:
                    yield from self._rows(times, periods, orgs, ids, kind, horizon, missed)

    def _rows(
        self,
        times: list[datetime],
        periods: list[datetime],
        orgs: list[str],
        ids: list[str],
        kind: str,
        horizon: datetime,
        missed: _Missed,
    ) -> Iterator[Batch]:
        """Rows of integrations that share their fire times, a batch per fire time: missed,
        then pending (one run covering all of them with ``coalesce``)."""
        if not times:
            return
        late = bisect_left(times, horizon)
        if late:
            missed.add(orgs, ids, kind, times[:late])
        n = len(ids)
        last = len(times) - 1
        for index, (at, period) in enumerate(zip(times, periods, strict=True)):
            covered_by = None
            if index < late:
                status = "missed"
            elif self.coalesce and index < last:
                status, covered_by = "coalesced", times[last]
            else:
                status = "pending"
                if self.coalesce:
                    period = periods[late]
            yield Batch(
                ids,
                orgs,
                [kind] * n,
                [at] * n,
                [period] * n,
                [status] * n,
                [covered_by] * n,
            )

    # -- taking and finishing --------------------------------------------------------------

    def tick(self, *, limit: int = 1000) -> list[Run]:
        """Plan ``(watermark, now]``, then take up to ``limit`` runs to execute now."""
        now = self._plan(self.schedule, self._given_now())
        return self._take(now, limit)

    def take(self, *, limit: int = 1000) -> list[Run]:
        """Take up to ``limit`` runs without planning (the loop does this between ticks)."""
        return self._take(self._given_now(), limit)

    def _take(self, now: datetime | None, limit: int) -> list[Run]:
        if limit < 1:
            return []
        taken = self.ledger.take(
            now,
            worker=self.worker,
            limit=limit,
            lease=self.lease,
            max_attempts=self.max_attempts,
        )
        for run in taken.dead:
            _log_run(
                logging.ERROR,
                run,
                f"is dead: its lease expired on attempt {run.attempt} of {self.max_attempts}"
                f" (worker {run.worker})",
            )
        late = [
            (run, started - run.scheduled_at)
            for run, started in taken.runs
            if run.attempt == 1 and started - run.scheduled_at > self.drift_alert
        ]
        for run, lateness in late:
            _log_run(
                logging.WARNING,
                run,
                f"started {lateness} after its scheduled time (drift alert {self.drift_alert})",
                lateness_seconds=lateness.total_seconds(),
            )
        if len(late) >= MANY_LATE:
            worst = max(lateness for _, lateness in late)
            logger.warning(
                "%d runs started later than %s this tick (worst %s)",
                len(late),
                self.drift_alert,
                worst,
                extra={"late_runs": len(late), "worst_lateness_seconds": worst.total_seconds()},
            )
        return sorted((run for run, _ in taken.runs), key=_period_order)

    def succeeded(self, run: Run) -> bool:
        """Record that ``run`` succeeded; False (and a WARNING) if it is no longer this
        worker's attempt (its lease expired and it was retaken)."""
        done = self.ledger.finish(run, "succeeded", now=self._given_now())
        return done or _stale(run, "succeeded")

    def failed(self, run: Run, error: BaseException | str) -> bool:
        """Record a failed attempt: retried after a doubling backoff, or dead (ERROR) after
        ``max_attempts``. False (and a WARNING) for a stale attempt."""
        text = error_text(error)
        now = self._given_now()
        if run.attempt >= self.max_attempts:
            if not self.ledger.finish(run, "dead", now=now, error=text):
                return _stale(run, "failed")
            _log_run(logging.ERROR, run, f"is dead after {run.attempt} attempts: {text}")
            return True
        delay = retry_delay(self.retry_backoff, run.attempt)
        if not self.ledger.finish(run, "failed", now=now, error=text, retry_delay=delay):
            return _stale(run, "failed")
        _log_run(
            logging.WARNING,
            run,
            f"failed on attempt {run.attempt} of {self.max_attempts}, retrying in {delay}: {text}",
        )
        return True

    def heartbeat(self, run: Run) -> bool:
        """Extend ``run``'s lease by ``lease`` from now; False (and a WARNING) if stale."""
        [alive] = self._heartbeat([run])
        return alive

    def _heartbeat(self, runs: list[Run]) -> list[bool]:
        alive = self.ledger.heartbeat(runs, now=self._given_now(), lease=self.lease)
        return [yes or _stale(run, "heartbeat") for run, yes in zip(runs, alive, strict=True)]

    def run_forever(
        self,
        handler: Callable[[Run], object],
        *,
        concurrency: int = 4,
        stop: object = None,
    ) -> None:
        """Tick every minute and run ``handler(run)`` on ``concurrency`` threads until
        ``stop`` (a ``threading.Event``) is set or SIGTERM/SIGINT arrives; then let the
        running exports finish and return. See ``cronspec._loop``."""
        from ._loop import Loop

        Loop(self, handler, concurrency, stop).run()


def _partition(
    orgs: list[str], ids: list[str], special: dict[str, datetime]
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Split rows into the plain ones (org ids, ids) and the (org, id) pairs in ``special``."""
    plain_orgs: list[str] = []
    plain_ids: list[str] = []
    chosen: list[tuple[str, str]] = []
    for org, integration in zip(orgs, ids, strict=True):
        if integration in special:
            chosen.append((org, integration))
        else:
            plain_orgs.append(org)
            plain_ids.append(integration)
    return plain_orgs, plain_ids, chosen


def _period_order(run: Run) -> tuple[datetime, str]:
    return run.scheduled_at, run.integration_id


def _log_run(level: int, run: Run, text: str, **extra: object) -> None:
    logger.log(
        level,
        "run %s of organization %s %s",
        run.idempotency_key,
        run.org_id,
        text,
        extra={
            "org_id": run.org_id,
            "integration_id": run.integration_id,
            "integration_type": run.integration_type,
            "scheduled_at": run.scheduled_at.isoformat(),
            "attempt": run.attempt,
            "worker": run.worker,
            **extra,
        },
    )


def _stale(run: Run, verb: Literal["succeeded", "failed", "heartbeat"]) -> bool:
    _log_run(
        logging.WARNING,
        run,
        f"{verb}: ignored, attempt {run.attempt} is no longer {run.worker}'s"
        " (its lease expired and the run was retaken, or it already finished)",
    )
    return False
