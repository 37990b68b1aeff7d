"""Cron text -> compiled bit masks, and back to normalized text.

The grammar is Debian cron's (entry.c), made strict: whatever Debian silently skips
(``*x``, ``1.0``, ``5#3`` read as ``5``) is an error here, with the field and the column.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ._days import FULL_MONTH, MONTH_LENGTH, MONTH_NAMES, DaySpec, month_days
from ._errors import CronSyntaxError, elided

MAX_LENGTH = 1000  # Debian refuses a number of 1000 characters; no real schedule comes close

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
MINUTE, HOUR, DOM, MONTH, DOW = range(5)
_LOW = (0, 0, 1, 1, 0)
_HIGH = (59, 23, 31, 12, 7)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_WEEKDAYS = {
    name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])
}
_NAMES: tuple[dict[str, int] | None, ...] = (None, None, None, _MONTHS, _WEEKDAYS)

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_BLANKS = re.compile(r"[^ \t]+")
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class Spec(NamedTuple):
    """A parsed expression: one bit mask per field plus the extensions (see DaySpec)."""

    minutes: int
    hours: int
    months: int
    minute_star: bool
    hour_star: bool
    day_star: bool
    weekday_star: bool
    day: DaySpec


_new = tuple.__new__  # builds a NamedTuple from a tuple without a Python call (see parse_spec)

# One compiled field: (mask, starts with * or ?, L-n or wL bits, W bits, # bits); a plain
# tuple because parsing builds five of them per expression.
Token = tuple[int, bool, int, int, int]


class _TokenError(Exception):
    def __init__(self, offset: int, reason: str) -> None:
        self.offset = offset
        self.reason = reason


def stepped(first: int, last: int, step: int) -> int:
    """Bits first, first + step, ... up to last: a geometric series, no loop.

    A step past the span is just ``first`` (Debian: ``*/60`` is minute 0), however large:
    the series would shift by the step itself, and ``*/9999999999`` once cost 5 GB.
    """
    if step > last - first:
        return 1 << first
    count = (last - first) // step + 1
    return ((1 << step * count) - 1) // ((1 << step) - 1) << first


def _read_number(field: int, text: str, start: int) -> tuple[int, int]:
    """Read a decimal number or a three-letter name at ``start``; return (value, end)."""
    end = start
    if end < len(text) and text[end] in _DIGITS:
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        return int(text[start:end]), end
    while end < len(text) and text[end] in _LETTERS:
        end += 1
    word = text[start:end]
    if not word:
        found = f"'{text[start]}'" if start < len(text) else "nothing"
        raise _TokenError(start, f"expected a number in '{elided(text)}', found {found}")
    names = _NAMES[field]
    if names is None:
        raise _TokenError(start, f"'{elided(word)}' is not a number")
    value = names.get(word.upper())
    if value is None:
        kind, spelled = (
            ("month", "JAN-DEC or 1-12") if field == MONTH else ("day", "SUN-SAT or 0-7")
        )
        raise _TokenError(start, f"'{elided(word)}' is not a {kind} name (use {spelled})")
    return value, end


def _check_range(field: int, value: int, offset: int) -> int:
    if not _LOW[field] <= value <= _HIGH[field]:
        raise _TokenError(
            offset, f"{elided(str(value))} is out of range {_LOW[field]}-{_HIGH[field]}"
        )
    return value


def _expect_end(text: str, at: int) -> None:
    if at < len(text):
        raise _TokenError(at, f"unexpected '{elided(text[at:])}' in '{elided(text)}'")


def _element(field: int, text: str) -> tuple[int, int, int, int]:
    """Compile one list element: (mask, last/L-n or wL bits, W or # bits, nth bits)."""
    low, high = _LOW[field], _HIGH[field]
    if field == DOM:
        if text in ("L", "$"):
            return 0, 1, 0, 0
        if text == "LW":
            return 0, 0, 1, 0
        if text.startswith("L-"):
            n, end = _read_number(field, text, 2)
            _expect_end(text, end)
            if n > 30:
                raise _TokenError(2, f"L-{elided(str(n))} is out of range: n in L-n must be 0-30")
            return 0, 1 << n, 0, 0
    # FRIL is how Quartz and croner write 5L; the word is a name, so any case.
    if field == DOW and len(text) == 4 and text[3] in "Ll" and text[:3].upper() in _WEEKDAYS:
        return 0, 1 << _WEEKDAYS[text[:3].upper()], 0, 0
    if text[0] in "*?":
        if text[0] == "?" and field not in (DOM, DOW):
            raise _TokenError(0, "'?' is only allowed in day-of-month and day-of-week")
        start, stop, at = low, high, 1
    else:
        start, at = _read_number(field, text, 0)
        if field == DOM and text[at:] == "W":
            if not 1 <= start <= 31:
                raise _TokenError(0, f"{elided(str(start))} is out of range 1-31")
            return 0, 0, 1 << start, 0
        if field == DOW and text[at : at + 1] in ("L", "#"):
            weekday = _check_range(field, start, 0) % 7
            if text[at] == "L":
                _expect_end(text, at + 1)
                return 0, 1 << weekday, 0, 0
            if text[at + 1 :] == "L":  # OCPS 1.3 spells the last Friday 5#L
                return 0, 1 << weekday, 0, 0
            if text[at + 1 : at + 2] in _LETTERS:  # 3#WED once read as 3#3
                week = elided(text[at + 1 :])
                raise _TokenError(
                    at + 1, f"'{week}' after # is not a week number: write #1 to #5, or #L"
                )
            nth, end = _read_number(MINUTE, text, at + 1)  # week numbers, never names
            _expect_end(text, end)
            if not 1 <= nth <= 5:
                raise _TokenError(
                    at + 1, f"#{elided(str(nth))} is out of range: a month has weeks #1-#5"
                )
            return 0, 0, 0, 1 << (7 * (nth - 1) + weekday)
        _check_range(field, start, 0)
        stop = start
        if text[at : at + 1] == "-":
            stop, end = _read_number(field, text, at + 1)
            _check_range(field, stop, at + 1)
            if field == DOW and stop == 0 and start > 0:
                stop = 7  # FRI-SUN: Sunday closes the week, as cronie reads it
            if stop < start:
                low = 1 if field == DOW else low  # Sunday is 7 at the end of a wrapped week
                wrapped = f"{start}-{high},{low if stop == low else f'{low}-{stop}'}"
                hint = f"{stop}-{start}, or {wrapped} to wrap around"
                raise _TokenError(0, f"range {elided(text[:end])} is reversed: write {hint}")
            at = end
    step = 1
    if text[at : at + 1] == "/":
        digits_at = at + 1
        step, at = _read_number(MINUTE, text, digits_at)  # steps are numbers, never names
        if step == 0:
            raise _TokenError(digits_at, f"step 0 in '{elided(text)}' must be at least 1")
        if text[0] not in "*?" and "-" not in text[:digits_at]:
            every = elided(str(step))
            raise _TokenError(
                0,
                f"step without a range in '{elided(text)}': write {start}-{high}/{every}"
                f" or */{every}",
            )
    _expect_end(text, at)
    return stepped(start, stop, step), 0, 0, 0


def _plain_mask(low: int, high: int, text: str) -> int:
    """The bits of a list of plain items (``a``, ``a-b``, ``*``, each maybe with ``/n``), or
    0 when an item is anything else: an extension, or a mistake for the careful scanner to
    explain. Plain text is nearly every field there is, so this path is kept lean."""
    mask = 0
    for item in text.split(","):
        if item.isdigit():  # isdigit is ASCII-only here: parse_spec refused anything else
            value = int(item)
            if not low <= value <= high:
                return 0
            mask |= 1 << value
            continue
        span, slash, step = item.partition("/")
        if span == "*":
            first, last = low, high
        else:
            start, dash, stop = span.partition("-")
            if not (dash and start.isdigit() and stop.isdigit()):
                return 0
            first, last = int(start), int(stop)
            if not low <= first <= last <= high:
                return 0
        if not slash:
            mask |= (2 << last) - (1 << first)
            continue
        every = int(step) if step.isdigit() else 0
        if not every:
            return 0
        mask |= stepped(first, last, every)
    return mask


def compile_token(field: int, text: str) -> Token:
    """Compile one field's text; raises _TokenError with an offset into ``text``."""
    low, high = _LOW[field], _HIGH[field]
    if text.isdigit():  # the usual single number
        value = int(text)
        if low <= value <= high:
            return (1 if field == DOW and value == 7 else 1 << value, False, 0, 0, 0)
    mask = _plain_mask(low, high, text)
    last = nearest = nth = 0
    if not mask:  # not plain: every item through the careful scanner, which explains errors
        offset = 0
        for item in text.split(","):
            if not item:
                raise _TokenError(offset, f"empty list item in '{elided(text)}'")
            try:
                bits, more, more2, more3 = _element(field, item)
            except _TokenError as error:
                error.offset += offset
                raise
            mask |= bits
            last |= more
            nearest |= more2
            nth |= more3
            offset += len(item) + 1
    if field == DOW and mask >> 7:
        mask = (mask | 1) & 0x7F  # 7 is Sunday too
    return (mask, text[0] in "*?", last, nearest, nth)


_STARS = [compile_token(field, "*") for field in range(5)]

_TOKEN_CACHE: list[dict[str, Token]] = [{"*": star} for star in _STARS]
_TOKEN_CACHE_SIZE = 4096  # per field: bounded, so hostile input cannot grow it


def clear_cache() -> None:
    """Forget every compiled field (benchmarks measure cold parsing with this); ``*`` is a
    constant, not something learned, and stays."""
    for field, cache in enumerate(_TOKEN_CACHE):
        cache.clear()
        cache["*"] = _STARS[field]


def _fail(text: str, field: int | None, column: int, reason: str) -> CronSyntaxError:
    return CronSyntaxError(text, None if field is None else FIELD_NAMES[field], column, reason)


def _field_starts(text: str) -> list[int]:
    return [match.start() for match in _BLANKS.finditer(text)]


def _field_at(text: str, column: int) -> int | None:
    """Which field the character at ``column`` belongs to (None past the fifth)."""
    index = sum(start <= column for start in _field_starts(text)) - 1
    return index if 0 <= index < 5 else None


def _bad_character(text: str) -> CronSyntaxError:
    column, char = next(
        (i, c) for i, c in enumerate(text) if not (c.isascii() and c.isprintable()) and c != "\t"
    )
    field = _field_at(text, column)
    if char in "\r\n":
        reason = f"line break {char!r} is not allowed: one schedule per expression"
    elif char.isspace():
        reason = f"{char!r} is not a valid separator: separate fields with spaces or tabs"
    elif char.isdigit() or char.isnumeric():
        reason = f"{char!r} is not an ASCII digit: write 0-9"
    elif char.isprintable():
        reason = f"unexpected character {char!r}"
    else:
        reason = f"control character {char!r} is not allowed"
    return _fail(text, field, column, reason)


def _zone_prefix_error(text: str) -> CronSyntaxError | None:
    """cronie's and robfig's ``CRON_TZ=Europe/Oslo 0 2 * * *``: refused, because a schedule's
    zone is kept in one place (``tz=``, the row's timezone column), never in its text."""
    first = text.split()[0]
    variable, _, zone = first.partition("=")
    if variable.upper() not in ("CRON_TZ", "TZ"):
        return None
    zone = zone.strip("'\"")  # crontab values may be quoted
    reason = (
        f"'{elided(first)}' is a crontab zone prefix: pass the zone separately"
        f" (tz='{elided(zone)}', or the row's timezone column)"
    )
    return _fail(text, None, _field_starts(text)[0], reason)


# The words a cron field can hold: names, L, W, LW and FRIL. Anything else after the fifth
# field (``/usr/bin/backup``, a user name) is the rest of a crontab line.
_FIELD_WORDS = frozenset(
    {"L", "W", "LW", *_MONTHS, *_WEEKDAYS, *(f"{weekday}L" for weekday in _WEEKDAYS)}
)


def _looks_like_a_field(word: str) -> bool:
    if not all(char.isalnum() or char in "*?/,#$-" for char in word):
        return False
    words = "".join(char if char.isalpha() else " " for char in word).split()
    return all(letters.upper() in _FIELD_WORDS for letters in words)


def _field_count_error(text: str, count: int) -> CronSyntaxError:
    starts = _field_starts(text)
    expected = "expected 5 fields (minute hour day-of-month month day-of-week)"
    if text.lstrip().startswith("@"):
        return _fail(text, None, starts[1], "a macro such as @daily stands alone, without fields")
    if count > 5 and text[starts[5]] == "#":
        return _fail(text, None, starts[5], "comments are not part of a cron expression")
    words = text.split()
    if count > 5 and not _looks_like_a_field(words[5]):
        rest = elided(" ".join(words[5:]))
        reason = f"'{rest}' looks like a crontab command: a schedule is only the five time fields"
        return _fail(text, None, starts[5], reason)
    if count > 5:
        hint = "; seconds and years are not supported" if count in (6, 7) else ""
        return _fail(text, None, starts[5], f"{expected}, got {count}{hint}")
    missing = " ".join(FIELD_NAMES[count:])
    return _fail(text, None, len(text.rstrip()), f"{expected}, got {count}: missing {missing}")


def _token(text: str, field: int, part: str) -> Token:
    """Compile and cache one field of ``text``, or raise CronSyntaxError at its column."""
    try:
        token = compile_token(field, part)
    except _TokenError as error:
        column = _field_starts(text)[field] + error.offset
        raise _zone_prefix_error(text) or _fail(text, field, column, error.reason) from None
    cache = _TOKEN_CACHE[field]
    if len(cache) >= _TOKEN_CACHE_SIZE:
        cache.clear()
        cache["*"] = _STARS[field]
    cache[part] = token
    return token


def _surely_fires(day: DaySpec) -> bool:
    """Shapes that fire in any month, so most schedules skip trying every month shape.

    Every month has days 1-28, and over the 400-year cycle each month starts on every
    weekday, so a day <= 28 meets every weekday in some month.
    """
    if day.weekdays and (not day.both or day.days & FULL_MONTH[28]):
        return True
    first_28 = (1 << 28) - 1
    if day.weekdays == 0x7F:  # only the day-of-month side matters: L-n, LW, nW up to 28
        return bool(day.last_days & first_28 or day.nearest_weekdays & (FULL_MONTH[28] | 1))
    if day.days == FULL_MONTH[31]:  # only the day-of-week side matters: nL, n#1-4
        return bool(day.last_weekdays or day.nth_weekdays & first_28)
    return False


def parse_spec(text: str) -> Spec:
    """Parse a five-field expression or a macro into a Spec; raise CronSyntaxError."""
    if not isinstance(text, str):
        raise TypeError(f"a cron expression must be a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise _fail(
            text,
            None,
            MAX_LENGTH,
            f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
        )
    flat = text.replace("\t", " ") if "\t" in text else text
    if not (flat.isascii() and flat.isprintable()):
        raise _bad_character(text)
    parts = flat.split()
    if len(parts) != 5:
        if len(parts) == 1 and parts[0].startswith("@"):
            return _parse_macro(text, parts[0])
        if not parts:
            raise _fail(text, None, 0, "empty expression")
        raise _zone_prefix_error(text) or _field_count_error(text, len(parts))
    minute_text, hour_text, dom_text, month_text, dow_text = parts
    minutes, hours, doms, months, dows = _TOKEN_CACHE
    minute = minutes.get(minute_text) or _token(text, MINUTE, minute_text)
    hour = hours.get(hour_text) or _token(text, HOUR, hour_text)
    dom = doms.get(dom_text) or _token(text, DOM, dom_text)
    month = months.get(month_text) or _token(text, MONTH, month_text)
    dow = dows.get(dow_text) or _token(text, DOW, dow_text)
    dom_mask, dom_star, last_days, nearest_weekdays, _ = dom
    dow_mask, dow_star, last_weekdays, _, nth_weekdays = dow
    # tuple.__new__ skips the NamedTuples' generated __new__ (a Python call each), which
    # cost a quarter of a parse whose fields are already compiled.
    day = _new(
        DaySpec,
        (
            dom_mask,
            last_days,
            nearest_weekdays,
            dow_mask,
            last_weekdays,
            nth_weekdays,
            dom_star or dow_star,
        ),
    )
    spec = _new(Spec, (minute[0], hour[0], month[0], minute[1], hour[1], dom_star, dow_star, day))
    # Two day fields starting with * hold day 1 and Sunday, which meet in every month of
    # some year: most schedules need neither _surely_fires nor trying every month shape.
    if not ((dom_star and dow_star) or _surely_fires(day)):
        _check_can_fire(text, spec)
    return spec


def _parse_macro(text: str, word: str) -> Spec:
    expansion = MACROS.get(word)
    if expansion is None:
        column = text.index(word)
        if word == "@reboot":
            reason = "@reboot is not a time schedule: cronspec only computes fire times"
        elif word.lower() in MACROS:
            reason = f"macros are lower-case: write {word.lower()}"
        else:
            reason = f"unknown macro '{elided(word)}' (use one of {', '.join(MACROS)})"
        raise _fail(text, None, column, reason)
    return parse_spec(expansion)


def _check_can_fire(text: str, spec: Spec) -> None:
    """Reject schedules that never fire: every month shape, every weekday of the 1st."""
    months = [m for m in range(1, 13) if spec.months >> m & 1]
    lengths = {length for m in months for length in ((28, 29) if m == 2 else (MONTH_LENGTH[m],))}
    if any(month_days(spec.day, length, first) for length in lengths for first in range(7)):
        return
    starts = _field_starts(text)
    column = starts[DOM] if len(starts) == 5 else 0
    day = spec.day
    names = [MONTH_NAMES[m] for m in months]
    if len(names) == 1:
        where, have = names[0], "has"
    else:
        where, have = f"{', '.join(names[:-1])} and {names[-1]}", "have"
    if day.weekdays == 0x7F:  # every weekday: the day-of-month side alone never fires
        dates = day.days | day.nearest_weekdays  # 30 and 30W both need a day 30
        lowest = dates or day.last_days
        n = (lowest & -lowest).bit_length() - 1
        reason = f"{where} {have} no day {n if dates else f'L-{n}'}"
    else:
        reason = "day-of-month and day-of-week never match the same date"
    raise _fail(text, DOM, column, reason)


def runs(values: list[int]) -> list[tuple[int, int]]:
    """Consecutive values grouped: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    grouped: list[tuple[int, int]] = []
    for value in values:
        if grouped and grouped[-1][1] == value - 1:
            grouped[-1] = (grouped[-1][0], value)
        else:
            grouped.append((value, value))
    return grouped


def _render_values(mask: int, low: int) -> list[str]:
    """Render a bit set as a compact comma list, runs of three or more as a-b."""
    items: list[str] = []
    for first, last in runs([v for v in range(low, mask.bit_length()) if mask >> v & 1]):
        if last - first >= 2:
            items.append(f"{first}-{last}")
        else:
            items.extend(str(v) for v in range(first, last + 1))
    return items


def _render_field(field: int, mask: int, star: bool, extras: list[str]) -> str:
    low, high = _LOW[field], _HIGH[field]
    full = _STARS[field][0]
    if star:
        if mask == full:
            return ",".join(["*", *extras])
        for step in range(2, high - low + 2):
            every = stepped(low, high, step)
            if field == DOW and every >> 7:
                every = (every | 1) & 0x7F
            if every & ~mask == 0:
                rest = _render_values(mask & ~every, low)
                return ",".join([f"*/{step}", *rest, *extras])
    if mask == full and not extras and field == MONTH:
        return "*"
    return ",".join(_render_values(mask, low) + extras) or "*"


def format_spec(spec: Spec) -> str:
    """The normalized text of a Spec; ``parse_spec(format_spec(s)) == s``."""
    day = spec.day
    dom_extras = [("L" if n == 0 else f"L-{n}") for n in range(31) if day.last_days >> n & 1]
    dom_extras += [
        ("LW" if n == 0 else f"{n}W") for n in range(32) if day.nearest_weekdays >> n & 1
    ]
    dow_extras = [f"{w}L" for w in range(7) if day.last_weekdays >> w & 1]
    dow_extras += [f"{b % 7}#{b // 7 + 1}" for b in range(35) if day.nth_weekdays >> b & 1]
    return " ".join(
        (
            _render_field(MINUTE, spec.minutes, spec.minute_star, []),
            _render_field(HOUR, spec.hours, spec.hour_star, []),
            _render_field(DOM, day.days, spec.day_star, dom_extras),
            _render_field(MONTH, spec.months, False, []),
            _render_field(DOW, day.weekdays, spec.weekday_star, dow_extras),
        )
    )


__all__ = ["FULL_MONTH", "MACROS", "Spec", "clear_cache", "format_spec", "parse_spec"]
