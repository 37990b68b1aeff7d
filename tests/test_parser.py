"""Parsing (issue 2): every accepted form, every rejected token, messages, the day rule, values."""

from __future__ import annotations

import calendar
import itertools
import pickle
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import cronspec
from cronspec import CronError, CronSyntaxError

FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
# A valid expression whose fields are all one character wide: field i starts at column 2 * i.
VALID_FIELDS = ("0", "0", "1", "1", "0")


def normalized(expression: str) -> str:
    return str(cronspec.parse(expression))


def fired_minutes(expression: str) -> list[int]:
    cron = cronspec.parse(expression)
    return [m for m in range(60) if cron.matches(datetime(2026, 6, 1, 0, m, tzinfo=UTC))]


def fired_hours(expression: str) -> list[int]:
    cron = cronspec.parse(expression)
    return [h for h in range(24) if cron.matches(datetime(2026, 6, 1, h, 0, tzinfo=UTC))]


def fired_months(expression: str) -> list[int]:
    cron = cronspec.parse(expression)
    return [m for m in range(1, 13) if cron.matches(datetime(2026, m, 1, 0, 0, tzinfo=UTC))]


def fired_weekdays(expression: str) -> list[int]:
    """Weekday numbers (0 = Sunday) that fire, read off the week of Sunday 2026-06-07."""
    cron = cronspec.parse(expression)
    return [w for w in range(7) if cron.matches(datetime(2026, 6, 7 + w, 0, 0, tzinfo=UTC))]


def firing_days(expression: str, year: int, month: int) -> list[int]:
    """The days of ``year-month`` on which ``expression`` (a midnight job) fires."""
    cron = cronspec.parse(expression)
    length = calendar.monthrange(year, month)[1]
    return [
        day
        for day in range(1, length + 1)
        if cron.matches(datetime(year, month, day, 0, 0, tzinfo=UTC))
    ]


def syntax_error(expression: str) -> CronSyntaxError:
    with pytest.raises(CronSyntaxError) as caught:
        cronspec.parse(expression)
    return caught.value


# -- accepted forms --------------------------------------------------------------------------


class TestAcceptedFormsNormalize:
    @pytest.mark.parametrize(
        ("expression", "text"),
        [
            ("0 0 1 jan *", "0 0 1 1 *"),
            ("0 0 1 Jan *", "0 0 1 1 *"),
            ("0 0 1 JAN *", "0 0 1 1 *"),
            ("0 0 1 jAN *", "0 0 1 1 *"),
            ("0 0 * * MON-FRI", "0 0 * * 1-5"),
            ("0 0 * * mon-fri", "0 0 * * 1-5"),
            ("0 0 * * Sun", "0 0 * * 0"),
            ("0 0 1 JAN-3 *", "0 0 1 1-3 *"),
            ("0 0 * * MON-5", "0 0 * * 1-5"),
            ("007 0 * * *", "7 0 * * *"),
            ("*,5 * * * *", "* * * * *"),
            ("*/60 * * * *", "*/60 * * * *"),
            ("5-5 * * * *", "5 * * * *"),
            ("0\t0\t*\t*\t*", "0 0 * * *"),
            ("0   0  *\t \t*    *", "0 0 * * *"),
            ("  0 0 * * *  ", "0 0 * * *"),
            ("\t0 0 * * *\t", "0 0 * * *"),
            ("0-59/15 * * * *", "0,15,30,45 * * * *"),
            ("*/15 * * * *", "*/15 * * * *"),
            ("0 0 * * FRI-SUN", "0 0 * * 0,5,6"),
            ("0 0 * * 5-7", "0 0 * * 0,5,6"),
            ("0 0 * * 7", "0 0 * * 0"),
            ("0 0 * * 0-7", "0 0 * * 0-6"),
            ("*/1 * * * *", "* * * * *"),
            ("1,2,3,5 * * * *", "1-3,5 * * * *"),
            ("0 0 * 1-12 *", "0 0 * * *"),
            ("0 0 * */3 *", "0 0 * 1,4,7,10 *"),
            ("0-10/20 * * * *", "0 * * * *"),
            ("0 0 L * *", "0 0 L * *"),
            ("0 0 $ * *", "0 0 L * *"),
            ("0 0 L-3 * *", "0 0 L-3 * *"),
            ("0 0 LW * *", "0 0 LW * *"),
            ("0 0 15W * *", "0 0 15W * *"),
            ("0 0 L,15 * *", "0 0 15,L * *"),
            ("0 0 * * 5L", "0 0 * * 5L"),
            ("0 0 * * 7L", "0 0 * * 0L"),
            ("0 0 * * 5#3", "0 0 * * 5#3"),
            ("0 0 * * 5#3,1", "0 0 * * 1,5#3"),
            ("0 0 * * FRIL", "0 0 * * 5L"),
            ("0 0 * * fril", "0 0 * * 5L"),
            ("0 0 * * FriL", "0 0 * * 5L"),
            ("0 0 * * SUNl", "0 0 * * 0L"),
            ("0 0 * * MONL,FRIL", "0 0 * * 1L,5L"),
            ("0 0 * * 5#L", "0 0 * * 5L"),
            ("0 0 * * FRI#L", "0 0 * * 5L"),
            ("0 0 * * 7#L,mon#L", "0 0 * * 0L,1L"),
            ("0 0 ? * 1", "0 0 * * 1"),
            ("0 0 1 * ?", "0 0 1 * *"),
            ("@yearly", "0 0 1 1 *"),
            ("@annually", "0 0 1 1 *"),
            ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"),
            ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"),
            (" @daily\t", "0 0 * * *"),
        ],
    )
    def test_accepted_form_has_this_normalized_text(self, expression: str, text: str) -> None:
        assert normalized(expression) == text


class TestAcceptedFormsExpand:
    @pytest.mark.parametrize(
        ("expression", "minutes"),
        [
            ("*/60 * * * *", [0]),
            ("0-59/15 * * * *", [0, 15, 30, 45]),
            ("007 * * * *", [7]),
            ("5-5 * * * *", [5]),
            ("*,5 * * * *", list(range(60))),
            ("*/7 * * * *", [0, 7, 14, 21, 28, 35, 42, 49, 56]),
            ("0-10/20 * * * *", [0]),
            ("1,2,3,5 * * * *", [1, 2, 3, 5]),
            ("  5 * * * *  ", [5]),
            ("5\t*\t*\t*\t*", [5]),
        ],
    )
    def test_minute_field_expands_to(self, expression: str, minutes: list[int]) -> None:
        assert fired_minutes(expression) == minutes

    @pytest.mark.parametrize(
        ("expression", "hours"),
        [
            ("0 */6 * * *", [0, 6, 12, 18]),
            ("0 9-17/4 * * *", [9, 13, 17]),
            ("0 023 * * *", [23]),
            ("@hourly", list(range(24))),
            ("@daily", [0]),
        ],
    )
    def test_hour_field_expands_to(self, expression: str, hours: list[int]) -> None:
        assert fired_hours(expression) == hours

    @pytest.mark.parametrize(
        ("expression", "months"),
        [
            ("0 0 1 jan *", [1]),
            ("0 0 1 Jan *", [1]),
            ("0 0 1 JAN-3 *", [1, 2, 3]),
            ("0 0 1 OCT-dec *", [10, 11, 12]),
            ("0 0 1 */3 *", [1, 4, 7, 10]),
            ("0 0 1 jun,DEC *", [6, 12]),
            ("@yearly", [1]),
            ("@monthly", list(range(1, 13))),
        ],
    )
    def test_month_field_expands_to(self, expression: str, months: list[int]) -> None:
        assert fired_months(expression) == months

    @pytest.mark.parametrize(
        ("expression", "weekdays"),
        [
            ("0 0 * * MON-FRI", [1, 2, 3, 4, 5]),
            ("0 0 * * mon-fri", [1, 2, 3, 4, 5]),
            ("0 0 * * Mon-Fri", [1, 2, 3, 4, 5]),
            ("0 0 * * FRI-SUN", [0, 5, 6]),
            ("0 0 * * 7", [0]),
            ("0 0 * * 0", [0]),
            ("0 0 * * SAT,7", [0, 6]),
            ("0 0 * * 1-7/2", [0, 1, 3, 5]),
            ("@weekly", [0]),
        ],
    )
    def test_day_of_week_field_expands_to(self, expression: str, weekdays: list[int]) -> None:
        assert fired_weekdays(expression) == weekdays


class TestMacros:
    @pytest.mark.parametrize(
        ("macro", "expansion"),
        [
            ("@yearly", "0 0 1 1 *"),
            ("@annually", "0 0 1 1 *"),
            ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"),
            ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"),
        ],
    )
    def test_macro_equals_its_expansion(self, macro: str, expansion: str) -> None:
        assert cronspec.parse(macro) == cronspec.parse(expansion)

    def test_macro_is_hashed_like_its_expansion(self) -> None:
        assert (
            len(
                {cronspec.parse("@daily"), cronspec.parse("@midnight"), cronspec.parse("0 0 * * *")}
            )
            == 1
        )


class TestExtensions:
    """L, L-n, LW, nW, $, nL, n#k and ? (semantics §6), checked on concrete months of 2026."""

    @pytest.mark.parametrize(
        ("field", "year", "month", "days"),
        [
            pytest.param("L", 2026, 6, [30], id="L-30-day-month"),
            pytest.param("L", 2026, 2, [28], id="L-february"),
            pytest.param("L", 2028, 2, [29], id="L-leap-february"),
            pytest.param("$", 2026, 8, [31], id="dollar-is-L"),
            pytest.param("L-3", 2026, 6, [27], id="L-3-june"),
            pytest.param("L-3", 2026, 2, [25], id="L-3-february"),
            pytest.param("LW", 2026, 6, [30], id="LW-last-day-is-tuesday"),
            pytest.param("LW", 2026, 1, [30], id="LW-last-day-is-saturday"),
            pytest.param("LW", 2026, 5, [29], id="LW-last-day-is-sunday"),
            pytest.param("15W", 2026, 6, [15], id="15W-on-a-monday"),
            pytest.param("15W", 2026, 8, [14], id="15W-saturday-to-friday"),
            pytest.param("15W", 2026, 11, [16], id="15W-sunday-to-monday"),
            pytest.param("1W", 2026, 8, [3], id="1W-saturday-to-monday-3rd"),
            pytest.param("1W", 2026, 11, [2], id="1W-sunday-to-monday-2nd"),
            pytest.param("31W", 2026, 5, [29], id="31W-sunday-to-friday-29th"),
            pytest.param("L,15", 2026, 2, [15, 28], id="L-in-a-list"),
            pytest.param("31,L", 2026, 2, [28], id="31-or-L-in-february"),
        ],
    )
    def test_day_of_month_extension_fires_on(
        self, field: str, year: int, month: int, days: list[int]
    ) -> None:
        assert firing_days(f"0 0 {field} * *", year, month) == days

    @pytest.mark.parametrize(
        ("field", "days"),
        [
            pytest.param("5L", [26], id="last-friday"),
            pytest.param("0L", [28], id="last-sunday"),
            pytest.param("7L", [28], id="last-sunday-as-7"),
            pytest.param("5#3", [19], id="third-friday"),
            pytest.param("1#5", [29], id="fifth-monday"),
            pytest.param("7#1", [7], id="first-sunday-as-7"),
            pytest.param("5#3,1", [1, 8, 15, 19, 22, 29], id="third-friday-and-mondays"),
            pytest.param("FRIL", [26], id="last-friday-as-FRIL"),
            pytest.param("MONL,FRIL", [26, 29], id="last-monday-and-last-friday"),
            pytest.param("5#L", [26], id="last-friday-as-5#L"),
            pytest.param("FRI#L", [26], id="last-friday-as-FRI#L"),
            pytest.param("?", list(range(1, 31)), id="question-mark-is-star"),
        ],
    )
    def test_day_of_week_extension_fires_in_june_2026_on(self, field: str, days: list[int]) -> None:
        assert firing_days(f"0 0 * * {field}", 2026, 6) == days

    def test_question_mark_in_day_of_month_is_star(self) -> None:
        assert cronspec.parse("0 0 ? * 1") == cronspec.parse("0 0 * * 1")

    def test_fifth_monday_of_february_fires_in_2044(self) -> None:
        assert firing_days("0 0 * 2 MON#5", 2044, 2) == [29]


# -- the day-of-month / day-of-week rule (semantics §5) --------------------------------------

MONDAYS_JUNE_2026 = [1, 8, 15, 22, 29]


class TestDayRule:
    """June 2026 starts on a Monday, September 2026 on a Tuesday."""

    @pytest.mark.parametrize(
        ("dom", "dow", "year", "month", "days"),
        [
            pytest.param("*", "1", 2026, 6, MONDAYS_JUNE_2026, id="star-and-monday"),
            pytest.param("*/2", "1", 2026, 6, [1, 15, 29], id="star-step-is-AND"),
            pytest.param("*/1", "1", 2026, 6, MONDAYS_JUNE_2026, id="star-step-1-is-AND"),
            pytest.param("*,5", "1", 2026, 6, MONDAYS_JUNE_2026, id="star-list-is-AND"),
            pytest.param("?", "1", 2026, 6, MONDAYS_JUNE_2026, id="question-mark-is-AND"),
            pytest.param("1-31", "1", 2026, 6, list(range(1, 31)), id="full-range-is-OR"),
            # The semantics table says "every day" for this row; by Debian's get_list the
            # `*/10` item is {1,11,21,31}, so OR gives those days plus the Sundays.
            pytest.param(
                "1,*/10", "0", 2026, 6, [1, 7, 11, 14, 21, 28], id="list-starting-with-1-is-OR"
            ),
            pytest.param("1,*", "0", 2026, 6, list(range(1, 31)), id="list-with-star-is-OR"),
            pytest.param("1", "*/2", 2026, 6, [], id="first-is-a-monday-AND-fails"),
            pytest.param("1", "*/2", 2026, 9, [1], id="first-is-a-tuesday-AND-holds"),
            pytest.param("13", "5", 2026, 6, [5, 12, 13, 19, 26], id="13th-or-fridays"),
            pytest.param(
                "1-7", "1", 2026, 6, [1, 2, 3, 4, 5, 6, 7, 8, 15, 22, 29], id="not-first-monday"
            ),
            pytest.param("1", "?", 2026, 6, [1], id="day-1-and-question-mark"),
        ],
    )
    def test_day_rule_row_fires_on(
        self, dom: str, dow: str, year: int, month: int, days: list[int]
    ) -> None:
        assert firing_days(f"0 0 {dom} * {dow}", year, month) == days

    @pytest.mark.parametrize(
        ("macro", "days"),
        [
            ("@monthly", [1]),
            ("@yearly", []),
            ("@weekly", [7, 14, 21, 28]),
            ("@daily", list(range(1, 31))),
        ],
    )
    def test_macro_day_flags_follow_debian(self, macro: str, days: list[int]) -> None:
        assert firing_days(macro, 2026, 6) == days


# -- rejected tokens: every field x every kind of bad token ----------------------------------

# (kind, token, 0-based offset of the fault inside the token). "NAME" is replaced by a name
# the field does not accept: a month name in a numeric field or in day-of-week, a day name
# in the month field.
BAD_TOKENS = [
    ("out-of-range", "99", 0),
    ("step-0", "*/0", 2),
    ("step-without-range", "5/10", 0),
    ("reversed-range", "5-1", 0),
    ("junk-after-star", "*x", 1),
    ("decimal", "1.0", 1),
    ("double-step", "*/2/3", 3),
    ("empty-list-item", "1,,2", 2),
    ("name", "NAME", 0),
    ("arabic-indic-digit", "\u0663", 0),
    ("fullwidth-digit", "1\uff15", 1),
    ("nbsp", "\u00a05", 0),
    ("newline", "5\n", 1),
]


def _bad_token(field: int, token: str) -> str:
    if token == "NAME":
        return "MON" if field == 3 else "JAN"
    return token


@pytest.mark.parametrize(
    ("field", "kind", "token", "offset"),
    [
        pytest.param(field, kind, token, offset, id=f"{FIELDS[field]}-{kind}")
        for field, (kind, token, offset) in itertools.product(range(5), BAD_TOKENS)
    ],
)
def test_bad_token_is_rejected_naming_its_field_and_column(
    field: int, kind: str, token: str, offset: int
) -> None:
    parts = list(VALID_FIELDS)
    parts[field] = _bad_token(field, token)
    expression = " ".join(parts)
    error = syntax_error(expression)
    position = 2 * field + offset
    assert (error.field, error.position, error.expression) == (FIELDS[field], position, expression)
    message = str(error)
    assert message.startswith(f"{FIELDS[field]}: ")
    assert message.endswith(f"(column {position + 1})")
    assert "\n" not in message


class TestRejectedExpressions:
    @pytest.mark.parametrize("expression", ["", " ", "   ", "\t", " \t "])
    def test_rejects_empty_or_blank_expression(self, expression: str) -> None:
        error = syntax_error(expression)
        assert (error.field, error.position, error.reason) == (None, 0, "empty expression")

    @pytest.mark.parametrize(
        ("expression", "position", "count"),
        [
            ("* * * *", 7, 4),
            ("0 * * * * *", 10, 6),
            ("0 0 2 * * * 2026", 10, 7),
        ],
    )
    def test_rejects_wrong_field_count(self, expression: str, position: int, count: int) -> None:
        error = syntax_error(expression)
        assert (error.field, error.position) == (None, position)
        assert (
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {count}"
            in str(error)
        )

    @pytest.mark.parametrize(
        "expression",
        ["0 * * * * *", "*/5 0 2 * * *", "0 15 10 ? * MON-FRI", "0 15 10 ? * 6L 2002-2005"],
    )
    def test_six_fields_say_seconds_are_not_supported(self, expression: str) -> None:
        assert "seconds" in str(syntax_error(expression))

    @pytest.mark.parametrize(
        ("expression", "position", "prefix", "zone"),
        [
            ("CRON_TZ=Europe/Oslo 0 2 * * *", 0, "CRON_TZ=Europe/Oslo", "Europe/Oslo"),
            ("TZ=Europe/Oslo 0 2 * * *", 0, "TZ=Europe/Oslo", "Europe/Oslo"),
            ("  cron_tz=UTC 0 2 * *", 2, "cron_tz=UTC", "UTC"),  # five words: the minute fails
            ("CRON_TZ=UTC @daily", 0, "CRON_TZ=UTC", "UTC"),
            ("CRON_TZ=America/New_York", 0, "CRON_TZ=America/New_York", "America/New_York"),
            ("TZ=UTC 99 * * * *", 0, "TZ=UTC", "UTC"),
            ('TZ="Europe/Oslo" 0 2 * * *', 0, 'TZ="Europe/Oslo"', "Europe/Oslo"),
        ],
    )
    def test_a_crontab_zone_prefix_says_to_pass_the_zone_separately(
        self, expression: str, position: int, prefix: str, zone: str
    ) -> None:
        error = syntax_error(expression)
        assert (error.field, error.position) == (None, position)
        assert str(error) == (
            f"'{prefix}' is a crontab zone prefix: pass the zone separately"
            f" (tz='{zone}', or the row's timezone column) (column {position + 1})"
        )

    @pytest.mark.parametrize(
        ("expression", "command"),
        [
            ("0 2 * * * /usr/bin/backup", "/usr/bin/backup"),
            ("0 2 * * * root /usr/bin/backup", "root /usr/bin/backup"),
            ("0 2 * * *\troot\t/usr/bin/backup  --all", "root /usr/bin/backup --all"),
            ("0 2 * * * backup.sh", "backup.sh"),
        ],
    )
    def test_a_crontab_command_after_the_fields_is_named_as_one(
        self, expression: str, command: str
    ) -> None:
        error = syntax_error(expression)
        assert (error.field, error.position) == (None, 10)
        assert str(error) == (
            f"'{command}' looks like a crontab command: a schedule is only the five time fields"
            " (column 11)"
        )

    @pytest.mark.parametrize("macro", ["@reboot", "@DAILY", "@Hourly", "@every", "@", "@5m"])
    def test_rejects_macro(self, macro: str) -> None:
        error = syntax_error(macro)
        assert (error.field, error.position) == (None, 0)

    def test_rejects_hundred_kilobyte_input(self) -> None:
        error = syntax_error("*" * 100_000)
        assert (error.field, error.position) == (None, 1000)
        assert str(error) == "expression is 100000 characters long; the limit is 1000 (column 1001)"

    def test_rejects_long_run_of_blanks_around_a_valid_expression(self) -> None:
        assert syntax_error(" " * 2000 + "* * * * *").position == 1000

    @pytest.mark.parametrize(
        ("expression", "message"),
        [
            ("0 0 30 2 *", "day-of-month: February has no day 30 (column 5)"),
            (
                "0 0 31 4,6,9,11 *",
                "day-of-month: April, June, September and November have no day 31 (column 5)",
            ),
            ("0 0 L-30 2 *", "day-of-month: February has no day L-30 (column 5)"),
            ("0 0 30,31 FEB *", "day-of-month: February has no day 30 (column 5)"),
            ("0 0 30W 2 *", "day-of-month: February has no day 30 (column 5)"),
            ("0 0 31W 4,6 *", "day-of-month: April and June have no day 31 (column 5)"),
            ("0 0 L-30 4 *", "day-of-month: April has no day L-30 (column 5)"),
            ("0 0 L-29 FEB ?", "day-of-month: February has no day L-29 (column 5)"),
            ("0 0 30,L-30 2 *", "day-of-month: February has no day 30 (column 5)"),
            ("0 0 L-30,31W 4 *", "day-of-month: April has no day 31 (column 5)"),
        ],
    )
    def test_rejects_schedule_that_never_fires(self, expression: str, message: str) -> None:
        error = syntax_error(expression)
        assert (error.field, error.position, str(error)) == ("day-of-month", 4, message)

    def test_blames_both_day_fields_when_only_their_combination_never_fires(self) -> None:
        assert str(syntax_error("0 0 */30 2 1#2")) == (
            "day-of-month: day-of-month and day-of-week never match the same date (column 5)"
        )

    def test_two_star_day_fields_meet_on_day_1_if_it_is_a_sunday(self) -> None:
        # */31 is day 1 alone and */7 is Sunday alone: 1 February 2026 is a Sunday.
        assert firing_days("0 0 */31 2 */7", 2026, 2) == [1]
        assert firing_days("0 0 */31 2 */7", 2027, 2) == []

    def test_accepts_impossible_date_when_day_of_week_can_fire_instead(self) -> None:
        assert firing_days("0 0 31 2 1", 2026, 2) == [2, 9, 16, 23]

    @pytest.mark.parametrize("value", [None, b"* * * * *", 5, ["*"] * 5])
    def test_non_string_raises_type_error(self, value: object) -> None:
        with pytest.raises(TypeError, match="a cron expression must be a str"):
            cronspec.parse(value)  # type: ignore[arg-type]

    @pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/Olso", "", "../etc/passwd"])
    def test_unknown_time_zone_raises_cron_error_naming_it(self, zone: str) -> None:
        with pytest.raises(CronError) as caught:
            cronspec.parse("0 2 * * *", tz=zone)
        assert not isinstance(caught.value, CronSyntaxError)
        assert str(caught.value) == (
            f"unknown time zone {zone!r}: use an IANA name like 'Europe/Oslo'"
        )

    def test_syntax_error_is_a_cron_error_and_a_value_error(self) -> None:
        error = syntax_error("99 * * * *")
        assert isinstance(error, CronError)
        assert isinstance(error, ValueError)

    def test_syntax_error_carries_expression_field_position_and_reason(self) -> None:
        error = syntax_error("0 0 * 13 *")
        assert (error.expression, error.field, error.position, error.reason) == (
            "0 0 * 13 *",
            "month",
            6,
            "13 is out of range 1-12",
        )

    def test_syntax_error_survives_pickling(self) -> None:
        error = pickle.loads(pickle.dumps(syntax_error("0 0 * 13 *")))
        assert (str(error), error.field, error.position) == (
            "month: 13 is out of range 1-12 (column 7)",
            "month",
            6,
        )


# -- messages, verbatim ------------------------------------------------------------------------


class TestMessages:
    @pytest.mark.parametrize(
        ("expression", "message"),
        [
            ("99 * * * *", "minute: 99 is out of range 0-59 (column 1)"),
            ("0 24 * * *", "hour: 24 is out of range 0-23 (column 3)"),
            ("0 0 32 * *", "day-of-month: 32 is out of range 1-31 (column 5)"),
            ("0 0 0 * *", "day-of-month: 0 is out of range 1-31 (column 5)"),
            ("0 0 * 13 *", "month: 13 is out of range 1-12 (column 7)"),
            ("0 0 * * 8", "day-of-week: 8 is out of range 0-7 (column 9)"),
            ("*/0 * * * *", "minute: step 0 in '*/0' must be at least 1 (column 3)"),
            (
                "5/10 * * * *",
                "minute: step without a range in '5/10': write 5-59/10 or */10 (column 1)",
            ),
            (
                "0 5-1 * * *",
                "hour: range 5-1 is reversed: write 1-5, or 5-23,0-1 to wrap around (column 3)",
            ),
            (
                "0 0 * * FRI-MON",
                "day-of-week: range FRI-MON is reversed: write 1-5, or 5-7,1 to wrap around (column 9)",
            ),
            ("@daily extra", "a macro such as @daily stands alone, without fields (column 8)"),
            ("0 0 * * * # nightly", "comments are not part of a cron expression (column 11)"),
            ("*x * * * *", "minute: unexpected 'x' in '*x' (column 2)"),
            ("1.0 * * * *", "minute: unexpected '.0' in '1.0' (column 2)"),
            ("*/2/3 * * * *", "minute: unexpected '/3' in '*/2/3' (column 4)"),
            ("1,,2 * * * *", "minute: empty list item in '1,,2' (column 3)"),
            (
                "0 0 * JANUARY *",
                "month: 'JANUARY' is not a month name (use JAN-DEC or 1-12) (column 7)",
            ),
            (
                "0 0 * * MONDAY",
                "day-of-week: 'MONDAY' is not a day name (use SUN-SAT or 0-7) (column 9)",
            ),
            (
                "0 0 \u0663 * *",
                "day-of-month: '\u0663' is not an ASCII digit: write 0-9 (column 5)",
            ),
            (
                "0\u00a00 * * * *",
                "minute: '\\xa0' is not a valid separator: separate fields with spaces or tabs"
                " (column 2)",
            ),
            (
                "0 0 * * *\n",
                "day-of-week: line break '\\n' is not allowed: one schedule per expression"
                " (column 10)",
            ),
            ("? * * * *", "minute: '?' is only allowed in day-of-month and day-of-week (column 1)"),
            ("0 0 * * 5#6", "day-of-week: #6 is out of range: a month has weeks #1-#5 (column 11)"),
            (
                "0 0 * * 3#WED",
                "day-of-week: 'WED' after # is not a week number: write #1 to #5, or #L (column 11)",
            ),
            (
                "0 0 * * MON#FRI",
                "day-of-week: 'FRI' after # is not a week number: write #1 to #5, or #L (column 13)",
            ),
            ("0 0 * * 5#", "day-of-week: expected a number in '5#', found nothing (column 11)"),
            (
                "0 0 L-31 * *",
                "day-of-month: L-31 is out of range: n in L-n must be 0-30 (column 7)",
            ),
            ("", "empty expression (column 1)"),
            (
                "* * * *",
                "expected 5 fields (minute hour day-of-month month day-of-week), got 4:"
                " missing day-of-week (column 8)",
            ),
            (
                "0 * * * * *",
                "expected 5 fields (minute hour day-of-month month day-of-week), got 6;"
                " seconds and years are not supported (column 11)",
            ),
            (
                "@reboot",
                "@reboot is not a time schedule: cronspec only computes fire times (column 1)",
            ),
            ("@DAILY", "macros are lower-case: write @daily (column 1)"),
            (
                "@every",
                "unknown macro '@every' (use one of @yearly, @annually, @monthly, @weekly,"
                " @daily, @midnight, @hourly) (column 1)",
            ),
            ("0 0 30 2 *", "day-of-month: February has no day 30 (column 5)"),
        ],
    )
    def test_message_reads(self, expression: str, message: str) -> None:
        assert str(syntax_error(expression)) == message

    @pytest.mark.parametrize(
        ("expression", "message"),
        [
            ("9" * 900 + " * * * *", f"minute: {'9' * 39}\u2026 is out of range 0-59 (column 1)"),
            (
                ",".join(map(str, range(60))) + ",,1 * * * *",
                "minute: empty list item in '0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1\u2026'"
                " (column 171)",
            ),
            (
                "*" + "x" * 300 + " * * * *",
                f"minute: unexpected '{'x' * 39}\u2026' in '*{'x' * 38}\u2026' (column 2)",
            ),
            (
                "5/" + "1" * 50 + " * * * *",
                f"minute: step without a range in '5/{'1' * 37}\u2026': write 5-59/{'1' * 39}\u2026"
                f" or */{'1' * 39}\u2026 (column 1)",
            ),
            (
                "0 0 * * " + "MONDAY" * 10,
                "day-of-week: 'MONDAYMONDAYMONDAYMONDAYMONDAYMONDAYMON\u2026' is not a day name"
                " (use SUN-SAT or 0-7) (column 9)",
            ),
            (
                "0 0 * * 5#" + "9" * 50,
                f"day-of-week: #{'9' * 39}\u2026 is out of range: a month has weeks #1-#5 (column 11)",
            ),
            (
                "@" + "x" * 200,
                f"unknown macro '@{'x' * 38}\u2026' (use one of @yearly, @annually, @monthly,"
                " @weekly, @daily, @midnight, @hourly) (column 1)",
            ),
        ],
    )
    def test_message_quotes_at_most_40_characters_of_the_input(
        self, expression: str, message: str
    ) -> None:
        assert str(syntax_error(expression)) == message

    def test_a_step_without_a_range_is_named_before_junk_after_the_step(self) -> None:
        assert str(syntax_error("5/10x * * * *")) == (
            "minute: step without a range in '5/10x': write 5-59/10 or */10 (column 1)"
        )

    def test_reversed_day_of_month_range_suggests_a_plain_wrap_around(self) -> None:
        # The wrap-around hint should not end in a one-value range like "1-1".
        assert str(syntax_error("0 0 5-1 * *")) == (
            "day-of-month: range 5-1 is reversed: write 1-5, or 5-31,1 to wrap around (column 5)"
        )

    def test_reversed_day_of_week_range_suggests_the_wrap_around(self) -> None:
        # FRI-MON means Friday through Monday; "write 1-5" alone points at MON-FRI, the
        # days the user did not ask for. The hint must offer the wrap-around 5-7,1.
        message = str(syntax_error("0 0 * * FRI-MON"))
        assert message.startswith("day-of-week: range FRI-MON is reversed: ")
        assert "5-7,1" in message

    @pytest.mark.parametrize(
        "expression",
        ["99 * * * *", "0 0 \u0663 * *", "0 0 * * *\r\n", "@every", "* * * *", "0 0 30 2 *"],
    )
    def test_message_is_one_line(self, expression: str) -> None:
        assert len(str(syntax_error(expression)).splitlines()) == 1


# -- Cron is a value ---------------------------------------------------------------------------


class TestCronValue:
    @pytest.mark.parametrize("name", ["tz", "_spec", "_tz", "anything"])
    def test_setting_an_attribute_raises(self, name: str) -> None:
        cron = cronspec.parse("0 2 * * *")
        with pytest.raises(AttributeError):
            setattr(cron, name, None)

    def test_deleting_an_attribute_raises(self) -> None:
        cron = cronspec.parse("0 2 * * *")
        with pytest.raises(AttributeError):
            del cron._tz

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("0 0 * * 7", "0 0 * * 0"),
            ("*/1 * * * *", "* * * * *"),
            ("0 0 * * SUN", "0 0 * * 0"),
            ("0 0 1 jan *", "0 0 1 1 *"),
            ("0-59/15 * * * *", "0,15,30,45 * * * *"),
            ("0 0 $ * *", "0 0 L * *"),
            ("0 0 ? * MON", "0 0 * * 1"),
            ("@weekly", "0 0 * * 0"),
        ],
    )
    def test_same_meaning_is_equal_with_equal_hash(self, left: str, right: str) -> None:
        a, b = cronspec.parse(left), cronspec.parse(right)
        assert a == b
        assert hash(a) == hash(b)

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("0 0 * * 1", "0 0 * * 2"),
            # `*/2` day-of-month ANDs with day-of-week, `1-31/2` ORs: different schedules.
            ("0 0 */2 * 1", "0 0 1-31/2 * 1"),
            # `*/60` is a wildcard job for DST purposes, `0` is fixed-time.
            ("*/60 * * * *", "0 * * * *"),
        ],
    )
    def test_different_meaning_is_not_equal(self, left: str, right: str) -> None:
        assert cronspec.parse(left) != cronspec.parse(right)

    def test_different_zone_is_not_equal(self) -> None:
        assert cronspec.parse("0 2 * * *", "Europe/Oslo") != cronspec.parse("0 2 * * *")

    def test_utc_aliases_are_the_same_zone(self) -> None:
        assert cronspec.parse("0 2 * * *", "Etc/UTC") == cronspec.parse("0 2 * * *", "UTC")

    def test_is_not_equal_to_its_text(self) -> None:
        assert cronspec.parse("0 2 * * *") != "0 2 * * *"

    def test_equal_values_collapse_in_a_set(self) -> None:
        crons = {cronspec.parse(e) for e in ("0 0 * * 7", "0 0 * * 0", "0 0 * * SUN", "@weekly")}
        assert len(crons) == 1

    @pytest.mark.parametrize(
        "zone",
        [
            "UTC",
            "Europe/Oslo",
            "Australia/Lord_Howe",
            ZoneInfo("Asia/Tokyo"),
            timezone(timedelta(hours=2)),
        ],
    )
    def test_pickle_round_trip_is_equal(self, zone: str | timezone) -> None:
        cron = cronspec.parse("0 2 L * 5#3", zone)
        restored = pickle.loads(pickle.dumps(cron))
        assert restored == cron
        assert hash(restored) == hash(cron)
        assert str(restored) == "0 2 L * 5#3"

    def test_default_zone_is_utc(self) -> None:
        assert cronspec.parse("0 2 * * *").tz is UTC

    def test_zone_name_becomes_zoneinfo(self) -> None:
        assert cronspec.parse("0 2 * * *", "Europe/Oslo").tz == ZoneInfo("Europe/Oslo")

    @pytest.mark.parametrize(
        "expression",
        [
            "* * * * *",
            "0 2 * * *",
            "*/15 * * * *",
            "*/60 * * * *",
            "*/7 * * * *",
            "5,10-20/5,59 */3 * * *",
            "0 0 */2 * 1",
            "0 0 1-31 * 1",
            "0 0 1-31/2 * 1",
            "0 0 13 * FRI",
            "0 0 * * 0-6",
            "0 0 * * 1-7/2",
            "0 0 * * */7",
            "0 0 1 JAN-3 *",
            "0 0 L * *",
            "0 0 L-3,15 * *",
            "0 0 LW,1W,15W * *",
            "0 0 $ * *",
            "0 0 * * 5L,1#2",
            "0 0 * * MONL,fril",
            "0 0 * * FRI#L,5#2",
            "0 0 1 * 5#3",
            "0 0 ? * ?",
            "@hourly",
            "@weekly",
        ],
    )
    def test_parsing_the_normalized_text_gives_the_same_cron(self, expression: str) -> None:
        cron = cronspec.parse(expression, "Europe/Oslo")
        assert cronspec.parse(str(cron), "Europe/Oslo") == cron
