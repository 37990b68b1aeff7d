"""The ``cronspec`` command: validate, next, explain and due; run and runs for the runtime.

Exit codes: 0 success, 1 an invalid cron expression or a schedule with no fire time left
before year 9999, 2 a usage error (bad argument, bad date, unknown zone, unreadable file,
unreachable database). User errors are one line on stderr (or ``{"error": ...}`` on stdout
when ``--json`` is anywhere on the command line), never a traceback. One rule for times in
every command: a time without a UTC offset is read in the command's ``--tz`` (default UTC).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import importlib
import itertools
import json
import logging
import os
import socket
import sqlite3
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, NoReturn

from . import __version__
from ._cron import Cron, parse, resolve_zone
from ._errors import CronError, CronSyntaxError
from ._runs import STATUSES, Ledger, Run, RunRecord, Status
from ._schedule import DueIntegration, ScheduleMap
from ._scheduler import Scheduler
from ._sqlite import SQLiteLedger

_COLUMNS = ("id", "organization_id", "integration_type", "cron_schedule")
_TRUE = frozenset({"true", "t", "1", "yes"})
_FALSE = frozenset({"false", "f", "0", "no"})
_SHOWN = 100  # characters of a long expression shown around the caret
_QUOTED = 40  # characters of a bad argument echoed in its error
_MESSAGE = 200  # an error is one short line, whatever argparse or an OS error put in it
_LINE_LIMIT = 65_536  # characters of one stdin line read; an expression is at most 1,000
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
_NAIVE_RULE = "A time without a UTC offset (2026-12-01T02:00) is read in --tz."


class _Failure(Exception):
    """A user error: the one-line message, the exit code, and what to show with it."""

    def __init__(
        self,
        message: str,
        code: int = 2,
        *,
        syntax: CronSyntaxError | None = None,
        usage: argparse.ArgumentParser | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.syntax = syntax
        self.usage = usage  # an argument error: print this parser's usage with it


class _Parser(argparse.ArgumentParser):
    """argparse that raises its usage errors instead of printing them, so ``--json`` can."""

    def error(self, message: str) -> NoReturn:
        raise _Failure(message, usage=self)


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _quoted(text: str) -> str:
    return repr(_elide(text, _QUOTED))


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
            f"{_quoted(text)} is not an ISO 8601 date-time (e.g. 2026-12-01T02:00:00Z)"
        ) from None


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100_000:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is not a count from 1 to 100000")
    return int(text)


def _in_zone(at: datetime, tz: tzinfo, option: str) -> datetime:
    """``at`` in ``tz``, where a time without an offset is read (the rule of every command)."""
    try:
        local = at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)
        local.astimezone(UTC)  # the engine and the output work in UTC: it must exist there too
    except OverflowError:
        zones = "UTC" if tz is UTC else f"UTC or {_zone_name(tz)}"
        raise _Failure(f"{option} {at.isoformat()} is outside years 1-9999 in {zones}") from None
    return local


# -- rendering -------------------------------------------------------------------------------


def _zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", tz))


def _utc(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _seconds_between(start: datetime, end: datetime) -> int:
    return int(end.timestamp() - start.timestamp())  # timestamps: no overflow, no wall clock


def _from_now(seconds: int) -> str:
    """``in 2h 54min`` or ``3d 4h ago``: the two largest units, truncated, as systemd does."""
    counts, rest = [], abs(seconds)
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        counts.append((count, unit))
    first = next((i for i, (count, _) in enumerate(counts) if count), None)
    if first is None:
        return "now"
    text = " ".join(f"{count}{unit}" for count, unit in counts[first : first + 2] if count)
    return f"in {text}" if seconds > 0 else f"{text} ago"


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
        raise _Failure(str(error), 1, syntax=error) from None


def _syntax_json(error: CronSyntaxError) -> dict[str, Any]:
    return {
        "expression": error.expression,
        "valid": False,
        "error": str(error),
        "field": error.field,
        "position": error.position,
        "reason": error.reason,
    }


def _stdin_lines() -> Iterator[str]:
    """stdin's lines without their line break; each read is bounded, so is a huge line."""
    if sys.stdin is None:  # started with stdin closed (`<&-`)
        raise _Failure("cannot read stdin: it is closed")
    if hasattr(sys.stdin, "reconfigure"):  # a bad byte is that line's error, in every locale
        sys.stdin.reconfigure(errors="replace")
    for number in itertools.count(1):
        try:
            line = sys.stdin.readline(_LINE_LIMIT + 1)
        except OSError as error:
            raise _Failure(f"cannot read stdin: {error}") from None
        if not line:
            return
        line = line.removesuffix("\n")
        if len(line) > _LINE_LIMIT:
            raise _Failure(f"cannot read stdin: line {number} is over {_LINE_LIMIT:,} characters")
        yield line.removesuffix("\r")


def _expressions(arguments: Sequence[str]) -> Iterator[tuple[int | None, str]]:
    """(line number or None, expression): the arguments, ``-`` standing for stdin's lines."""
    for argument in arguments:
        if argument != "-":
            yield None, argument
            continue
        found = False
        for number, line in enumerate(_stdin_lines(), 1):
            if line.strip(" \t"):  # blank lines are skipped but counted
                found = True
                yield number, line
        if not found:
            raise _Failure("no expression on stdin: give one a line")


def _validate(args: argparse.Namespace) -> int:
    valid, results = True, []
    for line, expression in _expressions(args.expressions):
        where = "" if line is None else f"line {line}: "
        try:
            cron = parse(expression)
        except CronSyntaxError as error:
            result = _syntax_json(error)
            text = [f"error: {where}{error}", *caret_lines(expression, error.position)]
        else:
            result = {"expression": expression, "valid": True, "normalized": str(cron)}
            text = [f"ok: {where}{cron}"]
        valid = valid and result["valid"]
        if args.json:
            results.append(result if line is None else {"line": line, **result})
        else:  # printed as it comes: stdin may be long, or typed
            print("\n".join(text))
    if args.json:
        print(json.dumps({"valid": valid, "results": results}, indent=2))
    return 0 if valid else 1


def _runs(cron: Cron, after: datetime, count: int) -> list[datetime]:
    times: list[datetime] = []
    for _ in range(count):
        after = cron.next_after(after)
        times.append(after)
    return times


def _start(args: argparse.Namespace) -> datetime:
    """--after in the schedule's zone, or now."""
    if args.after is not None:
        return _in_zone(args.after, args.tz, "--after")
    now: datetime = args.now
    return now.astimezone(args.tz)


def _next(args: argparse.Namespace) -> int:
    cron = _parse(args.expression, args.tz)
    after = _start(args)
    runs = []
    for at in _runs(cron, after, args.n):
        seconds = _seconds_between(args.now, at)
        runs.append(
            {
                "at": at.isoformat(),
                "weekday": _WEEKDAYS[at.weekday()],
                "from_now": _from_now(seconds),
                "seconds_from_now": seconds,
            }
        )
    document = {
        "expression": args.expression,
        "normalized": str(cron),
        "timezone": _zone_name(args.tz),
        "after": after.isoformat(),
        "next": [run["at"] for run in runs],
        "now": args.now.astimezone(args.tz).isoformat(),
        "fire_times": runs,
    }
    lines = [f"{run['at']}  {run['weekday']}  {run['from_now']}" for run in runs]
    _emit(args, document, lines)
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


def _postgres() -> tuple[Any, Any]:
    try:  # psycopg is optional: only --dsn needs it
        import psycopg

        return psycopg, importlib.import_module("cronspec.adapters.postgres")
    except ImportError:
        raise _Failure("--dsn needs psycopg 3: pip install 'cronspec[postgres]'") from None


def _read_database(dsn: str, table: str) -> ScheduleMap:
    psycopg, adapter = _postgres()
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
    at = args.now if args.at is None else _in_zone(args.at, args.tz, "--at")
    until = None if args.until is None else _in_zone(args.until, args.tz, "--until")
    if until is not None and until <= at:
        raise _Failure(f"--until must be later than {'now' if args.at is None else '--at'}")
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


# -- the runtime: run and runs -----------------------------------------------------------------


def _ledger(args: argparse.Namespace, *, create: bool = True) -> Ledger:
    if args.dsn is None:
        if not create and not os.path.exists(args.ledger):
            raise _Failure(f"no ledger at {args.ledger}")
        try:
            return SQLiteLedger(args.ledger)
        except sqlite3.Error as error:
            raise _Failure(f"cannot open the ledger {args.ledger}: {error}") from None
    psycopg, adapter = _postgres()
    ledger: Ledger = adapter.PostgresLedger(lambda: psycopg.connect(args.dsn, connect_timeout=10))
    return ledger


def _handler(spec: str) -> Callable[[Run], object]:
    module_name, _, name = spec.partition(":")
    if not module_name or not name.isidentifier():
        raise _Failure(f"--handler must be module:function, not {_quoted(spec)}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as with python -m: the current directory imports
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise _Failure(f"cannot import {module_name!r}: {_one_line(error)}") from None
    handler = getattr(module, name, None)
    if not callable(handler):
        raise _Failure(f"module {module_name!r} has no function {name!r}")
    return handler  # type: ignore[no-any-return]


def _run(args: argparse.Namespace) -> int:
    handler = _handler(args.handler)
    if args.dsn is not None:
        table = args.table or "organization_integrations"
        psycopg, _ = _postgres()
        ledger = _ledger(args)
        try:
            ledger.install()
        except psycopg.Error as error:
            raise _Failure(f"cannot install the ledger: {_one_line(error)}") from None

        def schedules() -> ScheduleMap:
            return _read_database(args.dsn, table)

    else:
        ledger = _ledger(args)

        def schedules() -> ScheduleMap:
            return _read_rows(args.rows)

    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    worker = args.worker or f"{socket.gethostname()}-{os.getpid()}"
    logging.getLogger("cronspec").info(
        "cronspec %s: worker %s, %s, %d threads; stop with SIGTERM or Ctrl-C",
        __version__,
        worker,
        ledger,
        args.concurrency,
    )
    Scheduler(schedules, ledger, worker=worker).run_forever(handler, concurrency=args.concurrency)
    return 0


def _record_json(record: RunRecord) -> dict[str, Any]:
    document = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in dataclasses.asdict(record).items()
    }
    lateness = record.lateness
    document["lateness_seconds"] = None if lateness is None else lateness.total_seconds()
    document["idempotency_key"] = record.idempotency_key
    return document


def _statuses(text: str) -> list[Status]:
    chosen = [word.strip() for word in text.split(",") if word.strip()]
    unknown = [word for word in chosen if word not in STATUSES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{_quoted(text)} is not a list of statuses ({', '.join(STATUSES)})"
        )
    return chosen  # type: ignore[return-value]


def _show(at: datetime | None) -> str:
    return "" if at is None else _utc(at)


def _lateness(delta: timedelta | None) -> str:
    return "" if delta is None else str(timedelta(seconds=round(delta.total_seconds())))


_RUNS_HEADER = (
    "scheduled_at",
    "status",
    "attempts",
    "started_at",
    "lateness",
    "integration",
    "org",
    "error",
)


def _history(args: argparse.Namespace) -> int:
    since = (
        args.now - timedelta(hours=24)
        if args.since is None
        else _in_zone(args.since, UTC, "--since")
    )
    records = _ledger(args, create=False).history(
        since, args.now + timedelta(days=1), args.status, limit=args.limit
    )
    counts = Counter(record.status for record in records)
    late = [record.lateness for record in records if record.lateness is not None]
    worst = max(late, default=None)
    summary = {
        "since": _utc(since),
        "runs": len(records),
        "truncated": len(records) == args.limit,
        "counts": dict(sorted(counts.items())),
        "worst_lateness_seconds": None if worst is None else worst.total_seconds(),
    }
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    limit = f" (the first {args.limit:,}: see --limit)" if summary["truncated"] else ""
    lateness = "" if worst is None else f"; worst lateness {_lateness(worst)}"
    lines = [f"{len(records)} runs since {_utc(since)}{limit}: {shown}{lateness}"]
    if records:
        header = _RUNS_HEADER
        cells = [
            (
                _utc(r.scheduled_at),
                r.status,
                str(r.attempts),
                _show(r.started_at),
                _lateness(r.lateness),
                r.integration_id,
                r.org_id,
                _elide(r.error or "", 60),
            )
            for r in records
        ]
        lines += ["", *_table(header, cells)]
    _emit(args, {"runs": [_record_json(r) for r in records], "summary": summary}, lines)
    return 0


# -- the command line ------------------------------------------------------------------------


def _zone_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--tz", type=_zone, default="UTC", metavar="ZONE", help=text)


def _arguments() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cronspec", description="Check cron expressions and see when schedules fire."
    )
    parser.add_argument("--version", action="version", version=f"cronspec {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    schedule = _Parser(add_help=False)
    schedule.add_argument("expression", metavar="EXPR", help="a cron expression, quoted")
    _zone_option(schedule, "IANA zone of the schedule and of times without an offset (default UTC)")
    schedule.add_argument(
        "--after", type=_moment, metavar="ISO", help="ISO time to start from (default now)"
    )

    def command(
        name: str,
        run: Callable[[argparse.Namespace], int],
        text: str,
        *parents: _Parser,
        epilog: str | None = _NAIVE_RULE,
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, parents=[common, *parents], help=text, description=text, epilog=epilog
        )
        sub.set_defaults(run=run)
        return sub

    validate = command(
        "validate", _validate, "check expressions, print their normalized form", epilog=None
    )
    validate.add_argument(
        "expressions",
        nargs="+",
        metavar="EXPR",
        help="a cron expression; - reads stdin, one a line",
    )
    text = "print the next fire times, their weekday and how far from now (ago if past)"
    upcoming = command("next", _next, text, schedule)
    upcoming.add_argument("-n", type=_count, default=5, help="how many (default 5)")
    command("explain", _explain, "describe a schedule and its next runs", schedule)
    due = command("due", _due, "list the integrations due at a time")
    due.add_argument("--at", type=_moment, metavar="ISO", help="the minute to check (default now)")
    due.add_argument(
        "--until", type=_moment, metavar="ISO", help="list every run in (--at, --until]"
    )
    _zone_option(
        due,
        "IANA zone of --at/--until without an offset (default UTC); each row keeps its own timezone",
    )
    source = due.add_mutually_exclusive_group(required=True)
    source.add_argument("--rows", metavar="FILE.csv", help="rows of organization_integrations")
    source.add_argument("--dsn", help="PostgreSQL connection string (needs psycopg)")
    due.add_argument("--table", help="table for --dsn (default organization_integrations)")

    run = command(
        "run",
        _run,
        "run the scheduler: every due integration through --handler, once per occurrence",
        epilog="Schedules are re-read every minute; the ledger keeps every run (see 'runs').",
    )
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--rows", metavar="FILE.csv", help="rows of organization_integrations")
    source.add_argument("--dsn", help="PostgreSQL: the schedules and the ledger (needs psycopg)")
    run.add_argument("--table", help="table for --dsn (default organization_integrations)")
    run.add_argument(
        "--ledger", default="runs.sqlite", metavar="FILE", help="SQLite ledger for --rows"
    )
    run.add_argument(
        "--handler", required=True, metavar="MODULE:FUNCTION", help="called with each Run"
    )
    run.add_argument("--worker", metavar="NAME", help="this replica's name (default host-pid)")
    run.add_argument("--concurrency", type=_count, default=4, metavar="N", help="threads (4)")

    runs = command("runs", _history, "show the ledger: what ran, when, how late, what failed")
    source = runs.add_mutually_exclusive_group(required=True)
    source.add_argument("--dsn", help="the PostgreSQL ledger (needs psycopg)")
    source.add_argument("--ledger", metavar="FILE", help="a SQLite ledger")
    runs.add_argument(
        "--since", type=_moment, metavar="ISO", help="scheduled at or after (default 24 h ago)"
    )
    runs.add_argument(
        "--status", type=_statuses, metavar="LIST", help="only these, e.g. missed,failed,dead"
    )
    runs.add_argument("--limit", type=_count, default=1000, metavar="N", help="at most N (1000)")
    return parser


def _wants_json(argv: Sequence[str]) -> bool:
    """--json (or an abbreviation argparse accepts) before any ``--``, for argument errors."""
    words = itertools.takewhile(lambda word: word != "--", argv)
    return any(len(word) > 2 and "--json".startswith(word) for word in words)


def _report(failure: _Failure, as_json: bool) -> int:
    message = _elide(str(failure), _MESSAGE)
    if as_json:
        detail = _syntax_json(failure.syntax) if failure.syntax else {}
        print(json.dumps({"error": message, **detail}, indent=2))
        return failure.code
    if failure.usage:
        failure.usage.print_usage(sys.stderr)
    prog = failure.usage.prog if failure.usage else "cronspec"
    print(f"{prog}: error: {message}", file=sys.stderr)
    if failure.syntax:
        syntax = failure.syntax
        print("\n".join(caret_lines(syntax.expression, syntax.position)), file=sys.stderr)
    return failure.code


def _system_clock() -> datetime:
    return datetime.now(UTC)


def main(argv: list[str] | None = None, *, clock: Callable[[], datetime] = _system_clock) -> int:
    """Run the ``cronspec`` command line; returns the exit code.

    ``clock`` returns "now" (aware), read once per run: the default start of ``next`` and
    ``explain``, the minute ``due`` checks without ``--at``, the distances ``next`` shows.
    """
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    words = sys.argv[1:] if argv is None else argv
    as_json = _wants_json(words)
    try:
        args = _arguments().parse_args(words)
        as_json, args.now = args.json, clock()
        code: int = args.run(args)
        sys.stdout.flush()
        return code
    except SystemExit as done:  # argparse: --help or --version, already printed
        return done.code if isinstance(done.code, int) else 0
    except _Failure as failure:
        return _report(failure, as_json)
    except CronError as error:  # e.g. no fire time left before year 9999
        return _report(_Failure(str(error), 1), as_json)
    except BrokenPipeError:  # `cronspec next ... | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
