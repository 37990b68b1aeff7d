"""The run ledger in PostgreSQL: what ``cronspec.Scheduler`` plans, takes and finishes.

Every operation is one transaction on a connection of the ledger's own (from the pool it
was given, or one it opened through the factory it was given: never a caller's open
transaction), bounded by ``lock_timeout`` and ``statement_timeout`` set per transaction,
so a locked table or a stuck statement fails one tick in bounded time. Nothing uses
session state, so it works behind PgBouncer in transaction mode (connect with
``prepare_threshold=None`` there). The statements are in ``queries.sql`` beside this file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, Literal, Protocol, cast

import psycopg
from psycopg.pq import TransactionStatus

from cronspec._runs import (
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

_QUERIES = read_queries(resources.files(__package__).joinpath("queries.sql").read_text())
_SCHEMA = resources.files(__package__).joinpath("schema.sql").read_text()
_LEDGER_DDL = _SCHEMA[_SCHEMA.index("-- ledger: PostgresLedger.install()") :]
_INSTALL_LOCK = 0x63726F6E  # pg_advisory_xact_lock key: replicas installing at once wait

Conn = psycopg.Connection[Any]


class _Pool(Protocol):
    def connection(self, timeout: float | None = None) -> Any: ...


def _milliseconds(value: timedelta) -> str:
    return str(max(1, int(value.total_seconds() * 1000)))


def _utc(at: datetime | None) -> Any:
    """psycopg gives times in the session's TimeZone; cronspec's are UTC."""
    return None if at is None else at.astimezone(UTC)


class _Planning:
    def __init__(
        self, cur: psycopg.Cursor[Any], now: datetime, watermark: datetime | None, locked: bool
    ) -> None:
        self.cur = cur
        self.now = now
        self.watermark = watermark
        self.locked = locked

    def insert(self, batch: Batch) -> int:
        self.cur.execute(
            _QUERIES["insert"],
            {
                "now": self.now,
                "ids": batch.integration_ids,
                "orgs": batch.org_ids,
                "types": batch.types,
                "times": batch.scheduled_at,
                "periods": batch.period_start,
                "statuses": batch.statuses,
                "covered": batch.covered_by,
            },
        )
        return self.cur.rowcount

    def advance(self, until: datetime) -> None:
        self.cur.execute(_QUERIES["advance"], {"until": until})


class PostgresLedger:
    """The ledger for replicas: ``PostgresLedger(pool)`` with a
    ``psycopg_pool.ConnectionPool``, or with a callable that returns a new
    ``psycopg.Connection`` (the ledger keeps the ones it opened for reuse). Never a DSN:
    credentials stay with the caller.

    ``now=None`` in the ledger's methods means the database's ``statement_timestamp()``.
    """

    def __init__(
        self,
        connections: _Pool | Callable[[], Conn],
        *,
        lock_timeout: timedelta = timedelta(seconds=5),
        statement_timeout: timedelta = timedelta(seconds=60),
    ) -> None:
        if isinstance(connections, (str, bytes)):
            raise TypeError(
                "PostgresLedger takes a psycopg_pool.ConnectionPool or a callable returning a"
                " psycopg.Connection, not a connection string"
            )
        pool = getattr(connections, "connection", None)
        if not callable(pool) and not callable(connections):
            raise TypeError(f"not a pool nor a connection factory: {connections!r}")
        self._pool = cast(_Pool, connections) if callable(pool) else None
        self._factory = None if callable(pool) else cast(Callable[[], Conn], connections)
        self._idle: list[Conn] = []
        self._idle_lock = threading.Lock()
        self._bounds = {
            "lock_timeout": _milliseconds(lock_timeout),
            "statement_timeout": _milliseconds(statement_timeout),
        }

    def __repr__(self) -> str:
        return f"PostgresLedger({self._pool or self._factory!r})"

    def close(self) -> None:
        """Close the connections the ledger opened through its factory (not a pool's)."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- connections and transactions --------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Conn]:
        if self._pool is not None:
            with self._pool.connection() as conn:
                yield conn
            return
        assert self._factory is not None
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._factory()
        try:
            yield conn
        except BaseException:
            conn.close()  # it may be broken; a new one is cheap next time
            raise
        if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            conn.close()
        else:
            with self._idle_lock:
                self._idle.append(conn)

    @contextmanager
    def _transaction(self, now: datetime | None) -> Iterator[tuple[psycopg.Cursor[Any], datetime]]:
        """A transaction of its own, bounded; yields a cursor and the transaction's now."""
        with self._connection() as conn:
            if conn.info.transaction_status != TransactionStatus.IDLE:
                conn.rollback()  # never inside a transaction someone else left open
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(_QUERIES["bounds"], {**self._bounds, "now": now})
                row = cur.fetchone()
                assert row is not None
                yield cur, row[2]

    # -- the ledger protocol ---------------------------------------------------------------------

    def install(self) -> None:
        """Create the ledger tables, or upgrade a 0.1 ``integration_runs`` in place (its
        claims become ``succeeded`` rows). Idempotent: safe on every deploy."""
        with self._transaction(None) as (cur, _):
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_INSTALL_LOCK,))
            cur.execute(_LEDGER_DDL.encode())

    @contextmanager
    def planning(self, now: datetime | None) -> Iterator[_Planning]:
        with self._transaction(now) as (cur, at):
            cur.execute(_QUERIES["lock_watermark"])
            row = cur.fetchone()
            if row is None:
                cur.execute(_QUERIES["watermark_rows"])
                counted = cur.fetchone()
                if counted is None or counted[0] == 0:
                    raise RuntimeError(
                        "the ledger has no watermark row: call PostgresLedger.install() first"
                    )
            yield _Planning(cur, at, None if row is None else row[0], row is not None)

    def take(
        self,
        now: datetime | None,
        *,
        worker: str,
        limit: int,
        lease: timedelta,
        max_attempts: int,
    ) -> Taken:
        with self._transaction(now) as (cur, at):
            cur.execute(_QUERIES["expire"], {"now": at, "max_attempts": max_attempts})
            expired = cur.fetchall()
            cur.execute(
                _QUERIES["take"], {"now": at, "worker": worker, "limit": limit, "lease": lease}
            )
            rows = cur.fetchall()
        runs = [(run_of(row, worker, _utc), _utc(at)) for row in rows]
        return Taken(runs, [run_of(row, row[6], _utc) for row in expired])

    def finish(
        self,
        run: Run,
        status: Literal["succeeded", "failed", "dead"],
        *,
        now: datetime | None,
        error: str | None = None,
        retry_delay: timedelta | None = None,
    ) -> bool:
        with self._transaction(now) as (cur, at):
            cur.execute(
                _QUERIES["finish"],
                {
                    "status": status,
                    "now": at,
                    "error": error,
                    "retry_delay": retry_delay,
                    "integration_id": run.integration_id,
                    "scheduled_at": run.scheduled_at,
                    "worker": run.worker,
                    "attempt": run.attempt,
                },
            )
            return cur.rowcount == 1

    def heartbeat(
        self, runs: Sequence[Run], *, now: datetime | None, lease: timedelta
    ) -> list[bool]:
        if not runs:
            return []
        with self._transaction(now) as (cur, at):
            cur.execute(
                _QUERIES["heartbeat"],
                {
                    "now": at,
                    "lease": lease,
                    "ids": [run.integration_id for run in runs],
                    "times": [run.scheduled_at for run in runs],
                    "workers": [run.worker for run in runs],
                    "attempts": [run.attempt for run in runs],
                },
            )
            alive = set(cur.fetchall())
        return [(run.integration_id, run.scheduled_at) in alive for run in runs]

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
        with self._transaction(None) as (cur, _):
            cur.execute(
                _QUERIES["history"],
                {"since": since, "until": until, "statuses": wanted, "limit": limit},
            )
            return [record_of(row, _utc) for row in cur.fetchall()]
