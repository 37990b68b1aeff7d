"""Hostile input: whatever reaches ``parse`` or ``ScheduleMap.from_rows`` gets an answer.

``parse`` returns a Cron or raises CronSyntaxError (TypeError for a non-str); never another
exception, never a hang. Near-valid text is also checked against the reference parser:
both accept it or both refuse it, and when accepted both read it the same way.
``from_rows`` never raises: each row is loaded, rejected or (disabled, no schedule) left out.
"""

from __future__ import annotations

import logging
import re
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

import pytest
from hostile import HUGE, Hostile, HostileGet, HostileGetItem, HostileStr, Unreadable
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reference import (
    FIELD_NAMES,
    ref_fire_times,
    ref_is_valid,
    ref_matches,
    ref_next_after,
    ref_signature,
)
from strategies import Broken, broken_expressions, expressions, pasted_crontab_lines

import cronspec
from cronspec import CronSyntaxError, ScheduleMap


def parse_or_syntax_error(text: str) -> cronspec.Cron | None:
    """Parse; on refusal, check the error is well formed and return None."""
    try:
        return cronspec.parse(text)
    except CronSyntaxError as error:
        assert error.expression == text
        assert error.field is None or error.field in FIELD_NAMES
        assert 0 <= error.position <= len(text)
        assert error.reason
        assert len(str(error)) <= 200, str(error)
        assert "\n" not in str(error)
        assert "\r" not in str(error)
        return None


# -- parse: anything at all ---------------------------------------------------------------------


@given(st.text())
@example("")
@example("\x00")
@example("0 2 * * *\n")
@example("0\u00a02 * * *")
@example("\ud800 * * * *")
@example("1" * 5000 + " * * * *")
def test_parse_of_any_text_returns_a_cron_or_a_syntax_error(text: str) -> None:
    parse_or_syntax_error(text)


@given(st.binary(), st.sampled_from(("latin-1", "utf-8", "utf-16")))
def test_parse_of_decoded_bytes_returns_a_cron_or_a_syntax_error(raw: bytes, codec: str) -> None:
    # utf-8 keeps undecodable bytes as lone surrogates; utf-16 cannot, so it replaces them.
    errors = "surrogateescape" if codec == "utf-8" else "replace"
    parse_or_syntax_error(raw.decode(codec, errors=errors))


cron_characters = st.sampled_from(
    list("0123456789*/,-?LW#$ \t@") + list("JANFEBMARPRYULGSOCTVDEC") + list("monthurisadlw")
)


def cron_like_texts(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(cron_characters, min_size=min_size, max_size=max_size).map("".join)


@given(cron_like_texts(0, 40))
@example("0 0 l * *")  # lower-case L
@example("0 0 15w * *")
@example("0 0 * * 5l")
@example("0 0 ?,5 * *")
@example("0 0 L,15W,LW * 1#1,5L")
def test_parse_of_cron_like_text_returns_a_cron_or_a_syntax_error(text: str) -> None:
    parse_or_syntax_error(text)


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """100 to 990 characters: a short random piece repeated, alone or as one field of an
    otherwise valid expression (repeating keeps the draw cheap)."""
    piece = draw(st.one_of(st.text(min_size=1, max_size=12), cron_like_texts(1, 12)))
    body = (piece * 1000)[: draw(st.sampled_from((100, 400, 900, 990)))]
    where = draw(st.integers(0, 5))
    if where == 5:
        return body
    fields = ["0", "2", "*", "*", "*"]
    fields[where] = body
    return " ".join(fields)


@given(long_texts())
@example(",".join(map(str, range(60))) * 4 + "x * * * *")
@example("5/" + "1" * 900 + " * * * *")
@example("*/2 " * 200)
def test_a_long_input_gets_one_short_line(text: str) -> None:
    parse_or_syntax_error(text)  # which checks the message: one line, at most 200 characters


@pytest.mark.parametrize(
    "value",
    [None, 5, 2.0, b"0 2 * * *", bytearray(b"0 2 * * *"), ["0", "2", "*", "*", "*"], object()],
    ids=lambda value: type(value).__name__,
)
def test_parse_refuses_what_is_not_a_str_with_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        cronspec.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "* " * 50_000,
        "0" * 100_000,
        "1," * 50_000 + "1 * * * *",
        "0 2 * * *" + " " * 100_000,
        "\u0663" * 100_000,
        "@" + "daily" * 20_000,
    ],
    ids=["stars", "digits", "list", "trailing-blanks", "arabic-digits", "macro"],
)
def test_parse_refuses_a_hundred_kilobytes(text: str) -> None:
    with pytest.raises(CronSyntaxError):
        cronspec.parse(text)


# Every place a number can stand, with {n} for the number; huge numbers once reached a
# shift by the step (``*/9999999999`` cost 5 GB and half a minute) before any check.
NUMBER_POSITIONS = (
    "{n} * * * *",
    "* {n} * * *",
    "* * {n} * *",
    "* * * {n} *",
    "* * * * {n}",
    "{n}-59 * * * *",
    "0-{n} * * * *",
    "*/{n} * * * *",
    "0-59/{n} * * * *",
    "* */{n} * * *",
    "* * */{n} * *",
    "* * 1-31/{n} * *",
    "* * * */{n} *",
    "* * * * */{n}",
    "* * * * 1-5/{n}",
    "0 0 L-{n} * *",
    "0 0 {n}W * *",
    "0 0 * * {n}L",
    "0 0 * * {n}#2",
    "0 0 * * 5#{n}",
    "0 0 * * {n}#L",
    "0 0 * * FRI#{n}",
    "* * {n}-31/{n} * *",
    "*/{n} * 99 * *",
    "*/{n},*/{n},*/{n} * * * *",
)
HUGE_NUMBERS = ("60", "9999999999", "9" * 40, "1" + "0" * 900, "0" * 899 + "7")


@pytest.mark.parametrize(
    "number", HUGE_NUMBERS, ids=["60", "10-digits", "40-digits", "901-digits", "900-digit-7"]
)
@pytest.mark.parametrize("position", NUMBER_POSITIONS)
def test_a_huge_number_in_any_position_costs_bounded_memory(position: str, number: str) -> None:
    text = position.format(n=number)
    tracemalloc.start()
    try:
        parse_or_syntax_error(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024, f"{text[:60]!r} peaked at {peak} bytes"


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("*/9999999999 * * * *", "*/60 * * * *"),  # still a wildcard job (DST rule)
        ("0-59/" + "9" * 40 + " * * * *", "0 * * * *"),
        ("5-30/1000 * * * *", "5 * * * *"),
        ("0 0 * * 1-5/9999999999", "0 0 * * 1"),
    ],
)
def test_a_step_past_the_span_means_only_the_start_value(text: str, normalized: str) -> None:
    assert cronspec.parse(text) == cronspec.parse(normalized)


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("0" * 900 + "5 * * * *", "5 * * * *"),
        ("0 0 L-" + "0" * 40 + "3 * *", "0 0 L-3 * *"),
        ("0 0 " + "0" * 40 + "15W * *", "0 0 15W * *"),
        ("0 0 * * " + "0" * 40 + "5L", "0 0 * * 5L"),
        ("0 0 * * " + "0" * 40 + "5#" + "0" * 40 + "3", "0 0 * * 5#3"),
        ("0 " + "0" * 9 + "1-" + "0" * 9 + "5/" + "0" * 39 + "2 * * *", "0 1,3,5 * * *"),
    ],
)
def test_leading_zeros_to_any_length_read_as_the_plain_value(text: str, normalized: str) -> None:
    assert str(cronspec.parse(text)) == normalized


NASTY_ZONES = (
    "",
    "/",
    ".",
    "..",
    "../../etc/passwd",
    "/usr/share/zoneinfo/UTC",
    "UTC\x00",
    "Europe/",
    "europe/oslo",
    "Europe/Oslo ",
    "Mars/Olympus_Mons",
    "X" * 300,
    "posixrules",
    "Factory",
    "localtime",
    "right/Europe/Oslo",
    "Europe/Oslo/../Oslo",
)
# What cronspec must accept: the IANA names (zoneinfo also lists the host's "localtime"
# and tzdb's "Factory" placeholder, which are not zones) and the UTC aliases.
IANA_NAMES = available_timezones() - {"localtime", "Factory", "posixrules"}
UNKNOWN_ZONE = "unknown time zone {}: use an IANA name like 'Europe/Oslo'"


@pytest.mark.parametrize(
    "zone", NASTY_ZONES, ids=lambda zone: repr(zone[:20]) + ("…" if len(zone) > 20 else "")
)
def test_a_nasty_zone_is_refused_in_one_short_line(zone: str) -> None:
    with pytest.raises(cronspec.CronError) as caught:
        cronspec.parse("0 2 * * *", tz=zone)
    shown = repr(zone) if len(zone) < 40 else "'" + zone[:39] + "…'"
    assert str(caught.value) == UNKNOWN_ZONE.format(shown)


@given(
    st.one_of(
        st.text(max_size=40), st.sampled_from(NASTY_ZONES), st.sampled_from(sorted(IANA_NAMES))
    )
)
@example("UTC")
@example("Etc/UTC")
@example("Europe/Oslo")
def test_an_unknown_zone_is_a_cron_error(zone: str) -> None:
    try:
        cron = cronspec.parse("0 2 * * *", tz=zone)
    except cronspec.CronError as error:
        assert zone not in IANA_NAMES
        message = str(error)
        assert message.startswith("unknown time zone '") or message.startswith(
            'unknown time zone "'
        )
        assert message.endswith(": use an IANA name like 'Europe/Oslo'")
        assert len(message) <= 100 and message.isprintable()
        return
    assert zone in IANA_NAMES
    assert cron.next_after(datetime(2026, 1, 1, tzinfo=UTC)) > datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("zone", [5, b"UTC", None, object()], ids=lambda z: type(z).__name__)
def test_a_zone_that_is_neither_a_name_nor_a_tzinfo_is_a_type_error(zone: object) -> None:
    with pytest.raises(TypeError):
        cronspec.parse("0 2 * * *", tz=zone)  # type: ignore[arg-type]


# -- parse against the reference parser -----------------------------------------------------------


@given(expressions())
def test_every_valid_form_parses(expression: str) -> None:
    cron = cronspec.parse(expression)
    assert ref_signature(str(cron)) == ref_signature(expression)


@given(broken_expressions())
@example(Broken("5/10 * * * *", 0))
@example(Broken("0 0 30 2 *", 2))
@example(Broken("0 0 * * FRI-MON", 4))
@example(Broken("*/2/3 * * * *", 0))
@example(Broken("0 0 * * 5#3x", 4))
@example(Broken("0 0 * * 3#WED", 4))
@example(Broken("0 0 * * MON#FRI", 4))
@example(Broken("0 2 * * *\n", None))
@example(Broken("0 0 * * * *", None))
def test_every_broken_form_is_a_syntax_error_naming_its_field(broken: Broken) -> None:
    assert not ref_is_valid(broken.expression)  # the strategy really broke it
    with pytest.raises(CronSyntaxError) as caught:
        cronspec.parse(broken.expression)
    parse_or_syntax_error(broken.expression)
    if broken.field is not None:
        assert caught.value.field == FIELD_NAMES[broken.field], str(caught.value)


@given(pasted_crontab_lines())
@example(("CRON_TZ=Europe/Oslo 0 2 * * *", "prefix"))
@example(("0 2 * * * root /usr/bin/backup", "command"))
def test_a_pasted_crontab_line_is_named_for_what_it_is(case: tuple[str, str]) -> None:
    text, kind = case
    with pytest.raises(CronSyntaxError) as caught:
        cronspec.parse(text)
    words = list(re.finditer(r"[^ \t]+", text))
    if kind == "prefix":
        first = words[0]
        assert caught.value.reason.startswith(f"'{first[0]}' is a crontab zone prefix: "), text
        assert caught.value.position == first.start()
    else:
        command = " ".join(word[0] for word in words[5:])
        assert caught.value.reason == (
            f"'{command}' looks like a crontab command: a schedule is only the five time fields"
        )
        assert caught.value.position == words[5].start()


EDITS = (*"0123456789*/,-?LW#$ \t", "JAN", "MON", "SUN", "7", "00", "31", "L-", "W")


@st.composite
def edited_expressions(draw: st.DrawFn) -> str:
    """A valid expression with one to three characters inserted, deleted or replaced."""
    text = draw(expressions())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(("insert", "delete", "replace")))
        new = draw(st.sampled_from(EDITS)) if edit != "delete" else ""
        text = text[:at] + new + text[at + (edit != "insert") :]
    return text


@given(edited_expressions())
@example("0 0 1-7 * 1,L")
@example("0 0 L * 5L,5#2")
@example("*/5,7 1 ? * 1#5,?")
@example("0 0 * * FRIL,monl")
@example("0 0 * * 5#L,FRI#l")
@example("0 0 * * FRIL#2")
def test_cronspec_and_the_reference_accept_and_read_the_same_texts(text: str) -> None:
    cron = parse_or_syntax_error(text)
    assert (cron is not None) == ref_is_valid(text), text
    if cron is not None:
        assert ref_signature(str(cron)) == ref_signature(text)


# -- ScheduleMap.from_rows ----------------------------------------------------------------------

COLUMNS = ("id", "organization_id", "integration_type", "cron_schedule", "is_enabled", "timezone")
MISSING = object()  # a column left out of the row

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=10),
    st.sampled_from(("xledger", "dynamics", "bufdir", "0 2 * * *", "Europe/Oslo", "UTC", "")),
    st.just(uuid.UUID(int=7)),
    st.just(Decimal("1")),
    st.just(date(2026, 1, 1)),
    st.just(MISSING),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def chaotic_rows(draw: st.DrawFn) -> object:
    """A mapping with random values of random types, missing and extra keys; or not a
    mapping at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers())))
    row = {}
    for column in COLUMNS:
        value = draw(anything)
        if value is not MISSING:
            row[column] = value
    present = anything.filter(lambda value: value is not MISSING)
    row.update(draw(st.dictionaries(st.text(max_size=5), present, max_size=2)))
    return row


def left_out(row: object) -> bool:
    """Disabled rows and rows without a schedule are left out silently (DESIGN.md)."""
    if not isinstance(row, dict):
        return False
    return row.get("is_enabled") is False or row.get("cron_schedule") is None


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(chaotic_rows(), max_size=30))
def test_from_rows_never_raises_and_accounts_for_every_row(rows: list[Any]) -> None:
    schedule = ScheduleMap.from_rows(rows)
    considered = sum(not left_out(row) for row in rows)
    assert len(schedule) + len(schedule.rejected) == considered
    for rejected in schedule.rejected:
        assert rejected.reason and "\n" not in rejected.reason
    schedule.due_at(datetime(2026, 3, 29, 1, 0, tzinfo=UTC))


# Rows whose fate is not in doubt: each value is either plainly good or plainly bad.
GOOD_ZONES = ("UTC", "Europe/Oslo", "America/New_York", "Australia/Lord_Howe")


@st.composite
def clear_rows(draw: st.DrawFn, index: int) -> tuple[dict[str, object], str]:
    """A row and what must become of it: "loaded", "left out" or "rejected"."""
    row_id = draw(st.sampled_from((f"i{index}", f"i{index}", f"i{index}", "i0", None, MISSING)))
    org = draw(st.sampled_from(("o1", "o2", "o3", None, MISSING)))
    kind = draw(st.sampled_from(("xledger", "dynamics", "bufdir", "XLEDGER", "sap", None, 5)))
    schedule = draw(
        st.one_of(
            expressions(),
            expressions(),
            broken_expressions().map(lambda broken: broken.expression),
            st.sampled_from((None, MISSING, 5, b"0 2 * * *")),
        )
    )
    enabled = draw(st.sampled_from((True, True, True, False, MISSING, "true", 1)))
    zone = draw(st.sampled_from((*GOOD_ZONES, None, MISSING, "Mars/Base", 5)))
    values = (row_id, org, kind, schedule, enabled, zone)
    row = {c: v for c, v in zip(COLUMNS, values, strict=True) if v is not MISSING}
    if enabled is False or schedule in (None, MISSING):
        return row, "left out"
    good = (
        isinstance(row_id, str)
        and isinstance(org, str)
        and kind in ("xledger", "dynamics", "bufdir")
        and isinstance(schedule, str)
        and ref_is_valid(schedule)
        and (enabled is True or enabled is MISSING)
        and zone in (*GOOD_ZONES, None, MISSING)
    )
    return row, "loaded" if good else "rejected"


@st.composite
def clear_row_lists(draw: st.DrawFn) -> list[tuple[dict[str, object], str]]:
    rows = [draw(clear_rows(index)) for index in range(1, draw(st.integers(0, 8)) + 1)]
    seen: set[object] = set()
    fates = []
    for row, fate in rows:
        if fate == "loaded" and row["id"] in seen:
            fate = "rejected"  # a duplicate id: the first row keeps it
        if fate == "loaded":
            seen.add(row["id"])
        fates.append((row, fate))
    return fates


def zone_of(row: dict[str, object]) -> str:
    zone = row.get("timezone")
    return zone if isinstance(zone, str) else "UTC"


def _row(schedule: str, zone: str) -> dict[str, object]:
    return dict(zip(COLUMNS, ("i1", "o1", "xledger", schedule, True, zone), strict=True))


class _Counter(logging.Handler):
    """Counts the WARNINGs the map logs (the caplog fixture does not mix with @given)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.warnings += 1


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    clear_row_lists(),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
)
@example(  # due in the second pass of Oslo's repeated hour (02:00+01:00, 2026-10-25)
    [(_row("* 2 L * 0L", "Europe/Oslo"), "loaded")], datetime(2026, 10, 1, tzinfo=UTC)
)
def test_from_rows_loads_exactly_the_good_rows_and_answers_like_the_reference(
    fates: list[tuple[dict[str, object], str]], at: datetime
) -> None:
    handler = _Counter()
    logger = logging.getLogger("cronspec")
    logger.addHandler(handler)
    try:
        schedule = ScheduleMap.from_rows([row for row, _ in fates])
    finally:
        logger.removeHandler(handler)
    loaded = [row for row, fate in fates if fate == "loaded"]
    assert len(schedule) == len(loaded)
    assert len(schedule.rejected) == sum(fate == "rejected" for _, fate in fates)
    assert handler.warnings == len(schedule.rejected)

    # Look at a minute where one of the loaded rows fires, so the answer is rarely empty.
    if loaded:
        first = loaded[0]
        fire = ref_next_after(str(first["cron_schedule"]), zone_of(first), at, timedelta(days=400))
        at = (fire or at).astimezone(UTC)  # UTC: == across zones is False in a fold
    expected = sorted(
        (str(row["organization_id"]), str(row["id"]))
        for row in loaded
        if ref_matches(str(row["cron_schedule"]), zone_of(row), at)
    )
    due = schedule.due_at(at)
    assert [(d.org_id, d.integration_id) for d in due] == expected
    assert all(d.scheduled_at == at.replace(second=0, microsecond=0) for d in due)

    until = at + timedelta(hours=3)
    expected_between = sorted(
        (fire.astimezone(UTC), str(row["organization_id"]), str(row["id"]))
        for row in loaded
        for fire in ref_fire_times(str(row["cron_schedule"]), zone_of(row), at, until)
    )
    between = schedule.due_between(at, until)
    assert [(d.scheduled_at, d.org_id, d.integration_id) for d in between] == expected_between


# -- hostile values: the loaded rows are exactly the good ones -----------------------------------

# Each fires at every UTC minute divisible by 5, in every zone below (offsets of whole
# quarter hours), so one due_at sees every loaded row.
GOOD_EXPRESSIONS = ("*/5 * * * *", "0-55/5 * * * *", "*/5 * * * 0-6")
QUARTER_ZONES = (None, "UTC", "Europe/Oslo", "Asia/Kathmandu", "America/St_Johns")
HOSTILE = (
    HUGE,
    Hostile(),
    HostileStr("xledger"),
    HostileStr("0 2 * * *"),
    HostileStr("UTC"),
    b"x",
    1.5,
    float("nan"),
    -(10**5000),
)
EVERY_FIVE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def hostile(draw: st.DrawFn) -> object:
    # By index: hypothesis would hash the values themselves.
    return HOSTILE[draw(st.integers(0, len(HOSTILE) - 1))]


@st.composite
def hostile_rows(draw: st.DrawFn, index: int) -> tuple[object, bool]:
    """A good row with a unique id, or one spoilt by a hostile value or shape; and
    whether it must load."""
    good = {
        "id": f"i{index}",
        "organization_id": draw(st.sampled_from(("o1", "o2", f"o{index}"))),
        "integration_type": draw(st.sampled_from(("xledger", "dynamics", "bufdir"))),
        "cron_schedule": draw(st.sampled_from(GOOD_EXPRESSIONS)),
        "is_enabled": True,
        "timezone": draw(st.sampled_from(QUARTER_ZONES)),
    }
    spoil = draw(st.sampled_from(("none", "none", "value", "value", "shape")))
    if spoil == "none":
        return good, True
    if spoil == "value":
        column = draw(st.sampled_from(sorted(good)))
        return {**good, column: hostile(draw)}, False
    shape = draw(st.sampled_from(("getitem", "get", "tuple", "int", "hostile")))
    if shape == "getitem":
        return HostileGetItem(good), False
    if shape == "get":
        return HostileGet({k: v for k, v in good.items() if k != "timezone"}), False
    return {"tuple": tuple(good.values()), "int": HUGE, "hostile": Hostile()}[shape], False


class _Lines(logging.Handler):
    """Keeps each WARNING the map logs, as a sentence and its extra values."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[tuple[str, tuple[object, ...]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        extra = tuple(getattr(record, k) for k in ("org_id", "integration_id", "value", "reason"))
        self.lines.append((record.getMessage(), extra))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 12).flatmap(lambda n: st.tuples(*(hostile_rows(i) for i in range(n)))))
def test_from_rows_loads_exactly_the_good_rows_whatever_the_values(
    cases: tuple[tuple[object, bool], ...],
) -> None:
    handler = _Lines()
    logger = logging.getLogger("cronspec")
    logger.addHandler(handler)
    try:
        schedule = ScheduleMap.from_rows([case for case, _ in cases])  # type: ignore[misc]
    finally:
        logger.removeHandler(handler)
    good = sorted(
        (str(row["organization_id"]), str(row["id"]))  # type: ignore[index]
        for row, loads in cases
        if loads
    )
    assert [(d.org_id, d.integration_id) for d in schedule.due_at(EVERY_FIVE)] == good
    assert len(schedule) == len(good)
    assert len(schedule.rejected) == len(handler.lines) == len(cases) - len(good)
    for line, extra in handler.lines:
        assert len(line) <= 200 and line.isprintable()
        assert all(
            value is None or (type(value) is str and len(value) <= 42) for value in extra[:3]
        )
        assert type(extra[3]) is str and len(extra[3]) <= 200


@st.composite
def hostile_groups(draw: st.DrawFn, index: int) -> tuple[object, list[str], int]:
    """A group of the adapter's shape, maybe spoilt; the ids that must load from it and
    how many rejections it makes."""
    size = draw(st.integers(1, 4))
    ids = [f"g{index}-{n}" for n in range(size)]
    orgs = [f"o{n % 2}" for n in range(size)]
    expression = draw(st.sampled_from(GOOD_EXPRESSIONS))
    zone = draw(st.sampled_from(QUARTER_ZONES))
    kind = draw(st.sampled_from(("xledger", "dynamics", "bufdir")))
    spoil = draw(st.sampled_from(("none", "none", "member", "group", "shape", "lists")))
    if spoil == "member":  # one hostile id or organization: that row alone is rejected
        at = draw(st.integers(0, size - 1))
        column = draw(st.sampled_from((ids, orgs)))
        column[at] = hostile(draw)
        return (expression, zone, kind, orgs, ids), ids[:at] + ids[at + 1 :], 1
    if spoil == "group":  # a hostile schedule, zone or type: every row is rejected
        which = draw(st.integers(0, 2))
        values: list[object] = [expression, zone, kind]
        values[which] = hostile(draw)
        return (*values, orgs, ids), [], size
    if spoil == "shape":
        shapes = (HUGE, Hostile(), (expression, zone, kind, orgs))
        return shapes[draw(st.integers(0, 2))], [], 1
    if spoil == "lists":
        return (expression, zone, kind, Unreadable(), ids), [], 1
    return (expression, zone, kind, orgs, ids), ids, 0


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 8).flatmap(lambda n: st.tuples(*(hostile_groups(i) for i in range(n)))))
def test_from_groups_loads_exactly_the_good_rows_whatever_the_shapes(
    cases: tuple[tuple[object, list[str], int], ...],
) -> None:
    schedule = ScheduleMap.from_groups([group for group, _, _ in cases])  # type: ignore[misc]
    good = sorted(integration for _, ids, _ in cases for integration in ids)
    assert sorted(d.integration_id for d in schedule.due_at(EVERY_FIVE)) == good
    assert len(schedule.rejected) == sum(rejections for _, _, rejections in cases)
