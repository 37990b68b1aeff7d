"""Which days of a month fire: the day-of-month / day-of-week rule and its extensions."""

from __future__ import annotations

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
