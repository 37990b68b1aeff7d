"""English descriptions of compiled schedules: "At 02:00 on the last day of the month"."""

from __future__ import annotations

from collections.abc import Callable

from ._days import FULL_MONTH, MONTH_NAMES
from ._parser import Spec, stepped

WEEKDAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
ORDINALS = ("first", "second", "third", "fourth", "fifth")


def _bits(mask: int) -> list[int]:
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _runs(values: list[int], name: Callable[[int], str] = str) -> str:
    """``[1, 2, 3, 5]`` -> "1 to 3 and 5": runs of three or more read as ranges."""
    words: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        if j - i >= 2:
            words.append(f"{name(values[i])} to {name(values[j])}")
        else:
            words += [name(v) for v in values[i : j + 1]]
        i = j + 1
    return _join(words)


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _step(mask: int, low: int, high: int) -> int | None:
    """n when ``mask`` is exactly every n-th value from ``low`` (a ``*/n`` field), n > 1."""
    return next((n for n in range(2, high - low + 1) if stepped(low, high, n) == mask), None)


def _time(spec: Spec) -> str:
    """The time-of-day phrase."""
    minutes, hours = _bits(spec.minutes), _bits(spec.hours)
    if len(minutes) * len(hours) <= 4 and len(minutes) < 60:
        return "At " + _join([f"{h:02d}:{m:02d}" for h in hours for m in minutes])
    every_hour = len(hours) == 24
    step = _step(spec.minutes, 0, 59)
    if len(minutes) == 60:
        phrase = "Every minute"
    elif step:
        phrase = f"Every {step} minutes"
    else:
        label = "minute" if len(minutes) == 1 else "minutes"
        phrase = f"At {label} {_runs(minutes)}"
        if every_hour:
            return f"{phrase} past every hour"
    if every_hour:
        return phrase
    hour_step = _step(spec.hours, 0, 23)
    if hour_step:
        return f"{phrase} past every {_nth(hour_step)} hour"
    if hours == list(range(hours[0], hours[-1] + 1)):
        return f"{phrase}, between {hours[0]:02d}:00 and {hours[-1]:02d}:59"
    label = "hour" if len(hours) == 1 else "hours"
    joint = " past" if phrase.startswith("At") else ", during"
    return f"{phrase}{joint} {label} {_runs(hours)}"


def _by_date(spec: Spec) -> list[str]:
    day = spec.day
    days = _bits(day.days)
    phrases: list[str] = []
    step = _step(day.days, 1, 31) if spec.day_star else None
    if step:
        phrases.append(f"every {_nth(step)} day of the month")
    elif days:
        label = "day" if len(days) == 1 else "days"
        phrases.append(f"{label} {_runs(days)} of the month")
    for n in _bits(day.last_days):
        minus = "" if n == 0 else f" minus {n} day{'s' if n > 1 else ''}"
        phrases.append(f"the last day of the month{minus}")
    for n in _bits(day.nearest_weekdays):
        target = "the last day" if n == 0 else f"day {n}"
        phrases.append(
            f"the weekday nearest {target} of the month" if n else "the last weekday of the month"
        )
    return phrases


def _by_weekday(spec: Spec) -> list[str]:
    day = spec.day
    phrases: list[str] = []
    if day.weekdays:
        phrases.append(_runs(_bits(day.weekdays), WEEKDAY_NAMES.__getitem__))
    for weekday in _bits(day.last_weekdays):
        phrases.append(f"the last {WEEKDAY_NAMES[weekday]} of the month")
    for bit in _bits(day.nth_weekdays):
        phrases.append(f"the {ORDINALS[bit // 7]} {WEEKDAY_NAMES[bit % 7]} of the month")
    return phrases


def _days(spec: Spec) -> str:
    day = spec.day
    any_date = day.days == FULL_MONTH[31] and not (day.last_days or day.nearest_weekdays)
    any_weekday = day.weekdays == 0x7F
    if (any_date and any_weekday) or (not day.both and (any_date or any_weekday)):
        return "every day"
    by_date = "on " + _join(_by_date(spec))
    by_weekday = "on " + _join(_by_weekday(spec))
    if any_weekday:
        return by_date
    if any_date:
        return by_weekday
    if day.both:  # Debian: a star-prefixed field makes both fields apply
        return f"{by_date} if it is {by_weekday[3:]}"
    return f"{by_date} and {by_weekday}"


def describe(spec: Spec) -> str:
    """One English sentence for the schedule, 24-hour clock."""
    time = _time(spec)
    days = _days(spec)
    clock = time[3].isdigit()  # "At 02:00": say "every day" too
    if days == "every day" and not clock:
        sentence = time
    else:
        sentence = f"{time}{',' if ',' in time else ''} {days}"
    months = _bits(spec.months)
    if len(months) < 12:
        sentence += " in " + _runs(months, MONTH_NAMES.__getitem__)
    return sentence
