"""A deliberately naive cron reference, written from the semantics and never from cronspec.

Property tests compare cronspec against this module, so it trades every bit of speed for
being obviously right:

* the parser expands each field into a Python set, one regular expression per syntax form;
* a schedule fires at a UTC minute ``i`` decided by looking at the local wall clock, exactly
  as Debian cron's main loop does (reference/cron-semantics.md §7.1):

  - wildcard jobs (minute or hour text starting with ``*``, and ``@hourly``) fire when
    ``wall(i)`` matches: nothing inside a spring-forward gap, both passes of an overlap;
  - fixed-time jobs fire when ``wall(i)`` matches on the first pass (``fold == 0``), or when
    ``i`` is the first instant after a gap and one of the skipped wall minutes matches.

The only concession to speed: a whole UTC day or hour is skipped when no wall minute inside
it can match and the zone's offset does not change across it (so no gap catch-up can fall
inside). ``test_reference_pruning_changes_nothing`` checks that shortcut against the plain
minute walk. Zones are assumed to change offset at most once in six hours (true for every
real zone since 1970).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

MAX_LENGTH = 1000  # DESIGN.md: absurdly long input is refused (Debian: 1000-digit numbers)
FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
LOW = (0, 0, 1, 1, 0)
HIGH = (59, 23, 31, 12, 7)
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
NAMES: tuple[dict[str, int], ...] = (
    {},
    {},
    {},
    {name: number for number, name in enumerate(MONTH_NAMES, 1)},
    {name: number for number, name in enumerate(DAY_NAMES)},
)
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_VALUE = r"([0-9]+|[A-Za-z]{3})"
_STAR = re.compile(r"([*?])(?:/([0-9]+))?")
_SINGLE = re.compile(_VALUE)
_RANGE = re.compile(_VALUE + "-" + _VALUE + r"(?:/([0-9]+))?")
_DOM_LAST = re.compile(r"(?:L|\$)")
_DOM_LAST_MINUS = re.compile(r"L-([0-9]+)")
_DOM_LAST_WEEKDAY = re.compile(r"LW")
_DOM_NEAREST = re.compile(r"([0-9]+)W")
_DOW_LAST = re.compile(r"([0-9]+)L|([A-Za-z]{3})[Ll]")  # 5L, or FRIL (Quartz, croner)
_DOW_NTH = re.compile(_VALUE + r"#([0-9]+|L)")  # 5#L is OCPS 1.3's 5L


class RefSyntaxError(ValueError):
    """The reference refuses the expression (the message says why)."""


@dataclass(frozen=True)
class RefCron:
    """An expanded expression: plain sets, plus the day extensions kept as data."""

    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    days: frozenset[int]  # day-of-month numbers
    last_minus: frozenset[int]  # n of L-n (L is n = 0)
    last_weekday: bool  # LW
    nearest: frozenset[int]  # n of nW
    weekdays: frozenset[int]  # 0 = Sunday .. 6
    last_of_weekday: frozenset[int]  # w of wL
    nth_weekday: frozenset[tuple[int, int]]  # (w, k) of w#k
    both: bool  # Debian: a day must match both fields when either text starts with * or ?
    fixed: bool  # minute and hour text both not starting with *: the DST catch-up applies

    def day_matches(self, day: date) -> bool:
        return _day_matches(self, day.year, day.month, day.day)

    def wall_matches(self, wall: datetime) -> bool:
        return (
            wall.minute in self.minutes
            and wall.hour in self.hours
            and wall.month in self.months
            and _day_matches(self, wall.year, wall.month, wall.day)
        )


def _nearest_weekday(year: int, month: int, n: int, length: int) -> int:
    """The Monday-Friday nearest to day n, never leaving the month (Quartz ``nW``)."""
    weekday = calendar.weekday(year, month, n)  # Monday = 0
    if weekday == 5:  # Saturday
        return n - 1 if n > 1 else n + 2
    if weekday == 6:  # Sunday
        return n + 1 if n < length else n - 2
    return n


@lru_cache(maxsize=1 << 16)
def _day_matches(cron: RefCron, year: int, month: int, day: int) -> bool:
    length = calendar.monthrange(year, month)[1]
    by_date = (
        day in cron.days
        or any(day == length - n for n in cron.last_minus)
        or any(
            n <= length and day == _nearest_weekday(year, month, n, length) for n in cron.nearest
        )
    )
    if cron.last_weekday:
        last = length
        while calendar.weekday(year, month, last) >= 5:
            last -= 1
        by_date = by_date or day == last
    weekday = (calendar.weekday(year, month, day) + 1) % 7  # Sunday = 0
    by_weekday = (
        weekday in cron.weekdays
        or (weekday in cron.last_of_weekday and day + 7 > length)
        or (weekday, (day - 1) // 7 + 1) in cron.nth_weekday
    )
    return (by_date and by_weekday) if cron.both else (by_date or by_weekday)


# -- parsing ----------------------------------------------------------------------------------


def _fail(field: int, text: str, why: str) -> RefSyntaxError:
    return RefSyntaxError(f"{FIELD_NAMES[field]} {text!r}: {why}")


def _value(field: int, text: str) -> int:
    if text.isdigit():  # the regexes only let ASCII digits through
        value = int(text)
    else:
        found = NAMES[field].get(text.upper())
        if found is None:
            raise _fail(field, text, "not a number or a name of this field")
        value = found
    if not LOW[field] <= value <= HIGH[field]:
        raise _fail(field, text, "out of range")
    return value


def _step(field: int, text: str | None) -> int:
    if text is None:
        return 1
    step = int(text)
    if step == 0:
        raise _fail(field, text, "step 0")
    return step


@dataclass
class _Field:
    values: set[int]
    last_minus: set[int]
    last_weekday: bool
    nearest: set[int]
    last_of_weekday: set[int]
    nth_weekday: set[tuple[int, int]]


def _parse_field(field: int, text: str) -> _Field:
    out = _Field(set(), set(), False, set(), set(), set())
    for item in text.split(","):
        if field == 2 and _DOM_LAST.fullmatch(item):
            out.last_minus.add(0)
        elif field == 2 and (m := _DOM_LAST_MINUS.fullmatch(item)):
            if int(m[1]) > 30:
                raise _fail(field, item, "L-n needs n <= 30")
            out.last_minus.add(int(m[1]))
        elif field == 2 and _DOM_LAST_WEEKDAY.fullmatch(item):
            out.last_weekday = True
        elif field == 2 and (m := _DOM_NEAREST.fullmatch(item)):
            out.nearest.add(_value(field, m[1]))
        elif field == 4 and (m := _DOW_LAST.fullmatch(item)):
            out.last_of_weekday.add(_value(field, m[1] or m[2]) % 7)
        elif field == 4 and (m := _DOW_NTH.fullmatch(item)) and m[2] == "L":
            out.last_of_weekday.add(_value(field, m[1]) % 7)
        elif field == 4 and (m := _DOW_NTH.fullmatch(item)):
            if not 1 <= int(m[2]) <= 5:
                raise _fail(field, item, "#k needs k in 1-5")
            out.nth_weekday.add((_value(field, m[1]) % 7, int(m[2])))
        elif m := _STAR.fullmatch(item):
            if m[1] == "?" and field not in (2, 4):
                raise _fail(field, item, "? only in day fields")
            out.values.update(range(LOW[field], HIGH[field] + 1, _step(field, m[2])))
        elif m := _RANGE.fullmatch(item):
            start, stop = _value(field, m[1]), _value(field, m[2])
            if field == 4 and stop == 0 < start:
                stop = 7  # FRI-SUN: Sunday closes the week (cronie)
            if stop < start:
                raise _fail(field, item, "reversed range")
            out.values.update(range(start, stop + 1, _step(field, m[3])))
        elif _SINGLE.fullmatch(item):
            out.values.add(_value(field, item))
        else:
            raise _fail(field, item, "not a cron list item")
    if field == 4 and 7 in out.values:
        out.values = (out.values - {7}) | {0}
    return out


@cache
def ref_parse(expression: str) -> RefCron:
    """Expand an expression; raise RefSyntaxError for anything DESIGN.md rejects."""
    if not isinstance(expression, str):
        raise TypeError("expression must be a str")
    if len(expression) > MAX_LENGTH:
        raise RefSyntaxError("too long")
    if re.search(r"[^ -~\t]", expression):  # printable ASCII, space and tab only
        raise RefSyntaxError("a character that is not printable ASCII, space or tab")
    parts = expression.replace("\t", " ").split(" ")
    parts = [part for part in parts if part]
    if len(parts) == 1 and parts[0] in MACROS:
        parts = MACROS[parts[0]].split(" ")
    if len(parts) != 5:
        raise RefSyntaxError(f"{len(parts)} fields")
    fields = [_parse_field(i, part) for i, part in enumerate(parts)]
    minute, hour, dom, month, dow = fields
    cron = RefCron(
        minutes=frozenset(minute.values),
        hours=frozenset(hour.values),
        months=frozenset(month.values),
        days=frozenset(dom.values),
        last_minus=frozenset(dom.last_minus),
        last_weekday=dom.last_weekday,
        nearest=frozenset(dom.nearest),
        weekdays=frozenset(dow.values),
        last_of_weekday=frozenset(dow.last_of_weekday),
        nth_weekday=frozenset(dow.nth_weekday),
        both=parts[2][0] in "*?" or parts[4][0] in "*?",
        fixed=parts[0][0] != "*" and parts[1][0] != "*",
    )
    if not _ever_fires(cron):
        raise RefSyntaxError("never fires")
    return cron


def firing_days(cron: RefCron, year: int, month: int) -> frozenset[int]:
    """The days of a month the day fields select (months not in the month field included)."""
    first, length = calendar.monthrange(year, month)
    # The day rule only sees the month's length and the weekday of its 1st.
    key = (cron, length, first)
    days = _SHAPES.get(key)
    if days is None:
        days = frozenset(d for d in range(1, length + 1) if cron.day_matches(date(year, month, d)))
        _SHAPES[key] = days
    return days


_SHAPES: dict[tuple[RefCron, int, int], frozenset[int]] = {}


def _ever_fires(cron: RefCron) -> bool:
    # 2000-2027 holds every (month, weekday of the 1st, leap or not) combination there is.
    return any(
        firing_days(cron, year, month) for year in range(2000, 2028) for month in cron.months
    )


def ref_is_valid(expression: str) -> bool:
    try:
        ref_parse(expression)
    except RefSyntaxError:
        return False
    return True


# -- the minute-by-minute matcher ----------------------------------------------------------------


def as_zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def utc_minute(at: datetime) -> datetime:
    """The UTC minute containing ``at`` (every offset since 1970 is whole minutes)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def shift(at: datetime, delta: timedelta) -> datetime:
    """``at + delta`` on the real timeline, shown in ``at``'s zone.

    Plain ``at + delta`` is wall-clock arithmetic and resets fold: 02:30+01:00 (second pass)
    plus 30 seconds would become 02:30:30+02:00, an hour earlier.
    """
    return (at.astimezone(UTC) + delta).astimezone(at.tzinfo)


def _fires(cron: RefCron, zone: tzinfo, instant: datetime) -> bool:
    local = instant.astimezone(zone)
    wall = local.replace(tzinfo=None)
    if not cron.fixed:
        return cron.wall_matches(wall)
    if local.fold == 0 and cron.wall_matches(wall):
        return True
    skipped = (instant - MINUTE).astimezone(zone).replace(tzinfo=None) + MINUTE
    while skipped < wall:  # a spring-forward gap ends at this instant: catch up
        if cron.wall_matches(skipped):
            return True
        skipped += MINUTE
    return False


def _may_fire(cron: RefCron, zone: tzinfo, start: datetime, size: timedelta) -> bool:
    """False only when no instant in [start, start + size) can fire."""
    offset = (start - MINUTE).astimezone(zone).utcoffset()
    probe = start
    while probe < start + size:
        if probe.astimezone(zone).utcoffset() != offset:
            return True
        probe += min(6 * HOUR, size)
    end = start + size - MINUTE
    if end.astimezone(zone).utcoffset() != offset:
        return True
    first = start.astimezone(zone).replace(tzinfo=None)
    last = end.astimezone(zone).replace(tzinfo=None)
    hour = first.replace(minute=0)
    while hour <= last:
        if (
            hour.hour in cron.hours
            and hour.month in cron.months
            and _day_matches(cron, hour.year, hour.month, hour.day)
        ):
            low = max(first, hour).minute
            high = min(last, hour + 59 * MINUTE).minute
            if any(minute in cron.minutes for minute in range(low, high + 1)):
                return True
        hour += HOUR
    return False


def _floor(instant: datetime, size: timedelta) -> datetime:
    base = datetime(1970, 1, 1, tzinfo=UTC)
    return base + (instant - base) // size * size


def fire_instants(
    cron: RefCron, zone: tzinfo, first: datetime, last: datetime, *, prune: bool = True
) -> Iterator[datetime]:
    """UTC fire instants from ``first`` towards ``last`` (both whole UTC minutes, inclusive).

    Walks backwards when ``last < first``.
    """
    forward = first <= last
    may_fire = cache(lambda start, size: _may_fire(cron, zone, start, size))
    instant = first
    while instant <= last if forward else instant >= last:
        for size in (DAY, HOUR) if prune else ():
            block = _floor(instant, size)
            if not may_fire(block, size):
                instant = block + size if forward else block - MINUTE
                break
        else:
            if _fires(cron, zone, instant):
                yield instant
            instant += MINUTE if forward else -MINUTE


def ref_matches(expression: str, tz: str | tzinfo, at: datetime) -> bool:
    """Is the minute containing ``at`` a fire time?"""
    return _fires(ref_parse(expression), as_zone(tz), utc_minute(at))


def ref_next_after(
    expression: str, tz: str | tzinfo, at: datetime, limit: timedelta
) -> datetime | None:
    """The first fire time strictly after ``at`` and at most ``at + limit``, or None."""
    zone = as_zone(tz)
    first = utc_minute(at) + MINUTE
    last = utc_minute(shift(at, limit))
    if last < first:
        return None
    for instant in fire_instants(ref_parse(expression), zone, first, last):
        return instant.astimezone(zone)
    return None


def ref_previous_before(
    expression: str, tz: str | tzinfo, at: datetime, limit: timedelta
) -> datetime | None:
    """The last fire time strictly before ``at`` and at least ``at - limit``, or None."""
    zone = as_zone(tz)
    first = utc_minute(at)
    if first == at.astimezone(UTC):  # not `== at`: PEP 495 makes a fold=1 time unequal
        first -= MINUTE
    last = utc_minute(shift(at, -limit))
    if last < shift(at, -limit):
        last += MINUTE
    if last > first:
        return None
    for instant in fire_instants(ref_parse(expression), zone, first, last):
        return instant.astimezone(zone)
    return None


def ref_fire_times(
    expression: str, tz: str | tzinfo, start: datetime, end: datetime
) -> list[datetime]:
    """Every fire time in the half-open window (start, end]."""
    zone = as_zone(tz)
    first = utc_minute(start) + MINUTE
    last = utc_minute(end)
    if last < first:
        return []
    return [
        instant.astimezone(zone)
        for instant in fire_instants(ref_parse(expression), zone, first, last)
    ]


def ref_min_interval(expression: str) -> timedelta:
    """The smallest gap between consecutive fire times, on the UTC clock.

    Times of day are the same every day in UTC, so the smallest gap is either inside one
    day or from the last time of a firing day to the first time of the next firing day. The
    firing days are listed by brute force over a 400-year Gregorian cycle and the first
    year of the next one (2400 repeats 2000), so the gap across the cycle's end counts too.
    """
    cron = ref_parse(expression)
    times = sorted(hour * 60 + minute for hour in cron.hours for minute in cron.minutes)
    gaps = [b - a for a, b in pairwise(times)]
    previous = None
    day_gap = 400 * 366
    for year in range(2000, 2401):
        if day_gap == 1:
            break  # no two firing days can be closer
        for month in sorted(cron.months):
            start = date(year, month, 1).toordinal() - 1
            for day in sorted(firing_days(cron, year, month)):
                if previous is not None:
                    day_gap = min(day_gap, start + day - previous)
                previous = start + day
    gaps.append(day_gap * 1440 - (times[-1] - times[0]))
    return timedelta(minutes=min(gaps))


@cache
def _shapes() -> tuple[tuple[int, int], ...]:
    """One (year, month) for every (length, weekday of the 1st) a month can have."""
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for year in range(2000, 2028):
        for month in range(1, 13):
            found.setdefault(calendar.monthrange(year, month)[::-1], (year, month))
    return tuple(found[shape] for shape in sorted(found))


def ref_signature(expression: str) -> tuple[object, ...]:
    """What an expression means, independent of how it is spelled."""
    cron = ref_parse(expression)
    days = tuple(firing_days(cron, year, month) for year, month in _shapes())
    return cron.minutes, cron.hours, cron.months, cron.fixed, days
