"""The runtime against real PostgreSQL faults: a worker killed with SIGKILL mid-export, the
server killed mid-tick, a locked table, the database's clock, the 0.1 upgrade, a pool, and
three replicas behind PgBouncer in transaction mode."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from postgres_server import (
    Server,
    apply_schema,
    database_dsn,
    kill_server,
    pgbouncer,
    restart_server,
    start_server,
    stop_server,
)
from psycopg import sql
from psycopg_pool import ConnectionPool
from runtime_support import Clock, Exports, drain, execute, postgres_ledger, row, schedule_of, utc

import cronspec._scheduler
from cronspec import DueIntegration, Run, ScheduleMap, Scheduler
from cronspec.adapters.postgres import PostgresLedger, claim_due

HERE = Path(__file__).parent


def db_now(dsn: str) -> datetime:
    with psycopg.connect(dsn) as conn:
        row_ = conn.execute("SELECT statement_timestamp()").fetchone()
        assert row_ is not None
        return row_[0]  # type: ignore[no-any-return]


def watermark(dsn: str) -> datetime | None:
    with psycopg.connect(dsn) as conn:
        row_ = conn.execute("SELECT planned_until FROM integration_runs_watermark").fetchone()
        assert row_ is not None
        return row_[0]  # type: ignore[no-any-return]


# -- a worker killed mid-export ------------------------------------------------------------------


def test_a_worker_killed_with_sigkill_mid_export_is_retaken_after_its_lease(
    pg_db_dsn: str,
) -> None:
    victim = subprocess.Popen(
        [sys.executable, str(HERE / "kill_target.py"), pg_db_dsn],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert victim.stdout is not None
    lines = [victim.stdout.readline().split() for _ in range(3)]
    victim.kill()  # SIGKILL, in the middle of the third export
    victim.wait(timeout=30)
    assert [line[0] for line in lines] == ["exported", "exported", "exporting"]
    _, stuck_key, stuck_period = lines[2]
    sys.path.insert(0, str(HERE))
    from kill_target import ROWS

    with postgres_ledger(pg_db_dsn) as ledger:
        rescuer = Scheduler(
            ScheduleMap.from_rows(ROWS), ledger, worker="rescuer", lease=timedelta(seconds=2)
        )
        assert rescuer.take() == []  # the victim's lease still holds
        retaken: list[Run] = []
        for _ in range(100):
            retaken = rescuer.take()
            if retaken:
                break
            time.sleep(0.1)
        [run] = retaken  # only the interrupted export, never the two that finished
        assert (run.idempotency_key, run.period_start.isoformat(), run.attempt) == (
            stuck_key,
            stuck_period,
            2,
        )
        assert rescuer.succeeded(run)
        # Had the victim survived, its late report would change nothing.
        ghost = Scheduler(ScheduleMap.from_rows(ROWS), ledger, worker="victim")
        stale = Run(run.org_id, run.integration_id, run.integration_type, run.scheduled_at,
                    run.period_start, 1, "victim")  # fmt: skip
        assert ghost.succeeded(stale) is False
        records = ledger.history(run.scheduled_at, run.scheduled_at + timedelta(minutes=1))
        assert sorted((r.integration_id, r.status, r.attempts, r.worker) for r in records) == [
            ("kill-0", "succeeded", 1, "victim"),
            ("kill-1", "succeeded", 1, "victim"),
            ("kill-2", "succeeded", 2, "rescuer"),
        ]


# -- the server killed mid-tick ---------------------------------------------------------------------


@pytest.fixture
def own_server() -> Iterator[tuple[Server, str]]:
    """A server of this test's own, which it may kill and restart, keeping every commit."""
    server = start_server(durable=True)
    try:
        with psycopg.connect(server.dsn) as conn:
            apply_schema(conn)
        yield server, server.dsn
    finally:
        stop_server(server)


class KillAfterFirstInsert:
    """A ledger whose planning kills the server after its first insert, mid-transaction."""

    def __init__(self, ledger: PostgresLedger, server: Server) -> None:
        self.ledger = ledger
        self.server = server

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)

    def planning(self, now: datetime | None) -> Any:
        outer = self.ledger.planning(now)
        server = self.server

        class Killing:
            def __enter__(self) -> Any:
                planning = outer.__enter__()
                insert = planning.insert

                def insert_then_kill(batch: Any) -> int:
                    count = insert(batch)
                    kill_server(server)
                    return count

                planning.insert = insert_then_kill
                return planning

            def __exit__(self, *exc: Any) -> Any:
                return outer.__exit__(*exc)

        return Killing()


def test_the_server_killed_mid_tick_fails_the_tick_and_loses_nothing(
    own_server: tuple[Server, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, dsn = own_server
    schedule = schedule_of(*(row(f"i-{n}", "*/20 * * * *") for n in range(25)))
    clock = Clock("2026-12-01T01:00:30")
    exports = Exports()
    with postgres_ledger(dsn) as ledger:
        drain(Scheduler(schedule, ledger, worker="w", clock=clock), exports)
        assert len(exports.calls) == 25
        clock.set("2026-12-01T04:00:30")
        monkeypatch.setattr(cronspec._scheduler, "BATCH_ROWS", 30)  # several inserts
        dying = Scheduler(schedule, KillAfterFirstInsert(ledger, server), worker="w", clock=clock)  # type: ignore[arg-type]
        with pytest.raises(psycopg.OperationalError):
            dying.tick()
        restart_server(server)
        assert watermark(dsn) == utc("2026-12-01T01:00:30")  # it did not move
        drain(Scheduler(schedule, ledger, worker="w", clock=clock), exports)
    expected = schedule.due_between(utc("2026-12-01T00:59:30"), clock.now)
    assert len(expected) == 25 * 10
    assert exports.keys == Counter(due.idempotency_key for due in expected)


# -- bounded in time ------------------------------------------------------------------------------------


def test_a_locked_ledger_fails_the_tick_after_the_lock_timeout_and_the_next_tick_plans_it(
    pg_db_dsn: str,
) -> None:
    clock = Clock("2026-12-01T01:59:30")
    ledger = PostgresLedger(
        lambda: psycopg.connect(pg_db_dsn), lock_timeout=timedelta(milliseconds=300)
    )
    worker = Scheduler(schedule_of(row("i-1", "0 * * * *")), ledger, worker="w", clock=clock)
    assert worker.tick() == []
    clock.set("2026-12-01T02:00:30")
    with psycopg.connect(pg_db_dsn) as blocker:
        blocker.execute("LOCK TABLE integration_runs IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            worker.tick()
        assert watermark(pg_db_dsn) == utc("2026-12-01T01:59:30")
    assert [r.idempotency_key for r in worker.tick()] == ["i-1@2026-12-01T02:00Z"]


def test_a_stuck_statement_is_cancelled_by_the_statement_timeout(pg_db_dsn: str) -> None:
    ledger = PostgresLedger(
        lambda: psycopg.connect(pg_db_dsn), statement_timeout=timedelta(milliseconds=200)
    )
    with pytest.raises(psycopg.errors.QueryCanceled), ledger.planning(None) as planning:
        planning.cur.execute("SELECT pg_sleep(5)")  # type: ignore[attr-defined]
    assert watermark(pg_db_dsn) is None


# -- the database's clock ------------------------------------------------------------------------------


def test_without_a_clock_the_database_clock_decides_and_nothing_starts_early(
    pg_db_dsn: str,
) -> None:
    schedule = schedule_of(row("i-1", "* * * * *"))
    with postgres_ledger(pg_db_dsn) as ledger:
        before = db_now(pg_db_dsn)
        [run] = Scheduler(schedule, ledger, worker="db-clock").tick()
        [record] = ledger.history(run.scheduled_at, run.scheduled_at + timedelta(minutes=1))
        assert before <= record.started_at <= db_now(pg_db_dsn)  # type: ignore[operator]
        assert record.started_at >= run.scheduled_at  # type: ignore[operator]
        # A replica whose own clock runs a minute fast plans the next minute early...
        fast = Clock(db_now(pg_db_dsn) + timedelta(seconds=60))
        Scheduler(schedule, ledger, worker="fast", clock=fast).plan()
        ahead = fast.now.replace(second=0, microsecond=0)
        [pending] = ledger.history(ahead, ahead + timedelta(minutes=1))
        assert (pending.status, pending.scheduled_at > db_now(pg_db_dsn)) == ("pending", True)
        # ...but a replica on the database's clock does not take it before its minute.
        on_time = Scheduler(schedule, ledger, worker="db-clock")
        assert on_time.succeeded(run)
        taken = on_time.tick()  # (a minute may have begun meanwhile: that run is due)
        assert ahead not in {r.scheduled_at for r in taken}
        assert all(r.scheduled_at <= db_now(pg_db_dsn) for r in taken)
        # A row due in 1.5 s (as the fast replica would plan it) waits for it.
        due = db_now(pg_db_dsn) + timedelta(seconds=1.5)
        with ledger.planning(None) as planning:
            planning.insert(
                cronspec._runs.Batch(
                    ["soon"], ["org"], ["xledger"], [due], [due], ["pending"], [None]
                )
            )
        assert "soon" not in {r.integration_id for r in on_time.take()}
        time.sleep(1.6)
        assert "soon" in {r.integration_id for r in on_time.take()}


# -- ids, installs, upgrades, pools ------------------------------------------------------------------------


def test_every_id_the_map_accepts_is_planned_and_taken(pg_db_dsn: str) -> None:
    ids = ["00000000-0000-4000-8000-000000000001", "erp-42", "7", "Ünïcode id"]
    schedule = schedule_of(*(row(i, "0 2 * * *") for i in ids))
    clock = Clock("2026-12-01T02:00:30")
    with postgres_ledger(pg_db_dsn) as ledger:
        runs = Scheduler(schedule, ledger, worker="w", clock=clock).tick()
        assert sorted(r.integration_id for r in runs) == sorted(ids)
        due = [DueIntegration("org-1", i, "xledger", utc("2026-12-02T02:00")) for i in ids]
        with psycopg.connect(pg_db_dsn) as conn:
            assert claim_due(conn, due, worker="w") == due


V01_TABLE = """
CREATE TABLE integration_runs (
    integration_id  uuid        NOT NULL,
    organization_id uuid        NOT NULL,
    scheduled_at    timestamptz NOT NULL,
    claimed_at      timestamptz NOT NULL DEFAULT now(),
    worker          text        NOT NULL,
    CONSTRAINT integration_runs_once UNIQUE (integration_id, scheduled_at)
);
CREATE INDEX integration_runs_scheduled_at_idx ON integration_runs (scheduled_at);
"""
A = "10000000-0000-4000-8000-000000000001"
B = "10000000-0000-4000-8000-000000000002"
ORG = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def v01_dsn(pg_dsn: str) -> Iterator[str]:
    """A database as 0.1 left it: its integration_runs with two claims, no ledger."""
    name = f"cronspec_v01_{time.monotonic_ns()}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    dsn = database_dsn(pg_dsn, name)
    with psycopg.connect(dsn) as conn:
        conn.execute(V01_TABLE)
        conn.execute(
            "INSERT INTO integration_runs (integration_id, organization_id, scheduled_at,"
            " claimed_at, worker) VALUES (%s, %s, %s, %s, 'old-1'), (%s, %s, %s, %s, 'old-2')",
            (A, ORG, utc("2026-12-01T02:00"), utc("2026-12-01T02:00:04"),
             B, ORG, utc("2026-12-01T02:00"), utc("2026-12-01T02:00:05")),
        )  # fmt: skip
    try:
        yield dsn
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_install_upgrades_a_0_1_claim_table_in_place_and_claims_never_run_again(
    v01_dsn: str,
) -> None:
    ledger = PostgresLedger(lambda: psycopg.connect(v01_dsn))
    ledger.install()
    ledger.install()  # idempotent
    records = ledger.history(utc("2026-12-01T00:00"), utc("2026-12-02T00:00"))
    assert [(r.integration_id, r.status, r.worker, r.started_at, r.attempts) for r in records] == [
        (A, "succeeded", "old-1", utc("2026-12-01T02:00:04"), 1),
        (B, "succeeded", "old-2", utc("2026-12-01T02:00:05"), 1),
    ]
    schedule = schedule_of(row(A, "0 2 * * *", org=ORG), row(B, "0 2 * * *", org=ORG))
    clock = Clock("2026-12-01T02:00:40")
    assert Scheduler(schedule, ledger, worker="new", clock=clock).tick() == []  # already run
    due = [DueIntegration(ORG, A, "xledger", utc("2026-12-02T02:00"))]
    with psycopg.connect(v01_dsn) as conn:  # 0.1's claim_due keeps working
        assert claim_due(conn, due, worker="legacy") == due
        assert claim_due(conn, due, worker="legacy") == []
    clock.set("2026-12-02T02:00:30")
    assert Scheduler(schedule, ledger, worker="new", clock=clock).tick() == [
        Run(ORG, B, "xledger", utc("2026-12-02T02:00"), utc("2026-12-01T02:00"), 1, "new")
    ]


def test_replicas_installing_at_once_on_a_fresh_database_all_succeed(pg_dsn: str) -> None:
    name = f"cronspec_fresh_{time.monotonic_ns()}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    dsn = database_dsn(pg_dsn, name)
    errors: list[BaseException] = []

    def install() -> None:
        try:
            PostgresLedger(lambda: psycopg.connect(dsn)).install()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=install) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert watermark(dsn) is None
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_pool_serves_the_ledger_and_a_dsn_is_refused(pg_db_dsn: str) -> None:
    with pytest.raises(TypeError, match="not a connection string"):
        PostgresLedger(pg_db_dsn)  # type: ignore[arg-type]
    with ConnectionPool(pg_db_dsn, min_size=1, max_size=2, open=True) as pool:
        ledger = PostgresLedger(pool)
        ledger.install()
        clock = Clock("2026-12-01T02:00:30")
        worker = Scheduler(schedule_of(row("i-1", "0 2 * * *")), ledger, worker="w", clock=clock)
        [run] = worker.tick()
        assert worker.succeeded(run)
        assert [r.status for r in ledger.history(run.scheduled_at, clock.now)] == ["succeeded"]


# -- behind PgBouncer -----------------------------------------------------------------------------------------


def test_three_replicas_behind_pgbouncer_in_transaction_mode_lose_nothing_and_double_nothing(
    pg_db_dsn: str,
) -> None:
    schedule = schedule_of(
        *(row(f"i-{n}", ["*/5 * * * *", "0 * * * *", "*/2 * * * *"][n % 3]) for n in range(60))
    )
    clock = Clock("2026-12-01T00:00:30")
    start = clock.now - timedelta(minutes=1)
    exports = Exports()
    with pgbouncer(pg_db_dsn) as bouncer:
        ledgers = [
            PostgresLedger(lambda: psycopg.connect(bouncer, prepare_threshold=None))
            for _ in range(3)
        ]
        ledgers[0].install()
        replicas = [
            Scheduler(schedule, ledger, worker=f"replica-{n}", clock=clock)
            for n, ledger in enumerate(ledgers)
        ]
        for _ in range(180):  # three hours, minute by minute, the replicas racing each minute
            threads = [
                threading.Thread(target=drain, args=(replica, exports), kwargs={"limit": 7})
                for replica in replicas
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            clock.advance(minutes=1)
        for ledger in ledgers:
            ledger.close()
    expected = schedule.due_between(start, clock.now - timedelta(minutes=1))
    assert len(expected) == 20 * 36 + 20 * 3 + 20 * 90
    assert exports.keys == Counter(due.idempotency_key for due in expected)
    with psycopg.connect(pg_db_dsn) as conn:
        counted = conn.execute(
            "SELECT status, count(*), count(DISTINCT worker) FROM integration_runs GROUP BY 1"
        ).fetchall()
    assert counted == [("succeeded", len(expected), 3)]


def test_execute_records_a_handler_exception_as_a_failed_attempt(pg_db_dsn: str) -> None:
    clock = Clock("2026-12-01T02:00:30")
    with postgres_ledger(pg_db_dsn) as ledger:
        worker = Scheduler(schedule_of(row("i-1", "0 2 * * *")), ledger, worker="w", clock=clock)
        execute(worker, worker.tick(), Exports(fail=lambda run: True))
        [record] = ledger.history(utc("2026-12-01T02:00"), utc("2026-12-01T02:01"))
        assert (record.status, record.attempts) == ("failed", 1)
