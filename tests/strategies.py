"""Hypothesis strategies: cron expressions (valid and near-valid), zones and start times.

Valid expressions cover every syntax form DESIGN.md accepts; invalid ones are a valid
expression with exactly one thing broken, and come with the index of the field at fault
(None when the fault is not in one field), so tests can check the error names it. In both,
any number may now and then be 10, 40 or 900 digits long, in every position.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import assume
from hypothesis import strategies as st
from reference import (
    DAY_NAMES,
    HIGH,
    LOW,
    MACROS,
    MAX_LENGTH,
    MONTH_NAMES,
    as_zone,
    ref_is_valid,
)

DST_ZONE_NAMES = ("Europe/Oslo", "America/New_York", "Australia/Lord_Howe")
# A fixed offset given as a tzinfo, not a name: cronspec's other fast path besides UTC.
KATHMANDU_LIKE = timezone(timedelta(hours=5, minutes=45))
ZONES: tuple[str | tzinfo, ...] = ("UTC", KATHMANDU_LIKE, *DST_ZONE_NAMES)

# -- pieces of a field ----------------------------------------------------------------------


# Strategies are built once, here: building them inside every draw costs more than the draw.
_ZEROS = st.sampled_from((0, 0, 0, 0, 1, 2))
# Now and then a number is padded with zeros to 10, 40 or 900 digits (Debian reads them as
# the plain value), or a step is that long: huge numbers once reached a shift by their
# value (``*/9999999999`` cost 5 GB), so every position must see them.
_WIDTHS = st.sampled_from((0,) * 20 + (10, 40, 900))
HUGE_NUMBERS = (10**10 - 1, 10**40 - 1, 10**899)
_HUGE = st.sampled_from(HUGE_NUMBERS)
_RARELY = st.integers(0, 15)
_CASES = st.integers(0, 15)
_COIN = st.booleans()
_VALUES = (
    st.one_of(st.integers(0, 59), st.sampled_from((0, 15, 30, 45, 59))),
    st.one_of(st.integers(0, 23), st.integers(0, 4)),  # extra weight on DST-night hours
    st.one_of(st.integers(1, 31), st.integers(27, 31)),
    st.integers(1, 12),
    st.integers(0, 7),
)
_STEPS = tuple(
    st.one_of(st.integers(1, span + 1), st.sampled_from((1, 2, 5, 15, span)))
    for span in (HIGH[field] - LOW[field] + 1 for field in range(5))
)
_KINDS = st.sampled_from(("star", "star-step", "value", "value", "range", "range-step"))
_STARS = st.sampled_from("*?")
_QUARTER = st.integers(0, 3)
_FIFTH = st.integers(0, 4)
_MORE_ITEMS = st.sampled_from((0, 0, 0, 1, 2))
_WEEKDAYS = st.integers(0, 7)
_WEEKS = st.integers(1, 5)


def any_case(draw: st.DrawFn, word: str) -> str:
    """``word`` with each letter upper or lower case (``jAn``)."""
    flips = draw(_CASES)
    return "".join(c.lower() if flips >> i & 1 else c.upper() for i, c in enumerate(word))


def number_text(draw: st.DrawFn, value: int) -> str:
    """A number, sometimes with leading zeros (``007`` is 7 in Debian), rarely very many."""
    return ("0" * draw(_ZEROS) + str(value)).zfill(draw(_WIDTHS))


def value_text(draw: st.DrawFn, field: int, value: int) -> str:
    """A value as a number, or as a name in any case in the month and day-of-week fields."""
    if field in (3, 4) and draw(_COIN):
        names = MONTH_NAMES if field == 3 else DAY_NAMES
        return any_case(draw, names[value - 1 if field == 3 else value % 7])
    return number_text(draw, value)


def plain_item(draw: st.DrawFn, field: int) -> str:
    """``*``, ``*/n``, ``a``, ``a-b`` or ``a-b/n`` (``?`` too in the day fields)."""
    kind = draw(_KINDS)
    if kind.startswith("star"):
        star = draw(_STARS) if field in (2, 4) else "*"
        if kind == "star":
            return star
        return f"{star}/{step_text(draw, field)}"
    first, last = sorted((draw(_VALUES[field]), draw(_VALUES[field])))
    if kind == "value":
        return value_text(draw, field, first)
    text = f"{value_text(draw, field, first)}-{value_text(draw, field, last)}"
    if kind == "range-step":
        text += f"/{step_text(draw, field)}"
    return text


def step_text(draw: st.DrawFn, field: int) -> str:
    """A step, rarely one of 10, 40 or 900 digits (past the span: only the start value)."""
    step = draw(_HUGE) if draw(_RARELY) == 0 else draw(_STEPS[field])
    return number_text(draw, step)


_DOM_EXTENSION_KINDS = st.sampled_from(("L", "$", "LW", "L-n", "nW", "nW"))
_LAST_MINUS = st.integers(0, 30)
_NEAREST = st.one_of(st.integers(1, 31), st.integers(27, 31))


def dom_extension(draw: st.DrawFn) -> str:
    """``L``, ``$``, ``LW``, ``L-n`` or ``nW``."""
    kind = draw(_DOM_EXTENSION_KINDS)
    if kind == "L-n":
        return f"L-{number_text(draw, draw(_LAST_MINUS))}"
    if kind == "nW":
        return f"{number_text(draw, draw(_NEAREST))}W"
    return kind


_DOW_EXTENSION_KINDS = st.sampled_from(("nL", "nL", "FRIL", "n#L", "n#k", "n#k", "n#k"))


def dow_extension(draw: st.DrawFn) -> str:
    """``5L``, ``FRIL`` (any case), ``5#L`` or ``FRI#L`` (both = 5L), ``5#3`` or ``fri#3``."""
    weekday = draw(_WEEKDAYS)
    kind = draw(_DOW_EXTENSION_KINDS)
    if kind == "nL":
        return f"{number_text(draw, weekday)}L"
    if kind == "FRIL":
        return any_case(draw, DAY_NAMES[weekday % 7] + "L")
    week = "L" if kind == "n#L" else number_text(draw, draw(_WEEKS))
    return f"{value_text(draw, 4, weekday)}#{week}"


def field_text(draw: st.DrawFn, field: int) -> str:
    """One field: a list of one to three items; the day fields may use the extensions."""
    items = [plain_item(draw, field)]
    if field == 2 and draw(_QUARTER) == 0:
        items = [dom_extension(draw)]
    if field == 4 and draw(_QUARTER) == 0:
        items = [dow_extension(draw)]
    for _ in range(draw(_MORE_ITEMS)):
        if field == 2 and draw(_FIFTH) == 0:
            items.append(dom_extension(draw))
        elif field == 4 and draw(_FIFTH) == 0:
            items.append(dow_extension(draw))
        else:
            items.append(plain_item(draw, field))
    return ",".join(items)


# -- whole expressions ----------------------------------------------------------------------

blanks = st.sampled_from((" ", " ", " ", "  ", "\t", " \t "))


@st.composite
def join_fields(draw: st.DrawFn, fields: list[str]) -> str:
    """Fields joined by spaces and tabs, sometimes with blanks around the expression."""
    text = fields[0]
    for field in fields[1:]:
        text += draw(blanks) + field
    if draw(st.integers(0, 5)) == 0:
        text = draw(blanks) + text + draw(blanks)
    # Huge numbers can make it too long: that is refused as a whole, not for what it holds.
    assume(len(text) <= MAX_LENGTH)
    return text


@st.composite
def field_lists(draw: st.DrawFn) -> list[str]:
    """Five field texts that together fire at least once."""
    fields = [field_text(draw, field) for field in range(5)]
    if draw(_COIN):  # the common shape: every day, a few times a day
        fields[2] = draw(st.sampled_from(("*", "*", "?", fields[2])))
        fields[3] = "*"
        fields[4] = draw(st.sampled_from(("*", "*", "?", fields[4])))
    fields[3] = fields[3] if draw(_QUARTER) == 0 else "*"
    if not ref_is_valid(" ".join(fields)):
        fields[2] = "*"  # never fires (e.g. 30 2): keep the example, drop the day-of-month
    assume(ref_is_valid(" ".join(fields)))
    return fields


realistic_expressions = st.sampled_from(
    (
        "0 2 * * *",
        "30 2 * * *",
        "15,45 2 * * *",
        "*/20 2 * * *",
        "0 */2 * * *",
        "30 * * * *",
        "0 1-3 * * *",
        "30 1 * * *",
        "*/20 1 * * *",
        "15 2 * * *",
        "45 1 * * *",
        "*/15 * * * *",
        "0 0 * * *",
        "0 9-17 * * MON-FRI",
        "0 2 31 * *",
        "0 2 L * *",
        "0 0 29 2 *",
        "0 0 * 2 MON#5",
        "0 3 LW * *",
        "0 6 15W * *",
        "0 4 L-2 * *",
        "30 23 * * 5L",
        "0 0 13 * 5",
        "0 0 1,15 * *",
        "59 23 * * *",
        "0 0 1 1 *",
        "* * * * *",
        "*/7 * * * *",
        "0 12 * * SUN",
        "0 0 */2 * 1",
        "0 0 1-7 * 1",
    )
)
macros = st.sampled_from(sorted(MACROS))


@cache
def expressions() -> st.SearchStrategy[str]:
    """Valid expressions: realistic ones, macros and random five-field ones."""
    random = field_lists().flatmap(join_fields)
    return st.one_of(realistic_expressions, macros, random, random, random)


# -- near-valid invalid expressions -----------------------------------------------------------


class Broken(NamedTuple):
    """An invalid expression and the field at fault (None: the whole expression)."""

    expression: str
    field: int | None


LOOK_ALIKE_DIGITS = ("\u0663", "\uff15", "\u00b9", "\U0001d7cf", "\u07c3", "\u0969")
NOT_BLANKS = ("\n", "\r", "\r\n", "\v", "\f", "\u00a0", "\u3000", "\u2003", "\x00", "_", ";")
JUNK = ("x", ".0", "/2/3", ":00", ";", "%", "-", ",", "/", "*", "!", "~", "=", "^")


def _out_of_range(field: int) -> st.SearchStrategy[int]:
    low, high = LOW[field], HIGH[field]
    below = st.just(low - 1) if low > 0 else st.nothing()
    return st.one_of(below, st.integers(high + 1, high + 1000), _HUGE)


_BAD_LAST_MINUS = st.one_of(st.integers(31, 99), _HUGE)
_BAD_WEEKS = st.one_of(st.sampled_from((0, 6, 9)), _HUGE)


@st.composite
def out_of_range_field(draw: st.DrawFn, field: int) -> str:
    """A value out of range in any position: a value, a range end (with any step), L-n, nW,
    nL, either side of n#k; sometimes huge (see _WIDTHS)."""
    value = draw(_out_of_range(field))
    bad = number_text(draw, value)
    good = number_text(draw, LOW[field])
    shape = draw(st.sampled_from(("{b}", "{g}-{b}", "{g}-{b}/{s}", "{g},{b}", "{b},{g}")))
    if field == 2:
        shape = draw(st.sampled_from((shape, "{b}W", "L-{n}")))
    if field == 4:
        shape = draw(st.sampled_from((shape, "{b}L", "{b}#1", "{w}#{k}", "{w}#{k}")))
    if "-{b}" in shape and value < LOW[field]:
        shape = "{b}"  # 1-0 would be a reversed range, not an out-of-range value
    return shape.format(
        b=bad,
        g=good,
        s=step_text(draw, field),
        n=number_text(draw, draw(_BAD_LAST_MINUS)),
        w=value_text(draw, 4, draw(_WEEKDAYS)),
        k=number_text(draw, draw(_BAD_WEEKS)),
    )


@st.composite
def bad_step_field(draw: st.DrawFn, field: int) -> str:
    value = draw(st.integers(LOW[field], HIGH[field]))
    return draw(
        st.sampled_from(
            (
                "*/0",
                "*/00",
                f"{LOW[field]}-{HIGH[field]}/0",
                f"{value}/{draw(st.integers(1, 30))}",  # a/n: step without a range
                f"{value}/0",
                "*/",
                "*/x",
                "*/-1",
            )
        )
    )


@st.composite
def reversed_range_field(draw: st.DrawFn, field: int) -> str:
    low = LOW[field] + (field == 4)  # x-0 in dow means x-7, not a reversed range
    start = draw(st.integers(low + 1, HIGH[field]))
    stop = draw(st.integers(low, start - 1))
    assert start > stop
    if field == 3 and draw(st.booleans()):
        return f"{MONTH_NAMES[start - 1]}-{MONTH_NAMES[stop - 1]}"
    return f"{number_text(draw, start)}-{number_text(draw, stop)}"


@st.composite
def broken_in_field(draw: st.DrawFn) -> Broken:
    fields = draw(field_lists())
    field = draw(st.integers(0, 4))
    kinds = ("range", "step", "reversed", "junk", "look-alike", "question", "week-name")
    kind = draw(st.sampled_from(kinds))
    if kind == "week-name":  # the week after # is a number: 3#WED once read as 3#3
        field = 4
        weekday = value_text(draw, 4, draw(_WEEKDAYS))
        fields[field] = f"{weekday}#{any_case(draw, draw(st.sampled_from(DAY_NAMES)))}"
    elif kind == "range":
        fields[field] = draw(out_of_range_field(field))
    elif kind == "step":
        fields[field] = draw(bad_step_field(field))
    elif kind == "reversed":
        fields[field] = draw(reversed_range_field(field))
    elif kind == "junk":
        fields[field] += draw(st.sampled_from(JUNK))
    elif kind == "question":
        field = draw(st.sampled_from((0, 1, 3)))
        fields[field] = draw(st.sampled_from(("?", "?/2", "*,?")))
    else:
        text = fields[field]
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        if not digits:
            text = number_text(draw, LOW[field] + 1)
            digits = [len(text) - 1]
        at = draw(st.sampled_from(digits))
        # Letters that look like digits only where no name or extension can be spelled.
        look_alikes = LOOK_ALIKE_DIGITS + (("O", "l", "I") if field in (0, 1) else ())
        fields[field] = text[:at] + draw(st.sampled_from(look_alikes)) + text[at + 1 :]
    return Broken(draw(join_fields(fields)), field)


@st.composite
def broken_whole(draw: st.DrawFn) -> Broken:
    fields = draw(field_lists())
    kind = draw(st.sampled_from(("count", "separator", "newline", "inner", "macro", "never")))
    if kind == "count":
        count = draw(st.sampled_from((1, 2, 3, 4, 6, 7)))
        fields = (["0", *fields, "2026"] if count > 5 else fields)[:count]
        return Broken(draw(join_fields(fields)), None)
    if kind == "separator":
        at = draw(st.integers(1, 4))
        text = " ".join(fields[:at]) + draw(st.sampled_from(NOT_BLANKS)) + " ".join(fields[at:])
        return Broken(text, None)
    if kind == "newline":
        text = draw(join_fields(fields))
        at = draw(st.integers(0, len(text)))
        return Broken(text[:at] + draw(st.sampled_from(("\n", "\r\n"))) + text[at:], None)
    if kind == "inner":  # a list, range or step separator swapped for a look-alike
        field = draw(st.integers(0, 4))
        swaps = tuple((old, new) for old, new in INNER_SWAPS if old in fields[field])
        if not swaps:
            fields[field] = f"{LOW[field]}-{HIGH[field]}/2,{LOW[field]}"
            swaps = INNER_SWAPS
        old, new = draw(st.sampled_from(swaps))
        fields[field] = fields[field].replace(old, new, 1)
        return Broken(draw(join_fields(fields)), None)
    if kind == "macro":
        word = draw(st.sampled_from(sorted(MACROS)))
        text = draw(
            st.sampled_from(
                ("@reboot", word.upper(), word.title(), word + " *", "@", "@every 5m", word[1:])
            )
        )
        return Broken(text, None)
    never = (
        "0 0 30 2 *",
        "0 0 31 4,6,9,11 *",
        "0 0 30W 2 *",
        "0 0 31W 4,6 *",
        "0 0 L-30 2,4 *",
        "0 0 L-29,30W 2 ?",
        "0 0 31 FEB ?",
    )
    return Broken(draw(st.sampled_from(never)), 2)


COMMANDS = ("/usr/bin/backup", "root /usr/bin/backup", "echo hi", "backup.sh", "run-parts /etc")
ZONE_VARIABLES = ("CRON_TZ", "TZ", "cron_tz")


@st.composite
def pasted_crontab_lines(draw: st.DrawFn) -> tuple[str, str]:
    """A valid expression with a crontab line's zone prefix or command, and which one."""
    text = draw(expressions())
    if draw(_COIN):
        zone = draw(st.sampled_from(DST_ZONE_NAMES))
        line = f"{draw(st.sampled_from(ZONE_VARIABLES))}={zone}{draw(blanks)}{text}"
        kind = "prefix"
    else:
        if text.lstrip().startswith("@"):
            text = MACROS[text.strip()]  # a macro with words after it is refused as a macro
        line, kind = f"{text}{draw(blanks)}{draw(st.sampled_from(COMMANDS))}", "command"
    assume(len(line) <= MAX_LENGTH)
    return line, kind


INNER_SWAPS = (
    (",", ";"),
    (",", "."),
    (",", "|"),
    (",", ", "),
    ("-", "~"),
    ("-", "\u2013"),
    ("-", ".."),
    ("-", "_"),
    ("/", "\\"),
    ("/", "\u2215"),
)


def broken_expressions() -> st.SearchStrategy[Broken]:
    fixed = st.sampled_from(("", " ", "\t", "  \t ", "* * * *", "* * * * * *")).map(
        lambda text: Broken(text, None)
    )
    return st.one_of(broken_in_field(), broken_in_field(), broken_whole(), fixed)


# -- zones and instants -----------------------------------------------------------------------

zones = st.sampled_from(ZONES)
dst_zones = st.sampled_from(DST_ZONE_NAMES)


@cache
def transitions(zone_name: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants in ``year`` at which the zone's offset changes (to the minute)."""
    zone = ZoneInfo(zone_name)
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            low, high = day, after
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        day = after
    return tuple(found)


years = st.one_of(st.integers(1970, 2400), st.integers(2024, 2030), st.sampled_from((2100, 2400)))


@st.composite
def uniform_instants(draw: st.DrawFn) -> datetime:
    return draw(st.datetimes(datetime(1970, 1, 2), datetime(2400, 12, 30), timezones=st.just(UTC)))


@st.composite
def month_end_instants(draw: st.DrawFn) -> datetime:
    year, month = draw(years), draw(st.integers(1, 12))
    last = datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=UTC)
    return last + timedelta(minutes=draw(st.integers(-36 * 60, 36 * 60)))


@st.composite
def leap_day_instants(draw: st.DrawFn) -> datetime:
    year = draw(st.sampled_from((2000, 2024, 2028, 2044, 2072, 2096, 2100, 2104, 2112, 2400)))
    base = datetime(year, 2, 28, tzinfo=UTC)
    return base + timedelta(minutes=draw(st.integers(-24 * 60, 3 * 24 * 60)))


@st.composite
def dst_night_instants(draw: st.DrawFn, zone: str | tzinfo) -> datetime:
    year = draw(st.one_of(st.integers(1980, 2400), st.integers(2025, 2030)))
    changes = transitions(zone, year) if zone in DST_ZONE_NAMES else ()
    if not changes:
        return datetime(year, 3, 29, 1, tzinfo=UTC)
    change = draw(st.sampled_from(changes))
    return change + timedelta(minutes=draw(st.integers(-240, 240)))


@st.composite
def instants(draw: st.DrawFn, zone: str | tzinfo) -> datetime:
    """An aware instant, shown in the schedule's zone, in UTC or at a fixed offset.

    Spread over 1970-2400 with extra weight on month ends, leap days and DST nights;
    sometimes with seconds, and sometimes an instant in the second pass of a repeated hour.
    """
    utc = draw(
        st.one_of(
            uniform_instants(),
            month_end_instants(),
            leap_day_instants(),
            dst_night_instants(zone),
            dst_night_instants(zone),
        )
    )
    if draw(st.integers(0, 3)) == 0:
        utc += timedelta(seconds=draw(st.integers(0, 59)), microseconds=draw(st.integers(0, 999)))
    own = as_zone(zone)
    shown_in: tzinfo = draw(st.sampled_from((own, own, UTC, timezone(timedelta(hours=-3)))))
    return utc.astimezone(shown_in)
