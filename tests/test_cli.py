"""The cronspec command line, run as a user runs it: a subprocess, exact output, exit code.

What depends on "now" runs in process with ``main(argv, clock=...)``, so its output is exact.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import cronspec as cronspec_package
from cronspec import parse as cronspec_parse
from cronspec._cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = "examples/organization_integrations.csv"
HEADER = "id,organization_id,integration_type,cron_schedule,is_enabled,timezone\n"
NAIVE_RULE = "A time without a UTC offset (2026-12-01T02:00) is read in --tz."


def cronspec(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(
        [sys.executable, "-m", "cronspec", *args],
        capture_output=True,
        input=data,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100"},  # argparse wraps --help to the terminal's width
        timeout=60,
        check=False,
    )
    out, err = result.stdout.decode(), result.stderr.decode()
    return subprocess.CompletedProcess(result.args, result.returncode, out, err)


def cronspec_at(
    now: datetime, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run the command in process with the clock at ``now``: (exit code, stdout, stderr)."""
    code = main(list(args), clock=lambda: now)
    out, err = capsys.readouterr()
    return code, out, err


def minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


# -- --version --------------------------------------------------------------------------------

PROJECT_VERSION = importlib.metadata.version("cronspec")  # what pip installed from pyproject


def test_version_is_the_project_version() -> None:
    result = cronspec("--version")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "cronspec 0.2.0\n"
    assert cronspec_package.__version__ == PROJECT_VERSION == "0.2.0"


def test_version_of_a_source_tree_never_installed_is_the_project_version(tmp_path: Path) -> None:
    # A copy of the package alone, run without site-packages: no distribution metadata.
    shutil.copytree(ROOT / "cronspec", tmp_path / "cronspec")
    result = subprocess.run(
        [sys.executable, "-S", "-m", "cronspec", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"cronspec {PROJECT_VERSION}\n",
        "",
    )


# -- validate ---------------------------------------------------------------------------------


def test_validate_prints_the_normalized_form_of_each_valid_expression() -> None:
    result = cronspec("validate", "0 2 * * *", "@daily", "  */30\t1-3 * JAN sun ")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "ok: 0 2 * * *\nok: 0 0 * * *\nok: */30 1-3 * 1 0\n"


def test_validate_shows_a_caret_under_the_bad_column() -> None:
    result = cronspec("validate", "0 2 * * *", "0 2 * * 8", "99 * * * *")
    assert result.returncode == 1
    assert result.stdout == (
        "ok: 0 2 * * *\n"
        "error: day-of-week: 8 is out of range 0-7 (column 9)\n"
        "  0 2 * * 8\n"
        "          ^\n"
        "error: minute: 99 is out of range 0-59 (column 1)\n"
        "  99 * * * *\n"
        "  ^\n"
    )


def test_validate_caret_follows_tabs_in_the_expression() -> None:
    result = cronspec("validate", "0\t0 30 2 *")
    assert result.returncode == 1
    assert result.stdout == (
        "error: day-of-month: February has no day 30 (column 5)\n  0\t0 30 2 *\n   \t  ^\n"
    )


def test_validate_shows_control_characters_as_question_marks() -> None:
    result = cronspec("validate", "0 2 * *\n*")
    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == ["  0 2 * *?*", "         ^"]


def test_validate_dash_reads_one_expression_a_line_from_stdin() -> None:
    lines = "0 2 * * *\n\n  \t\n99 * * * *\r\n@daily\n0 0 30 2 *"  # blank, CRLF, no last break
    result = cronspec("validate", "-", stdin=lines)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == (
        "ok: line 1: 0 2 * * *\n"
        "error: line 4: minute: 99 is out of range 0-59 (column 1)\n"
        "  99 * * * *\n"
        "  ^\n"
        "ok: line 5: 0 0 * * *\n"
        "error: line 6: day-of-month: February has no day 30 (column 5)\n"
        "  0 0 30 2 *\n"
        "      ^\n"
    )


def test_validate_dash_mixes_with_arguments_and_all_valid_exits_0() -> None:
    result = cronspec("validate", "@hourly", "-", stdin="*/5 * * * *\n")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "ok: 0 * * * *\nok: line 1: */5 * * * *\n"


def test_validate_dash_json_gives_each_result_its_line() -> None:
    result = cronspec("validate", "--json", "-", stdin="\n0 2 * * *\n5/10 * * * *\n")
    assert (result.returncode, result.stderr) == (1, "")
    assert json.loads(result.stdout) == {
        "valid": False,
        "results": [
            {"line": 2, "expression": "0 2 * * *", "valid": True, "normalized": "0 2 * * *"},
            {
                "line": 3,
                "expression": "5/10 * * * *",
                "valid": False,
                "error": "minute: step without a range in '5/10': write 5-59/10 or */10 (column 1)",
                "field": "minute",
                "position": 0,
                "reason": "step without a range in '5/10': write 5-59/10 or */10",
            },
        ],
    }


def test_validate_dash_with_nothing_on_stdin_exits_2() -> None:
    result = cronspec("validate", "-", stdin="\n \n")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "cronspec: error: no expression on stdin: give one a line\n"


def test_validate_dash_stops_at_a_line_too_long_to_be_an_expression() -> None:
    result = cronspec("validate", "-", stdin="0 2 * * *\n" + "1" * 70_000 + "\n")
    assert (result.returncode, result.stdout) == (2, "ok: line 1: 0 2 * * *\n")
    assert result.stderr == "cronspec: error: cannot read stdin: line 2 is over 65,536 characters\n"


def test_validate_dash_reports_a_line_that_is_not_utf8_and_goes_on() -> None:
    result = cronspec("validate", "-", stdin=b"0 2 * * *\n\xff 2 * * *\n@daily\n")
    assert (result.returncode, result.stderr) == (1, "")
    with pytest.raises(cronspec_package.CronSyntaxError) as error:
        cronspec_parse("\ufffd 2 * * *")  # the parser's own message for the bad character
    assert result.stdout == (
        f"ok: line 1: 0 2 * * *\nerror: line 2: {error.value}\n  \ufffd 2 * * *\n  ^\nok: line 3: 0 0 * * *\n"
    )


def test_validate_json_reports_every_expression() -> None:
    result = cronspec("validate", "--json", "0 2 * * *", "5/10 * * * *")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "valid": False,
        "results": [
            {"expression": "0 2 * * *", "valid": True, "normalized": "0 2 * * *"},
            {
                "expression": "5/10 * * * *",
                "valid": False,
                "error": "minute: step without a range in '5/10': write 5-59/10 or */10 (column 1)",
                "field": "minute",
                "position": 0,
                "reason": "step without a range in '5/10': write 5-59/10 or */10",
            },
        ],
    }


# -- next -------------------------------------------------------------------------------------


def test_next_shows_the_weekday_and_the_distance_from_now_as_systemd_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime(2026, 12, 1, 22, 6, tzinfo=UTC)  # 23:06 in Oslo
    code, out, err = cronspec_at(now, capsys, "next", "0 2 * * *", "--tz", "Europe/Oslo", "-n", "3")
    assert (code, err) == (0, "")
    assert out == (
        "2026-12-02T02:00:00+01:00  Wed  in 2h 54min\n"
        "2026-12-03T02:00:00+01:00  Thu  in 1d 2h\n"
        "2026-12-04T02:00:00+01:00  Fri  in 2d 2h\n"
    )


@pytest.mark.parametrize(
    ("now", "expression", "line"),
    [
        ("2026-12-01T22:05:15Z", "* * * * *", "2026-12-01T22:06:00+00:00  Tue  in 45s"),
        ("2026-12-01T22:03:20Z", "*/5 * * * *", "2026-12-01T22:05:00+00:00  Tue  in 1min 40s"),
        ("2026-12-01T21:00:00Z", "0 * * * *", "2026-12-01T22:00:00+00:00  Tue  in 1h"),
        ("2026-12-01T21:59:59.9Z", "0 * * * *", "2026-12-01T22:00:00+00:00  Tue  now"),
        ("2026-01-01T00:00:30Z", "0 0 1 1 *", "2027-01-01T00:00:00+00:00  Fri  in 364d 23h"),
    ],
)
def test_next_distance_shows_the_two_largest_units_truncated(
    now: str, expression: str, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cronspec_at(datetime.fromisoformat(now), capsys, "next", expression, "-n", "1")
    assert (code, out) == (0, line + "\n")


def test_next_distance_is_ago_when_after_is_in_the_past(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    code, out, _ = cronspec_at(
        now, capsys, "next", "* * * * *", "--after", "2026-12-01T21:58Z", "-n", "3"
    )
    assert (code, out) == (
        0,
        "2026-12-01T21:59:00+00:00  Tue  1min ago\n"
        "2026-12-01T22:00:00+00:00  Tue  now\n"
        "2026-12-01T22:01:00+00:00  Tue  in 1min\n",
    )


def test_next_lists_fire_times_in_the_zone_across_spring_forward(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)  # 12:00 in Oslo, the --after below
    code, out, err = cronspec_at(
        now,
        capsys,
        "next",
        "0 2 * * *",
        "-n",
        "3",
        "--tz",
        "Europe/Oslo",
        "--after",
        "2026-03-28T12:00",
    )
    assert (code, err) == (0, "")
    assert out == (
        "2026-03-29T03:00:00+02:00  Sun  in 14h\n"
        "2026-03-30T02:00:00+02:00  Mon  in 1d 13h\n"
        "2026-03-31T02:00:00+02:00  Tue  in 2d 13h\n"
    )


def test_next_reads_a_naive_after_in_the_zone_and_converts_an_aware_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Oslo
    args = ("next", "* * * * *", "-n", "1", "--tz", "Europe/Oslo", "--after")
    assert cronspec_at(now, capsys, *args, "2026-06-01T10:00") == (
        0,
        "2026-06-01T10:01:00+02:00  Mon  in 1min\n",
        "",
    )
    assert cronspec_at(now, capsys, *args, "2026-06-01T10:00Z") == (
        0,
        "2026-06-01T12:01:00+02:00  Mon  in 2h 1min\n",
        "",
    )


def test_next_reads_a_naive_after_in_a_dst_gap_with_the_offset_before_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    args = ("next", "* * * * *", "-n", "1", "--tz", "Europe/Oslo", "--after", "2026-03-29T02:30")
    assert cronspec_at(now, capsys, *args) == (0, "2026-03-29T03:31:00+02:00  Sun  in 1min\n", "")


def test_next_json_keeps_the_times_and_adds_weekday_and_distance(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    code, out, err = cronspec_at(
        now,
        capsys,
        "next",
        "30 2 * * *",
        "--tz",
        "Europe/Oslo",
        "--after",
        "2026-10-24T12:00",
        "-n",
        "3",
        "--json",
    )
    assert (code, err) == (0, "")
    # The distance is elapsed time: the night the clocks fall back has 25 hours.
    assert json.loads(out) == {
        "expression": "30 2 * * *",
        "normalized": "30 2 * * *",
        "timezone": "Europe/Oslo",
        "after": "2026-10-24T12:00:00+02:00",
        "next": [
            "2026-10-25T02:30:00+02:00",
            "2026-10-26T02:30:00+01:00",
            "2026-10-27T02:30:00+01:00",
        ],
        "now": "2026-10-24T14:00:00+02:00",
        "fire_times": [
            {
                "at": "2026-10-25T02:30:00+02:00",
                "weekday": "Sun",
                "from_now": "in 12h 30min",
                "seconds_from_now": 45000,
            },
            {
                "at": "2026-10-26T02:30:00+01:00",
                "weekday": "Mon",
                "from_now": "in 1d 13h",
                "seconds_from_now": 135000,
            },
            {
                "at": "2026-10-27T02:30:00+01:00",
                "weekday": "Tue",
                "from_now": "in 2d 13h",
                "seconds_from_now": 221400,
            },
        ],
    }


def test_next_defaults_to_five_times_after_the_real_now() -> None:
    before = datetime.now(UTC)
    result = cronspec("next", "@hourly")
    after = datetime.now(UTC)
    assert (result.returncode, result.stderr) == (0, "")
    hours = {minute(at).replace(minute=0) + timedelta(hours=1) for at in (before, after)}
    expected = [
        [
            f"{(hour + timedelta(hours=i)).isoformat()}  {(hour + timedelta(hours=i)):%a}"
            for i in range(5)
        ]
        for hour in hours
    ]
    assert [line.rsplit("  ", 1)[0] for line in result.stdout.splitlines()] in expected


def test_next_rejects_an_invalid_expression_with_a_caret_on_stderr() -> None:
    result = cronspec("next", "5/10 * * * *")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "cronspec: error: minute: step without a range in '5/10': write 5-59/10 or */10 (column 1)\n"
        "  5/10 * * * *\n"
        "  ^\n"
    )


def test_next_json_reports_an_invalid_expression_on_stdout() -> None:
    result = cronspec("next", "--json", "0 0 * * * *")
    assert (result.returncode, result.stderr) == (1, "")
    document = json.loads(result.stdout)
    assert (document["field"], document["position"]) == (None, 10)
    assert document["error"] == (
        "expected 5 fields (minute hour day-of-month month day-of-week), got 6;"
        " seconds and years are not supported (column 11)"
    )


# -- explain ----------------------------------------------------------------------------------


def test_explain_describes_the_schedule() -> None:
    result = cronspec(
        "explain", "*/15 9-17 * * MON-FRI", "--tz", "Europe/Oslo", "--after", "2026-12-04T17:00"
    )
    assert (result.returncode, result.stderr) == (0, "")
    description = cronspec_parse("*/15 9-17 * * 1-5").describe()
    assert result.stdout == (
        f"description:  {description}\n"
        "normalized:   */15 9-17 * * 1-5\n"
        "time zone:    Europe/Oslo\n"
        "next runs:    2026-12-04T17:15:00+01:00\n"
        "              2026-12-04T17:30:00+01:00\n"
        "              2026-12-04T17:45:00+01:00\n"
        "              2026-12-07T09:00:00+01:00\n"
        "              2026-12-07T09:15:00+01:00\n"
        "min interval: 15 minutes\n"
    )


def test_explain_json() -> None:
    result = cronspec(
        "explain", "0 23 L * *", "--tz", "Europe/Oslo", "--after", "2026-01-15T12:00", "--json"
    )
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "expression": "0 23 L * *",
        "normalized": "0 23 L * *",
        "description": cronspec_parse("0 23 L * *").describe(),
        "timezone": "Europe/Oslo",
        "next": [
            "2026-01-31T23:00:00+01:00",
            "2026-02-28T23:00:00+01:00",
            "2026-03-31T23:00:00+02:00",
            "2026-04-30T23:00:00+02:00",
            "2026-05-31T23:00:00+02:00",
        ],
        "min_interval": "28 days",
        "min_interval_seconds": 28 * 86400,
    }


def test_explain_rounds_the_interval_into_words() -> None:
    result = cronspec("explain", "0 9,17 * * *", "--after", "2026-01-01T00:00Z")
    assert result.stdout.splitlines()[-1] == "min interval: 8 hours"


# -- bad arguments ----------------------------------------------------------------------------


BAD_ARGUMENTS = [
    (
        ["next", "* * * * *", "--after", "2026-13-01T00:00"],
        "cronspec next: error: argument --after: '2026-13-01T00:00' is not an ISO 8601"
        " date-time (e.g. 2026-12-01T02:00:00Z)",
    ),
    (
        ["due", "--rows", EXAMPLE, "--at", "tomorrow"],
        "cronspec due: error: argument --at: 'tomorrow' is not an ISO 8601 date-time"
        " (e.g. 2026-12-01T02:00:00Z)",
    ),
    (
        ["explain", "* * * * *", "--tz", "Mars/Olympus"],
        "cronspec explain: error: argument --tz: unknown time zone 'Mars/Olympus':"
        " use an IANA name like 'Europe/Oslo'",
    ),
    (
        ["next", "* * * * *", "-n", "0"],
        "cronspec next: error: argument -n: '0' is not a count from 1 to 100000",
    ),
    ([], "cronspec: error: the following arguments are required: COMMAND"),
    (
        ["due", "--at", "2026-12-01T02:00Z"],
        "cronspec due: error: one of the arguments --rows --dsn is required",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_usage_and_one_line(args: list[str], message: str) -> None:
    result = cronspec(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("usage: cronspec")
    assert result.stderr.splitlines()[-1] == message


@pytest.mark.parametrize(("args", "message"), BAD_ARGUMENTS)
def test_bad_arguments_with_json_anywhere_print_the_error_as_json(
    args: list[str], message: str
) -> None:
    for place in (0, len(args)):  # before the command or at the end
        result = cronspec(*args[:place], "--json", *args[place:])
        assert (result.returncode, result.stderr) == (2, "")
        assert json.loads(result.stdout) == {"error": message.split(": error: ", 1)[1]}


def test_an_abbreviated_json_counts_for_argument_errors() -> None:
    result = cronspec("next", "* * * * *", "-n", "0", "--js")
    assert (result.returncode, result.stderr) == (2, "")
    assert json.loads(result.stdout) == {
        "error": "argument -n: '0' is not a count from 1 to 100000"
    }


def test_json_after_a_double_dash_is_an_expression_not_the_option() -> None:
    result = cronspec("validate", "--", "--json")
    with pytest.raises(cronspec_package.CronSyntaxError) as error:
        cronspec_parse("--json")  # the parser's own message
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == f"error: {error.value}\n  --json\n  {' ' * error.value.position}^\n"


def test_a_long_bad_argument_is_quoted_short() -> None:
    result = cronspec("next", "* * * * *", "--after", "2026" + "x" * 1000)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "cronspec next: error: argument --after: '2026" + "x" * 33 + "...' is not an ISO 8601"
        " date-time (e.g. 2026-12-01T02:00:00Z)"
    )


def test_an_argument_error_is_cut_to_one_short_line() -> None:
    result = cronspec("next", "* * * * *", "y" * 5000)
    assert result.returncode == 2
    message = "unrecognized arguments: " + "y" * 5000
    assert result.stderr.splitlines()[-1] == f"cronspec: error: {message[:197]}..."


@pytest.mark.parametrize("command", ["next", "explain", "due"])
def test_help_of_each_command_with_times_states_the_naive_time_rule(command: str) -> None:
    result = cronspec(command, "--help")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == NAIVE_RULE


def test_help_of_next_and_due_describes_their_tz() -> None:
    assert (
        "  --tz ZONE    IANA zone of the schedule and of times without an offset (default UTC)\n"
        in (cronspec("next", "--help").stdout)
    )
    assert (
        "  --tz ZONE        IANA zone of --at/--until without an offset (default UTC); each row keeps its\n"
        "                   own timezone\n"
    ) in cronspec("due", "--help").stdout


# -- no traceback at the edges of time ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["next", "* * * * *", "--after", "9999-12-31T23:59:00+00:00"],
            1,
            "'* * * * *' has no fire time between the given time and year 9999",
        ),
        (
            ["explain", "0 0 29 2 1", "--after", "9999-01-01T00:00:00+00:00"],
            1,
            "'0 0 29 2 1' has no fire time between the given time and year 9999",
        ),
        (
            ["next", "* * * * *", "--after", "9999-12-31T23:59:00-01:00"],
            2,
            "--after 9999-12-31T23:59:00-01:00 is outside years 1-9999 in UTC",
        ),
        (
            ["next", "* * * * *", "--after", "0001-01-01T00:00:00+01:00", "--tz", "Europe/Oslo"],
            2,
            "--after 0001-01-01T00:00:00+01:00 is outside years 1-9999 in UTC or Europe/Oslo",
        ),
        (
            ["explain", "* * * * *", "--after", "0001-01-01T00:00", "--tz", "Europe/Oslo"],
            2,
            "--after 0001-01-01T00:00:00 is outside years 1-9999 in UTC or Europe/Oslo",
        ),
        (
            ["due", "--rows", EXAMPLE, "--at", "9999-12-31T23:59:00-01:00"],
            2,
            "--at 9999-12-31T23:59:00-01:00 is outside years 1-9999 in UTC",
        ),
        (
            [
                "due",
                "--rows",
                EXAMPLE,
                "--at",
                "2026-12-01T00:00Z",
                "--until",
                "9999-12-31T23:59-01:00",
            ],
            2,
            "--until 9999-12-31T23:59:00-01:00 is outside years 1-9999 in UTC",
        ),
    ],
)
def test_times_at_the_edge_of_the_range_are_one_line_errors(
    args: list[str], code: int, message: str
) -> None:
    result = cronspec(*args)
    assert (result.returncode, result.stdout, result.stderr) == (
        code,
        "",
        f"cronspec: error: {message}\n",
    )
    result = cronspec(*args, "--json")
    assert (result.returncode, result.stderr) == (code, "")
    assert json.loads(result.stdout) == {"error": message}


def test_main_returns_the_exit_code_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "0 2 * * *"]) == 0
    assert main(["validate", "0 2 * *"]) == 1
    assert main(["next"]) == 2
    assert capsys.readouterr().out.startswith("ok: 0 2 * * *\nerror: ")


# -- due --------------------------------------------------------------------------------------

DUE_EXAMPLE = """\
14 integrations due at 2026-12-01T02:00:00Z (32 loaded)

scheduled_at          org                                   integration                           type      idempotency key
2026-12-01T02:00:00Z  6018366c-f658-47a7-9ed3-4fe53a096533  0edca4ec-a92d-44a3-9b94-1f4360908405  dynamics  0edca4ec-a92d-44a3-9b94-1f4360908405@2026-12-01T02:00Z
2026-12-01T02:00:00Z  6018366c-f658-47a7-9ed3-4fe53a096533  d45c39a3-9ec3-43c1-a2e9-17d310269470  xledger   d45c39a3-9ec3-43c1-a2e9-17d310269470@2026-12-01T02:00Z
2026-12-01T02:00:00Z  6694f229-359b-4548-81a0-d5b3ffc6e35c  8eac871f-4920-41f2-b1f4-7e49e18692e2  xledger   8eac871f-4920-41f2-b1f4-7e49e18692e2@2026-12-01T02:00Z
2026-12-01T02:00:00Z  67164890-d49d-4ac1-a5b8-063831360a40  38443e4f-57de-414c-8bb3-6ec8030cf05d  bufdir    38443e4f-57de-414c-8bb3-6ec8030cf05d@2026-12-01T02:00Z
2026-12-01T02:00:00Z  852a5fba-444a-4f42-b37f-5722051e2670  eebb3167-2a8a-4166-9dc3-5c7f65718ddc  xledger   eebb3167-2a8a-4166-9dc3-5c7f65718ddc@2026-12-01T02:00Z
2026-12-01T02:00:00Z  92b850ad-7eb7-4f82-a3f6-5da874007cb4  5b11b76f-2670-4098-8f0c-f267329911da  xledger   5b11b76f-2670-4098-8f0c-f267329911da@2026-12-01T02:00Z
2026-12-01T02:00:00Z  92b850ad-7eb7-4f82-a3f6-5da874007cb4  a834d580-8281-46bf-88cb-74a9875a34f2  dynamics  a834d580-8281-46bf-88cb-74a9875a34f2@2026-12-01T02:00Z
2026-12-01T02:00:00Z  a9b7e3ea-1d1d-484f-b9db-434b610b1631  b7831712-49eb-4577-91e9-e99196a881fe  dynamics  b7831712-49eb-4577-91e9-e99196a881fe@2026-12-01T02:00Z
2026-12-01T02:00:00Z  c24f6aa8-3bf3-4a14-bc2f-7ad016edc5d4  b494d2a8-d595-4f23-8c60-ded1607e39d1  dynamics  b494d2a8-d595-4f23-8c60-ded1607e39d1@2026-12-01T02:00Z
2026-12-01T02:00:00Z  cfaf0010-3f58-4ad4-a308-24d215ceb3a1  b3aa75ab-7d19-44ff-8997-4b85f2306d4a  xledger   b3aa75ab-7d19-44ff-8997-4b85f2306d4a@2026-12-01T02:00Z
2026-12-01T02:00:00Z  cfaf0010-3f58-4ad4-a308-24d215ceb3a1  dc3d716b-f22f-45fd-a5f0-f21231a06a7c  dynamics  dc3d716b-f22f-45fd-a5f0-f21231a06a7c@2026-12-01T02:00Z
2026-12-01T02:00:00Z  d0718c1a-fdd9-478d-98df-f3934223aa56  86fc1635-855c-4ee6-83a7-db151b451e20  xledger   86fc1635-855c-4ee6-83a7-db151b451e20@2026-12-01T02:00Z
2026-12-01T02:00:00Z  d0718c1a-fdd9-478d-98df-f3934223aa56  efbbf85f-cec5-4a51-a756-064e5c33b37c  dynamics  efbbf85f-cec5-4a51-a756-064e5c33b37c@2026-12-01T02:00Z
2026-12-01T02:00:00Z  e941aa79-e6ed-4f80-b96d-3bc4685ca8af  e7b6c558-6f83-45be-91b2-3a192b8f6916  dynamics  e7b6c558-6f83-45be-91b2-3a192b8f6916@2026-12-01T02:00Z

rejected 6 rows:
org                                   integration                           value           reason
cfaf0010-3f58-4ad4-a308-24d215ceb3a1  95990881-ba9b-485a-b4cd-a9c49436d6f6  '99 * * * *'    minute: 99 is out of range 0-59 (column 1)
6694f229-359b-4548-81a0-d5b3ffc6e35c  99ef936a-c3a8-4b56-a886-5529228dc519  '0 0 30 2 *'    day-of-month: February has no day 30 (column 5)
7cc661e9-7589-4a4a-87c1-5471a4517d6c  9fbd8735-80ed-4503-bea0-3260d7ef27bb  'sap'           unknown integration type 'sap' (known: bufdir, dynamics, xledger)
67164890-d49d-4ac1-a5b8-063831360a40  8b80eb31-b388-4de0-a9be-9f8881e6187f  'Mars/Olympus'  unknown time zone 'Mars/Olympus': use an IANA name like 'Europe/Oslo'
852a5fba-444a-4f42-b37f-5722051e2670  2922071d-c437-4057-b91b-60e533a9b4bb  '5/10 * * * *'  minute: step without a range in '5/10': write 5-59/10 or */10 (column 1)
e941aa79-e6ed-4f80-b96d-3bc4685ca8af  9062206b-68fc-40bf-a398-05543b51f400  '0 2 * * * *'   expected 5 fields (minute hour day-of-month month day-of-week), got 6; seconds and years are not supported (column 11)
"""


def test_due_lists_the_example_integrations_and_the_rejected_rows() -> None:
    result = cronspec("due", "--rows", EXAMPLE, "--at", "2026-12-01T02:00:00Z")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == DUE_EXAMPLE


def test_due_without_at_checks_the_current_minute(capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime(2026, 12, 1, 2, 0, 42, tzinfo=UTC)
    assert cronspec_at(now, capsys, "due", "--rows", EXAMPLE) == (0, DUE_EXAMPLE, "")


def test_due_without_at_uses_the_real_clock(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + "a1,org1,xledger,* * * * *,true,\n")
    before = datetime.now(UTC)
    result = cronspec("due", "--rows", str(rows))
    after = datetime.now(UTC)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] in {
        f"1 integration due at {minute(at):%Y-%m-%dT%H:%M:%S}Z (1 loaded)" for at in (before, after)
    }


def test_due_until_without_at_starts_now(capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime(2026, 12, 1, 1, 59, 30, tzinfo=UTC)
    code, out, err = cronspec_at(
        now, capsys, "due", "--rows", EXAMPLE, "--until", "2026-12-01T02:00Z"
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "14 runs due in (2026-12-01T01:59:30Z, 2026-12-01T02:00:00Z] (32 loaded)"
    )
    code, out, err = cronspec_at(
        now, capsys, "due", "--rows", EXAMPLE, "--until", "2026-12-01T01:00Z"
    )
    assert (code, out, err) == (2, "", "cronspec: error: --until must be later than now\n")


def test_due_reads_a_naive_at_and_until_in_tz() -> None:
    oslo = cronspec("due", "--rows", EXAMPLE, "--at", "2026-12-01T03:00:00", "--tz", "Europe/Oslo")
    assert (oslo.returncode, oslo.stdout) == (0, DUE_EXAMPLE)
    window = cronspec(
        "due",
        "--rows",
        EXAMPLE,
        "--at",
        "2026-12-01T02:59",
        "--until",
        "2026-12-01T03:00",
        "--tz",
        "Europe/Oslo",
    )
    assert window.stdout.splitlines()[0] == (
        "14 runs due in (2026-12-01T01:59:00Z, 2026-12-01T02:00:00Z] (32 loaded)"
    )
    aware = cronspec(
        "due", "--rows", EXAMPLE, "--at", "2026-12-01T02:00:00Z", "--tz", "Pacific/Auckland"
    )
    assert aware.stdout == DUE_EXAMPLE  # a time with an offset is that instant, whatever --tz


def test_due_json_has_the_same_content() -> None:
    result = cronspec("due", "--rows", EXAMPLE, "--at", "2026-12-01T02:00:30Z", "--json")
    assert (result.returncode, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert (document["at"], document["until"], document["loaded"]) == (
        "2026-12-01T02:00:00Z",
        None,
        32,
    )
    assert len(document["due"]) == 14
    assert document["due"][0] == {
        "scheduled_at": "2026-12-01T02:00:00Z",
        "org_id": "6018366c-f658-47a7-9ed3-4fe53a096533",
        "integration_id": "0edca4ec-a92d-44a3-9b94-1f4360908405",
        "integration_type": "dynamics",
        "idempotency_key": "0edca4ec-a92d-44a3-9b94-1f4360908405@2026-12-01T02:00Z",
    }
    assert [row["value"] for row in document["rejected"]] == [
        "99 * * * *",
        "0 0 30 2 *",
        "sap",
        "Mars/Olympus",
        "5/10 * * * *",
        "0 2 * * * *",
    ]


def test_due_until_lists_every_run_in_the_window_in_time_order(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        HEADER
        + "a1,org1,xledger,*/15 * * * *,true,\n"
        + "b2,org2,bufdir,0 23 L * *,true,Europe/Oslo\n"
    )
    result = cronspec(
        "due", "--rows", str(rows), "--at", "2026-11-30T21:50", "--until", "2026-11-30T22:15"
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "3 runs due in (2026-11-30T21:50:00Z, 2026-11-30T22:15:00Z] (2 loaded)\n"
        "\n"
        "scheduled_at          org   integration  type     idempotency key\n"
        "2026-11-30T22:00:00Z  org1  a1           xledger  a1@2026-11-30T22:00Z\n"
        "2026-11-30T22:00:00Z  org2  b2           bufdir   b2@2026-11-30T22:00Z\n"
        "2026-11-30T22:15:00Z  org1  a1           xledger  a1@2026-11-30T22:15Z\n"
        "\n"
        "rejected 0 rows:\n"
    )


def test_due_reads_booleans_and_nulls_from_csv_cells(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        HEADER
        + "a,o,xledger,* * * * *,YES,\n"
        + "b,o,xledger,* * * * *,1,\n"
        + "c,o,xledger,* * * * *,t,\n"
        + "d,o,xledger,* * * * *,no,\n"
        + "e,o,xledger,* * * * *,0,\n"
        + "f,o,xledger,,true,\n"
        + "g,o,xledger,* * * * *,maybe,\n"
    )
    result = cronspec("due", "--rows", str(rows), "--at", "2026-12-01T02:00Z")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "3 integrations due at 2026-12-01T02:00:00Z (3 loaded)"
    assert result.stdout.splitlines()[-2:] == [
        "org  integration  value    reason",
        "o    g            'maybe'  is_enabled must be true or false, not 'maybe'",
    ]


def test_due_reports_no_runs() -> None:
    result = cronspec("due", "--rows", EXAMPLE, "--at", "2026-12-01T02:07Z")
    assert result.stdout.splitlines()[:2] == [
        "0 integrations due at 2026-12-01T02:07:00Z (32 loaded)",
        "",
    ]


def test_due_missing_file_exits_2_with_one_line() -> None:
    result = cronspec("due", "--rows", "no/such.csv", "--at", "2026-12-01T02:00Z")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "cronspec: error: cannot read no/such.csv: No such file or directory\n"


def test_due_missing_file_with_json_reports_on_stdout() -> None:
    result = cronspec("due", "--rows", "no/such.csv", "--at", "2026-12-01T02:00Z", "--json")
    assert (result.returncode, result.stderr) == (2, "")
    assert json.loads(result.stdout) == {
        "error": "cannot read no/such.csv: No such file or directory"
    }


def test_due_file_without_the_columns_exits_2(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("id,cron\n1,* * * * *\n")
    result = cronspec("due", "--rows", str(rows), "--at", "2026-12-01T02:00Z")
    assert result.returncode == 2
    assert result.stderr == (
        f"cronspec: error: {rows}: missing column(s) organization_id, integration_type,"
        " cron_schedule\n"
    )


def test_due_binary_file_exits_2(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"\xff\xfe\x00garbage")
    result = cronspec("due", "--rows", str(rows), "--at", "2026-12-01T02:00Z")
    assert result.returncode == 2
    assert result.stderr.startswith(f"cronspec: error: cannot read {rows}: ")
    assert len(result.stderr.splitlines()) == 1


def test_due_unreachable_database_exits_2_with_one_line() -> None:
    result = cronspec(
        "due", "--dsn", "postgresql://nobody@127.0.0.1:1/x", "--at", "2026-12-01T02:00Z"
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("cronspec: error: cannot connect to the database: ")
    assert "Connection refused" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_due_rejects_a_window_that_ends_before_it_starts() -> None:
    result = cronspec(
        "due", "--rows", EXAMPLE, "--at", "2026-12-01T02:00Z", "--until", "2026-12-01T01:00Z"
    )
    assert (result.returncode, result.stderr) == (
        2,
        "cronspec: error: --until must be later than --at\n",
    )


def test_due_table_needs_a_database() -> None:
    result = cronspec("due", "--rows", EXAMPLE, "--at", "2026-12-01T02:00Z", "--table", "x")
    assert (result.returncode, result.stderr) == (2, "cronspec: error: --table goes with --dsn\n")
