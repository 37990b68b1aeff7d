"""English for a compiled schedule: "Every 15 minutes, between 09:00 and 17:59, Monday to Friday".

The sentence is built from the masks, not the text, so equivalent expressions (a macro and
its expansion, ``*/30`` and ``0,30``) read the same. Shape: the times of day, then the days,
then the months. Weeks start on Monday, times use the 24-hour clock.
"""

from __future__ import annotations

import itertools

from ._days import FULL_MONTH, MONTH_NAMES, DaySpec
from ._parser import Spec, runs

_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONDAY_FIRST = (1, 2, 3, 4, 5, 6, 0)
_NTH = ("first", "second", "third", "fourth", "fifth")
_TIMES_LISTED = 4  # up to this many fire times a day are spelled out: "At 08:00 and 20:00"


def _values(mask: int, low: int, high: int) -> list[int]:
    return [value for value in range(low, high + 1) if mask >> value & 1]


def _join(items: list[str], conjunction: str = "and") -> str:
    """Join like English: a; a and b; a, b and c."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _named(values: list[int], name: list[str] | tuple[str, ...]) -> list[str]:
    """Items for a list of values: runs of three or more as "a to b"."""
    items: list[str] = []
    for first, last in runs(values):
        if last - first >= 2:
            items.append(f"{name[first]} to {name[last]}")
        else:
            items.extend(name[v] for v in range(first, last + 1))
    return items


def _numbers(values: list[int]) -> str:
    """Render values like 5; 0 and 30; 1 to 5 and 10; a long progression as 1, 3, 5, ..., 59."""
    steps = {b - a for a, b in itertools.pairwise(values)}
    if len(values) >= 5 and len(steps) == 1 and steps != {1}:
        return f"{values[0]}, {values[1]}, {values[2]}, ..., {values[-1]}"
    return _join(_named(values, [str(v) for v in range(values[-1] + 1)]))


def _step(values: list[int], size: int) -> int | None:
    """n when values are 0, n, 2n, ... and n divides ``size``: an even beat (``*/15``).

    ``*/7`` minutes is not "every 7 minutes" (56 is followed by 0), so it is listed instead.
    """
    if len(values) > 1 and size % values[1] == 0 and values == list(range(0, size, values[1])):
        return values[1]
    return None


def _time(minutes: int, hours: int) -> tuple[str, bool]:
    """The time-of-day phrase, and whether it lists the times (then "every day" may follow)."""
    mins, hrs = _values(minutes, 0, 59), _values(hours, 0, 23)
    if len(mins) * len(hrs) <= _TIMES_LISTED:
        return "At " + _join([f"{h:02}:{m:02}" for h in hrs for m in mins]), True
    hour_runs, hour_step = runs(hrs), _step(hrs, 24)
    if len(mins) == 1:
        m = mins[0]
        if len(hrs) == 24:
            return f"At minute {m} past every hour", False
        if len(hour_runs) == 1:
            first, last = hour_runs[0]
            return f"Every hour from {first:02}:{m:02} to {last:02}:{m:02}", False
        if hour_step:
            return f"At minute {m} past every {_ordinal(hour_step)} hour", False
        return f"At minute {m} past hours {_numbers(hrs)}", False
    step = _step(mins, 60)
    if len(mins) == 60:
        phrase = "Every minute"
    elif step:
        phrase = f"Every {step} minutes"
    else:
        phrase = f"At minutes {_numbers(mins)}"
    if len(hrs) == 24:
        return phrase + (" past every hour" if phrase.startswith("At") else ""), False
    if len(hour_runs) == 1:
        first, last = hour_runs[0]
        return f"{phrase}, between {first:02}:00 and {last:02}:59", False
    if hour_step:
        return f"{phrase}, during every {_ordinal(hour_step)} hour", False
    return f"{phrase}, during hours {_numbers(hrs)}", False


def _month_days(day: DaySpec) -> str:
    """The day-of-month side: "on day 13 of the month", "on the last weekday of the month"."""
    days = _values(day.days, 1, 31)
    items: list[str] = []
    if days == list(range(1, 32, 2)):
        items.append("odd days")
    elif days == list(range(2, 32, 2)):
        items.append("even days")
    elif days:
        items.append(f"day{'s' * (len(days) > 1)} {_numbers(days)}")
    if day.last_days & 1:
        items.append("the last day")
    before = _values(day.last_days, 1, 30)
    if before:
        items.append(f"{_numbers(before)} day{'s' * (before != [1])} before the last day")
    if day.nearest_weekdays & 1:
        items.append("the last weekday")
    nearest = _values(day.nearest_weekdays, 1, 31)
    if nearest:
        s = "s" * (len(nearest) > 1)
        items.append(f"the weekday{s} nearest day{s} {_numbers(nearest)}")
    # "L-3" alone would read "At 00:00 3 days before ...": a comma keeps numbers apart.
    lead = ", " if items[0][0].isdigit() else " on "
    return f"{lead}{_join(items)} of the month"


def _weekdays(day: DaySpec) -> tuple[list[str], bool]:
    """Items for the day-of-week side, and whether they name weeks of the month."""
    order = [w for w in _MONDAY_FIRST if day.weekdays >> w & 1]
    positions = [_MONDAY_FIRST.index(w) for w in order]
    items = _named(positions, [_WEEKDAYS[w] for w in _MONDAY_FIRST])
    nth = False
    for weekday in _MONDAY_FIRST:
        which = [_NTH[k] for k in range(5) if day.nth_weekdays >> (7 * k + weekday) & 1]
        which += ["last"] * (day.last_weekdays >> weekday & 1)
        if which:
            items.append(f"the {_join(which)} {_WEEKDAYS[weekday]}")
            nth = True
    return items, nth


def _days(day: DaySpec) -> str:
    """The day clause, or "" when every day fires."""
    every_date = day.days & FULL_MONTH[31] == FULL_MONTH[31]
    every_weekday = day.weekdays == 0x7F
    if (every_date and every_weekday) or (not day.both and (every_date or every_weekday)):
        return ""
    weekdays, nth = _weekdays(day)
    of_month = " of the month" if nth else ""
    if every_date:  # only the day-of-week side restricts
        if len(weekdays) == 1 and " to " in weekdays[0]:
            return f", {weekdays[0]}"
        return f" on {_join(weekdays)}{of_month}"
    dates = _month_days(day)
    if every_weekday:
        return dates
    if day.both:  # Debian: a field starting with * makes the two sides AND, not OR
        article = "" if nth or any(" to " in item for item in weekdays) else "a "
        return f"{dates} if it is {article}{_join(weekdays, 'or')}{of_month}"
    return f"{dates} and on {_join(weekdays)}{of_month}"


def describe(spec: Spec) -> str:
    """An English sentence for a compiled schedule, e.g. ``"At 02:00 every day"``."""
    time, listed = _time(spec.minutes, spec.hours)
    days = _days(spec.day)
    if spec.months == 0x1FFE:
        return f"{time}{days or ' every day' * listed}"
    months = _named(_values(spec.months, 1, 12), MONTH_NAMES)
    ranged = any(" to " in item for item in months)
    if days.endswith(" of the month") and days.count(" of the month") == 1 and not ranged:
        return f"{time}{days.removesuffix(' the month')} {_join(months)}"
    if not days and listed:
        days = " every day"
    comma = "," * days.startswith(",")  # ", Monday to Friday, in July": clauses stay apart
    if len(months) == 1 and ranged:
        return f"{time}{days}{comma} from {months[0]}"
    return f"{time}{days}{comma} in {_join(months)}"
