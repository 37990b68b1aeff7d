"""Which days of a month fire: the day-of-month / day-of-week rule and its extensions."""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache, lru_cache
from typing import NamedTuple

# Bits 1..L set: every day of an L-day month.
FULL_MONTH = tuple((1 << (length + 1)) - 2 for length in range(32))
# Repeats a 7-bit weekday pattern over the five weeks a month can touch.
_FIVE_WEEKS = sum(1 << (7 * week) for week in range(5))
MONTH_LENGTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class DaySpec(NamedTuple):
    """The compiled day fields of a schedule.

    ``days``: bit d for day-of-month d.  ``last_days``: bit n for ``L-n`` (``L`` is n = 0).
    ``nearest_weekdays``: bit n for ``nW``, bit 0 for ``LW``.  ``weekdays``: bit w for
    weekday w (0 = Sunday).  ``last_weekdays``: bit w for ``wL``.  ``nth_weekdays``: bit
    ``7 * (k - 1) + w`` for ``w#k``.  ``both``: the Debian rule, True when either field's
    text starts with ``*`` (then a day must match both fields, otherwise either).
    """

    days: int
    last_days: int
    nearest_weekdays: int
    weekdays: int
    last_weekdays: int
    nth_weekdays: int
    both: bool


def month_length(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return MONTH_LENGTH[month]


def _bits(mask: int) -> list[int]:
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


def _nearest_weekday(day: int, length: int, first: int) -> int:
    """Quartz ``nW``: the Monday-Friday closest to ``day``, never leaving the month."""
    weekday = (first + day - 1) % 7
    if weekday == 6:  # Saturday: Friday before, or Monday after when day is the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 0:  # Sunday: Monday after, or Friday before when day is the last
        return day + 1 if day < length else day - 2
    return day


def month_days(spec: DaySpec, length: int, first: int) -> int:
    """Bit d set when day d fires in a ``length``-day month whose 1st is weekday ``first``."""
    by_date = spec.days & FULL_MONTH[length]
    for n in _bits(spec.last_days):
        if n < length:
            by_date |= 1 << (length - n)
    for n in _bits(spec.nearest_weekdays):
        if n == 0:
            by_date |= 1 << _nearest_weekday(length, length, first)
        elif n <= length:
            by_date |= 1 << _nearest_weekday(n, length, first)

    week = spec.weekdays
    pattern = ((week >> first) | (week << (7 - first))) & 0x7F  # bit j: weekday of day j + 1
    by_weekday = (pattern * _FIVE_WEEKS << 1) & FULL_MONTH[length]
    for weekday in _bits(spec.last_weekdays):
        by_weekday |= 1 << (length - (first + length - 1 - weekday) % 7)
    for bit in _bits(spec.nth_weekdays):
        nth, weekday = divmod(bit, 7)
        day = 1 + (weekday - first) % 7 + 7 * nth
        if day <= length:
            by_weekday |= 1 << day

    return by_date & by_weekday if spec.both else by_date | by_weekday


def weekday_free_days(spec: DaySpec) -> int | None:
    """The day-of-month mask when firing days do not depend on weekdays or month length
    (the common case, a fast path for searches); None otherwise."""
    if spec.weekdays != 0x7F or spec.last_days or spec.nearest_weekdays:
        return None
    return spec.days if spec.both else FULL_MONTH[31]


# A year's calendar is fixed by the weekday of its 1 January and by whether it is a leap
# year. 2000-2400 is one whole Gregorian cycle and the first year of the next (2400
# repeats 2000), so gaps across the cycle's end count too.
_CYCLE = range(2000, 2401)
# Per month of a year: its number, length * 8 + weekday of its 1st, and its first day's
# offset in the year.
Layout = tuple[tuple[int, int, int], ...]


class _Calendar(NamedTuple):
    kinds: tuple[int, ...]  # each year of the cycle as the first year with its calendar
    pairs: frozenset[tuple[int, int]]  # (kind, kind of the next year) that occur
    layouts: dict[int, Layout]  # kind -> its months


@cache
def _calendar() -> _Calendar:
    first: dict[tuple[int, int], int] = {}
    kinds = tuple(
        first.setdefault((date(y, 1, 1).weekday(), month_length(y, 2)), y) for y in _CYCLE
    )
    layouts = {}
    for year in first.values():
        offsets = itertools.accumulate((month_length(year, m) for m in range(1, 12)), initial=0)
        layouts[year] = tuple(
            (month, month_length(year, month) * 8 + date(year, month, 1).toordinal() % 7, offset)
            for month, offset in zip(range(1, 13), offsets, strict=True)
        )
    return _Calendar(kinds, frozenset(itertools.pairwise(kinds)), layouts)


def _smallest_gap(mask: int) -> int | None:
    """The smallest distance between two set bits; None for fewer than two. Bits ``gap``
    apart exist exactly when ``mask & mask >> gap``, and the nearest pair comes first."""
    if not mask & (mask - 1):
        return None
    gap = 1
    while not mask & mask >> gap:
        gap += 1
    return gap


@lru_cache(maxsize=1024)
def min_day_gap(spec: DaySpec, months: int) -> int:
    """The fewest days between two consecutive firing days, over every year there is.

    Each of the 14 kinds of year is laid out once as a mask of its days; only when some
    kind has no firing day at all does the gap need the cycle's 401 years walked.
    """
    kinds, pairs, layouts = _calendar()
    plain = weekday_free_days(spec)
    shapes: dict[int, int] = {}  # length * 8 + weekday of the 1st -> the month's firing days
    # kind -> its length, first and last firing day (0-based), smallest gap within it
    years: dict[int, tuple[int, int, int, int | None] | None] = {}
    for year, layout in layouts.items():
        mask = 0  # bit n: the year's day n + 1 fires
        for month, key, offset in layout:
            if months >> month & 1:
                days = shapes.get(key)
                if days is None:
                    length = key >> 3
                    days = (
                        month_days(spec, length, key & 7)
                        if plain is None
                        else plain & FULL_MONTH[length]
                    )
                    shapes[key] = days
                mask |= days >> 1 << offset
        length = layout[-1][2] + 31  # December's offset and its 31 days
        low = (mask & -mask).bit_length() - 1
        years[year] = (length, low, mask.bit_length() - 1, _smallest_gap(mask)) if mask else None
    gaps = [shape[3] for shape in years.values() if shape and shape[3]]
    if all(years.values()):  # every year fires: the gap across New Year is one of the pairs
        for this, after in pairs:
            (length, _, last, _), (_, first, _, _) = years[this], years[after]  # type: ignore[misc]
            gaps.append(length - last + first)
        return min(gaps)
    previous, start = None, 0  # the last firing day so far, and where this year starts
    for kind in kinds:
        shape = years[kind]
        if shape is not None:
            _, first, last, _ = shape
            if previous is not None:
                gaps.append(start + first - previous)
            previous = start + last
        start += layouts[kind][-1][2] + 31
    return min(gaps)
