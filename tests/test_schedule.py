"""The schedule map: the seed's six cases, catch-up windows, bad rows, idempotency keys."""

from __future__ import annotations

import itertools
import logging
import pickle
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest
from hostile import HUGE, Hostile, HostileGet, HostileGetItem, HostileStr, Unreadable

import cronspec
from cronspec import DueIntegration, RejectedRow, ScheduleMap


def row(
    integration: str,
    org: str,
    schedule: object,
    kind: object = "xledger",
    enabled: object = True,
    **extra: object,
) -> dict[str, Any]:
    return {
        "id": integration,
        "organization_id": org,
        "integration_type": kind,
        "cron_schedule": schedule,
        "is_enabled": enabled,
        **extra,
    }


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ids(due: list[DueIntegration]) -> list[str]:
    return [d.integration_id for d in due]


class TestSeedCases:
    def test_nightly_schedule_is_due_at_two_and_not_at_one_past(self) -> None:
        schedule = ScheduleMap.from_rows([row("i1", "o1", "0 2 * * *")])
        assert schedule.due_at(utc("2026-11-28T02:00")) == [
            DueIntegration("o1", "i1", "xledger", utc("2026-11-28T02:00"))
        ]
        assert schedule.due_at(utc("2026-11-28T02:01")) == []

    def test_invalid_cron_is_rejected_with_a_warning_and_the_others_still_load(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        rows = [row("good", "o1", "0 2 * * *"), row("bad", "o2", "99 * * * *")]
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            schedule = ScheduleMap.from_rows(rows)
        assert schedule.rejected == (
            RejectedRow("o2", "bad", "99 * * * *", "minute: 99 is out of range 0-59 (column 1)"),
        )
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["good"]
        [record] = caplog.records
        assert record.levelno == logging.WARNING
        assert record.getMessage() == (
            "skipping integration 'bad' of organization 'o2': "
            "minute: 99 is out of range 0-59 (column 1) (value: '99 * * * *')"
        )
        assert (record.org_id, record.integration_id, record.value) == ("o2", "bad", "99 * * * *")

    def test_disabled_integration_is_excluded_silently(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            schedule = ScheduleMap.from_rows([row("off", "o1", "0 2 * * *", enabled=False)])
        assert schedule.due_at(utc("2026-11-28T02:00")) == []
        assert (len(schedule), schedule.rejected, caplog.records) == (0, (), [])

    def test_null_schedule_is_excluded_silently(self, caplog: pytest.LogCaptureFixture) -> None:
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            schedule = ScheduleMap.from_rows([row("none", "o1", None)])
        assert schedule.due_at(utc("2026-11-28T02:00")) == []
        assert (len(schedule), schedule.rejected, caplog.records) == (0, (), [])

    def test_month_end_schedule_skips_the_thirtieth_of_november(self) -> None:
        schedule = ScheduleMap.from_rows([row("eom", "o1", "0 2 31 * *")])
        assert schedule.due_at(utc("2026-11-30T02:00")) == []
        assert ids(schedule.due_at(utc("2026-12-31T02:00"))) == ["eom"]

    def test_overlapping_schedules_of_several_orgs_are_all_returned_sorted(self) -> None:
        rows = [
            row("i3", "org-b", "0 2 * * *", "bufdir"),
            row("i1", "org-a", "*/15 * * * *", "dynamics"),
            row("i2", "org-a", "0 2 * * *"),
            row("i4", "org-c", "0 3 * * *"),
            row("i5", "org-b", "0 */2 * * *"),
        ]
        due = ScheduleMap.from_rows(rows).due_at(utc("2026-11-28T02:00:42"))
        at = utc("2026-11-28T02:00")
        assert due == [
            DueIntegration("org-a", "i1", "dynamics", at),
            DueIntegration("org-a", "i2", "xledger", at),
            DueIntegration("org-b", "i3", "bufdir", at),
            DueIntegration("org-b", "i5", "xledger", at),
        ]


class TestBadRows:
    @pytest.mark.parametrize(
        ("bad", "value", "reason"),
        [
            (
                row("x", "o", "0 0 30 2 *"),
                "0 0 30 2 *",
                "day-of-month: February has no day 30 (column 5)",
            ),
            (
                row("x", "o", "0 2 * * *", "sap"),
                "sap",
                "unknown integration type 'sap' (known: bufdir, dynamics, xledger)",
            ),
            (
                row("x", "o", "0 2 * * *", timezone="Mars/Olympus"),
                "Mars/Olympus",
                "unknown time zone 'Mars/Olympus': use an IANA name like 'Europe/Oslo'",
            ),
            (row("x", "o", 5), 5, "cron_schedule must be a str, not int"),
            (row("x", "o", "0 2 * * *", timezone=3), 3, "timezone must be an IANA name, not int"),
            (
                row("x", "o", "0 2 * * *", enabled="yes"),
                "yes",
                "is_enabled must be true or false, not 'yes'",
            ),
            (row("", "o", "0 2 * * *"), "", "id must be a non-empty str, int or UUID"),
            (
                row("x", None, "0 2 * * *"),
                None,
                "organization_id must be a non-empty str, int or UUID",
            ),  # type: ignore[arg-type]
        ],
    )
    def test_each_bad_row_is_rejected_with_its_reason(
        self, bad: dict[str, Any], value: object, reason: str
    ) -> None:
        schedule = ScheduleMap.from_rows([bad, row("ok", "o", "0 2 * * *")])
        assert [(r.value, r.reason) for r in schedule.rejected] == [(value, reason)]
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["ok"]

    def test_a_duplicate_id_keeps_the_first_row(self) -> None:
        schedule = ScheduleMap.from_rows([row("x", "o1", "0 2 * * *"), row("x", "o2", "0 3 * * *")])
        assert [r.reason for r in schedule.rejected] == [
            "duplicate id (already used by organization 'o1')"
        ]
        assert [(d.org_id, d.integration_id) for d in schedule.due_at(utc("2026-11-28T02:00"))] == [
            ("o1", "x")
        ]

    def test_rows_that_are_not_mappings_are_rejected(self) -> None:
        schedule = ScheduleMap.from_rows([42, row("ok", "o", "0 2 * * *")])  # type: ignore[list-item]
        assert [r.reason for r in schedule.rejected] == [
            "not a row: expected a mapping or a 6-tuple"
        ]
        assert len(schedule) == 1

    def test_uuid_and_int_ids_become_strings(self) -> None:
        org, integration = uuid.UUID(int=1), 7
        schedule = ScheduleMap.from_rows([row(integration, org, "0 2 * * *")])  # type: ignore[arg-type]
        [due] = schedule.due_at(utc("2026-11-28T02:00"))
        assert (due.org_id, due.integration_id) == ("00000000-0000-0000-0000-000000000001", "7")

    def test_min_interval_policy_rejects_schedules_that_fire_too_often(self) -> None:
        rows = [row("fast", "o", "*/5 * * * *"), row("ok", "o", "*/15 * * * *")]
        schedule = ScheduleMap.from_rows(rows, min_interval=timedelta(minutes=15))
        assert [r.reason for r in schedule.rejected] == [
            "fires every 0:05:00, more often than the minimum 0:15:00"
        ]
        assert len(schedule) == 1

    def test_rows_without_a_timezone_column_run_in_utc_and_with_one_in_their_zone(self) -> None:
        rows = [row("utc", "o", "0 2 * * *"), row("oslo", "o", "0 2 * * *", timezone="Europe/Oslo")]
        schedule = ScheduleMap.from_rows(rows)
        assert ids(schedule.due_at(utc("2026-11-28T01:00"))) == ["oslo"]
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["utc"]

    def test_each_distinct_schedule_is_compiled_once(self) -> None:
        rows = [
            row(f"i{n}", f"o{n % 7}", "0 2 * * *" if n % 2 else "*/15 * * * *") for n in range(100)
        ]
        assert (
            repr(ScheduleMap.from_rows(rows))
            == "<ScheduleMap 100 integrations, 2 schedules, 0 rejected>"
        )


class TestGroupedRows:
    def test_groups_load_like_the_same_rows(self) -> None:
        groups = [
            ("0 2 * * *", None, "xledger", ["o1", "o2"], ["i1", "i2"]),
            ("0 2 * * *", "Europe/Oslo", "bufdir", ["o1"], ["i3"]),
            ("0 2 * * *", None, "dynamics", ["o3"], ["i4"]),
        ]
        rows = [
            row(i, o, e, k, timezone=z)
            for e, z, k, orgs, ids in groups
            for o, i in zip(orgs, ids, strict=True)
        ]
        at = utc("2026-11-28T02:00")
        assert ScheduleMap.from_groups(groups).due_at(at) == ScheduleMap.from_rows(rows).due_at(at)
        assert ids(ScheduleMap.from_groups(groups).due_at(utc("2026-11-28T01:00"))) == ["i3"]

    def test_bad_groups_and_odd_rows_are_rejected_row_by_row(self) -> None:
        groups = [
            ("99 * * * *", None, "xledger", ["o1", "o2"], ["i1", "i2"]),
            ("0 2 * * *", None, "sap", ["o3"], ["i3"]),
            ("0 2 * * *", None, "xledger", ["o4", "o4", ""], ["i4", "i4", "i5"]),
            ("0 2 * * *", None, "bufdir", ["o5"], ["i1"]),
            ("0 2 * * *", None, "bufdir", 7, ["i9"]),
        ]
        schedule = ScheduleMap.from_groups(groups)  # type: ignore[arg-type]
        assert [(r.integration_id, r.reason) for r in schedule.rejected] == [
            ("i1", "minute: 99 is out of range 0-59 (column 1)"),
            ("i2", "minute: 99 is out of range 0-59 (column 1)"),
            ("i3", "unknown integration type 'sap' (known: bufdir, dynamics, xledger)"),
            ("i4", "duplicate id (already used by organization 'o4')"),
            ("i5", "organization_id must be a non-empty str, int or UUID"),
            (None, "not a group: expected two lists of ids"),
        ]
        assert [(d.org_id, d.integration_id) for d in schedule.due_at(utc("2026-11-28T02:00"))] == [
            ("o4", "i4"),
            ("o5", "i1"),
        ]


class TestCatchUp:
    def test_due_between_lists_every_fire_in_time_order(self) -> None:
        rows = [row("hourly", "o1", "0 * * * *"), row("nightly", "o2", "30 1 * * *")]
        due = ScheduleMap.from_rows(rows).due_between(
            utc("2026-11-28T00:00"), utc("2026-11-28T02:00")
        )
        assert [(d.integration_id, d.scheduled_at.isoformat()) for d in due] == [
            ("hourly", "2026-11-28T01:00:00+00:00"),
            ("nightly", "2026-11-28T01:30:00+00:00"),
            ("hourly", "2026-11-28T02:00:00+00:00"),
        ]

    def test_consecutive_windows_return_each_run_exactly_once(self) -> None:
        schedule = ScheduleMap.from_rows(
            [row("q", "o", "*/15 * * * *"), row("n", "o", "0 2 * * *")]
        )
        edges = [
            utc("2026-11-28T00:00") + timedelta(minutes=m) for m in (0, 7, 15, 60, 61, 125, 180)
        ]
        pieces = [d for a, b in itertools.pairwise(edges) for d in schedule.due_between(a, b)]
        whole = schedule.due_between(edges[0], edges[-1])
        assert pieces == whole
        assert len(whole) == len({d.idempotency_key for d in whole}) == 13

    def test_catch_up_across_a_month_end(self) -> None:
        rows = [row("eom", "o", "0 23 L * *"), row("first", "o", "30 0 1 * *")]
        due = ScheduleMap.from_rows(rows).due_between(
            utc("2026-11-30T12:00"), utc("2026-12-01T12:00")
        )
        assert [(d.integration_id, d.scheduled_at.isoformat()) for d in due] == [
            ("eom", "2026-11-30T23:00:00+00:00"),
            ("first", "2026-12-01T00:30:00+00:00"),
        ]

    def test_catch_up_across_the_oslo_spring_forward_runs_the_skipped_job_once(self) -> None:
        rows = [
            row("fixed", "o", "30 2 * * *", timezone="Europe/Oslo"),
            row("wild", "o", "*/30 2 * * *", timezone="Europe/Oslo"),
        ]
        # 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist on the wall clock.
        due = ScheduleMap.from_rows(rows).due_between(
            utc("2026-03-28T12:00"), utc("2026-03-29T12:00")
        )
        assert [(d.integration_id, d.scheduled_at.isoformat()) for d in due] == [
            ("fixed", "2026-03-29T01:00:00+00:00"),
        ]

    def test_catch_up_across_the_oslo_fall_back_runs_fixed_jobs_once_and_wildcards_twice(
        self,
    ) -> None:
        rows = [
            row("fixed", "o", "30 2 * * *", timezone="Europe/Oslo"),
            row("wild", "o", "30 * * * *", timezone="Europe/Oslo"),
        ]
        # 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice.
        due = ScheduleMap.from_rows(rows).due_between(
            utc("2026-10-24T23:45"), utc("2026-10-25T02:00")
        )
        assert [(d.integration_id, d.scheduled_at.isoformat()) for d in due] == [
            ("fixed", "2026-10-25T00:30:00+00:00"),
            ("wild", "2026-10-25T00:30:00+00:00"),
            ("wild", "2026-10-25T01:30:00+00:00"),
        ]

    def test_upcoming_finds_what_fires_within_the_next_thirty_seconds(self) -> None:
        schedule = ScheduleMap.from_rows([row("n", "o", "0 2 * * *"), row("m", "o", "5 2 * * *")])
        soon = schedule.upcoming(utc("2026-11-28T01:59:40"), timedelta(seconds=30))
        assert [(d.integration_id, d.scheduled_at) for d in soon] == [
            ("n", utc("2026-11-28T02:00"))
        ]


class TestIdempotency:
    def test_the_key_is_the_integration_and_the_utc_minute(self) -> None:
        due = DueIntegration("o", "i-42", "bufdir", utc("2026-11-28T02:00"))
        assert due.idempotency_key == "i-42@2026-11-28T02:00Z"

    def test_two_maps_built_from_the_same_rows_give_the_same_keys(self) -> None:
        rows = [row(f"i{n}", f"o{n % 3}", "*/10 * * * *") for n in range(20)]
        window = (utc("2026-11-28T00:00"), utc("2026-11-28T06:00"))
        first = [d.idempotency_key for d in ScheduleMap.from_rows(rows).due_between(*window)]
        second = [
            d.idempotency_key
            for d in ScheduleMap.from_rows(list(reversed(rows))).due_between(*window)
        ]
        assert first == second
        assert len(set(first)) == 20 * 36

    def test_due_integrations_are_frozen_hashable_and_picklable(self) -> None:
        due = DueIntegration("o", "i", "xledger", utc("2026-11-28T02:00"))
        with pytest.raises(AttributeError):
            due.org_id = "other"  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(due)) == due
        assert len({due, DueIntegration("o", "i", "xledger", utc("2026-11-28T02:00"))}) == 1


def test_naive_times_are_refused() -> None:
    schedule = ScheduleMap.from_rows([row("n", "o", "0 2 * * *")])
    with pytest.raises(ValueError, match="naive datetime"):
        schedule.due_at(datetime(2026, 11, 28, 2, 0))


def test_the_core_logs_under_the_cronspec_logger() -> None:
    assert logging.getLogger("cronspec").handlers[0].__class__ is logging.NullHandler
    assert cronspec.ScheduleMap is ScheduleMap


# -- log lines stay short ------------------------------------------------------------------------


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING]


def extras(record: logging.LogRecord) -> tuple[object, ...]:
    return tuple(getattr(record, name) for name in ("org_id", "integration_id", "value", "reason"))


class TestShortLogLines:
    def test_a_hundred_kilobyte_zone_is_quoted_in_forty_characters(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        zone = "Europe/" + "x" * 100_000
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            schedule = ScheduleMap.from_rows(
                [row("i1", "o1", "0 2 * * *", timezone=zone), row("ok", "o1", "0 2 * * *")]
            )
        reason = "unknown time zone 'Europe/" + "x" * 32 + "…': use an IANA name like 'Europe/Oslo'"
        assert schedule.rejected == (RejectedRow("o1", "i1", zone, reason),)  # the data, whole
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["ok"]
        [record] = warnings(caplog)
        assert record.getMessage() == (
            f"skipping integration 'i1' of organization 'o1': {reason} "
            "(value: 'Europe/" + "x" * 32 + "…')"
        )
        assert extras(record) == ("o1", "i1", "Europe/" + "x" * 34 + "…", reason)

    def test_long_ids_values_and_reasons_stay_within_200_characters(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        long_id, long_org = "i" * 100_000, "o" * 100_000
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            ScheduleMap.from_rows(
                [row(long_id, long_org, "0 2 * * *", timezone="Mars/" + "y" * 100_000)]
            )
        [record] = warnings(caplog)
        assert record.getMessage() == (
            "skipping integration '" + "i" * 39 + "…' of organization '" + "o" * 39 + "…': "
            "unknown time zone 'Mars/" + "y" * 29 + "… (value: 'Mars/yyyy…')"
        )
        assert len(record.getMessage()) == 200
        assert extras(record)[:3] == ("o" * 41 + "…", "i" * 41 + "…", "Mars/" + "y" * 36 + "…")

    def test_a_value_whose_repr_raises_is_named_by_its_type(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING, logger="cronspec"):
            schedule = ScheduleMap.from_rows([row("i1", "o1", "0 2 * * *", enabled=Hostile())])
        [rejected] = schedule.rejected
        assert rejected.reason == "is_enabled must be true or false, not <unprintable Hostile>"
        [record] = warnings(caplog)
        assert record.getMessage() == (
            "skipping integration 'i1' of organization 'o1': is_enabled must be true or false, "
            "not <unprintable Hostile> (value: <unprintable Hostile>)"
        )
        assert extras(record)[2] == "<unprintable Hostile>"


# -- hostile values ------------------------------------------------------------------------------


KNOWN = "(known: bufdir, dynamics, xledger)"


class TestHostileValues:
    @pytest.mark.parametrize(
        ("field", "value", "reason"),
        [
            ("id", HUGE, "id is an int too long to be an id"),
            ("organization_id", HUGE, "organization_id is an int too long to be an id"),
            ("id", Hostile(), "id must be a non-empty str, int or UUID"),
            ("id", HostileStr("i1"), "id must be a non-empty str, int or UUID"),
            ("organization_id", Hostile(), "organization_id must be a non-empty str, int or UUID"),
            ("id", True, "id must be a non-empty str, int or UUID"),
            ("id", 1.5, "id must be a non-empty str, int or UUID"),
            ("id", b"i1", "id must be a non-empty str, int or UUID"),
            ("integration_type", HUGE, "integration_type must be a str, not int"),
            ("integration_type", Hostile(), "integration_type must be a str, not Hostile"),
            (
                "integration_type",
                HostileStr("xledger"),
                "integration_type must be a str, not HostileStr",
            ),
            (
                "integration_type",
                "x" * 100_000,
                "unknown integration type 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' " + KNOWN,
            ),
            ("cron_schedule", Hostile(), "cron_schedule must be a str, not Hostile"),
            (
                "cron_schedule",
                HostileStr("0 2 * * *"),
                "cron_schedule must be a str, not HostileStr",
            ),
            ("cron_schedule", b"0 2 * * *", "cron_schedule must be a str, not bytes"),
            ("timezone", Hostile(), "timezone must be an IANA name, not Hostile"),
            ("timezone", HostileStr("UTC"), "timezone must be an IANA name, not HostileStr"),
            (
                "is_enabled",
                Hostile(),
                "is_enabled must be true or false, not <unprintable Hostile>",
            ),
            ("is_enabled", HUGE, "is_enabled must be true or false, not <unprintable int>"),
        ],
        ids=lambda value: type(value).__name__ if not isinstance(value, str) else value[:30],
    )
    def test_a_hostile_value_rejects_its_row_and_the_others_load(
        self, field: str, value: object, reason: str
    ) -> None:
        bad = {**row("bad", "o1", "0 2 * * *"), field: value}
        good = [row("a", "o1", "0 2 * * *"), row("b", "o2", "0 2 * * *", timezone="Europe/Oslo")]
        schedule = ScheduleMap.from_rows([good[0], bad, good[1]])
        [rejected] = schedule.rejected
        assert rejected.reason == reason
        assert rejected.value is value  # the original, not a copy or its text
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["a"]
        assert ids(schedule.due_at(utc("2026-11-28T01:00"))) == ["b"]

    @pytest.mark.parametrize(
        ("bad", "reason"),
        [
            (42, "not a row: expected a mapping or a 6-tuple"),
            ("i1,o1,xledger,0 2 * * *", "not a row: expected a mapping or a 6-tuple"),
            (b"row", "not a row: expected a mapping or a 6-tuple"),
            (None, "not a row: expected a mapping or a 6-tuple"),
            (
                ("i1", "o1", "xledger", "0 2 * * *", True, None),
                "not a row: expected a mapping or a 6-tuple",
            ),
            (
                HostileGetItem(row("i1", "o1", "0 2 * * *")),
                "not a row: reading it raised RuntimeError",
            ),
            (HostileGet(row("i1", "o1", "0 2 * * *")), "not a row: reading it raised RuntimeError"),
        ],
        ids=["int", "str", "bytes", "None", "tuple", "getitem-raises", "get-raises"],
    )
    def test_a_row_that_cannot_be_read_is_rejected(self, bad: object, reason: str) -> None:
        schedule = ScheduleMap.from_rows([bad, row("ok", "o1", "0 2 * * *")])  # type: ignore[list-item]
        assert [(r.org_id, r.integration_id, r.value, r.reason) for r in schedule.rejected] == [
            (None, None, bad, reason)
        ]
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["ok"]

    def test_an_error_of_the_rows_themselves_propagates(self) -> None:
        def rows() -> Iterator[dict[str, Any]]:
            yield row("ok", "o1", "0 2 * * *")
            raise ConnectionError("the database went away")

        with pytest.raises(ConnectionError, match="the database went away"):
            ScheduleMap.from_rows(rows())

    def test_tuples_that_are_not_six_values_are_rejected(self) -> None:
        good = ("ok", "o1", "xledger", "0 2 * * *", True, None)
        bad: list[Any] = [
            Unreadable(),
            ("i1", "o1"),
            42,
            (HUGE, "o1", "xledger", "0 2 * * *", True, None),
        ]
        schedule = ScheduleMap.from_tuples([*bad, good])
        assert [r.reason for r in schedule.rejected] == [
            "not a row: expected a mapping or a 6-tuple",
            "not a row: expected a mapping or a 6-tuple",
            "not a row: expected a mapping or a 6-tuple",
            "id is an int too long to be an id",
        ]
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["ok"]

    def test_groups_of_the_wrong_shape_are_rejected(self) -> None:
        groups: list[Any] = [
            42,
            ("0 2 * * *", None, "xledger", ["o1"]),
            ("0 2 * * *", None, "xledger", Unreadable(), ["i1"]),
            ("0 2 * * *", None, "xledger", ["o1", Hostile(), "o3"], ["i1", "i2", "i3", "i4"]),
            ("0 2 * * *", HostileStr("UTC"), "xledger", ["o5"], ["i5"]),
            ("0 2 * * *", None, HUGE, ["o6"], ["i6"]),
            ("0 2 * * *", None, "bufdir", ["o7"], ["i7"]),
        ]
        schedule = ScheduleMap.from_groups(groups)
        assert [(r.integration_id, r.reason) for r in schedule.rejected] == [
            (
                None,
                "not a group: expected (cron_schedule, timezone, integration_type, two id lists)",
            ),
            (
                None,
                "not a group: expected (cron_schedule, timezone, integration_type, two id lists)",
            ),
            (None, "not a group: expected two lists of ids"),
            ("i2", "organization_id must be a non-empty str, int or UUID"),
            ("i4", "organization_id must be a non-empty str, int or UUID"),
            ("i5", "timezone must be an IANA name, not HostileStr"),
            ("i6", "integration_type must be a str, not int"),
        ]
        assert ids(schedule.due_at(utc("2026-11-28T02:00"))) == ["i1", "i3", "i7"]


class TestDuplicateIds:
    def test_each_duplicate_names_the_organization_that_has_the_id(self) -> None:
        rows = [row(f"i{n}", f"o{n}", "0 2 * * *") for n in range(1000)]
        rows += [row(f"i{n}", "late", "0 3 * * *") for n in range(0, 1000, 250)]
        schedule = ScheduleMap.from_rows(rows)
        assert [(r.integration_id, r.reason) for r in schedule.rejected] == [
            (f"i{n}", f"duplicate id (already used by organization 'o{n}')")
            for n in range(0, 1000, 250)
        ]
        assert len(schedule) == 1000

    def test_a_group_repeating_an_id_loads_its_first_row(self) -> None:
        schedule = ScheduleMap.from_groups(
            [("0 2 * * *", None, "xledger", ["o1", "o2", "o3"], ["i1", "i2", "i1"])]
        )
        assert [r.reason for r in schedule.rejected] == [
            "duplicate id (already used by organization 'o1')"
        ]
        assert [(d.org_id, d.integration_id) for d in schedule.due_at(utc("2026-11-28T02:00"))] == [
            ("o1", "i1"),
            ("o2", "i2"),
        ]


# -- runs in UTC minutes ---------------------------------------------------------------------------


class TestRunsOfLocalMeanTime:
    """Monrovia kept -0:44:30 until 1972: its 10:00 was 10:44:30 UTC. A run is the first whole
    UTC minute at or after its fire time, never before it."""

    rows: ClassVar = [row("mon", "o1", "0 10 * * *", timezone="Africa/Monrovia")]

    def test_due_at_gives_the_run_the_next_whole_utc_minute(self) -> None:
        schedule = ScheduleMap.from_rows(self.rows)
        assert schedule.due_at(utc("1970-06-01T10:44:59")) == []
        [due] = schedule.due_at(utc("1970-06-01T10:45:20"))
        assert (due.scheduled_at, due.idempotency_key) == (
            utc("1970-06-01T10:45"),
            "mon@1970-06-01T10:45Z",
        )

    @pytest.mark.parametrize(
        ("since", "until", "expected"),
        [
            ("1970-06-01T10:00", "1970-06-01T11:00", ["1970-06-01T10:45:00+00:00"]),
            ("1970-06-01T10:44:40", "1970-06-01T10:45", ["1970-06-01T10:45:00+00:00"]),
            ("1970-06-01T10:44", "1970-06-01T10:44:59", []),  # the fire, but not yet its run
            ("1970-06-01T10:45", "1970-06-01T12:00", []),
        ],
    )
    def test_due_between_counts_runs_by_their_utc_minute(
        self, since: str, until: str, expected: list[str]
    ) -> None:
        due = ScheduleMap.from_rows(self.rows).due_between(utc(since), utc(until))
        assert [d.scheduled_at.isoformat() for d in due] == expected

    def test_two_fire_times_in_one_utc_minute_are_one_run(self) -> None:
        # 1972-01-07: the clock jumped from 23:59:59 to 00:44:30 (00:44:30 UTC). The skipped
        # 00:44 runs at the jump, 00:45 at 00:45:00: both in the run of 00:45 UTC.
        schedule = ScheduleMap.from_rows(
            [row("two", "o1", "44,45 0 * * *", timezone="Africa/Monrovia")]
        )
        assert [d.scheduled_at for d in schedule.due_at(utc("1972-01-07T00:45"))] == [
            utc("1972-01-07T00:45")
        ]
        window = schedule.due_between(utc("1972-01-07T00:00"), utc("1972-01-07T01:00"))
        assert [d.idempotency_key for d in window] == ["two@1972-01-07T00:45Z"]


# -- the ends of datetime's range ------------------------------------------------------------------

YEAR_ONE_EAST = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59)))
MIN_UTC = datetime.min.replace(tzinfo=UTC)
MAX_UTC = datetime.max.replace(tzinfo=UTC)
MAX_WEST = datetime.max.replace(tzinfo=timezone(timedelta(hours=-1)))


class TestDatetimeEdges:
    schedule = ScheduleMap.from_rows(
        [
            row("new-year", "o1", "0 0 1 1 *"),
            row("last", "o1", "59 23 31 12 *"),
            row("ny-last", "o1", "0 22 31 12 *", timezone="America/New_York"),
        ]
    )

    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            (YEAR_ONE_EAST, []),  # 0000-12-31T00:01Z: no UTC minute to schedule at
            (MIN_UTC, ["new-year"]),
            (MAX_UTC, ["last"]),
            (MAX_WEST, []),
        ],
        ids=["year 1 at +23:59", "min in UTC", "max in UTC", "max at -01:00"],
    )
    def test_due_at_an_edge(self, at: datetime, expected: list[str]) -> None:
        assert ids(self.schedule.due_at(at)) == expected

    def test_due_between_the_edges(self) -> None:
        first = self.schedule.due_between(YEAR_ONE_EAST, MIN_UTC + timedelta(days=1))
        assert [(d.integration_id, d.scheduled_at.isoformat()) for d in first] == [
            ("new-year", "0001-01-01T00:00:00+00:00")
        ]
        # New York's 22:00 on 9999-12-31 is 03:00 UTC in year 10000: no run can stand there.
        last = self.schedule.due_between(MAX_UTC - timedelta(days=1), MAX_WEST)
        assert [(d.integration_id, d.scheduled_at.isoformat()) for d in last] == [
            ("last", "9999-12-31T23:59:00+00:00")
        ]
        assert self.schedule.due_between(MAX_WEST - timedelta(minutes=30), MAX_WEST) == []

    @pytest.mark.parametrize(
        ("after", "within", "message"),
        [
            (
                utc("2026-11-28T02:00"),
                timedelta.max,
                "upcoming: 2026-11-28T02:00:00+00:00 + 999999999 days, 23:59:59.999999 "
                "is outside the years datetime covers",
            ),
            (
                MAX_UTC,
                timedelta(seconds=30),
                "upcoming: 9999-12-31T23:59:59.999999+00:00 + 0:00:30 "
                "is outside the years datetime covers",
            ),
            (
                MIN_UTC,
                timedelta.min,
                "upcoming: 0001-01-01T00:00:00+00:00 + -999999999 days, 0:00:00 "
                "is outside the years datetime covers",
            ),
        ],
    )
    def test_upcoming_past_the_edge_is_a_cron_error(
        self, after: datetime, within: timedelta, message: str
    ) -> None:
        with pytest.raises(cronspec.CronError) as caught:
            self.schedule.upcoming(after, within)
        assert str(caught.value) == message

    def test_upcoming_up_to_the_edge(self) -> None:
        soon = self.schedule.upcoming(
            MAX_UTC - timedelta(minutes=2), timedelta(minutes=1, seconds=59)
        )
        assert ids(soon) == ["last"]
        assert ids(self.schedule.upcoming(YEAR_ONE_EAST, timedelta(days=1))) == ["new-year"]


def test_edited_after_lists_the_loaded_rows_edited_later_whatever_the_time_type() -> None:
    rows = [
        row("aware", "org-1", "0 2 * * *", updated_at=utc("2026-11-30T10:00")),
        row("naive", "org-1", "0 2 * * *", updated_at=datetime(2026, 11, 30, 11, 0)),
        row("epoch", "org-1", "0 2 * * *", updated_at=utc("2026-11-30T12:00").timestamp()),
        row("old", "org-1", "0 2 * * *", updated_at=utc("2020-01-01T00:00")),
        row("nan", "org-1", "0 2 * * *", updated_at=float("nan")),
        row("infinite", "org-1", "0 2 * * *", updated_at=float("inf")),
        row("text", "org-1", "0 2 * * *", updated_at="2026-11-30"),
        row("rejected", "org-1", "99 2 * * *", updated_at=utc("2026-11-30T13:00")),
        row("disabled", "org-1", "0 2 * * *", False, updated_at=utc("2026-11-30T13:00")),
    ]
    schedule = ScheduleMap.from_rows(rows)
    assert schedule.edited_after(utc("2026-11-30T00:00")) == {
        "aware": utc("2026-11-30T10:00"),
        "naive": utc("2026-11-30T11:00"),
        "epoch": utc("2026-11-30T12:00"),
    }
    assert schedule.edited_after(utc("2026-11-30T11:30")) == {"epoch": utc("2026-11-30T12:00")}
    assert schedule.edited_after(utc("2026-11-30T12:00")) == {}
    assert (
        ScheduleMap.from_rows([row("none", "org-1", "0 2 * * *")]).edited_after(
            utc("2000-01-01T00:00")
        )
        == {}
    )
