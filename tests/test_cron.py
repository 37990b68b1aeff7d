"""Time arithmetic (issue 3): matches, next_after, previous_before, fire_times, min_interval, DST."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

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


def test_searches_past_the_datetime_range_raise_cron_error() -> None:
    cron = cronspec.parse("*/15 * * * *", "Australia/Lord_Howe")
    with pytest.raises(cronspec.CronError, match="outside the years datetime covers"):
        cron.previous_before(datetime(1, 1, 1, 0, 5, tzinfo=UTC))
    with pytest.raises(cronspec.CronError, match="outside the years datetime covers"):
        cron.next_after(datetime(9999, 12, 31, 23, 50, tzinfo=UTC))
