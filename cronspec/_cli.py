"""The ``cronspec`` command: validate, next, explain and due.

Exit codes: 0 success, 1 an invalid cron expression, 2 a usage error (bad argument, bad
date, unknown zone, unreadable file, unreachable database). User errors are one line on
stderr (or ``{"error": ...}`` on stdout with ``--json``), never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from . import __version__
from ._cron import Cron, parse, resolve_zone
from ._errors import CronError, CronSyntaxError
from ._schedule import DueIntegration, ScheduleMap

_COLUMNS = ("id", "organization_id", "integration_type", "cron_schedule")
_TRUE = frozenset({"true", "t", "1", "yes"})
_FALSE = frozenset({"false", "f", "0", "no"})
_SHOWN = 100  # characters of a long expression shown around the caret


class _Failure(Exception):
    """A user error: the one-line message and the exit code."""

    def __init__(self, message: str, code: int = 2, syntax: CronSyntaxError | None = None):
        super().__init__(message)
        self.code = code
        self.syntax = syntax


# -- argument types (argparse turns their errors into exit code 2) --------------------------


def _zone(name: str) -> tzinfo:
    try:
        return resolve_zone(name)
    except CronError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-12-01T02:00:00Z)"
        ) from None


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count from 1 to 100000")
    return int(text)


# -- rendering -------------------------------------------------------------------------------


def _zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", tz))


def _utc(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _duration(delta: timedelta) -> str:
    days, rest = divmod(int(delta.total_seconds()) // 60, 1440)
    units = ((days, "day"), (rest // 60, "hour"), (rest % 60, "minute"))
    return " ".join(f"{n} {unit}{'s' * (n != 1)}" for n, unit in units if n) or "0 minutes"


def caret_lines(expression: str, position: int) -> list[str]:
    """The expression (a window of it, if long) and a caret under ``position``."""
    start = max(0, position - _SHOWN // 2)
    shown = expression[start : start + _SHOWN]
    lead = "..." if start else ""
    tail = "..." if start + _SHOWN < len(expression) else ""
    line, pad = lead, " " * len(lead)
    for index, char in enumerate(shown):
        if char != "\t" and not char.isprintable():
            char = "?"
        line += char
        if index < position - start:  # a tab under a tab keeps the caret aligned
            wide = unicodedata.east_asian_width(char) in "WF"
            pad += "\t" if char == "\t" else "  " if wide else " "
    return [f"  {line}{tail}", f"  {pad}^"]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(map(len, column)) for column in zip(header, *rows, strict=True)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]


def _emit(args: argparse.Namespace, document: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(document, indent=2, default=str))
    else:
        print("\n".join(lines))


# -- commands ---------------------------------------------------------------------------------


def _parse(expression: str, tz: tzinfo = UTC) -> Cron:
    try:
        return parse(expression, tz)
    except CronSyntaxError as error:
        raise _Failure(str(error), 1, error) from None


def _syntax_json(error: CronSyntaxError) -> dict[str, Any]:
    return {
        "expression": error.expression,
        "valid": False,
        "error": str(error),
        "field": error.field,
        "position": error.position,
        "reason": error.reason,
    }


def _validate(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    lines: list[str] = []
    for expression in args.expressions:
        try:
            cron = parse(expression)
        except CronSyntaxError as error:
            results.append(_syntax_json(error))
            lines += [f"error: {error}", *caret_lines(expression, error.position)]
        else:
            normalized = str(cron)
            results.append({"expression": expression, "valid": True, "normalized": normalized})
            lines.append(f"ok: {normalized}")
    valid = all(result["valid"] for result in results)
    _emit(args, {"valid": valid, "results": results}, lines)
    return 0 if valid else 1


def _runs(cron: Cron, after: datetime, count: int) -> list[datetime]:
    times: list[datetime] = []
    for _ in range(count):
        after = cron.next_after(after)
        times.append(after)
    return times


def _start(args: argparse.Namespace) -> datetime:
    """--after in the schedule's zone (a naive time is read there), or now."""
    after: datetime | None = args.after
    if after is None:
        return datetime.now(args.tz)
    return after.replace(tzinfo=args.tz) if after.tzinfo is None else after.astimezone(args.tz)


def _next(args: argparse.Namespace) -> int:
    cron = _parse(args.expression, args.tz)
    after = _start(args)
    times = [at.isoformat() for at in _runs(cron, after, args.n)]
    document = {
        "expression": args.expression,
        "normalized": str(cron),
        "timezone": _zone_name(args.tz),
        "after": after.isoformat(),
        "next": times,
    }
    _emit(args, document, times)
    return 0


def _explain(args: argparse.Namespace) -> int:
    cron = _parse(args.expression, args.tz)
    times = [at.isoformat() for at in _runs(cron, _start(args), 5)]
    interval = cron.min_interval()
    document = {
        "expression": args.expression,
        "normalized": str(cron),
        "description": cron.describe(),
        "timezone": _zone_name(args.tz),
        "next": times,
        "min_interval": _duration(interval),
        "min_interval_seconds": int(interval.total_seconds()),
    }
    label = "next runs:".ljust(14)
    lines = [
        f"description:  {document['description']}",
        f"normalized:   {document['normalized']}",
        f"time zone:    {document['timezone']}",
        *(f"{label if i == 0 else '':14}{at}" for i, at in enumerate(times)),
        f"min interval: {document['min_interval']}",
    ]
    _emit(args, document, lines)
    return 0


def _cell(column: str, value: Any) -> Any:
    """A CSV cell as the database would give it: '' is NULL, booleans are bools."""
    if column in ("cron_schedule", "timezone") and value == "":
        return None
    if column == "is_enabled" and isinstance(value, str):
        word = value.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else value
    return value


def _read_rows(path: str) -> ScheduleMap:
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise _Failure(f"{path}: missing column(s) {', '.join(missing)}")
            rows = [{k: _cell(k, v) for k, v in row.items() if k is not None} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise _Failure(f"cannot read {path}: {reason}") from None
    return ScheduleMap.from_rows(rows)


def _one_line(error: Exception) -> str:
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


def _read_database(dsn: str, table: str) -> ScheduleMap:
    try:  # psycopg is optional: only --dsn needs it
        import psycopg

        adapter = importlib.import_module("cronspec.adapters.postgres")
    except ImportError:
        raise _Failure("--dsn needs psycopg 3: pip install 'cronspec[postgres]'") from None
    try:
        conn = psycopg.connect(dsn, connect_timeout=10)
    except psycopg.Error as error:
        raise _Failure(f"cannot connect to the database: {_one_line(error)}") from None
    load: Callable[..., ScheduleMap] = adapter.load_schedule_map
    try:
        with conn:
            return load(conn, table=table)
    except (psycopg.Error, ValueError) as error:
        raise _Failure(f"cannot read table {table!r}: {_one_line(error)}") from None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _due_row(due: DueIntegration) -> dict[str, str]:
    return {
        "scheduled_at": _utc(due.scheduled_at),
        "org_id": due.org_id,
        "integration_id": due.integration_id,
        "integration_type": due.integration_type,
        "idempotency_key": due.idempotency_key,
    }


def _due(args: argparse.Namespace) -> int:
    at: datetime = args.at if args.at.tzinfo else args.at.replace(tzinfo=UTC)
    until: datetime | None = args.until
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until is not None and until <= at:
        raise _Failure("--until must be later than --at")
    if args.table is not None and args.dsn is None:
        raise _Failure("--table goes with --dsn")
    if args.rows is not None:
        schedule = _read_rows(args.rows)
    else:
        schedule = _read_database(args.dsn, args.table or "organization_integrations")
    if until is None:
        due = schedule.due_at(at)
        at = at.astimezone(UTC).replace(second=0, microsecond=0)
        when = f"at {_utc(at)}"
    else:
        due = schedule.due_between(at, until)
        when = f"in ({_utc(at)}, {_utc(until)}]"
    rows = [_due_row(item) for item in due]
    rejected = [
        {
            "org_id": r.org_id,
            "integration_id": r.integration_id,
            "value": r.value,
            "reason": r.reason,
        }
        for r in schedule.rejected
    ]
    document = {
        "at": _utc(at),
        "until": None if until is None else _utc(until),
        "loaded": len(schedule),
        "due": rows,
        "rejected": rejected,
    }
    runs = "run" if until is not None else "integration"
    lines = [f"{len(rows)} {runs}{'s' * (len(rows) != 1)} due {when} ({len(schedule)} loaded)"]
    if rows:
        header = ("scheduled_at", "org", "integration", "type", "idempotency key")
        lines += ["", *_table(header, [tuple(row.values()) for row in rows])]
    lines += ["", f"rejected {len(rejected)} row{'s' * (len(rejected) != 1)}:"]
    if rejected:
        cells = [
            (_text(r.org_id), _text(r.integration_id), repr(r.value), r.reason)
            for r in schedule.rejected
        ]
        lines += _table(("org", "integration", "value", "reason"), cells)
    _emit(args, document, lines)
    return 0


# -- the command line ------------------------------------------------------------------------


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cronspec", description="Check cron expressions and see when schedules fire."
    )
    parser.add_argument("--version", action="version", version=f"cronspec {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    zoned = argparse.ArgumentParser(add_help=False)
    zoned.add_argument("expression", metavar="EXPR", help="a cron expression, quoted")
    zoned.add_argument(
        "--tz", type=_zone, default="UTC", metavar="ZONE", help="IANA zone (default UTC)"
    )
    zoned.add_argument(
        "--after",
        type=_moment,
        metavar="ISO",
        help="ISO time to start from (default now; naive = --tz)",
    )

    def command(
        name: str, run: Callable[[argparse.Namespace], int], text: str, *parents: Any
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common, *parents], help=text, description=text)
        sub.set_defaults(run=run)
        return sub

    validate = command("validate", _validate, "check expressions, print their normalized form")
    validate.add_argument("expressions", nargs="+", metavar="EXPR")
    upcoming = command("next", _next, "print the next fire times", zoned)
    upcoming.add_argument("-n", type=_count, default=5, help="how many (default 5)")
    command("explain", _explain, "describe a schedule and its next runs", zoned)
    due = command("due", _due, "list the integrations due at a time (naive times are UTC)")
    due.add_argument(
        "--at", type=_moment, required=True, metavar="ISO", help="ISO time of the minute to check"
    )
    due.add_argument(
        "--until", type=_moment, metavar="ISO", help="list every run in (--at, --until]"
    )
    source = due.add_mutually_exclusive_group(required=True)
    source.add_argument("--rows", metavar="FILE.csv", help="rows of organization_integrations")
    source.add_argument("--dsn", help="PostgreSQL connection string (needs psycopg)")
    due.add_argument("--table", help="table for --dsn (default organization_integrations)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``cronspec`` command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = _arguments().parse_args(argv)
    except SystemExit as done:  # argparse: --help (0) or a usage error (2), already printed
        return done.code if isinstance(done.code, int) else 2
    try:
        code: int = args.run(args)
        sys.stdout.flush()
        return code
    except _Failure as failure:
        if args.json:
            detail = _syntax_json(failure.syntax) if failure.syntax else {}
            print(json.dumps({"error": str(failure), **detail}, indent=2))
        else:
            print(f"cronspec: error: {failure}", file=sys.stderr)
            if failure.syntax:
                syntax = failure.syntax
                print("\n".join(caret_lines(syntax.expression, syntax.position)), file=sys.stderr)
        return failure.code
    except CronError as error:  # a schedule that stops firing: nothing left to print
        print(f"cronspec: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `cronspec next ... | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
