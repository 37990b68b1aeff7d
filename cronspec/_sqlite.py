"""The embedded ledger: stdlib ``sqlite3``, one file, the same tables as the Postgres one.

SQLite has one writer at a time, so every transaction is ``BEGIN IMMEDIATE``: planning and
taking are serialized, which is what ``FOR UPDATE SKIP LOCKED`` buys on Postgres. Several
processes may share the file (each waits up to ``timeout`` for the lock); threads of one
process share one connection behind a lock. The statements are in ``_sqlite.sql``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Literal

from ._runs import (
    Batch,
    Run,
    RunRecord,
    Status,
    Taken,
    read_queries,
    record_of,
    run_of,
    statuses,
)

_QUERIES = read_queries(resources.files(__package__).joinpath("_sqlite.sql").read_text())


def _text(at: datetime) -> str:
    """A fixed-width UTC text that sorts like the instant it names."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class _Planning:
    def __init__(self, conn: sqlite3.Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.locked = True  # BEGIN IMMEDIATE waited for the single writer's lock
        (planned,) = conn.execute(_QUERIES["watermark"]).fetchone()
        self.watermark = _time(planned)

    def insert(self, batch: Batch) -> int:
        before = self.conn.total_changes
        planned = _text(self.now)
        self.conn.executemany(
            _QUERIES["insert"],
            zip(
                batch.integration_ids,
                batch.org_ids,
                batch.types,
                map(_text, batch.scheduled_at),
                map(_text, batch.period_start),
                batch.statuses,
                [None if at is None else _text(at) for at in batch.covered_by],
                [planned] * len(batch.integration_ids),
                strict=True,
            ),
        )
        return self.conn.total_changes - before

    def advance(self, until: datetime) -> None:
        self.conn.execute(_QUERIES["advance"], {"until": _text(until)})


class SQLiteLedger:
    """The run ledger in one SQLite file (``":memory:"`` for a throwaway one).

    The clock, when the scheduler has none, is this machine's. Tables are created on
    first use (:meth:`install` is idempotent).
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: timedelta = timedelta(seconds=30)):
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path,
            timeout=timeout.total_seconds(),
            isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
            check_same_thread=False,  # shared by the loop's threads, behind self._lock
        )
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self.install()

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def install(self) -> None:
        """Create the tables and indexes when missing (safe to call at every start)."""
        with self._lock:
            self._conn.executescript(_QUERIES["install"])

    @contextmanager
    def planning(self, now: datetime | None) -> Iterator[_Planning]:
        with self._transaction() as conn:
            yield _Planning(conn, datetime.now(UTC) if now is None else now)

    def take(
        self,
        now: datetime | None,
        *,
        worker: str,
        limit: int,
        lease: timedelta,
        max_attempts: int,
    ) -> Taken:
        at = datetime.now(UTC) if now is None else now
        with self._transaction() as conn:
            expired = conn.execute(
                _QUERIES["expire"], {"now": _text(at), "max_attempts": max_attempts}
            ).fetchall()
            rows = conn.execute(
                _QUERIES["take"],
                {
                    "now": _text(at),
                    "worker": worker,
                    "lease_until": _text(at + lease),
                    "limit": limit,
                },
            ).fetchall()
        return Taken(
            [(run_of(row, worker, _time), at) for row in rows],
            [run_of(row, row[6], _time) for row in expired],
        )

    def finish(
        self,
        run: Run,
        status: Literal["succeeded", "failed", "dead"],
        *,
        now: datetime | None,
        error: str | None = None,
        retry_delay: timedelta | None = None,
    ) -> bool:
        at = datetime.now(UTC) if now is None else now
        retry_at = None if retry_delay is None else _text(at + retry_delay)
        with self._transaction() as conn:
            changed = conn.execute(
                _QUERIES["finish"],
                {
                    "status": status,
                    "now": _text(at),
                    "error": error,
                    "retry_at": retry_at,
                    **_identity(run),
                },
            ).rowcount
        return changed == 1

    def heartbeat(
        self, runs: Sequence[Run], *, now: datetime | None, lease: timedelta
    ) -> list[bool]:
        until = _text((datetime.now(UTC) if now is None else now) + lease)
        with self._transaction() as conn:
            return [
                conn.execute(
                    _QUERIES["heartbeat"], {"lease_until": until, **_identity(run)}
                ).rowcount
                == 1
                for run in runs
            ]

    def history(
        self,
        since: datetime,
        until: datetime,
        status: Status | Collection[Status] | None = None,
        *,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """The rows with ``scheduled_at`` in ``[since, until)``, oldest first."""
        wanted = statuses(status)
        with self._lock:
            rows = self._conn.execute(
                _QUERIES["history"],
                {
                    "since": _text(since),
                    "until": _text(until),
                    "statuses": json.dumps(wanted),
                    "limit": -1 if limit is None else limit,
                },
            ).fetchall()
        return [record_of(row, _time) for row in rows]


def _identity(run: Run) -> dict[str, object]:
    return {
        "integration_id": run.integration_id,
        "scheduled_at": _text(run.scheduled_at),
        "worker": run.worker,
        "attempt": run.attempt,
    }
