"""The Postgres adapter against a real server: due subsets, bad rows, hostile names, faults,
exactly-once claims between concurrent workers."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

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


class TestIdsTravelExactly:
    """The groups' ids travel as one NUL-separated bytea: any text comes back as it was."""

    AWKWARD: ClassVar[list[str]] = [
        "plain",
        "with space",
        "comma,semi;colon",
        "quote\" and ' apostrophe",
        "back\\slash \\x00 \\N",
        "{braces}",
        "tab\there\nnewline\r",
        "ünïcødé 日本 🎉",
        "NULL",
        "replacement \ufffd character",
    ]

    def test_text_ids_with_separators_quotes_and_unicode_load_unchanged(
        self, pg_conn: Conn
    ) -> None:
        pg_conn.execute(
            "CREATE TABLE texts (id text, organization_id text, integration_type text,"
            " cron_schedule text, is_enabled boolean)"
        )
        pg_conn.cursor().executemany(
            "INSERT INTO texts VALUES (%s, %s, 'xledger', '0 2 * * *', true)",
            [(f"id {value}", f"org {value}") for value in self.AWKWARD],
        )
        pg_conn.commit()
        schedule = load_schedule_map(pg_conn, table="texts")
        assert schedule.rejected == ()
        assert sorted(
            (d.org_id, d.integration_id) for d in schedule.due_at(utc("2026-11-28T02:00"))
        ) == sorted((f"org {value}", f"id {value}") for value in self.AWKWARD)

    def test_null_and_empty_ids_are_rejected_and_the_rest_of_their_group_loads(
        self, pg_conn: Conn
    ) -> None:
        pg_conn.execute(
            "CREATE TABLE loose_ids (id text, organization_id text, integration_type text,"
            " cron_schedule text, is_enabled boolean)"
        )
        pg_conn.execute(
            "INSERT INTO loose_ids VALUES ('i1', 'o1', 'xledger', '0 2 * * *', true),"
            " (NULL, 'o2', 'xledger', '0 2 * * *', true),"
            " ('i3', NULL, 'xledger', '0 2 * * *', true),"
            " ('', 'o4', 'xledger', '0 2 * * *', true)"
        )
        pg_conn.commit()
        schedule = load_schedule_map(pg_conn, table="loose_ids")
        assert schedule.due_at(utc("2026-11-28T02:00")) == [
            DueIntegration("o1", "i1", "xledger", utc("2026-11-28T02:00"))
        ]
        assert sorted(schedule.rejected, key=repr) == sorted(
            [
                RejectedRow("o2", None, None, "id must be a non-empty str, int or UUID"),
                RejectedRow(
                    None, "i3", None, "organization_id must be a non-empty str, int or UUID"
                ),
                RejectedRow("o4", "", "", "id must be a non-empty str, int or UUID"),
            ],
            key=repr,
        )

    def test_integer_ids_load_as_their_decimal_text(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "CREATE TABLE numbered (id bigint, organization_id integer, integration_type text,"
            " cron_schedule text, is_enabled boolean)"
        )
        pg_conn.execute(
            "INSERT INTO numbered VALUES (9007199254740993, -7, 'bufdir', '0 2 * * *', true)"
        )
        pg_conn.commit()
        assert read_due_integrations(utc("2026-11-28T02:00"), pg_conn, table="numbered") == [
            DueIntegration("-7", "9007199254740993", "bufdir", utc("2026-11-28T02:00"))
        ]


def set_updated_at(
    conn: Conn, values: dict[int, str | None], table: str = "organization_integrations"
) -> None:
    """Every row edited on 1 January 2026 but ``values`` (integration number -> time)."""
    name = postgres._table(table)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("UPDATE {} SET updated_at = '2026-01-01T00:00Z'").format(name))
        for integration, value in values.items():
            cur.execute(
                sql.SQL("UPDATE {} SET updated_at = %s WHERE id::text = %s").format(name),
                (value, integ(integration)),
            )
    conn.commit()


class TestUpdatedAt:
    """Each row's updated_at reaches the map (``edited_after``), as epoch seconds."""

    def test_each_loaded_row_carries_its_updated_at_to_the_microsecond(self, seeded: Conn) -> None:
        set_updated_at(
            seeded,
            {
                1: "2026-11-28T01:59:59.123456Z",
                2: "2026-11-20T00:00:00Z",
                3: "2026-11-28T03:00:00.000001+01:00",
                4: "2026-11-28T05:00:00Z",  # invalid cron: rejected, so no edit time
                8: "2026-11-28T02:00:00Z",
            },
        )
        schedule = load_schedule_map(seeded)
        assert schedule.edited_after(utc("2026-11-27T00:00")) == {
            integ(1): datetime(2026, 11, 28, 1, 59, 59, 123456, UTC),
            integ(3): datetime(2026, 11, 28, 2, 0, 0, 1, UTC),
            integ(8): datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
        }
        assert len(schedule.edited_after(utc("2025-12-31T00:00"))) == 6  # every loaded row

    def test_null_and_infinite_updated_at_are_no_edit_time(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "CREATE TABLE nullable_edits (LIKE organization_integrations INCLUDING DEFAULTS)"
        )
        pg_conn.execute("ALTER TABLE nullable_edits ALTER COLUMN updated_at DROP NOT NULL")
        insert(pg_conn, SEED[:3], "nullable_edits")
        set_updated_at(
            pg_conn, {1: None, 2: "infinity", 3: "2026-11-28T02:00:00Z"}, "nullable_edits"
        )
        schedule = load_schedule_map(pg_conn, table="nullable_edits")
        assert len(schedule) == 3
        assert schedule.edited_after(utc("0001-01-01T00:00")) == {
            integ(3): datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
        }

    def test_a_timestamp_without_zone_reads_as_utc(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "CREATE TABLE naive_edits (id uuid, organization_id uuid, integration_type text,"
            " cron_schedule text, is_enabled boolean, updated_at timestamp)"
        )
        insert(pg_conn, SEED[:1], "naive_edits", timezone=False)
        set_updated_at(pg_conn, {1: "2026-11-28 02:30:00"}, "naive_edits")
        schedule = load_schedule_map(pg_conn, table="naive_edits")
        assert schedule.edited_after(utc("2026-11-28T00:00")) == {
            integ(1): datetime(2026, 11, 28, 2, 30, tzinfo=UTC)
        }

    def test_a_table_without_updated_at_loads_with_no_edit_times(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "CREATE TABLE unedited (id uuid, organization_id uuid, integration_type text,"
            " cron_schedule text, is_enabled boolean, timezone text)"
        )
        insert(pg_conn, SEED, "unedited")
        schedule = load_schedule_map(pg_conn, table="unedited")
        assert len(schedule) == 6
        assert schedule.edited_after(utc("0001-01-01T00:00")) == {}

    def test_an_updated_at_that_is_not_a_time_is_not_read(self, pg_conn: Conn) -> None:
        pg_conn.execute(
            "CREATE TABLE text_edits (id uuid, organization_id uuid, integration_type text,"
            " cron_schedule text, is_enabled boolean, updated_at text)"
        )
        insert(pg_conn, SEED[:1], "text_edits", timezone=False)
        set_updated_at(pg_conn, {1: "yesterday-ish"}, "text_edits")
        schedule = load_schedule_map(pg_conn, table="text_edits")
        assert len(schedule) == 1
        assert schedule.edited_after(utc("0001-01-01T00:00")) == {}

    def test_async_gives_the_same_edit_times(self, seeded: Conn, pg_aconnect: AConnect) -> None:
        set_updated_at(seeded, {1: "2026-11-28T01:59:59.5Z", 3: "2026-11-28T02:00:00Z"})

        async def run() -> ScheduleMap:
            async with await pg_aconnect() as aconn:
                return await load_schedule_map_async(aconn)

        since = utc("2026-11-28T00:00")
        assert (
            asyncio.run(run()).edited_after(since)
            == load_schedule_map(seeded).edited_after(since)
            == {
                integ(1): datetime(2026, 11, 28, 1, 59, 59, 500000, UTC),
                integ(3): datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
            }
        )

    def test_the_map_takes_epoch_seconds_and_drops_what_is_no_time(self) -> None:
        # The map's side: updated_at values may be epoch seconds (what the adapter sends).
        ids = ["float", "int", "nan", "inf", "bool", "too-late", "too-early", "text", "dt"]
        updated: list[object] = [
            1_796_090_400.25,
            1_796_090_460,
            float("nan"),
            float("inf"),
            True,
            253_402_300_800.0,  # 10000-01-01
            -62_135_596_801.0,  # before year 1
            "1796090400",
            datetime(2026, 12, 1, 2, 2),  # naive: UTC
        ]
        schedule = ScheduleMap.from_groups(
            [("0 2 * * *", None, "xledger", ["o"] * len(ids), ids, updated)]
        )
        assert len(schedule) == len(ids)
        assert schedule.edited_after(utc("2026-12-01T00:00")) == {
            "float": datetime(2026, 12, 1, 2, 0, 0, 250000, UTC),
            "int": datetime(2026, 12, 1, 2, 1, tzinfo=UTC),
            "dt": datetime(2026, 12, 1, 2, 2, tzinfo=UTC),
        }
        assert ScheduleMap.from_groups(
            [
                (
                    "0 2 * * *",
                    None,
                    "xledger",
                    ["o", "o"],
                    ["first", "last"],
                    [-62_135_596_800.0, 253_402_300_799.0],
                )
            ]
        ).edited_after(datetime.min.replace(tzinfo=UTC)) == {
            "last": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
        }


# A view that shows, as each row's schedule, the settings in effect while the load reads
# (invalid crons: the map rejects them with the value).
SETTINGS_PROBE = (
    "CREATE VIEW settings_probe AS SELECT id, organization_id, integration_type,"
    " current_setting('lock_timeout') || ' ' || current_setting('statement_timeout')"
    " AS cron_schedule, is_enabled FROM organization_integrations"
)


def probed(schedule: ScheduleMap) -> list[object]:
    return [row.value for row in schedule.rejected]


@pytest.fixture
def blocker(pg_conn: Conn) -> Iterator[Callable[[str], None]]:
    """``lock(table)``: another connection takes an ACCESS EXCLUSIVE lock on ``table`` and
    holds it until the test ends (the server ends it after 30 s, so a wait that is not
    bounded shows as a failed assertion, not as a hung suite)."""
    with psycopg.connect(pg_conn.info.dsn) as other:

        def lock(table: str) -> None:
            other.execute("SET idle_in_transaction_session_timeout = '30s'")
            other.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table))
            )

        yield lock


class TestBoundedWaits:
    def test_defaults_are_five_seconds_for_locks_and_a_minute_per_statement(
        self, seeded: Conn
    ) -> None:
        seeded.execute(SETTINGS_PROBE)
        seeded.commit()
        assert set(probed(load_schedule_map(seeded, table="settings_probe"))) == {"5s 1min"}

    def test_given_bounds_apply_and_none_keeps_the_sessions_own(self, seeded: Conn) -> None:
        seeded.execute(SETTINGS_PROBE)
        seeded.commit()
        schedule = load_schedule_map(
            seeded,
            table="settings_probe",
            lock_timeout=timedelta(milliseconds=250),
            statement_timeout=timedelta(seconds=2),
        )
        assert set(probed(schedule)) == {"250ms 2s"}
        seeded.execute("SET lock_timeout = '7s'")
        seeded.commit()
        schedule = load_schedule_map(
            seeded, table="settings_probe", lock_timeout=None, statement_timeout=None
        )
        assert set(probed(schedule)) == {"7s 0"}

    def test_a_locked_table_raises_lock_not_available(
        self, seeded: Conn, blocker: Callable[[str], None]
    ) -> None:
        blocker("organization_integrations")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            load_schedule_map(seeded, lock_timeout=timedelta(milliseconds=100))
        with pytest.raises(psycopg.errors.LockNotAvailable):
            read_due_integrations(
                utc("2026-11-28T02:00"), seeded, lock_timeout=timedelta(milliseconds=100)
            )
        assert seeded.info.transaction_status == psycopg.pq.TransactionStatus.IDLE

    def test_a_locked_claim_table_raises_lock_not_available(
        self, pg_conn: Conn, blocker: Callable[[str], None]
    ) -> None:
        blocker("integration_runs")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            claim_due(
                pg_conn,
                runs(1, utc("2026-11-28T02:00")),
                worker="w",
                lock_timeout=timedelta(milliseconds=100),
            )

    def test_a_slow_statement_is_cancelled_by_the_statement_timeout(self, seeded: Conn) -> None:
        seeded.execute(
            "CREATE VIEW slow AS SELECT o.* FROM organization_integrations AS o,"
            " LATERAL pg_sleep(30)"
        )
        seeded.commit()
        with pytest.raises(psycopg.errors.QueryCanceled):
            load_schedule_map(seeded, table="slow", statement_timeout=timedelta(milliseconds=200))

    def test_own_transaction_leaves_the_sessions_settings_as_they_were(self, seeded: Conn) -> None:
        load_schedule_map(seeded, lock_timeout=timedelta(seconds=3))
        assert seeded.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        ).fetchone() == ("0", "0")

    def test_inside_the_callers_transaction_the_callers_bounds_are_put_back(
        self, seeded: Conn
    ) -> None:
        seeded.execute(SETTINGS_PROBE)
        seeded.commit()
        seeded.execute("SET lock_timeout = '2s'")  # the session's
        seeded.execute(
            "SELECT set_config('statement_timeout', '123ms', true)"
        )  # this transaction's
        schedule = load_schedule_map(seeded, table="settings_probe")
        assert set(probed(schedule)) == {"5s 1min"}
        claim_due(seeded, runs(2, utc("2026-11-28T02:00")), worker="w", drift=timedelta(days=9999))
        assert seeded.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        assert seeded.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        ).fetchone() == ("2s", "123ms")
        seeded.commit()
        assert seeded.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        ).fetchone() == ("2s", "0")

    def test_a_failed_call_inside_the_callers_transaction_leaves_it_usable_and_unchanged(
        self, seeded: Conn, blocker: Callable[[str], None]
    ) -> None:
        seeded.execute("SELECT set_config('lock_timeout', '321ms', true)")
        blocker("organization_integrations")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            load_schedule_map(seeded, lock_timeout=timedelta(milliseconds=100))
        assert seeded.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        assert seeded.execute("SELECT current_setting('lock_timeout')").fetchone() == ("321ms",)
        seeded.rollback()

    def test_async_twins_are_bounded_and_put_the_callers_bounds_back(
        self, seeded: Conn, pg_aconnect: AConnect, blocker: Callable[[str], None]
    ) -> None:
        async def run() -> tuple[type[BaseException], type[BaseException], object]:
            async with await pg_aconnect() as aconn:
                await aconn.execute("SELECT set_config('lock_timeout', '321ms', true)")
                schedule = await load_schedule_map_async(aconn)
                claimed = await claim_due_async(
                    aconn,
                    schedule.due_at(utc("2026-11-28T02:00")),
                    worker="a",
                    drift=timedelta(days=9999),
                )
                setting = await (
                    await aconn.execute("SELECT current_setting('lock_timeout')")
                ).fetchone()
                await aconn.rollback()
                assert len(claimed) == 3
                blocker("organization_integrations")
                blocker("integration_runs")
                failures: list[type[BaseException]] = []
                for call in (
                    load_schedule_map_async(aconn, lock_timeout=timedelta(milliseconds=100)),
                    claim_due_async(
                        aconn, claimed, worker="a", lock_timeout=timedelta(milliseconds=100)
                    ),
                ):
                    try:
                        await call
                    except psycopg.Error as error:
                        failures.append(type(error))
                return failures[0], failures[1], setting

        assert asyncio.run(run()) == (
            psycopg.errors.LockNotAvailable,
            psycopg.errors.LockNotAvailable,
            ("321ms",),
        )
