"""The Postgres adapter against a real server: due subsets, bad rows, hostile names, faults,
exactly-once claims between concurrent workers."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from postgres_server import apply_schema
from psycopg import sql
from psycopg.rows import dict_row

import cronspec
from cronspec import DueIntegration, RejectedRow, ScheduleMap
from cronspec.adapters.postgres import _schedules as postgres
from cronspec.adapters.postgres import (
    claim_due,
    claim_due_async,
    load_schedule_map,
    load_schedule_map_async,
    read_due_integrations,
    read_due_integrations_async,
)

Conn = psycopg.Connection[Any]
AConnect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]


def uid(kind: str, n: int) -> str:
    """Readable UUIDs: organizations ``...-0000000000NN`` with prefix 0, integrations 1."""
    return f"{'0' if kind == 'org' else '1'}0000000-0000-4000-8000-{n:012d}"


def org(n: int) -> str:
    return uid("org", n)


def integ(n: int) -> str:
    return uid("integration", n)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (integration, org, type, schedule, enabled, zone)
SEED: list[tuple[int, int, str, str | None, bool, str | None]] = [
    (1, 1, "xledger", "0 2 * * *", True, None),
    (2, 1, "dynamics", "0 2 * * *", True, "UTC"),
    (3, 2, "bufdir", "*/15 * * * *", True, None),
    (4, 2, "xledger", "99 * * * *", True, None),  # invalid: rejected
    (5, 2, "dynamics", "0 2 * * *", False, None),  # disabled: left out silently
    (6, 3, "xledger", None, True, None),  # no schedule: left out silently
    (7, 3, "bufdir", "0 2 * * *", True, "Mars/Olympus"),  # unknown zone: rejected
    (8, 3, "dynamics", "0 2 * * *", True, "Europe/Oslo"),  # 01:00 UTC in winter
    (9, 4, "xledger", "0 2 31 * *", True, None),  # month end: not on 30 November
    (10, 1, "bufdir", "0 2 L * *", True, None),  # last day of the month
]


def insert(
    conn: Conn,
    rows: Iterable[tuple[int, int, str, str | None, bool, str | None]],
    table: str = "organization_integrations",
    *,
    timezone: bool = True,
) -> None:
    columns = ["id", "organization_id", "integration_type", "cron_schedule", "is_enabled"]
    columns += ["timezone"] if timezone else []
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        postgres._table(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    with conn.cursor() as cur:
        cur.executemany(
            query,
            [
                (integ(i), org(o), kind, schedule, enabled, zone)[: len(columns)]
                for i, o, kind, schedule, enabled, zone in rows
            ],
        )
    conn.commit()


def due(integration: int, organization: int, kind: str, at: str) -> DueIntegration:
    return DueIntegration(org(organization), integ(integration), kind, utc(at))  # type: ignore[arg-type]


@pytest.fixture
def seeded(pg_conn: Conn) -> Conn:
    insert(pg_conn, SEED)
    return pg_conn


class TestDueSubset:
    def test_nightly_rows_are_due_at_two_utc_and_invalid_disabled_null_are_not(
        self, seeded: Conn
    ) -> None:
        assert read_due_integrations(utc("2026-11-28T02:00"), seeded) == [
            due(1, 1, "xledger", "2026-11-28T02:00"),
            due(2, 1, "dynamics", "2026-11-28T02:00"),
            due(3, 2, "bufdir", "2026-11-28T02:00"),
        ]

    def test_nothing_nightly_is_due_one_minute_later(self, seeded: Conn) -> None:
        assert read_due_integrations(utc("2026-11-28T02:01"), seeded) == []

    def test_oslo_schedule_fires_at_its_own_two_oclock(self, seeded: Conn) -> None:
        assert read_due_integrations(utc("2026-11-28T01:00"), seeded) == [
            due(3, 2, "bufdir", "2026-11-28T01:00"),
            due(8, 3, "dynamics", "2026-11-28T01:00"),
        ]
        # Summer: Oslo is UTC+2.
        assert read_due_integrations(utc("2026-06-15T00:00"), seeded) == [
            due(3, 2, "bufdir", "2026-06-15T00:00"),
            due(8, 3, "dynamics", "2026-06-15T00:00"),
        ]

    def test_month_end_fires_on_the_last_day_not_on_30_november_for_day_31(
        self, seeded: Conn
    ) -> None:
        assert read_due_integrations(utc("2026-11-30T02:00"), seeded) == [
            due(1, 1, "xledger", "2026-11-30T02:00"),
            due(2, 1, "dynamics", "2026-11-30T02:00"),
            due(10, 1, "bufdir", "2026-11-30T02:00"),
            due(3, 2, "bufdir", "2026-11-30T02:00"),
        ]
        assert [
            d.integration_id for d in read_due_integrations(utc("2026-12-31T02:00"), seeded)
        ] == [
            integ(1),
            integ(2),
            integ(10),
            integ(3),
            integ(9),
        ]

    def test_bad_rows_are_rejected_with_reasons_and_logged(
        self, seeded: Conn, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            schedule = load_schedule_map(seeded)
        assert len(schedule) == 6
        assert sorted(schedule.rejected, key=lambda r: str(r.integration_id)) == [
            RejectedRow(
                org(2), integ(4), "99 * * * *", "minute: 99 is out of range 0-59 (column 1)"
            ),
            RejectedRow(
                org(3),
                integ(7),
                "Mars/Olympus",
                "unknown time zone 'Mars/Olympus': use an IANA name like 'Europe/Oslo'",
            ),
        ]
        warned = sorted(str(getattr(r, "integration_id", "")) for r in caplog.records)
        assert warned == [integ(4), integ(7)]

    def test_ids_arrive_as_strings(self, seeded: Conn) -> None:
        (first, *_) = read_due_integrations(utc("2026-11-28T02:00"), seeded)
        assert type(first.org_id) is str
        assert type(first.integration_id) is str
        assert first.idempotency_key == f"{integ(1)}@2026-11-28T02:00Z"

    def test_due_between_catches_up_from_the_loaded_map(self, seeded: Conn) -> None:
        schedule = load_schedule_map(seeded)
        window = schedule.due_between(utc("2026-11-28T00:50"), utc("2026-11-28T01:15"))
        assert [(d.integration_id, d.scheduled_at) for d in window] == [
            (integ(3), utc("2026-11-28T01:00")),
            (integ(8), utc("2026-11-28T01:00")),
            (integ(3), utc("2026-11-28T01:15")),
        ]

    def test_min_interval_rejects_too_frequent_schedules(self, seeded: Conn) -> None:
        schedule = load_schedule_map(seeded, min_interval=timedelta(hours=1))
        assert integ(3) in {r.integration_id for r in schedule.rejected}
        assert len(schedule) == 5

    def test_unknown_integration_type_is_rejected_on_a_table_without_the_check(
        self, pg_conn: Conn
    ) -> None:
        # LIKE copies no CHECK constraint: the core, not the DDL, must refuse 'sap'.
        pg_conn.execute("CREATE TABLE loose (LIKE organization_integrations INCLUDING DEFAULTS)")
        insert(pg_conn, [(1, 1, "sap", "0 2 * * *", True, None), SEED[0]], "loose")
        schedule = load_schedule_map(pg_conn, table="loose")
        assert schedule.due_at(utc("2026-11-28T02:00")) == [
            due(1, 1, "xledger", "2026-11-28T02:00")
        ]
        assert schedule.rejected == (
            RejectedRow(
                org(1),
                integ(1),
                "sap",
                "unknown integration type 'sap' (known: bufdir, dynamics, xledger)",
            ),
        )

    def test_the_shipped_check_refuses_an_unknown_type(self, pg_conn: Conn) -> None:
        with pytest.raises(psycopg.errors.CheckViolation):
            insert(pg_conn, [(1, 1, "sap", "0 2 * * *", True, None)])


class TestSchema:
    def test_schema_sql_can_run_again(self, seeded: Conn) -> None:
        apply_schema(seeded)
        count = seeded.execute("SELECT count(*) FROM organization_integrations").fetchone()
        assert count == (len(SEED),)

    def test_defaults_fill_id_and_is_enabled(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "INSERT INTO organization_integrations (organization_id, integration_type,"
            " cron_schedule) VALUES (%s, 'bufdir', '0 2 * * *')",
            (org(1),),
        )
        pg_conn.commit()
        (due_now,) = read_due_integrations(utc("2026-11-28T02:00"), pg_conn)
        assert (due_now.org_id, due_now.integration_type) == (org(1), "bufdir")
        assert len(due_now.integration_id) == 36


class TestStreaming:
    def test_rows_spanning_many_batches_all_load(
        self, pg_conn: Conn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(postgres, "BATCH_SIZE", 100)
        pg_conn.execute(
            "INSERT INTO organization_integrations (organization_id, integration_type,"
            " cron_schedule) SELECT gen_random_uuid(), 'xledger',"
            " CASE WHEN g % 2 = 0 THEN '0 2 * * *' ELSE '30 2 * * *' END"
            " FROM generate_series(1, 2501) AS g"
        )
        pg_conn.commit()
        schedule = load_schedule_map(pg_conn)
        assert len(schedule) == 2501
        assert len(schedule.due_at(utc("2026-11-28T02:00"))) == 1250
        assert len(schedule.due_at(utc("2026-11-28T02:30"))) == 1251

        async def run_async() -> ScheduleMap:
            async with await psycopg.AsyncConnection.connect(pg_conn.info.dsn) as aconn:
                return await load_schedule_map_async(aconn)

        assert len(asyncio.run(run_async()).due_at(utc("2026-11-28T02:30"))) == 1251


class TestAsync:
    def test_async_gives_the_same_answer_as_sync(self, seeded: Conn, pg_aconnect: AConnect) -> None:
        at = utc("2026-11-30T02:00")

        async def run() -> tuple[list[DueIntegration], ScheduleMap]:
            async with await pg_aconnect() as aconn:
                return (
                    await read_due_integrations_async(at, aconn),
                    await load_schedule_map_async(aconn),
                )

        due_async, schedule_async = asyncio.run(run())
        schedule = load_schedule_map(seeded)
        assert due_async == read_due_integrations(at, seeded)
        assert len(due_async) == 4
        assert schedule_async.rejected == schedule.rejected
        assert len(schedule_async) == len(schedule) == 6

    def test_async_missing_table_raises(self, pg_aconnect: AConnect) -> None:
        async def run() -> ScheduleMap:
            async with await pg_aconnect() as aconn:
                return await load_schedule_map_async(aconn, table="nowhere")

        with pytest.raises(psycopg.errors.UndefinedTable):
            asyncio.run(run())


class TestConnectionsTheCallerOwns:
    def test_a_dict_row_connection_still_loads(self, seeded: Conn) -> None:
        with psycopg.connect(seeded.info.dsn, row_factory=dict_row) as conn:
            assert len(read_due_integrations(utc("2026-11-28T02:00"), conn)) == 3

    def test_an_autocommit_connection_loads_and_stays_idle(self, seeded: Conn) -> None:
        with psycopg.connect(seeded.info.dsn, autocommit=True) as conn:
            assert len(read_due_integrations(utc("2026-11-28T02:00"), conn)) == 3
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE

    def test_inside_the_callers_transaction_the_transaction_stays_open(self, seeded: Conn) -> None:
        seeded.execute("SELECT 1")
        assert seeded.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        assert len(read_due_integrations(utc("2026-11-28T02:00"), seeded)) == 3
        assert seeded.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        seeded.rollback()

    def test_a_fresh_non_autocommit_connection_is_left_idle(self, seeded: Conn) -> None:
        load_schedule_map(seeded)
        assert seeded.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


class TestTableNames:
    def test_table_without_timezone_column_reads_every_schedule_in_utc(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "CREATE TABLE legacy (id uuid PRIMARY KEY, organization_id uuid NOT NULL,"
            " integration_type text NOT NULL, cron_schedule text, is_enabled boolean NOT NULL)"
        )
        insert(pg_conn, [SEED[0], SEED[7]], "legacy", timezone=False)
        assert read_due_integrations(utc("2026-11-28T02:00"), pg_conn, table="legacy") == [
            due(1, 1, "xledger", "2026-11-28T02:00"),
            due(8, 3, "dynamics", "2026-11-28T02:00"),
        ]

    def test_a_dropped_timezone_column_counts_as_absent(self, pg_conn: Conn) -> None:
        insert(pg_conn, [SEED[7]])
        pg_conn.execute("ALTER TABLE organization_integrations DROP COLUMN timezone")
        pg_conn.commit()
        assert read_due_integrations(utc("2026-11-28T02:00"), pg_conn) == [
            due(8, 3, "dynamics", "2026-11-28T02:00")
        ]

    def test_schema_qualified_name_reads_that_schema(self, seeded: Conn) -> None:
        seeded.execute("CREATE SCHEMA billing")
        seeded.execute(
            "CREATE TABLE billing.organization_integrations"
            " (LIKE public.organization_integrations INCLUDING ALL)"
        )
        insert(
            seeded,
            [(20, 9, "bufdir", "0 2 * * *", True, "Europe/Oslo")],
            "billing.organization_integrations",
        )
        assert read_due_integrations(
            utc("2026-11-28T01:00"), seeded, table="billing.organization_integrations"
        ) == [due(20, 9, "bufdir", "2026-11-28T01:00")]

    def test_names_needing_quotes_are_quoted(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            'CREATE TABLE "Org Integrations" (LIKE organization_integrations INCLUDING DEFAULTS)'
        )
        insert(pg_conn, [SEED[0]], "Org Integrations")
        assert read_due_integrations(
            utc("2026-11-28T02:00"), pg_conn, table="Org Integrations"
        ) == [due(1, 1, "xledger", "2026-11-28T02:00")]

    def test_hostile_table_name_is_quoted_not_executed(self, seeded: Conn) -> None:
        hostile = 'x"; DROP TABLE organization_integrations; --'
        with pytest.raises(psycopg.errors.UndefinedTable):
            load_schedule_map(seeded, table=hostile)
        with pytest.raises(psycopg.errors.UndefinedTable):
            claim_due(seeded, [due(1, 1, "xledger", "2026-11-28T02:00")], worker="w", table=hostile)
        seeded.rollback()
        count = seeded.execute("SELECT count(*) FROM organization_integrations").fetchone()
        assert count == (len(SEED),)

    def test_missing_table_raises_undefined_table(self, pg_conn: Conn) -> None:
        with pytest.raises(psycopg.errors.UndefinedTable):
            read_due_integrations(utc("2026-11-28T02:00"), pg_conn, table="nowhere")

    @pytest.mark.parametrize("name", ["a.b.c", "", ".table", "schema."])
    def test_malformed_table_name_is_a_value_error(self, pg_conn: Conn, name: str) -> None:
        with pytest.raises(ValueError, match=r"table must be 'table' or 'schema\.table'"):
            load_schedule_map(pg_conn, table=name)


def terminate(dsn: str, pid: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


# 2,000 rows in 60 groups (one schedule per minute of the hour), to stream in batches.
SIXTY_SCHEDULES = (
    "INSERT INTO organization_integrations (organization_id, integration_type, cron_schedule)"
    " SELECT gen_random_uuid(), 'xledger', (n % 60)::text || ' 2 * * *'"
    " FROM generate_series(1, 2000) AS n"
)


class TestDatabaseErrorsPropagate:
    def test_terminated_backend_raises_instead_of_returning_nothing(self, seeded: Conn) -> None:
        terminate(seeded.info.dsn, seeded.info.backend_pid)
        with pytest.raises(psycopg.OperationalError):
            read_due_integrations(utc("2026-11-28T02:00"), seeded)

    def test_connection_lost_half_way_through_the_rows_raises_not_a_partial_map(
        self, pg_conn: Conn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(postgres, "BATCH_SIZE", 10)
        pg_conn.execute(SIXTY_SCHEDULES)
        pg_conn.commit()
        dsn, pid = pg_conn.info.dsn, pg_conn.info.backend_pid
        consumed: list[int] = []

        class KillAfterFirstGroup(ScheduleMap):
            @classmethod
            def from_groups(
                cls, groups: Iterable[Any], *, min_interval: timedelta | None = None
            ) -> ScheduleMap:
                def killing() -> Iterator[Any]:
                    for n, group in enumerate(groups):
                        if n == 1:
                            terminate(dsn, pid)
                        consumed.append(n)
                        yield group

                return ScheduleMap.from_groups(killing(), min_interval=min_interval)

        monkeypatch.setattr(postgres, "ScheduleMap", KillAfterFirstGroup)
        with pytest.raises(psycopg.OperationalError):
            load_schedule_map(pg_conn)
        assert 1 < len(consumed) < 60

    def test_async_connection_lost_half_way_through_the_rows_raises(
        self, pg_conn: Conn, pg_aconnect: AConnect, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(postgres, "BATCH_SIZE", 10)
        pg_conn.execute(SIXTY_SCHEDULES)
        pg_conn.commit()
        fetches: list[int] = []
        fetchmany = psycopg.AsyncServerCursor.fetchmany

        async def run() -> ScheduleMap:
            async with await pg_aconnect() as aconn:
                dsn, pid = aconn.info.dsn, aconn.info.backend_pid

                async def killing_fetchmany(cursor: Any, size: int = 0) -> list[Any]:
                    fetches.append(size)
                    if len(fetches) == 2:
                        terminate(dsn, pid)
                    return await fetchmany(cursor, size)

                monkeypatch.setattr(psycopg.AsyncServerCursor, "fetchmany", killing_fetchmany)
                return await load_schedule_map_async(aconn)

        with pytest.raises(psycopg.OperationalError):
            asyncio.run(run())
        assert fetches == [10, 10]

    def test_async_terminated_backend_raises(self, seeded: Conn, pg_aconnect: AConnect) -> None:
        async def run() -> list[DueIntegration]:
            async with await pg_aconnect() as aconn:
                terminate(seeded.info.dsn, aconn.info.backend_pid)
                return await read_due_integrations_async(utc("2026-11-28T02:00"), aconn)

        with pytest.raises(psycopg.OperationalError):
            asyncio.run(run())


def runs(count: int, at: datetime) -> list[DueIntegration]:
    return [DueIntegration(org(n % 37), integ(n), "xledger", at) for n in range(count)]


def claimed_rows(conn: Conn) -> list[tuple[Any, ...]]:
    conn.rollback()
    return conn.execute(
        "SELECT integration_id::text, organization_id::text, scheduled_at, worker"
        " FROM integration_runs ORDER BY integration_id, scheduled_at"
    ).fetchall()


class TestClaims:
    def test_first_claim_wins_and_a_repeat_claims_nothing(self, pg_conn: Conn) -> None:
        at = datetime.now(UTC).replace(second=0, microsecond=0)
        batch = [
            DueIntegration(org(2), integ(2), "dynamics", at),
            DueIntegration(org(1), integ(1), "xledger", at),
        ]
        assert claim_due(pg_conn, batch, worker="worker-a") == batch
        assert claim_due(pg_conn, batch, worker="worker-b") == []
        assert claimed_rows(pg_conn) == [
            (integ(1), org(1), at, "worker-a"),
            (integ(2), org(2), at, "worker-a"),
        ]

    def test_a_later_run_of_the_same_integration_is_a_new_claim(self, pg_conn: Conn) -> None:
        first = DueIntegration(org(1), integ(1), "xledger", utc("2026-11-28T02:00"))
        second = DueIntegration(org(1), integ(1), "xledger", utc("2026-11-29T02:00"))
        assert claim_due(pg_conn, [first], worker="w", drift=timedelta(days=9999)) == [first]
        assert claim_due(pg_conn, [first, second], worker="w", drift=timedelta(days=9999)) == [
            second
        ]

    def test_result_keeps_the_input_order_and_repeats_count_once(self, pg_conn: Conn) -> None:
        at = datetime.now(UTC).replace(second=0, microsecond=0)
        batch = runs(5, at)[::-1]
        assert claim_due(pg_conn, [*batch, batch[0]], worker="w") == batch
        assert len(claimed_rows(pg_conn)) == 5

    def test_ids_match_whatever_their_spelling(self, pg_conn: Conn) -> None:
        at = datetime.now(UTC).replace(second=0, microsecond=0)
        shouting = DueIntegration(org(1).upper(), integ(1).upper(), "xledger", at)
        assert claim_due(pg_conn, [shouting], worker="w") == [shouting]
        assert (
            claim_due(pg_conn, [DueIntegration(org(1), integ(1), "xledger", at)], worker="w") == []
        )

    def test_scheduled_at_in_another_zone_is_the_same_run(self, pg_conn: Conn) -> None:
        at = datetime.now(UTC).replace(second=0, microsecond=0)
        oslo = at.astimezone(cronspec.parse("* * * * *", tz="Europe/Oslo").tz)
        assert claim_due(pg_conn, [DueIntegration(org(1), integ(1), "xledger", at)], worker="w")
        assert (
            claim_due(pg_conn, [DueIntegration(org(1), integ(1), "xledger", oslo)], worker="w")
            == []
        )

    def test_empty_batch_claims_nothing(self, pg_conn: Conn) -> None:
        assert claim_due(pg_conn, [], worker="w") == []

    def test_naive_scheduled_time_is_refused(self, pg_conn: Conn) -> None:
        naive = DueIntegration(org(1), integ(1), "xledger", datetime(2026, 11, 28, 2, 0))
        with pytest.raises(ValueError, match="is naive"):
            claim_due(pg_conn, [naive], worker="w")

    def test_missing_claim_table_raises(self, pg_conn: Conn) -> None:
        with pytest.raises(psycopg.errors.UndefinedTable):
            claim_due(pg_conn, runs(1, utc("2026-11-28T02:00")), worker="w", table="nowhere")

    def test_terminated_backend_raises(self, pg_conn: Conn) -> None:
        terminate(pg_conn.info.dsn, pg_conn.info.backend_pid)
        with pytest.raises(psycopg.OperationalError):
            claim_due(pg_conn, runs(1, utc("2026-11-28T02:00")), worker="w")

    def test_late_claim_logs_a_drift_warning(
        self, pg_conn: Conn, caplog: pytest.LogCaptureFixture
    ) -> None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        late = DueIntegration(org(1), integ(1), "xledger", now - timedelta(minutes=10))
        on_time = DueIntegration(org(2), integ(2), "bufdir", now)
        with caplog.at_level(logging.WARNING, logger="cronspec.adapters.postgres"):
            assert claim_due(pg_conn, [late, on_time], worker="worker-a") == [late, on_time]
        (record,) = caplog.records
        assert record.levelno == logging.WARNING
        assert record.name == "cronspec.adapters.postgres"
        assert record.integration_id == integ(1)  # type: ignore[attr-defined]
        assert record.org_id == org(1)  # type: ignore[attr-defined]
        assert record.worker == "worker-a"  # type: ignore[attr-defined]
        assert record.scheduled_at == late.scheduled_at.isoformat()  # type: ignore[attr-defined]
        assert 600 <= record.drift_seconds < 720  # type: ignore[attr-defined]
        assert f"integration {integ(1)} of organization {org(1)} claimed" in record.getMessage()

    def test_drift_threshold_is_configurable(
        self, pg_conn: Conn, caplog: pytest.LogCaptureFixture
    ) -> None:
        late = DueIntegration(org(1), integ(1), "xledger", utc("2026-11-28T02:00"))
        with caplog.at_level(logging.WARNING, logger="cronspec.adapters.postgres"):
            claim_due(pg_conn, [late], worker="w", drift=timedelta(days=36500))
        assert caplog.records == []

    def test_async_claim_has_the_same_result(self, pg_conn: Conn, pg_aconnect: AConnect) -> None:
        at = datetime.now(UTC).replace(second=0, microsecond=0)
        batch = runs(3, at)

        async def run() -> tuple[list[DueIntegration], list[DueIntegration]]:
            async with await pg_aconnect() as aconn:
                return (
                    await claim_due_async(aconn, batch, worker="async"),
                    await claim_due_async(aconn, batch, worker="async"),
                )

        assert asyncio.run(run()) == (batch, [])
        assert [row[3] for row in claimed_rows(pg_conn)] == ["async"] * 3

    def test_two_workers_racing_claim_each_of_1000_runs_exactly_once(
        self, pg_db_dsn: str, pg_conn: Conn
    ) -> None:
        at = datetime.now(UTC).replace(second=0, microsecond=0)
        batch = runs(1000, at)
        # One worker in order, the other backwards with its first half shuffled: the
        # batches overlap in every way (and would deadlock without the sorted insert).
        backwards = batch[::-1]
        head = backwards[:500]
        random.Random(5).shuffle(head)
        orders = [batch, head + backwards[500:]]
        won: dict[str, list[DueIntegration]] = {}
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def work(name: str, order: list[DueIntegration]) -> None:
            try:
                with psycopg.connect(pg_db_dsn) as conn:
                    start.wait()
                    mine: list[DueIntegration] = []
                    for chunk in range(0, len(order), 50):
                        mine += claim_due(conn, order[chunk : chunk + 50], worker=name)
                    won[name] = mine
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work, args=(f"w{n}", o)) for n, o in enumerate(orders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        first, second = set(won["w0"]), set(won["w1"])
        assert first | second == set(batch)
        assert first & second == set()
        assert len(won["w0"]) + len(won["w1"]) == 1000
        rows = claimed_rows(pg_conn)
        assert len(rows) == 1000
        assert {row[0] for row in rows if row[3] == "w0"} == {d.integration_id for d in first}
