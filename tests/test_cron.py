"""Time arithmetic (issue 3): matches, next_after, previous_before, fire_times, min_interval, DST."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

import pytest

import cronspec
from cronspec import Cron


def at(text: str) -> datetime:
    """An aware datetime from ISO text; text without an offset is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moments: list[datetime]) -> list[str]:
    return [moment.isoformat() for moment in moments]


def fires(expression: str, zone: str, start: str, end: str) -> list[str]:
    return iso(list(cronspec.parse(expression, zone).fire_times(at(start), at(end))))


def fires_backwards(expression: str, zone: str, start: str, end: str) -> list[str]:
    """The fire times in (start, end] found by walking previous_before down from end."""
    cron = cronspec.parse(expression, zone)
    found = []
    moment = at(end) + timedelta(seconds=1)
    while (moment := cron.previous_before(moment)) > at(start):
        found.append(moment)
    return iso(found[::-1])


# -- matches ---------------------------------------------------------------------------------


class TestMatches:
    @pytest.mark.parametrize(
        ("moment", "expected"),
        [
            ("2026-11-28T02:00:00", True),
            ("2026-11-28T02:00:59.999999", True),
            ("2026-11-28T02:01:00", False),
            ("2026-11-28T01:59:59", False),
        ],
    )
    def test_looks_at_the_minute_containing_the_instant(self, moment: str, expected: bool) -> None:
        assert cronspec.parse("0 2 * * *").matches(at(moment)) is expected

    @pytest.mark.parametrize(
        "moment",
        [
            "2026-11-28T02:00:30+01:00",  # the zone itself
            "2026-11-28T01:00:30+00:00",
            "2026-11-27T20:00:30-05:00",
            "2026-11-28T10:00:30+09:00",
        ],
    )
    def test_accepts_any_input_zone_for_the_same_instant(self, moment: str) -> None:
        assert cronspec.parse("0 2 * * *", "Europe/Oslo").matches(at(moment)) is True

    def test_the_same_wall_time_in_another_zone_does_not_match(self) -> None:
        assert cronspec.parse("0 2 * * *", "Europe/Oslo").matches(at("2026-11-28T02:00")) is False

    def test_utc_schedule_matches_an_instant_given_in_another_zone(self) -> None:
        moment = at("2026-11-28T02:00").astimezone(ZoneInfo("Asia/Tokyo"))
        assert cronspec.parse("0 2 * * *").matches(moment) is True

    def test_fixed_offset_zone_is_honoured(self) -> None:
        cron = cronspec.parse("0 2 * * *", timezone(timedelta(hours=-3)))
        assert cron.matches(at("2026-11-28T05:00")) is True


NAIVE_MESSAGE = (
    "2026-01-01T00:00:00 is a naive datetime: give it a zone, "
    "e.g. at.replace(tzinfo=datetime.UTC) or at.astimezone()"
)
NAIVE = datetime(2026, 1, 1)
AWARE = datetime(2026, 1, 1, tzinfo=UTC)


class TestNaiveDatetimes:
    @pytest.mark.parametrize("zone", ["UTC", "Europe/Oslo"])
    @pytest.mark.parametrize(
        "call",
        [
            pytest.param(lambda cron: cron.matches(NAIVE), id="matches"),
            pytest.param(lambda cron: cron.next_after(NAIVE), id="next_after"),
            pytest.param(lambda cron: cron.previous_before(NAIVE), id="previous_before"),
            pytest.param(lambda cron: list(cron.fire_times(NAIVE, AWARE)), id="fire_times-start"),
            pytest.param(lambda cron: list(cron.fire_times(AWARE, NAIVE)), id="fire_times-end"),
        ],
    )
    def test_naive_datetime_raises_value_error_saying_how_to_fix(
        self, zone: str, call: Callable[[Cron], object]
    ) -> None:
        with pytest.raises(ValueError) as caught:
            call(cronspec.parse("0 2 * * *", zone))
        assert str(caught.value) == NAIVE_MESSAGE


# -- next_after / previous_before ------------------------------------------------------------


class TestNextAfter:
    @pytest.mark.parametrize(
        ("expression", "start", "expected"),
        [
            pytest.param(
                "0 2 * * *", "2026-06-01T01:59", "2026-06-01T02:00:00+00:00", id="same-day"
            ),
            pytest.param(
                "0 2 * * *", "2026-06-01T02:00", "2026-06-02T02:00:00+00:00", id="strictly-after"
            ),
            pytest.param(
                "0 2 * * *",
                "2026-06-01T02:00:30",
                "2026-06-02T02:00:00+00:00",
                id="inside-fire-minute",
            ),
            pytest.param(
                "0 2 * * *", "2026-12-31T23:59", "2027-01-01T02:00:00+00:00", id="year-end"
            ),
            pytest.param(
                "* * * * *", "2026-06-01T02:00:59", "2026-06-01T02:01:00+00:00", id="every-minute"
            ),
            pytest.param(
                "0 2 31 * *",
                "2026-11-01T00:00",
                "2026-12-31T02:00:00+00:00",
                id="31st-skips-30-day-months",
            ),
            pytest.param(
                "0 2 31 * *", "2026-04-01T00:00", "2026-05-31T02:00:00+00:00", id="31st-skips-april"
            ),
            pytest.param(
                "0 2 31 * *",
                "2026-01-31T02:00",
                "2026-03-31T02:00:00+00:00",
                id="31st-skips-february",
            ),
            pytest.param(
                "0 0 29 2 *", "2026-03-01T00:00", "2028-02-29T00:00:00+00:00", id="leap-day"
            ),
            pytest.param(
                "0 0 29 2 *", "2097-01-01T00:00", "2104-02-29T00:00:00+00:00", id="2100-is-not-leap"
            ),
            pytest.param(
                "0 0 29 2 *", "2399-01-01T00:00", "2400-02-29T00:00:00+00:00", id="2400-is-leap"
            ),
            pytest.param(
                "0 0 * 2 MON#5",
                "2026-01-01T00:00",
                "2044-02-29T00:00:00+00:00",
                id="fifth-monday-of-february",
            ),
            pytest.param(
                "0 0 * 2 MON#5",
                "2044-03-01T00:00",
                "2072-02-29T00:00:00+00:00",
                id="next-fifth-monday-of-february",
            ),
            pytest.param(
                "0 0 L * *", "2026-02-01T00:00", "2026-02-28T00:00:00+00:00", id="L-february"
            ),
            pytest.param(
                "0 0 L * *", "2028-02-01T00:00", "2028-02-29T00:00:00+00:00", id="L-leap-february"
            ),
            pytest.param(
                "0 0 L * *", "2026-04-30T00:00", "2026-05-31T00:00:00+00:00", id="L-after-april"
            ),
            pytest.param(
                "0 0 L 2 *", "2100-01-01T00:00", "2100-02-28T00:00:00+00:00", id="L-february-2100"
            ),
            pytest.param("0 0 L-3 * *", "2026-02-01T00:00", "2026-02-25T00:00:00+00:00", id="L-3"),
            pytest.param(
                "0 0 LW * *",
                "2026-01-01T00:00",
                "2026-01-30T00:00:00+00:00",
                id="LW-31st-is-saturday",
            ),
            pytest.param(
                "0 0 LW * *",
                "2026-05-01T00:00",
                "2026-05-29T00:00:00+00:00",
                id="LW-31st-is-sunday",
            ),
            pytest.param(
                "0 0 LW * *",
                "2026-06-01T00:00",
                "2026-06-30T00:00:00+00:00",
                id="LW-30th-is-tuesday",
            ),
            pytest.param(
                "0 0 15W * *",
                "2026-08-01T00:00",
                "2026-08-14T00:00:00+00:00",
                id="15W-15th-is-saturday",
            ),
            pytest.param(
                "0 0 15W * *",
                "2026-11-01T00:00",
                "2026-11-16T00:00:00+00:00",
                id="15W-15th-is-sunday",
            ),
            pytest.param(
                "0 0 15W * *",
                "2026-06-01T00:00",
                "2026-06-15T00:00:00+00:00",
                id="15W-15th-is-monday",
            ),
            pytest.param(
                "0 0 1W * *",
                "2026-07-31T12:00",
                "2026-08-03T00:00:00+00:00",
                id="1W-1st-is-saturday",
            ),
            pytest.param(
                "0 0 * * 5L", "2026-06-01T00:00", "2026-06-26T00:00:00+00:00", id="last-friday"
            ),
            pytest.param(
                "0 0 * * 5L", "2026-06-26T00:00", "2026-07-31T00:00:00+00:00", id="next-last-friday"
            ),
            pytest.param(
                "0 0 * * 5#3", "2026-06-01T00:00", "2026-06-19T00:00:00+00:00", id="third-friday"
            ),
            pytest.param(
                "0 0 * * 5#3",
                "2026-06-19T00:00",
                "2026-07-17T00:00:00+00:00",
                id="next-third-friday",
            ),
            pytest.param(
                "0 0 13 * 5", "2026-04-10T00:00", "2026-04-13T00:00:00+00:00", id="OR-the-13th"
            ),
            pytest.param(
                "0 0 13 * 5", "2026-04-13T00:00", "2026-04-17T00:00:00+00:00", id="OR-a-friday"
            ),
            pytest.param("@yearly", "2026-01-01T00:00", "2027-01-01T00:00:00+00:00", id="yearly"),
        ],
    )
    def test_next_fire_time(self, expression: str, start: str, expected: str) -> None:
        assert cronspec.parse(expression).next_after(at(start)).isoformat() == expected

    def test_input_in_another_zone_gives_result_in_schedule_zone(self) -> None:
        cron = cronspec.parse("0 2 * * *", "Europe/Oslo")
        assert (
            cron.next_after(at("2026-06-01T12:00+09:00")).isoformat() == "2026-06-02T02:00:00+02:00"
        )


class TestPreviousBefore:
    @pytest.mark.parametrize(
        ("expression", "start", "expected"),
        [
            pytest.param(
                "0 2 * * *", "2026-06-01T02:00", "2026-05-31T02:00:00+00:00", id="strictly-before"
            ),
            pytest.param(
                "0 2 * * *", "2026-06-01T02:00:01", "2026-06-01T02:00:00+00:00", id="just-after"
            ),
            pytest.param(
                "0 2 * * *", "2026-01-01T01:00", "2025-12-31T02:00:00+00:00", id="year-start"
            ),
            pytest.param(
                "0 2 31 * *",
                "2026-12-01T00:00",
                "2026-10-31T02:00:00+00:00",
                id="31st-skips-november",
            ),
            pytest.param(
                "0 2 31 * *", "2026-05-01T00:00", "2026-03-31T02:00:00+00:00", id="31st-skips-april"
            ),
            pytest.param(
                "0 0 29 2 *", "2104-01-01T00:00", "2096-02-29T00:00:00+00:00", id="2100-is-not-leap"
            ),
            pytest.param(
                "0 0 * 2 MON#5",
                "2072-01-01T00:00",
                "2044-02-29T00:00:00+00:00",
                id="fifth-monday-of-february",
            ),
            pytest.param(
                "0 0 L * *", "2028-03-01T00:00", "2028-02-29T00:00:00+00:00", id="L-leap-february"
            ),
            pytest.param("0 0 LW * *", "2026-02-01T00:00", "2026-01-30T00:00:00+00:00", id="LW"),
            pytest.param("0 0 15W * *", "2026-08-31T00:00", "2026-08-14T00:00:00+00:00", id="15W"),
            pytest.param("0 0 1W * *", "2026-08-31T00:00", "2026-08-03T00:00:00+00:00", id="1W"),
            pytest.param(
                "0 0 * * 5L", "2026-07-01T00:00", "2026-06-26T00:00:00+00:00", id="last-friday"
            ),
            pytest.param(
                "0 0 * * 5#3", "2026-07-01T00:00", "2026-06-19T00:00:00+00:00", id="third-friday"
            ),
            pytest.param(
                "0 0 13 * 5", "2026-04-17T00:00", "2026-04-13T00:00:00+00:00", id="OR-the-13th"
            ),
            pytest.param(
                "0 0 13 * 5", "2026-04-13T00:00", "2026-04-10T00:00:00+00:00", id="OR-a-friday"
            ),
        ],
    )
    def test_previous_fire_time(self, expression: str, start: str, expected: str) -> None:
        assert cronspec.parse(expression).previous_before(at(start)).isoformat() == expected

    def test_input_in_another_zone_gives_result_in_schedule_zone(self) -> None:
        cron = cronspec.parse("0 2 * * *", "Europe/Oslo")
        assert (
            cron.previous_before(at("2026-06-01T12:00+09:00")).isoformat()
            == "2026-06-01T02:00:00+02:00"
        )


# -- fire_times ------------------------------------------------------------------------------


class TestFireTimes:
    def test_window_excludes_start_and_includes_end(self) -> None:
        assert fires("0 2 * * *", "UTC", "2026-06-01T02:00", "2026-06-03T02:00") == [
            "2026-06-02T02:00:00+00:00",
            "2026-06-03T02:00:00+00:00",
        ]

    def test_empty_window_yields_nothing(self) -> None:
        assert fires("0 2 * * *", "UTC", "2026-06-01T02:00", "2026-06-01T02:00") == []

    def test_end_before_start_yields_nothing(self) -> None:
        assert fires("0 2 * * *", "UTC", "2026-06-03T00:00", "2026-06-01T00:00") == []

    def test_or_rule_fires_on_the_13th_and_every_friday(self) -> None:
        assert fires("0 0 13 * 5", "UTC", "2026-04-01T00:00", "2026-04-30T23:59") == [
            "2026-04-03T00:00:00+00:00",
            "2026-04-10T00:00:00+00:00",
            "2026-04-13T00:00:00+00:00",
            "2026-04-17T00:00:00+00:00",
            "2026-04-24T00:00:00+00:00",
        ]

    def test_is_lazy_with_an_end_far_in_the_future(self) -> None:
        cron = cronspec.parse("*/15 * * * *", "Europe/Oslo")
        window = cron.fire_times(at("2026-06-01T00:00"), datetime.max.replace(tzinfo=UTC))
        assert iso(list(itertools.islice(window, 3))) == [
            "2026-06-01T02:15:00+02:00",
            "2026-06-01T02:30:00+02:00",
            "2026-06-01T02:45:00+02:00",
        ]

    def test_sparse_schedule_is_lazy_with_an_end_in_year_9999(self) -> None:
        cron = cronspec.parse("0 0 29 2 *")
        window = cron.fire_times(at("2097-01-01T00:00"), at("9999-12-31T00:00"))
        assert iso(list(itertools.islice(window, 2))) == [
            "2104-02-29T00:00:00+00:00",
            "2108-02-29T00:00:00+00:00",
        ]

    def test_yields_in_the_schedule_zone_for_a_window_in_another(self) -> None:
        assert fires(
            "0 2 * * *", "Europe/Oslo", "2026-06-01T00:00-05:00", "2026-06-02T00:00-05:00"
        ) == ["2026-06-02T02:00:00+02:00"]


# -- min_interval ----------------------------------------------------------------------------


class TestMinInterval:
    @pytest.mark.parametrize(
        ("expression", "interval"),
        [
            ("* * * * *", timedelta(minutes=1)),
            ("*/15 * * * *", timedelta(minutes=15)),
            ("*/7 * * * *", timedelta(minutes=4)),  # :56 then :00
            ("0 0,23 * * *", timedelta(hours=1)),
            ("0 2 * * *", timedelta(days=1)),
            ("0 0 1,2 * *", timedelta(days=1)),
            ("0 0 L,1 * *", timedelta(days=1)),
            ("0 0 13 * 5", timedelta(days=1)),  # a Friday 12th, then the 13th
            ("0 0 * * 1", timedelta(days=7)),
            ("0 0 L * *", timedelta(days=28)),
            ("0 0 1 * *", timedelta(days=28)),
            ("0 0 31 * *", timedelta(days=31)),
            ("0 0 15W * *", timedelta(days=28)),
            ("0 0 1 1 *", timedelta(days=365)),
            ("0 0 29 2 *", timedelta(days=1461)),
            ("0 0 * 2 MON#5", timedelta(days=4382)),  # 2196 -> 2208 across the 2200 non-leap
            ("@hourly", timedelta(hours=1)),
        ],
    )
    def test_smallest_gap_between_fire_times(self, expression: str, interval: timedelta) -> None:
        assert cronspec.parse(expression).min_interval() == interval


# -- daylight-saving time (semantics §7.1) ---------------------------------------------------


class TestDaylightSavingOsloSpring:
    """Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST."""

    @pytest.mark.parametrize(
        ("expression", "start", "end", "expected"),
        [
            pytest.param(
                "30 2 * * *",
                "2026-03-29T00:00+01:00",
                "2026-03-30T23:00+02:00",
                ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"],
                id="fixed-job-caught-up-after-the-gap",
            ),
            pytest.param(
                "15,45 2 * * *",
                "2026-03-29T00:00+01:00",
                "2026-03-29T23:00+02:00",
                ["2026-03-29T03:00:00+02:00"],
                id="two-skipped-times-fire-once",
            ),
            pytest.param(
                "*/20 2 * * *",
                "2026-03-29T00:00+01:00",
                "2026-03-30T02:30+02:00",
                ["2026-03-30T02:00:00+02:00", "2026-03-30T02:20:00+02:00"],
                id="wildcard-minute-skipped",
            ),
            pytest.param(
                "0 */2 * * *",
                "2026-03-28T23:30+01:00",
                "2026-03-29T06:00+02:00",
                [
                    "2026-03-29T00:00:00+01:00",
                    "2026-03-29T04:00:00+02:00",
                    "2026-03-29T06:00:00+02:00",
                ],
                id="wildcard-hour-skipped",
            ),
            pytest.param(
                "30 * * * *",
                "2026-03-29T00:00+01:00",
                "2026-03-29T04:45+02:00",
                [
                    "2026-03-29T00:30:00+01:00",
                    "2026-03-29T01:30:00+01:00",
                    "2026-03-29T03:30:00+02:00",
                    "2026-03-29T04:30:00+02:00",
                ],
                id="hourly-wildcard-skipped",
            ),
            pytest.param(
                "0 1-3 * * *",
                "2026-03-29T00:00+01:00",
                "2026-03-29T23:00+02:00",
                ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"],
                id="caught-up-run-merges-with-03",
            ),
        ],
    )
    def test_fire_times_across_the_night(
        self, expression: str, start: str, end: str, expected: list[str]
    ) -> None:
        assert fires(expression, "Europe/Oslo", start, end) == expected
        assert fires_backwards(expression, "Europe/Oslo", start, end) == expected

    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            ("2026-03-29T03:00:30+02:00", "2026-03-29T03:00:00+02:00"),
            ("2026-03-29T03:00+02:00", "2026-03-28T02:30:00+01:00"),
            ("2026-03-30T00:00+02:00", "2026-03-29T03:00:00+02:00"),
        ],
    )
    def test_previous_before_finds_the_caught_up_run(self, start: str, expected: str) -> None:
        cron = cronspec.parse("30 2 * * *", "Europe/Oslo")
        assert cron.previous_before(at(start)).isoformat() == expected

    @pytest.mark.parametrize(
        ("expression", "moment", "expected"),
        [
            ("30 2 * * *", "2026-03-29T03:00+02:00", True),
            ("30 2 * * *", "2026-03-29T03:00:59+02:00", True),
            ("30 2 * * *", "2026-03-29T03:01+02:00", False),
            ("30 2 * * *", "2026-03-29T01:59+01:00", False),
            ("30 2 * * *", "2026-03-29T01:00Z", True),  # the gap end, given in UTC
            ("15,45 2 * * *", "2026-03-29T03:00+02:00", True),
            ("0 1-3 * * *", "2026-03-29T03:00+02:00", True),
            ("30 * * * *", "2026-03-29T03:00+02:00", False),
            ("*/20 2 * * *", "2026-03-29T03:00+02:00", False),
        ],
    )
    def test_matches_at_the_gap_end(self, expression: str, moment: str, expected: bool) -> None:
        assert cronspec.parse(expression, "Europe/Oslo").matches(at(moment)) is expected


class TestDaylightSavingOsloFall:
    """Sunday 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-02:59 happens twice."""

    @pytest.mark.parametrize(
        ("expression", "start", "end", "expected"),
        [
            pytest.param(
                "30 2 * * *",
                "2026-10-25T00:00+02:00",
                "2026-10-26T23:00+01:00",
                ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"],
                id="fixed-job-first-pass-only",
            ),
            pytest.param(
                "30 * * * *",
                "2026-10-25T01:00+02:00",
                "2026-10-25T03:45+01:00",
                [
                    "2026-10-25T01:30:00+02:00",
                    "2026-10-25T02:30:00+02:00",
                    "2026-10-25T02:30:00+01:00",
                    "2026-10-25T03:30:00+01:00",
                ],
                id="hourly-wildcard-both-passes",
            ),
            pytest.param(
                "*/15 * * * *",
                "2026-10-25T02:00+02:00",
                "2026-10-25T03:00+01:00",
                [
                    "2026-10-25T02:15:00+02:00",
                    "2026-10-25T02:30:00+02:00",
                    "2026-10-25T02:45:00+02:00",
                    "2026-10-25T02:00:00+01:00",
                    "2026-10-25T02:15:00+01:00",
                    "2026-10-25T02:30:00+01:00",
                    "2026-10-25T02:45:00+01:00",
                    "2026-10-25T03:00:00+01:00",
                ],
                id="quarter-hour-wildcard-both-passes",
            ),
            pytest.param(
                "0 */2 * * *",
                "2026-10-25T00:00+02:00",
                "2026-10-25T04:00+01:00",
                [
                    "2026-10-25T02:00:00+02:00",
                    "2026-10-25T02:00:00+01:00",
                    "2026-10-25T04:00:00+01:00",
                ],
                id="wildcard-hour-both-passes",
            ),
            pytest.param(
                "0 1-3 * * *",
                "2026-10-25T00:00+02:00",
                "2026-10-25T23:00+01:00",
                [
                    "2026-10-25T01:00:00+02:00",
                    "2026-10-25T02:00:00+02:00",
                    "2026-10-25T03:00:00+01:00",
                ],
                id="fixed-range-once",
            ),
        ],
    )
    def test_fire_times_across_the_night(
        self, expression: str, start: str, end: str, expected: list[str]
    ) -> None:
        assert fires(expression, "Europe/Oslo", start, end) == expected
        assert fires_backwards(expression, "Europe/Oslo", start, end) == expected

    @pytest.mark.parametrize(
        ("expression", "start", "expected"),
        [
            ("30 2 * * *", "2026-10-25T02:20+02:00", "2026-10-25T02:30:00+02:00"),
            ("30 2 * * *", "2026-10-25T02:30+02:00", "2026-10-26T02:30:00+01:00"),
            ("30 2 * * *", "2026-10-25T02:40+02:00", "2026-10-26T02:30:00+01:00"),
            ("30 2 * * *", "2026-10-25T02:20+01:00", "2026-10-26T02:30:00+01:00"),
            ("30 2 * * *", "2026-10-25T02:40+01:00", "2026-10-26T02:30:00+01:00"),
            ("30 * * * *", "2026-10-25T02:40+02:00", "2026-10-25T02:30:00+01:00"),
            ("30 * * * *", "2026-10-25T02:20+01:00", "2026-10-25T02:30:00+01:00"),
            ("30 * * * *", "2026-10-25T02:30+01:00", "2026-10-25T03:30:00+01:00"),
        ],
    )
    def test_next_after_inside_the_repeated_hour(
        self, expression: str, start: str, expected: str
    ) -> None:
        cron = cronspec.parse(expression, "Europe/Oslo")
        assert cron.next_after(at(start)).isoformat() == expected

    def test_next_after_a_second_pass_start_with_fold_is_never_earlier(self) -> None:
        # cronsim returns 02:30+02:00 here, 50 minutes before the start (semantics §7.2).
        start = datetime(2026, 10, 25, 2, 20, tzinfo=ZoneInfo("Europe/Oslo"), fold=1)
        assert start.isoformat() == "2026-10-25T02:20:00+01:00"
        following = cronspec.parse("30 2 * * *", "Europe/Oslo").next_after(start)
        assert following.isoformat() == "2026-10-26T02:30:00+01:00"

    def test_fire_times_from_a_second_pass_start_skip_to_the_next_day(self) -> None:
        start = datetime(2026, 10, 25, 2, 20, tzinfo=ZoneInfo("Europe/Oslo"), fold=1)
        cron = cronspec.parse("30 2 * * *", "Europe/Oslo")
        assert iso(list(itertools.islice(cron.fire_times(start, at("2027-01-01T00:00")), 2))) == [
            "2026-10-26T02:30:00+01:00",
            "2026-10-27T02:30:00+01:00",
        ]

    @pytest.mark.parametrize(
        ("expression", "start", "expected"),
        [
            ("30 2 * * *", "2026-10-25T02:20+01:00", "2026-10-25T02:30:00+02:00"),
            ("30 2 * * *", "2026-10-25T02:30+01:00", "2026-10-25T02:30:00+02:00"),
            ("30 2 * * *", "2026-10-25T02:30+02:00", "2026-10-24T02:30:00+02:00"),
            ("30 2 * * *", "2026-10-25T02:20+02:00", "2026-10-24T02:30:00+02:00"),
            ("30 2 * * *", "2026-10-26T00:00+01:00", "2026-10-25T02:30:00+02:00"),
            ("30 * * * *", "2026-10-25T02:20+01:00", "2026-10-25T02:30:00+02:00"),
            ("30 * * * *", "2026-10-25T02:40+01:00", "2026-10-25T02:30:00+01:00"),
        ],
    )
    def test_previous_before_inside_the_repeated_hour(
        self, expression: str, start: str, expected: str
    ) -> None:
        cron = cronspec.parse(expression, "Europe/Oslo")
        assert cron.previous_before(at(start)).isoformat() == expected

    @pytest.mark.parametrize(
        ("expression", "moment", "expected"),
        [
            ("30 2 * * *", "2026-10-25T02:30+02:00", True),
            ("30 2 * * *", "2026-10-25T02:30+01:00", False),
            ("30 * * * *", "2026-10-25T02:30+02:00", True),
            ("30 * * * *", "2026-10-25T02:30+01:00", True),
        ],
    )
    def test_matches_in_the_repeated_hour(
        self, expression: str, moment: str, expected: bool
    ) -> None:
        assert cronspec.parse(expression, "Europe/Oslo").matches(at(moment)) is expected


class TestDaylightSavingNewYork:
    @pytest.mark.parametrize(
        ("expression", "start", "end", "expected"),
        [
            pytest.param(
                "30 2 * * *",
                "2026-03-08T00:00-05:00",
                "2026-03-09T23:00-04:00",
                ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"],
                id="spring-fixed-job-caught-up",
            ),
            pytest.param(
                "30 1 * * *",
                "2026-11-01T00:00-04:00",
                "2026-11-02T23:00-05:00",
                ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
                id="fall-fixed-job-first-pass-only",
            ),
            pytest.param(
                "*/20 1 * * *",
                "2026-11-01T00:00-04:00",
                "2026-11-01T23:00-05:00",
                [
                    "2026-11-01T01:00:00-04:00",
                    "2026-11-01T01:20:00-04:00",
                    "2026-11-01T01:40:00-04:00",
                    "2026-11-01T01:00:00-05:00",
                    "2026-11-01T01:20:00-05:00",
                    "2026-11-01T01:40:00-05:00",
                ],
                id="fall-wildcard-both-passes",
            ),
        ],
    )
    def test_fire_times_across_the_night(
        self, expression: str, start: str, end: str, expected: list[str]
    ) -> None:
        assert fires(expression, "America/New_York", start, end) == expected
        assert fires_backwards(expression, "America/New_York", start, end) == expected

    def test_fixed_job_matches_at_the_gap_end(self) -> None:
        cron = cronspec.parse("30 2 * * *", "America/New_York")
        assert cron.matches(at("2026-03-08T03:00-04:00")) is True

    def test_fixed_job_does_not_match_the_second_pass(self) -> None:
        cron = cronspec.parse("30 1 * * *", "America/New_York")
        assert cron.matches(at("2026-11-01T01:30-05:00")) is False


class TestDaylightSavingLordHowe:
    """A 30-minute DST shift: 02:00 +10:30 -> 02:30 +11:00 and 02:00 +11:00 -> 01:30 +10:30."""

    @pytest.mark.parametrize(
        ("expression", "start", "end", "expected"),
        [
            pytest.param(
                "15 2 * * *",
                "2026-10-04T00:00+10:30",
                "2026-10-05T23:00+11:00",
                ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"],
                id="spring-fixed-job-caught-up",
            ),
            pytest.param(
                "*/15 2 * * *",
                "2026-10-04T00:00+10:30",
                "2026-10-04T23:00+11:00",
                ["2026-10-04T02:30:00+11:00", "2026-10-04T02:45:00+11:00"],
                id="spring-wildcard-skipped-in-the-gap",
            ),
            pytest.param(
                "45 1 * * *",
                "2026-04-05T00:00+11:00",
                "2026-04-06T23:00+10:30",
                ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"],
                id="fall-fixed-job-first-pass-only",
            ),
            pytest.param(
                "*/15 1 * * *",
                "2026-04-05T00:00+11:00",
                "2026-04-05T23:00+10:30",
                [
                    "2026-04-05T01:00:00+11:00",
                    "2026-04-05T01:15:00+11:00",
                    "2026-04-05T01:30:00+11:00",
                    "2026-04-05T01:45:00+11:00",
                    "2026-04-05T01:30:00+10:30",
                    "2026-04-05T01:45:00+10:30",
                ],
                id="fall-wildcard-both-passes",
            ),
        ],
    )
    def test_fire_times_across_the_night(
        self, expression: str, start: str, end: str, expected: list[str]
    ) -> None:
        assert fires(expression, "Australia/Lord_Howe", start, end) == expected
        assert fires_backwards(expression, "Australia/Lord_Howe", start, end) == expected

    def test_fixed_job_matches_at_the_gap_end(self) -> None:
        cron = cronspec.parse("15 2 * * *", "Australia/Lord_Howe")
        assert cron.matches(at("2026-10-04T02:30+11:00")) is True

    def test_next_after_a_second_pass_start_is_the_next_day(self) -> None:
        cron = cronspec.parse("45 1 * * *", "Australia/Lord_Howe")
        following = cron.next_after(at("2026-04-05T01:40+10:30"))
        assert following.isoformat() == "2026-04-06T01:45:00+10:30"


# -- results are aware, in the schedule's zone -----------------------------------------------


class TestResultZone:
    @pytest.mark.parametrize(
        "zone", ["UTC", "Europe/Oslo", "America/New_York", "Australia/Lord_Howe"]
    )
    @pytest.mark.parametrize(
        "call",
        [
            pytest.param(
                lambda cron: cron.next_after(at("2026-06-01T12:00+09:00")), id="next_after"
            ),
            pytest.param(
                lambda cron: cron.previous_before(at("2026-06-01T12:00+09:00")),
                id="previous_before",
            ),
            pytest.param(
                lambda cron: next(
                    cron.fire_times(at("2026-06-01T12:00+09:00"), at("2026-06-09T00:00"))
                ),
                id="fire_times",
            ),
        ],
    )
    def test_result_is_in_the_schedule_zone(
        self, zone: str, call: Callable[[Cron], datetime]
    ) -> None:
        cron = cronspec.parse("0 2 * * *", zone)
        result = call(cron)
        assert result.tzinfo is cron.tz
        assert getattr(result.tzinfo, "key", "UTC") == zone

    def test_utc_schedule_returns_datetime_utc(self) -> None:
        result = cronspec.parse("0 2 * * *").next_after(at("2026-06-01T00:00+02:00"))
        assert (result.tzinfo, result.isoformat()) == (UTC, "2026-06-01T02:00:00+00:00")

    def test_fixed_offset_schedule_returns_that_offset(self) -> None:
        zone = timezone(timedelta(hours=2))
        result = cronspec.parse("0 2 * * *", zone).next_after(at("2026-06-01T00:00"))
        assert (result.tzinfo, result.isoformat()) == (zone, "2026-06-02T02:00:00+02:00")


# -- local mean time: offsets that are not whole minutes ------------------------------------

# A fire time is the instant the zone's clock shows hh:mm:00. Africa/Monrovia kept -0:44:30
# until 1972-01-07, when its clock jumped from 23:59:59 to 00:44:30 (00:44:30 UTC).
MONROVIA = "Africa/Monrovia"


def fires_utc(expression: str, zone: str, start: str, end: str) -> list[str]:
    """Fire times as "local wall = UTC time", to see where a clock's minutes begin."""
    window = cronspec.parse(expression, zone).fire_times(at(start), at(end))
    return [f"{t.isoformat()} = {t.astimezone(UTC):%H:%M:%S}" for t in window]


class TestLocalMeanTime:
    def test_a_fire_time_is_the_wall_minute_on_the_zones_clock(self) -> None:
        cron = cronspec.parse("0 10 * * *", MONROVIA)
        found = cron.next_after(at("1970-06-01T00:00"))
        assert (found.isoformat(), found.astimezone(UTC).isoformat()) == (
            "1970-06-01T10:00:00-00:44:30",
            "1970-06-01T10:44:30+00:00",
        )
        assert cron.previous_before(found).isoformat() == "1970-05-31T10:00:00-00:44:30"
        assert cron.next_after(found).isoformat() == "1970-06-02T10:00:00-00:44:30"

    @pytest.mark.parametrize(
        ("moment", "expected"),
        [
            ("1970-06-01T10:44:29", False),  # 09:59:59 in Monrovia
            ("1970-06-01T10:44:30", True),
            ("1970-06-01T10:45:29", True),
            ("1970-06-01T10:45:30", False),  # 10:01:00
        ],
    )
    def test_matches_looks_at_the_minute_on_the_zones_clock(
        self, moment: str, expected: bool
    ) -> None:
        assert cronspec.parse("0 10 * * *", MONROVIA).matches(at(moment)) is expected

    def test_fire_times_advance_and_end(self) -> None:
        assert fires_utc("*/15 * * * *", MONROVIA, "1970-06-01T10:00", "1970-06-01T11:00") == [
            "1970-06-01T09:30:00-00:44:30 = 10:14:30",
            "1970-06-01T09:45:00-00:44:30 = 10:29:30",
            "1970-06-01T10:00:00-00:44:30 = 10:44:30",
            "1970-06-01T10:15:00-00:44:30 = 10:59:30",
        ]
        day = cronspec.parse("* * * * *", MONROVIA).fire_times(
            at("1970-06-01T00:00"), at("1970-06-02T00:00")
        )
        assert len(list(day)) == 1440

    def test_a_wildcard_job_skips_the_minute_the_clock_entered_after_its_start(self) -> None:
        # 00:44 GMT began at 00:44:30 on the clock: its :00 was never shown.
        assert fires_utc("* * * * *", MONROVIA, "1972-01-07T00:42", "1972-01-07T00:46") == [
            "1972-01-06T23:58:00-00:44:30 = 00:42:30",
            "1972-01-06T23:59:00-00:44:30 = 00:43:30",
            "1972-01-07T00:45:00+00:00 = 00:45:00",
            "1972-01-07T00:46:00+00:00 = 00:46:00",
        ]
        cron = cronspec.parse("* * * * *", MONROVIA)
        assert [cron.matches(at(t)) for t in ("1972-01-07T00:44:29", "1972-01-07T00:44:40")] == [
            True,  # 23:59:59 MMT
            False,
        ]

    def test_a_fixed_time_job_skipped_by_the_jump_runs_at_it(self) -> None:
        for expression in ("30 0 * * *", "44 0 * * *"):
            assert fires_utc(expression, MONROVIA, "1972-01-06T12:00", "1972-01-07T12:00") == [
                "1972-01-07T00:44:30+00:00 = 00:44:30"
            ]
        assert fires_utc("0-59 0 * * *", MONROVIA, "1972-01-07T00:44", "1972-01-07T00:46") == [
            "1972-01-07T00:44:30+00:00 = 00:44:30",
            "1972-01-07T00:45:00+00:00 = 00:45:00",
            "1972-01-07T00:46:00+00:00 = 00:46:00",
        ]
        cron = cronspec.parse("44 0 * * *", MONROVIA)
        assert cron.matches(at("1972-01-07T00:44:40"))
        assert cron.previous_before(at("1972-01-07T00:44:40")).isoformat() == (
            "1972-01-07T00:44:30+00:00"
        )

    def test_a_jump_of_seconds_skips_one_minute_start(self) -> None:
        # Amsterdam, 1937-07-01: +1:19:32 -> +1:20, the clock went 23:59:59 -> 00:00:28.
        start, end = "1937-06-30T22:39", "1937-06-30T22:42"
        assert fires_utc("* * * * *", "Europe/Amsterdam", start, end) == [
            "1937-06-30T23:59:00+01:19:32 = 22:39:28",
            "1937-07-01T00:01:00+01:20 = 22:41:00",
            "1937-07-01T00:02:00+01:20 = 22:42:00",
        ]
        assert fires_utc("0 0 * * *", "Europe/Amsterdam", start, end) == [
            "1937-07-01T00:00:28+01:20 = 22:40:28"
        ]

    def test_a_repeat_that_ends_inside_a_minute_belongs_to_the_pass_it_began_in(self) -> None:
        # Merida, 1922-01-01: -5:58:28 -> -6:00, the clock went 00:01:31 back to 00:00:00.
        start, end = "1922-01-01T05:57:30", "1922-01-01T06:02"
        assert fires_utc("* * * * *", "America/Merida", start, end) == [
            "1922-01-01T00:00:00-05:58:28 = 05:58:28",
            "1922-01-01T00:01:00-05:58:28 = 05:59:28",
            "1922-01-01T00:00:00-06:00 = 06:00:00",
            "1922-01-01T00:01:00-06:00 = 06:01:00",
            "1922-01-01T00:02:00-06:00 = 06:02:00",
        ]
        cron = cronspec.parse("1 0 * * *", "America/Merida")
        assert fires_utc("1 0 * * *", "America/Merida", start, end) == [
            "1922-01-01T00:01:00-05:58:28 = 05:59:28"
        ]
        # 06:01:40 is 00:01:40 on the first pass, but its minute began on the second.
        assert [cron.matches(at(t)) for t in ("1922-01-01T05:59:40", "1922-01-01T06:01:40")] == [
            True,
            False,
        ]


# -- the ends of datetime's range -------------------------------------------------------------

# Valid aware datetimes at the ends: astimezone() from them overflows, because the UTC time
# (year 0, year 10000) has no datetime.
EDGES = {
    "year 1 at +23:59": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),
    "min in UTC": datetime.min.replace(tzinfo=UTC),
    "max in UTC": datetime.max.replace(tzinfo=UTC),
    "max at -01:00": datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))),
}
KATHMANDU_LIKE = timezone(timedelta(hours=5, minutes=45))
NONE_BEFORE = "'0 2 * * *' has no fire time between year 1 and the given time"
NONE_AFTER = "'0 2 * * *' has no fire time between the given time and year 9999"


class TestDatetimeEdges:
    """The calendar is datetime's: years 1-9999 on the schedule's clock. An instant outside
    matches nothing; a search from it starts at the first (or last) minute there is."""

    @pytest.mark.parametrize(
        ("zone", "edge", "after", "before"),
        [
            ("UTC", "year 1 at +23:59", "0001-01-01T02:00:00+00:00", NONE_BEFORE),
            ("UTC", "min in UTC", "0001-01-01T02:00:00+00:00", NONE_BEFORE),
            ("UTC", "max in UTC", NONE_AFTER, "9999-12-31T02:00:00+00:00"),
            ("UTC", "max at -01:00", NONE_AFTER, "9999-12-31T02:00:00+00:00"),
            (KATHMANDU_LIKE, "year 1 at +23:59", "0001-01-01T02:00:00+05:45", NONE_BEFORE),
            (
                KATHMANDU_LIKE,
                "min in UTC",
                "0001-01-02T02:00:00+05:45",
                "0001-01-01T02:00:00+05:45",
            ),
            (KATHMANDU_LIKE, "max in UTC", NONE_AFTER, "9999-12-31T02:00:00+05:45"),
            (KATHMANDU_LIKE, "max at -01:00", NONE_AFTER, "9999-12-31T02:00:00+05:45"),
            # Local mean time in year 1: Oslo +0:43, New York -4:56:02.
            ("Europe/Oslo", "year 1 at +23:59", "0001-01-01T02:00:00+00:43", NONE_BEFORE),
            ("Europe/Oslo", "min in UTC", "0001-01-01T02:00:00+00:43", NONE_BEFORE),
            ("Europe/Oslo", "max in UTC", NONE_AFTER, "9999-12-31T02:00:00+01:00"),
            ("Europe/Oslo", "max at -01:00", NONE_AFTER, "9999-12-31T02:00:00+01:00"),
            ("America/New_York", "year 1 at +23:59", "0001-01-01T02:00:00-04:56:02", NONE_BEFORE),
            ("America/New_York", "min in UTC", "0001-01-01T02:00:00-04:56:02", NONE_BEFORE),
            ("America/New_York", "max in UTC", NONE_AFTER, "9999-12-31T02:00:00-05:00"),
            ("America/New_York", "max at -01:00", NONE_AFTER, "9999-12-31T02:00:00-05:00"),
        ],
    )
    def test_searches_from_an_edge(
        self, zone: str | timezone, edge: str, after: str, before: str
    ) -> None:
        cron = cronspec.parse("0 2 * * *", zone)
        for search, expected in ((cron.next_after, after), (cron.previous_before, before)):
            try:
                got = search(EDGES[edge]).isoformat()
            except cronspec.CronError as error:
                got = str(error)
            assert got == expected

    @pytest.mark.parametrize(
        ("zone", "edge", "expected"),
        [
            ("UTC", "year 1 at +23:59", False),  # 0000-12-31T00:01Z: no such minute
            ("UTC", "min in UTC", True),
            ("UTC", "max in UTC", True),
            ("UTC", "max at -01:00", False),
            (KATHMANDU_LIKE, "min in UTC", True),
            (KATHMANDU_LIKE, "max in UTC", False),  # 10000-01-01T05:44+05:45
            ("Europe/Oslo", "min in UTC", True),  # 0001-01-01T00:43+00:43
            ("Europe/Oslo", "max in UTC", False),
            ("America/New_York", "min in UTC", False),  # 0000-12-31T19:03:58-04:56:02
            ("America/New_York", "max at -01:00", True),  # 9999-12-31T19:59-05:00
        ],
    )
    def test_matches_at_an_edge(self, zone: str | timezone, edge: str, expected: bool) -> None:
        assert cronspec.parse("* * * * *", zone).matches(EDGES[edge]) is expected

    @pytest.mark.parametrize("zone", ["UTC", "Europe/Oslo"])
    def test_fire_times_from_and_to_the_edges(self, zone: str) -> None:
        cron = cronspec.parse("0 2 * * *", zone)
        first = cron.fire_times(EDGES["year 1 at +23:59"], EDGES["max at -01:00"])
        offset = "+00:00" if zone == "UTC" else "+00:43"
        assert iso(list(itertools.islice(first, 2))) == [
            f"0001-01-01T02:00:00{offset}",
            f"0001-01-02T02:00:00{offset}",
        ]
        start = EDGES["max in UTC"] - timedelta(days=2)
        offset = "+00:00" if zone == "UTC" else "+01:00"
        assert iso(list(cron.fire_times(start, EDGES["max at -01:00"]))) == [
            f"9999-12-30T02:00:00{offset}",
            f"9999-12-31T02:00:00{offset}",
        ]

    def test_a_search_that_would_pass_year_9999_is_a_cron_error(self) -> None:
        cron = cronspec.parse("*/15 * * * *", "Australia/Lord_Howe")
        with pytest.raises(cronspec.CronError) as caught:
            cron.next_after(datetime(9999, 12, 31, 23, 50, tzinfo=UTC))  # 10000 in Lord Howe
        assert str(caught.value) == (
            "'*/15 * * * *' has no fire time between the given time and year 9999"
        )
        # Before 1895 Lord Howe kept local mean time, +10:36:20: its year 1 began in UTC's year 0.
        found = cron.previous_before(datetime(1, 1, 1, 0, 5, tzinfo=UTC))
        assert found.isoformat() == "0001-01-01T10:30:00+10:36:20"


# -- zones: IANA names only ------------------------------------------------------------------


def unknown_zone(shown: str) -> str:
    return f"unknown time zone {shown}: use an IANA name like 'Europe/Oslo'"


class TestZoneNames:
    @pytest.mark.parametrize(
        "name",
        [
            "localtime",  # the host's /etc/localtime
            "posixrules",
            "Factory",  # tzdb's "-00" placeholder
            "/usr/share/zoneinfo/Europe/Oslo",
            "../zoneinfo/Europe/Oslo",
            "Europe/../Europe/Oslo",
            "right/UTC",
            "posix/Europe/Oslo",
            "zone1970.tab",
            "europe/oslo",
            "Mars/Olympus_Mons",
            "",
        ],
    )
    def test_a_name_that_is_not_an_iana_zone_is_refused(self, name: str) -> None:
        with pytest.raises(cronspec.CronError) as caught:
            cronspec.parse("0 2 * * *", name)
        assert str(caught.value) == unknown_zone(repr(name))

    def test_a_zoneinfo_loaded_by_a_host_name_is_refused(self) -> None:
        with pytest.raises(cronspec.CronError) as caught:
            cronspec.parse("0 2 * * *", ZoneInfo("localtime"))
        assert str(caught.value) == unknown_zone("'localtime'")

    def test_a_hundred_kilobyte_name_is_quoted_in_forty_characters(self) -> None:
        with pytest.raises(cronspec.CronError) as caught:
            cronspec.parse("0 2 * * *", "Europe/" + "x" * 100_000)
        assert str(caught.value) == unknown_zone("'Europe/" + "x" * 32 + "…'")

    def test_a_name_with_a_line_break_stays_on_one_line(self) -> None:
        with pytest.raises(cronspec.CronError) as caught:
            cronspec.parse("0 2 * * *", "Europe/Oslo\n" + "\x00" * 50)
        assert str(caught.value) == unknown_zone("'Europe/Oslo\\n" + "\\x00" * 6 + "\\x…'")

    def test_every_iana_name_is_a_zone(self) -> None:
        names = available_timezones() - {"localtime", "Factory", "posixrules"}
        assert len(names) > 500
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for name in names:
            assert cronspec.parse("0 2 * * *", name).next_after(start) > start

    def test_a_tz_of_another_type_names_its_type_briefly(self) -> None:
        with pytest.raises(TypeError) as caught:
            cronspec.parse("0 2 * * *", type("Z" * 1000, (), {})())  # type: ignore[arg-type]
        assert str(caught.value) == (
            "tz must be an IANA zone name or a tzinfo, not " + "Z" * 29 + "…"
        )


# -- pickling --------------------------------------------------------------------------------


def zone_file(name: str) -> Path:
    for root in TZPATH:
        if (path := Path(root, name)).is_file():
            return path
    raise AssertionError(f"no zone file for {name} in {TZPATH}")


class TestPickling:
    @pytest.mark.parametrize(
        "zone",
        [
            UTC,
            timezone(timedelta(hours=5, minutes=45)),
            timezone(timedelta(hours=-3), "BRT"),
            ZoneInfo("Europe/Oslo"),
            ZoneInfo.no_cache("Europe/Oslo"),
        ],
        ids=["UTC", "+05:45", "-03:00 BRT", "ZoneInfo", "ZoneInfo.no_cache"],
    )
    def test_round_trips_equal(self, zone: timezone | ZoneInfo) -> None:
        cron = cronspec.parse("0 2 L * *", zone)
        restored = pickle.loads(pickle.dumps(cron))
        assert (restored == cron, hash(restored) == hash(cron)) == (True, True)
        assert (str(restored), str(restored.tz)) == ("0 2 L * *", str(zone))

    def test_a_zoneinfo_counts_by_its_key(self) -> None:
        fresh = cronspec.parse("0 2 * * *", ZoneInfo.no_cache("Europe/Oslo"))
        assert fresh == cronspec.parse("0 2 * * *", "Europe/Oslo")
        assert hash(fresh) == hash(cronspec.parse("0 2 * * *", "Europe/Oslo"))
        assert pickle.loads(pickle.dumps(fresh)).tz is ZoneInfo("Europe/Oslo")

    @pytest.mark.parametrize("key", [None, "Europe/Oslo"])
    def test_a_zone_read_from_a_file_cannot_be_pickled(self, key: str | None) -> None:
        with zone_file("Europe/Oslo").open("rb") as file:
            zone = ZoneInfo.from_file(file, key=key)
        cron = cronspec.parse("0 2 * * *", zone)
        assert cron.next_after(at("2026-05-31T12:00")).isoformat() == "2026-06-01T02:00:00+02:00"
        assert (
            cron == cronspec.parse("0 2 * * *", zone),
            cron == cronspec.parse("0 2 * * *", "Europe/Oslo"),
        ) == (True, False)
        with pytest.raises(pickle.PicklingError) as caught:
            pickle.dumps(cron)
        assert str(caught.value) == (
            "cannot pickle the schedule '0 2 * * *': its zone was read with "
            "ZoneInfo.from_file() and has no IANA name to restore it by"
        )
