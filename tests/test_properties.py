"""cronspec against the naive minute-by-minute reference (tests/reference.py), plus the
algebra every schedule must obey: in UTC, at a fixed offset (a tzinfo, +05:45) and in three
DST zones, one of them (Lord Howe) with a 30-minute shift.

The reference scans are bounded: a search that finds nothing within ``LIMIT`` only checks
that cronspec's answer lies beyond it. Results are compared as ISO text with the offset,
so the two passes of a repeated hour (02:30+02:00 and 02:30+01:00) are different answers.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from reference import (
    MINUTE,
    RefCron,
    as_zone,
    fire_instants,
    ref_fire_times,
    ref_matches,
    ref_min_interval,
    ref_next_after,
    ref_parse,
    ref_previous_before,
    ref_signature,
    shift,
    utc_minute,
)
from strategies import KATHMANDU_LIKE, dst_zones, expressions, instants, zones

import cronspec
from cronspec._days import FULL_MONTH

Test = TypeVar("Test", bound=Callable[..., None])
LIMIT = timedelta(days=9 * 366)  # long enough for 2096 -> 2104, the longest Feb 29 gap
OSLO = ZoneInfo("Europe/Oslo")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def _wall_clock(zone: tzinfo) -> Callable[..., datetime]:
    def at(
        year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
    ) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=zone, fold=fold)

    return at


oslo = _wall_clock(OSLO)
new_york = _wall_clock(NEW_YORK)
lord_howe = _wall_clock(LORD_HOWE)
utc = _wall_clock(UTC)


def shown(at: datetime | None) -> str | None:
    """A result as a user sees it: wall time and offset (the offset tells the passes apart)."""
    return None if at is None else at.isoformat()


def assert_is_a_real_fire_time(cron: cronspec.Cron, at: datetime) -> None:
    """Aware, in the schedule's zone, on a whole minute, and a wall time the zone shows."""
    assert at.tzinfo is cron.tz
    assert (at.second, at.microsecond) == (0, 0)
    back = at.astimezone(UTC).astimezone(cron.tz)
    assert (back.isoformat(), back.fold) == (at.isoformat(), at.fold)


@st.composite
def schedule_cases(
    draw: st.DrawFn,
    in_zones: st.SearchStrategy[str | tzinfo] = zones,
    exprs: st.SearchStrategy[str] | None = None,
) -> tuple[str, str | tzinfo, datetime]:
    zone = draw(in_zones)
    expression = draw(exprs if exprs is not None else expressions())
    return expression, zone, draw(instants(zone))


# Every known edge case, as (expression, zone, start). Each one runs through every test
# below that takes a case.
EDGE_CASES = (
    # Oslo spring forward 2026-03-29 02:00 CET -> 03:00 CEST
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 3, 29, 0, 0)),
    ("15,45 2 * * *", "Europe/Oslo", oslo(2026, 3, 29, 1, 59)),
    ("*/20 2 * * *", "Europe/Oslo", oslo(2026, 3, 29, 1, 0)),
    ("0 */2 * * *", "Europe/Oslo", oslo(2026, 3, 29, 1, 0)),
    ("0 1-3 * * *", "Europe/Oslo", oslo(2026, 3, 29, 0, 30)),
    ("0 2 * * *", "Europe/Oslo", oslo(2026, 3, 29, 3, 0)),
    # Oslo fall back 2026-10-25 03:00 CEST -> 02:00 CET
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 0, 0)),
    ("30 * * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 40)),
    ("0 1-3 * * *", "Europe/Oslo", oslo(2026, 10, 25, 1, 30)),
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 20, fold=1)),  # second pass start
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 40, fold=1)),
    ("*/15 * * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 50, fold=1)),
    ("45 2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 50, fold=0)),
    ("*/20 2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 0, fold=1)),  # on a fire, 2nd pass
    # New York 2026-03-08 02:00 EST -> 03:00 EDT and 2026-11-01 02:00 EDT -> 01:00 EST
    ("30 2 * * *", "America/New_York", new_york(2026, 3, 8, 0, 0)),
    ("30 1 * * *", "America/New_York", new_york(2026, 11, 1, 0, 0)),
    ("*/20 1 * * *", "America/New_York", new_york(2026, 11, 1, 1, 50)),
    ("30 1 * * *", "America/New_York", new_york(2026, 11, 1, 1, 10, fold=1)),
    # Lord Howe: 30-minute shifts, 2026-04-05 02:00 -> 01:30 and 2026-10-04 02:00 -> 02:30
    ("45 1 * * *", "Australia/Lord_Howe", lord_howe(2026, 4, 5, 0, 0)),
    ("*/15 1 * * *", "Australia/Lord_Howe", lord_howe(2026, 4, 5, 1, 50)),
    ("15 2 * * *", "Australia/Lord_Howe", lord_howe(2026, 10, 4, 0, 0)),
    ("15,45 2 * * *", "Australia/Lord_Howe", lord_howe(2026, 10, 4, 1, 59)),
    # calendar
    ("0 0 29 2 *", "UTC", utc(2100, 1, 1)),  # 2100 is not a leap year
    ("0 0 29 2 *", "Europe/Oslo", oslo(2104, 3, 1)),
    ("0 0 * 2 MON#5", "UTC", utc(2040, 1, 1)),  # -> 2044-02-29
    ("0 0 * 2 MON#5", "UTC", utc(2044, 3, 1)),
    ("0 2 31 * *", "UTC", utc(2026, 11, 29, 12, 0)),  # never on 30 November
    ("0 2 L * *", "UTC", utc(2024, 2, 28, 2, 0)),
    ("0 0 1W * *", "UTC", utc(2026, 7, 31)),  # 2026-08-01 is a Saturday -> Monday the 3rd
    ("0 0 31W * *", "UTC", utc(2026, 5, 1)),  # 2026-05-31 is a Sunday -> Friday the 29th
    ("0 0 LW * *", "UTC", utc(2026, 1, 1)),
    ("59 23 31 12 *", "Australia/Lord_Howe", lord_howe(2399, 12, 31, 23, 59)),
    ("0 2 L * *", KATHMANDU_LIKE, utc(2026, 2, 27, 20, 15)),  # 02:00 on the 28th, +05:45
)


def edge_examples(**others: object) -> Callable[[Test], Test]:
    """Add every EDGE_CASES entry as an @example (with ``others`` for the other arguments)."""

    def add(test: Test) -> Test:
        for case in EDGE_CASES:
            test = example(case=case, **others)(test)
        return test

    return add


# -- differential: cronspec == reference --------------------------------------------------------


@given(case=schedule_cases())
@edge_examples()
def test_next_after_agrees_with_reference(case: tuple[str, str | tzinfo, datetime]) -> None:
    expression, zone, at = case
    cron = cronspec.parse(expression, tz=zone)
    got = cron.next_after(at)
    expected = ref_next_after(expression, zone, at, LIMIT)
    if expected is None:
        assert got.astimezone(UTC) > shift(at, LIMIT)
    else:
        assert shown(got) == shown(expected)
    assert_is_a_real_fire_time(cron, got)


@given(case=schedule_cases())
@edge_examples()
def test_previous_before_agrees_with_reference(case: tuple[str, str | tzinfo, datetime]) -> None:
    expression, zone, at = case
    cron = cronspec.parse(expression, tz=zone)
    got = cron.previous_before(at)
    expected = ref_previous_before(expression, zone, at, LIMIT)
    if expected is None:
        assert got.astimezone(UTC) < shift(at, -LIMIT)
    else:
        assert shown(got) == shown(expected)
    assert_is_a_real_fire_time(cron, got)


@given(case=schedule_cases(), seconds=st.integers(0, 59))
@edge_examples(seconds=59)
@example(case=("*/15 * * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 10)), seconds=30)
def test_matches_agrees_with_reference(
    case: tuple[str, str | tzinfo, datetime], seconds: int
) -> None:
    expression, zone, at = case
    cron = cronspec.parse(expression, tz=zone)
    looked_at = [at, shift(at, -MINUTE), shift(at, MINUTE)]
    fire = ref_next_after(expression, zone, at, LIMIT)
    if fire is not None:  # around a fire time, so that both answers come up
        looked_at += [fire, shift(fire, timedelta(seconds=seconds))]
        looked_at += [shift(fire, -MINUTE), shift(fire, MINUTE)]
    for moment in looked_at:
        assert cron.matches(moment) == ref_matches(expression, zone, moment), moment
    if fire is not None:
        assert cron.matches(fire.astimezone(UTC) + timedelta(seconds=seconds))


@given(case=schedule_cases(), minutes=st.integers(0, 3 * 1440))
@edge_examples(minutes=3 * 1440)
@example(case=("*/15 * * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 10)), minutes=70)
@example(case=("30 * * * *", "America/New_York", new_york(2026, 11, 1, 0, 50)), minutes=120)
def test_fire_times_agrees_with_reference(
    case: tuple[str, str | tzinfo, datetime], minutes: int
) -> None:
    expression, zone, start = case
    cron = cronspec.parse(expression, tz=zone)
    # The end in the schedule's own zone: the same tzinfo object as the results, where
    # Python compares wall times and ignores fold (02:45+02:00 > 02:20+01:00).
    end = shift(start, timedelta(minutes=minutes)).astimezone(as_zone(zone))
    got = [shown(at) for at in cron.fire_times(start, end)]
    expected = [shown(at) for at in ref_fire_times(expression, zone, start, end)]
    assert got == expected


@given(expression=expressions(), zone=zones)
@example(expression="0 0 29 2 *", zone="UTC")
@example(expression="0 0 * 2 MON#5", zone="UTC")
@example(expression="0 1-3 * * *", zone="Europe/Oslo")
@example(expression="*/7 * * * *", zone="UTC")
@example(expression="0 0 L-30 * *", zone="UTC")
def test_min_interval_agrees_with_reference(expression: str, zone: str | tzinfo) -> None:
    cron = cronspec.parse(expression, tz=zone)
    assert cron.min_interval() == ref_min_interval(expression)


# -- algebra -------------------------------------------------------------------------------------


@given(case=schedule_cases())
@edge_examples()
def test_next_and_previous_bracket_every_instant(case: tuple[str, str | tzinfo, datetime]) -> None:
    expression, zone, at = case
    cron = cronspec.parse(expression, tz=zone)
    after = cron.next_after(at)
    before = cron.previous_before(at)
    assert before.astimezone(UTC) < at.astimezone(UTC) < after.astimezone(UTC)
    assert cron.previous_before(after).astimezone(UTC) <= at.astimezone(UTC)
    assert cron.next_after(before).astimezone(UTC) >= at.astimezone(UTC)
    assert cron.matches(after)
    assert cron.matches(before)
    for result in (after, before):
        assert_is_a_real_fire_time(cron, result)


@given(case=schedule_cases())
@edge_examples()
def test_fire_times_is_repeated_next_after(case: tuple[str, str | tzinfo, datetime]) -> None:
    expression, zone, start = case
    cron = cronspec.parse(expression, tz=zone)
    end = shift(start, timedelta(days=3 * 366))
    listed = list(itertools.islice(cron.fire_times(start, end), 40))
    stepped: list[datetime] = []
    at = start
    while len(stepped) < 40:
        at = cron.next_after(at)
        if at.astimezone(UTC) > end:
            break
        stepped.append(at)
    assert [shown(at) for at in listed] == [shown(at) for at in stepped]
    instants = [at.astimezone(UTC) for at in listed]
    assert all(at > start for at in instants)
    assert instants == sorted(set(instants))
    for at in listed:
        assert cron.matches(at)
        assert_is_a_real_fire_time(cron, at)


@given(expression=expressions(), zone=zones)
@example(expression="@hourly", zone="UTC")
@example(expression="1-31 0 ? * 1", zone="UTC")  # OR: no star, every day
@example(expression="0 0 */1 * 1", zone="UTC")  # AND: starts with a star, Mondays
@example(expression="0-59 0-23 * * *", zone="Europe/Oslo")  # fixed-time, every minute
@example(expression="0 0 * * MON-SUN", zone="UTC")
def test_normalized_text_means_the_same_schedule(expression: str, zone: str | tzinfo) -> None:
    cron = cronspec.parse(expression, tz=zone)
    text = str(cron)
    again = cronspec.parse(text, tz=zone)
    assert again == cron
    assert hash(again) == hash(cron)
    assert str(again) == text
    assert pickle.loads(pickle.dumps(cron)) == cron
    assert ref_signature(text) == ref_signature(expression)


# -- the reference itself ------------------------------------------------------------------------


@settings(max_examples=max(10, settings().max_examples // 5))
@given(case=schedule_cases(in_zones=dst_zones))
@edge_examples()
def test_reference_pruning_changes_nothing(case: tuple[str, str | tzinfo, datetime]) -> None:
    expression, zone, at = case
    cron, tz = ref_parse(expression), as_zone(zone)
    first, last = utc_minute(at), utc_minute(at) + timedelta(days=2)
    for a, b in ((first, last), (last, first)):
        pruned = list(fire_instants(cron, tz, a, b))
        assert pruned == list(fire_instants(cron, tz, a, b, prune=False))


# The worked examples of reference/cron-semantics.md §6-§7, as concrete values: both the
# reference and cronspec must give exactly these.
WORKED_EXAMPLES = [
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 3, 28, 12), ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]),
    ("15,45 2 * * *", "Europe/Oslo", oslo(2026, 3, 29), ["2026-03-29T03:00:00+02:00", "2026-03-30T02:15:00+02:00"]),
    ("*/20 2 * * *", "Europe/Oslo", oslo(2026, 3, 29), ["2026-03-30T02:00:00+02:00"]),
    ("0 */2 * * *", "Europe/Oslo", oslo(2026, 3, 29, 1), ["2026-03-29T04:00:00+02:00"]),
    ("30 * * * *", "Europe/Oslo", oslo(2026, 3, 29, 1, 45), ["2026-03-29T03:30:00+02:00"]),
    ("0 1-3 * * *", "Europe/Oslo", oslo(2026, 3, 29), ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T01:00:00+02:00"]),
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 10, 25), ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]),
    ("30 * * * *", "Europe/Oslo", oslo(2026, 10, 25, 2), ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00"]),
    ("*/15 * * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 50), ["2026-10-25T02:00:00+01:00"]),
    ("0 */2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 1), ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T04:00:00+01:00"]),
    ("0 1-3 * * *", "Europe/Oslo", oslo(2026, 10, 25), ["2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00"]),
    ("30 2 * * *", "Europe/Oslo", oslo(2026, 10, 25, 2, 20, fold=1), ["2026-10-26T02:30:00+01:00"]),
    ("30 2 * * *", "America/New_York", new_york(2026, 3, 8), ["2026-03-08T03:00:00-04:00"]),
    ("30 1 * * *", "America/New_York", new_york(2026, 11, 1), ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
    ("*/20 1 * * *", "America/New_York", new_york(2026, 11, 1), ["2026-11-01T01:00:00-04:00", "2026-11-01T01:20:00-04:00", "2026-11-01T01:40:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:20:00-05:00", "2026-11-01T01:40:00-05:00", "2026-11-02T01:00:00-05:00"]),
    ("15 2 * * *", "Australia/Lord_Howe", lord_howe(2026, 10, 4), ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]),
    ("45 1 * * *", "Australia/Lord_Howe", lord_howe(2026, 4, 5), ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]),
    ("*/15 1 * * *", "Australia/Lord_Howe", lord_howe(2026, 4, 5, 1, 20), ["2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30", "2026-04-06T01:00:00+10:30"]),
    ("0 0 * 2 MON#5", "UTC", utc(2026, 1, 1), ["2044-02-29T00:00:00+00:00", "2072-02-29T00:00:00+00:00", "2112-02-29T00:00:00+00:00"]),
    ("0 0 29 2 *", "UTC", utc(2096, 3, 1), ["2104-02-29T00:00:00+00:00"]),
    ("0 2 31 * *", "UTC", utc(2026, 10, 31, 3), ["2026-12-31T02:00:00+00:00", "2027-01-31T02:00:00+00:00"]),
    ("0 0 13 * 5", "UTC", utc(2026, 2, 1), ["2026-02-06T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00"]),
    ("0 0 */2 * 1", "UTC", utc(2026, 6, 1), ["2026-06-15T00:00:00+00:00", "2026-06-29T00:00:00+00:00"]),
    ("0 0 1W * *", "UTC", utc(2026, 7, 2), ["2026-08-03T00:00:00+00:00"]),
    ("0 0 31W * *", "UTC", utc(2026, 5, 1), ["2026-05-29T00:00:00+00:00", "2026-07-31T00:00:00+00:00"]),
    ("0 0 L-2 2 *", "UTC", utc(2027, 1, 1), ["2027-02-26T00:00:00+00:00", "2028-02-27T00:00:00+00:00"]),
    ("0 0 * * 5L", "UTC", utc(2026, 1, 1), ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00"]),
]  # fmt: skip


@pytest.mark.parametrize(("expression", "zone", "start", "expected"), WORKED_EXAMPLES)
def test_worked_examples(
    expression: str, zone: str | tzinfo, start: datetime, expected: list[str]
) -> None:
    cron = cronspec.parse(expression, tz=zone)
    got, reference, at, ref_at = [], [], start, start
    for _ in expected:
        at = cron.next_after(at)
        got.append(shown(at))
        found = ref_next_after(expression, zone, ref_at, timedelta(days=50 * 366))
        assert found is not None
        reference.append(shown(found))
        ref_at = found
    assert reference == expected
    assert got == expected


def test_fire_times_end_in_the_second_pass_of_the_repeated_hour() -> None:
    cron = cronspec.parse("*/15 * * * *", tz="Europe/Oslo")
    start, end = oslo(2026, 10, 25, 2, 10), oslo(2026, 10, 25, 2, 20, fold=1)
    assert [at.isoformat() for at in cron.fire_times(start, end)] == [
        "2026-10-25T02:15:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:45:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:15:00+01:00",
    ]


def test_start_in_any_representation_of_the_same_instant_gives_the_same_answer() -> None:
    cron = cronspec.parse("30 2 * * *", tz="Europe/Oslo")
    start = oslo(2026, 10, 25, 2, 20, fold=1)
    for same in (start, start.astimezone(UTC), start.astimezone(timezone(timedelta(hours=-7)))):
        assert cron.next_after(same).isoformat() == "2026-10-26T02:30:00+01:00"


# -- min_interval against the 400-year month walk it replaced ---------------------------------


def month_walk_day_gap(cron: cronspec.Cron) -> int:
    """The fewest days between two firing days, by the month-by-month walk over 2000-2399
    that min_interval did before (slow: 4,800 months per schedule), kept as a reference."""
    spec = cron._spec
    best, previous = 1 << 20, None  # previous: day number of the last firing day seen
    for index in range(400 * 12):
        year, month = 2000 + index // 12, index % 12 + 1
        if not spec.months >> month & 1:
            continue
        days = cron._days(year, month) & FULL_MONTH[31]
        if not days:
            continue
        base = date(year, month, 1).toordinal() - 1
        if previous is not None:
            best = min(best, base + (days & -days).bit_length() - 1 - previous)
        bits = [bit for bit in range(32) if days >> bit & 1]
        best = min([best, *(b - a for a, b in itertools.pairwise(bits))])
        previous = base + days.bit_length() - 1
    return best


def month_walk_min_interval(cron: cronspec.Cron) -> timedelta:
    spec = cron._spec
    times = [
        h * 60 + m
        for h in range(24)
        if spec.hours >> h & 1
        for m in range(60)
        if spec.minutes >> m & 1
    ]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    gaps.append(month_walk_day_gap(cron) * 1440 - (times[-1] - times[0]))
    return timedelta(minutes=min(gaps))


@settings(max_examples=max(10, settings().max_examples // 4))
@given(expression=expressions())
@example(expression="0 0 * 2 MON#5")  # 2196 -> 2208, across the 2200 non-leap year
@example(expression="0 0 29 2 *")
@example(expression="0 0 L-30 * *")
@example(expression="0 0 31 * *")
@example(expression="0 0 1 1,7 1#1")
@example(expression="0 0 * * 1")
@example(expression="0 0 LW * 0L")
def test_min_interval_is_the_month_walks(expression: str) -> None:
    cron = cronspec.parse(expression)
    assert cron.min_interval() == month_walk_min_interval(cron)


# -- every zone, back to 1900: searches always advance -----------------------------------------

ALL_ZONES = sorted(available_timezones() - {"localtime", "Factory", "posixrules"})


@given(
    zone=st.sampled_from(ALL_ZONES),
    expression=expressions(),
    start=st.datetimes(datetime(1900, 1, 1), datetime(1975, 12, 31), timezones=st.just(UTC)),
)
@example(zone="Africa/Monrovia", expression="* * * * *", start=utc(1970, 6, 1, 10))
@example(zone="Africa/Monrovia", expression="0 10 * * *", start=utc(1970, 6, 1, 10, 44))
@example(zone="Africa/Monrovia", expression="*/15 * * * *", start=utc(1972, 1, 7, 0, 44))
@example(zone="Europe/Amsterdam", expression="* * * * *", start=utc(1937, 6, 30, 22, 40))
@example(zone="America/Merida", expression="1 0 * * *", start=utc(1922, 1, 1, 6, 1))
def test_searches_advance_in_every_zone_since_1900(
    zone: str, expression: str, start: datetime
) -> None:
    cron = cronspec.parse(expression, zone)
    after, before = cron.next_after(start), cron.previous_before(start)
    assert before.astimezone(UTC) < start < after.astimezone(UTC)
    assert cron.matches(after) and cron.matches(before)
    assert cron.previous_before(after).astimezone(UTC) <= start
    assert cron.next_after(before).astimezone(UTC) >= start
    listed = list(itertools.islice(cron.fire_times(start, start + timedelta(days=2)), 30))
    assert listed[:1] == ([after] if after.astimezone(UTC) <= start + timedelta(days=2) else [])
    for earlier, later in itertools.pairwise(listed):
        assert cron.next_after(earlier) == later and earlier.astimezone(UTC) < later.astimezone(UTC)
    assert all(cron.matches(at) for at in listed)


# -- local mean time: against a second-by-second reference -------------------------------------

# Changes of a clock whose minutes did not start on whole UTC minutes: forward and back, by
# seconds, minutes and a DST hour, from, to and between such offsets.
LMT_CHANGES = [
    (
        "Africa/Monrovia",
        datetime(1972, 1, 7, 0, 44, 30, tzinfo=UTC),
    ),  # -0:44:30 -> 0: 44 min 30 s forward
    (
        "Europe/Amsterdam",
        datetime(1937, 6, 30, 22, 40, 28, tzinfo=UTC),
    ),  # +1:19:32 -> +1:20: 28 s forward
    ("America/Merida", datetime(1922, 1, 1, 6, tzinfo=UTC)),  # -5:58:28 -> -6: 92 s back
    (
        "America/St_Johns",
        datetime(1917, 4, 8, 5, 30, 52, tzinfo=UTC),
    ),  # -3:30:52 -> -2:30:52: DST forward
    ("America/St_Johns", datetime(1917, 9, 17, 4, 30, 52, tzinfo=UTC)),  # and back
    (
        "America/Paramaribo",
        datetime(1911, 1, 1, 3, 40, 40, tzinfo=UTC),
    ),  # -3:40:40 -> -3:40:52: 12 s back
    (
        "America/Paramaribo",
        datetime(1935, 1, 1, 3, 40, 52, tzinfo=UTC),
    ),  # -3:40:52 -> -3:40:36: 16 s forward
    (
        "America/Santiago",
        datetime(1919, 7, 1, 4, tzinfo=UTC),
    ),  # -4 -> -4:42:45: back onto local mean time
    (
        "Africa/Lagos",
        datetime(1908, 7, 1, tzinfo=UTC),
    ),  # 0 -> +0:13:35: forward onto local mean time
    ("Asia/Kuala_Lumpur", datetime(1900, 12, 31, 17, 13, 14, tzinfo=UTC)),  # +6:46:46 -> +6:55:25
    ("Asia/Yekaterinburg", datetime(1916, 7, 2, 19, 57, 27, tzinfo=UTC)),  # +4:02:33 -> +3:45:05
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ref_fires_at_second(cron: RefCron, zone: tzinfo, second: int) -> bool:
    """Whether a job fires at this second: the clock shows a selected hh:mm:00 (first pass
    only, for a fixed-time job), or, for a fixed-time job, the clock jumps forward over
    the :00 of a selected minute (Debian's catch-up after a gap)."""
    now = datetime.fromtimestamp(second, zone)
    wall = now.replace(tzinfo=None)
    if now.second == 0 and (not cron.fixed or now.fold == 0) and cron.wall_matches(wall):
        return True
    before = datetime.fromtimestamp(second - 1, zone).replace(tzinfo=None)
    if cron.fixed and wall - before > timedelta(seconds=1):
        skipped = before.replace(second=0) + MINUTE
        while skipped < wall:
            if cron.wall_matches(skipped):
                return True
            skipped += MINUTE
    return False


def minute_begins(zone: tzinfo, second: int) -> bool:
    """Whether a wall minute begins at this second: the clock shows :00 or jumps."""
    now = datetime.fromtimestamp(second, zone).replace(tzinfo=None)
    before = datetime.fromtimestamp(second - 1, zone).replace(tzinfo=None)
    return now.second == 0 or now - before != timedelta(seconds=1)


@pytest.mark.parametrize(("zone_name", "change"), LMT_CHANGES, ids=lambda v: str(v)[:19])
def test_around_a_change_of_local_mean_time_every_second_agrees_with_the_reference(
    zone_name: str, change: datetime
) -> None:
    zone = ZoneInfo(zone_name)
    c = (change - EPOCH) // timedelta(seconds=1)
    last, first = datetime.fromtimestamp(c - 1, zone), datetime.fromtimestamp(c, zone)
    expressions = [
        "* * * * *",
        "*/7 * * * *",
        "0-59 0-23 * * *",  # fixed-time, every minute
        f"{last.minute} {last.hour} * * *",
        f"{first.minute} {first.hour} * * *",
        f"{(first.minute + 1) % 60} {first.hour} * * *",
    ]
    seconds = range(c - 150, c + 151)
    scan = range(c - 900, c + 901)
    begins = [s for s in scan if minute_begins(zone, s)]
    for expression in expressions:
        cron, ref = cronspec.parse(expression, zone), ref_parse(expression)
        fires = [s for s in scan if ref_fires_at_second(ref, zone, s)]
        for second in seconds:
            at = EPOCH + timedelta(seconds=second)
            after = (cron.next_after(at) - EPOCH) // timedelta(seconds=1)
            before = (cron.previous_before(at) - EPOCH) // timedelta(seconds=1)
            later = [f for f in fires if f > second]
            earlier = [f for f in fires if f < second]
            assert after == later[0] if later else after > scan[-1], (expression, at)
            assert before == earlier[-1] if earlier else before < scan[0], (expression, at)
            began = max(s for s in begins if s <= second)
            assert cron.matches(at) == (began in fires), (expression, at)
