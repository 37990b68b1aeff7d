"""Runs and the ledger that records them: the values and the protocol every ledger speaks.

An *occurrence* is one (integration, nominal fire time); its identity never changes.
Once planned it is one ledger row, whose status moves like this:

========== ========================================== ===================================
status     how a row gets there                       what happens next
========== ========================================== ===================================
pending    planned, due within the catch-up window    taken when due and its earlier
                                                      periods are finished
running    taken by a worker (attempts + 1, lease)    succeeded; failed; retaken when its
                                                      lease expires (an attempt); dead
succeeded  the handler returned                       final
failed     the handler raised; ``retry_at`` is set    taken again at ``retry_at``
dead       ``max_attempts`` attempts failed or expired final (ERROR logged); the next
                                                      period proceeds
missed     planned too late: older than the catch-up  final (WARNING logged), never run
           window
coalesced  merged into a later run of the same        final; ``covered_by`` names the run
           integration (``coalesce=True``)            that exports its period
========== ========================================== ===================================

``pending``, ``running`` and ``failed`` are *open*: while an integration has an open row,
its later rows wait, so periods run one at a time and in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple, Protocol

from ._schedule import IntegrationType, idempotency_key

Status = Literal["pending", "running", "succeeded", "failed", "dead", "missed", "coalesced"]
STATUSES: tuple[Status, ...] = (
    "pending",
    "running",
    "succeeded",
    "failed",
    "dead",
    "missed",
    "coalesced",
)
OPEN: tuple[Status, ...] = ("pending", "running", "failed")
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ERROR_LENGTH = 2000  # characters of a handler's error kept in the ledger


@dataclass(frozen=True, slots=True)
class Run:
    """One attempt at one occurrence, handed to the export handler.

    ``scheduled_at`` is the nominal fire time (UTC) and, with the integration, the
    occurrence's identity; the export covers the period ``(period_start, scheduled_at]``,
    however late or often it is attempted. ``attempt`` counts from 1.
    """

    org_id: str
    integration_id: str
    integration_type: IntegrationType
    scheduled_at: datetime
    period_start: datetime
    attempt: int
    worker: str

    @property
    def idempotency_key(self) -> str:
        """``"<integration_id>@<UTC minute>"``: the same for every attempt and replica."""
        return idempotency_key(self.integration_id, self.scheduled_at)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A ledger row as people read it (:meth:`Ledger.history`)."""

    org_id: str
    integration_id: str
    integration_type: str | None
    scheduled_at: datetime
    period_start: datetime | None
    worker: str | None
    status: Status
    attempts: int
    planned_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    covered_by: datetime | None

    @property
    def lateness(self) -> timedelta | None:
        """How long after its nominal time the run (last) started; None if it never did."""
        return None if self.started_at is None else self.started_at - self.scheduled_at

    @property
    def idempotency_key(self) -> str:
        return idempotency_key(self.integration_id, self.scheduled_at)


class Batch(NamedTuple):
    """Occurrences to insert, column by column (one list entry per row)."""

    integration_ids: list[str]
    org_ids: list[str]
    types: list[str]
    scheduled_at: list[datetime]
    period_start: list[datetime]
    statuses: list[str]
    covered_by: list[datetime | None]


class Taken(NamedTuple):
    """What one take returned: the runs now this worker's, and the runs that just died
    because their lease expired on their last allowed attempt."""

    runs: list[tuple[Run, datetime]]  # with the time each was started
    dead: list[Run]


class Planning(Protocol):
    """One planning transaction, holding the watermark (see :meth:`Ledger.planning`)."""

    now: datetime
    watermark: datetime | None  # None: nothing was ever planned
    locked: bool  # False: another replica holds the watermark; plan nothing

    def insert(self, batch: Batch) -> int:
        """Insert the occurrences (existing identities are left alone); the count new."""
        ...

    def advance(self, until: datetime) -> None:
        """Move the watermark to ``until`` (never backwards), in this transaction."""
        ...


class Ledger(Protocol):
    """Where occurrences live: :class:`cronspec.SQLiteLedger`, or ``PostgresLedger`` in
    ``cronspec.adapters.postgres``. Every method runs in a transaction of its own.

    ``now=None`` means the ledger's own clock (the database's, for Postgres).
    """

    def install(self) -> None: ...

    def planning(self, now: datetime | None) -> AbstractContextManager[Planning]: ...

    def take(
        self,
        now: datetime | None,
        *,
        worker: str,
        limit: int,
        lease: timedelta,
        max_attempts: int,
    ) -> Taken: ...

    def finish(
        self,
        run: Run,
        status: Literal["succeeded", "failed", "dead"],
        *,
        now: datetime | None,
        error: str | None = None,
        retry_delay: timedelta | None = None,
    ) -> bool: ...

    def heartbeat(
        self, runs: Sequence[Run], *, now: datetime | None, lease: timedelta
    ) -> list[bool]: ...

    def history(
        self,
        since: datetime,
        until: datetime,
        status: Status | Collection[Status] | None = None,
        *,
        limit: int | None = None,
    ) -> list[RunRecord]: ...


def run_of(row: Sequence[Any], worker: str, time: Callable[[Any], Any]) -> Run:
    """A Run from a ledger row (org, id, type, scheduled_at, period_start, attempts);
    ``time`` turns the ledger's time values into aware UTC datetimes."""
    org, integration, kind, scheduled, period, attempts = row[:6]
    return Run(org, integration, kind, time(scheduled), time(period), attempts, worker)


def record_of(row: Sequence[Any], time: Callable[[Any], Any]) -> RunRecord:
    """A RunRecord from a row of the ``history`` statement (the same in every ledger)."""
    (org, integration, kind, scheduled, period, worker, status, attempts, planned, started,
     finished, error, covered) = row  # fmt: skip
    return RunRecord(
        org,
        integration,
        kind,
        time(scheduled),
        time(period),
        worker,
        status,
        attempts,
        time(planned),
        time(started),
        time(finished),
        error,
        time(covered),
    )


def retry_delay(backoff: timedelta, attempt: int) -> timedelta:
    """The wait before retry ``attempt`` (1-based): doubling, capped at one hour."""
    delay = backoff
    for _ in range(attempt - 1):
        if not timedelta(0) < delay < MAX_RETRY_DELAY:
            break
        delay *= 2
    return min(delay, MAX_RETRY_DELAY)


def statuses(status: Status | Collection[Status] | None) -> list[Status]:
    """A status filter as a list (all statuses for None); refuses unknown names."""
    if status is None:
        return list(STATUSES)
    chosen = [status] if isinstance(status, str) else list(status)
    unknown = [s for s in chosen if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r} (known: {', '.join(STATUSES)})")
    return chosen


def error_text(error: BaseException | str) -> str:
    """A handler's error as one bounded line for the ledger."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


_NAME = re.compile(r"^-- name: (\w+)\s*$", re.M)


def read_queries(text: str) -> dict[str, str]:
    """Named statements of a ``.sql`` file: each starts at a ``-- name: <name>`` line."""
    parts = _NAME.split(text)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def batches(rows: Iterator[Batch], size: int) -> Iterator[Batch]:
    """The rows again, in batches of ``size`` (the last one smaller): one insert each."""
    pending = Batch([], [], [], [], [], [], [])
    for batch in rows:
        for column, more in zip(pending, batch, strict=True):
            column.extend(more)  # type: ignore[attr-defined]
        while len(pending.integration_ids) >= size:
            yield Batch._make(column[:size] for column in pending)
            for column in pending:
                del column[:size]
    if pending.integration_ids:
        yield pending
