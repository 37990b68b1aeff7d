"""cronspec and its peers behind one small interface, each used the obvious way.

Every library is wrapped as a ``Library`` of plain callables so that the benchmark loops
are identical for all of them. The wrappers do what a user of that library would write;
where a library lacks an operation, the emulation is spelt out in ``how``.

Semantic differences that do not change what is timed, but do change some answers:
APScheduler 3 numbers weekdays from Monday = 0 and ANDs day-of-month with day-of-week;
cron-converter ANDs them too; croniter-rs returns naive datetimes (wall time in the start's
zone); cronsim and cron-converter reject macros (``@daily``); APScheduler and
cron-converter reject ``L``/``W``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.metadata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from types import ModuleType
from typing import Any

ONE_MINUTE = timedelta(minutes=1)

#: Column order of the tables.
PEER_ORDER = ("croniter", "croniter-rs", "cronsim", "apscheduler", "cron-converter")


@dataclass(frozen=True)
class Library:
    """One cron library, as its users call it.

    ``parse(expr)`` builds the library's object from text (what "parse" times; libraries
    that need a start time get a fixed one).
    ``compile(expr, tz)`` returns the handle the other operations start from: the library's
    reusable object, or the text itself for a library without one.
    The binders turn a handle into the callable that is timed, so that the loop calls the
    library as directly as a user would:
    ``stepper(handle)(start)`` returns the first fire time strictly after ``start``;
    ``walker(handle)(start, n)`` walks ``n`` fire times from ``start`` and returns the last;
    ``matcher(handle)(at)`` tells whether ``at``'s minute is a fire time (``at`` is in the
    handle's zone).
    """

    name: str
    version: str
    parse: Callable[[str], object]
    compile: Callable[[str, tzinfo], Any]
    stepper: Callable[[Any], Callable[[datetime], datetime]]
    walker: Callable[[Any], Callable[[datetime, int], datetime]]
    matcher: Callable[[Any], Callable[[datetime], bool]]
    how: dict[str, str] = field(default_factory=dict)


#: The start time given to libraries whose constructor wants one.
PARSE_START = datetime(2026, 1, 1, tzinfo=UTC)


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "source tree"


def _floor_minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _walk(step: Callable[[datetime], datetime]) -> Callable[[datetime, int], datetime]:
    def walk(start: datetime, n: int) -> datetime:
        t = start
        for _ in range(n):
            t = step(t)
        return t

    return walk


def _croniter_family(name: str, dist: str, cls: Any, *, force_kw: bool) -> Library:
    def compile_(expr: str, tz: tzinfo) -> tuple[str, Any]:
        return expr, cls(expr, PARSE_START.astimezone(tz))

    def stepper(handle: tuple[str, Any]) -> Callable[[datetime], datetime]:
        it = handle[1]
        set_current, get_next = it.set_current, it.get_next
        if force_kw:

            def step(start: datetime) -> datetime:
                set_current(start, force=True)
                return get_next(datetime)  # type: ignore[no-any-return]
        else:

            def step(start: datetime) -> datetime:
                set_current(start)
                return get_next(datetime)  # type: ignore[no-any-return]

        return step

    def walker(handle: tuple[str, Any]) -> Callable[[datetime, int], datetime]:
        it = handle[1]
        set_current, get_next = it.set_current, it.get_next

        def walk(start: datetime, n: int) -> datetime:
            set_current(start)
            t = start
            for _ in range(n):
                t = get_next(datetime)
            return t

        return walk

    def matcher(handle: tuple[str, Any]) -> Callable[[datetime], bool]:
        return functools.partial(cls.match, handle[0])

    return Library(
        name=name,
        version=_version(dist),
        parse=functools.partial(cls, start_time=PARSE_START),
        compile=compile_,
        stepper=stepper,
        walker=walker,
        matcher=matcher,
        how={
            "parse": "croniter(expr, start)",
            "next_after": "it.set_current(start); it.get_next(datetime) on a kept object",
            "matches": "croniter.match(expr, at) (class method: parses on every call)",
        },
    )


def _croniter() -> Library:
    from croniter import croniter

    return _croniter_family("croniter", "croniter", croniter, force_kw=True)


def _croniter_rs() -> Library:
    from croniter_rs import croniter

    return _croniter_family("croniter-rs", "croniter-rs", croniter, force_kw=False)


def _cronsim() -> Library:
    from cronsim import CronSim

    def compile_(expr: str, tz: tzinfo) -> tuple[str, Any]:
        # Kept like the other libraries' objects (it validates the expression), but a
        # CronSim is a one-way iterator bound to its start: queries need a new one.
        return expr, CronSim(expr, PARSE_START.astimezone(tz))

    def stepper(handle: tuple[str, Any]) -> Callable[[datetime], datetime]:
        expr = handle[0]

        def step(start: datetime) -> datetime:
            return next(CronSim(expr, start))

        return step

    def walker(handle: tuple[str, Any]) -> Callable[[datetime, int], datetime]:
        expr = handle[0]

        def walk(start: datetime, n: int) -> datetime:
            it = CronSim(expr, start)
            t = start
            for _ in range(n):
                t = next(it)
            return t

        return walk

    def matcher(handle: tuple[str, Any]) -> Callable[[datetime], bool]:
        expr = handle[0]

        def match(at: datetime) -> bool:
            minute = _floor_minute(at)
            return next(CronSim(expr, minute - ONE_MINUTE)) == minute

        return match

    return Library(
        name="cronsim",
        version=_version("cronsim"),
        parse=functools.partial(CronSim, dt=PARSE_START),
        compile=compile_,
        stepper=stepper,
        walker=walker,
        matcher=matcher,
        how={
            "parse": "CronSim(expr, start)",
            "next_after": "next(CronSim(expr, start)): the iterator is bound to its start, "
            "so each query parses again (amortised over 100 steps)",
            "matches": "no match API: next(CronSim(expr, minute - 1 min)) == minute "
            "(what Sentry does)",
        },
    )


def _apscheduler() -> Library:
    from apscheduler.triggers.cron import CronTrigger

    def compile_(expr: str, tz: tzinfo) -> Any:
        return CronTrigger.from_crontab(expr, timezone=tz)

    def stepper(trigger: Any) -> Callable[[datetime], datetime]:
        get = trigger.get_next_fire_time

        def step(start: datetime) -> datetime:
            return get(start, start)  # type: ignore[no-any-return]

        return step

    def matcher(trigger: Any) -> Callable[[datetime], bool]:
        get = trigger.get_next_fire_time

        def match(at: datetime) -> bool:
            minute = _floor_minute(at)
            return bool(get(None, minute) == minute)

        return match

    return Library(
        name="apscheduler",
        version=_version("apscheduler"),
        parse=functools.partial(CronTrigger.from_crontab, timezone=UTC),
        compile=compile_,
        stepper=stepper,
        walker=lambda trigger: _walk(stepper(trigger)),
        matcher=matcher,
        how={
            "parse": "CronTrigger.from_crontab(expr, timezone=utc)",
            "next_after": "trigger.get_next_fire_time(start, start) (strictly after)",
            "matches": "no match API: trigger.get_next_fire_time(None, minute) == minute",
        },
    )


def _cron_converter() -> Library:
    from cron_converter import Cron

    def compile_(expr: str, tz: tzinfo) -> Any:
        return Cron(expr)

    def stepper(cron: Any) -> Callable[[datetime], datetime]:
        schedule = cron.schedule

        def step(start: datetime) -> datetime:
            return schedule(start).next()  # type: ignore[no-any-return]

        return step

    def walker(cron: Any) -> Callable[[datetime, int], datetime]:
        def walk(start: datetime, n: int) -> datetime:
            seeker = cron.schedule(start)
            t = start
            for _ in range(n):
                t = seeker.next()
            return t

        return walk

    return Library(
        name="cron-converter",
        version=_version("cron-converter"),
        parse=Cron,
        compile=compile_,
        stepper=stepper,
        walker=walker,
        matcher=lambda cron: cron.validate,
        how={
            "parse": "Cron(expr)",
            "next_after": "cron.schedule(start).next()",
            "matches": "cron.validate(at) on a kept Cron (ANDs day-of-month and weekday)",
        },
    )


def import_cronspec() -> ModuleType | None:
    """The cronspec package if its core is there yet, else None."""
    try:
        import cronspec
    except ImportError:
        return None
    if not hasattr(cronspec, "parse") or not hasattr(cronspec, "ScheduleMap"):
        return None
    return cronspec


def cache_clearers(cronspec: ModuleType) -> list[Callable[[], object]]:
    """Functions that empty cronspec's parse caches (for "cold" runs), possibly none.

    Looks in ``cronspec._parser`` (and the package) for a clear function by a conventional
    name, or for ``functools.lru_cache`` wrappers (``.cache_clear``).
    """
    modules: list[ModuleType] = [cronspec]
    with contextlib.suppress(ImportError):
        modules.append(importlib.import_module("cronspec._parser"))
    names = ("clear_cache", "clear_caches", "_clear_cache", "_clear_caches", "cache_clear")
    found: dict[int, Callable[[], object]] = {}
    for module in modules:
        for attr in dir(module):
            obj = getattr(module, attr)
            if attr in names and callable(obj):
                found[id(obj)] = obj
            clear = getattr(obj, "cache_clear", None)
            if callable(clear) and hasattr(obj, "cache_info"):
                found[id(clear)] = clear
    return list(found.values())


def _cronspec(cronspec: ModuleType) -> Library:
    parse = cronspec.parse

    def compile_(expr: str, tz: tzinfo) -> Any:
        return parse(expr, tz=tz)

    return Library(
        name="cronspec",
        version=_version("cronspec"),
        parse=parse,
        compile=compile_,
        stepper=lambda cron: cron.next_after,
        walker=lambda cron: _walk(cron.next_after),
        matcher=lambda cron: cron.matches,
        how={
            "parse": "cronspec.parse(expr)",
            "next_after": "cron.next_after(start) on a kept Cron (100 steps: chained)",
            "matches": "cron.matches(at) on a kept Cron",
        },
    )


def load_libraries(only: Iterable[str] | None = None) -> tuple[list[Library], list[str]]:
    """cronspec (first, if importable) and the installed peers, plus notes on what is missing."""
    wanted = set(only) if only is not None else None
    libraries: list[Library] = []
    notes: list[str] = []
    cronspec = import_cronspec()
    if cronspec is None:
        notes.append("cronspec core not importable yet: its columns are empty")
    else:
        libraries.append(_cronspec(cronspec))
    loaders: dict[str, Callable[[], Library]] = {
        "croniter": _croniter,
        "croniter-rs": _croniter_rs,
        "cronsim": _cronsim,
        "apscheduler": _apscheduler,
        "cron-converter": _cron_converter,
    }
    for name in PEER_ORDER:
        if wanted is not None and name not in wanted:
            continue
        try:
            libraries.append(loaders[name]())
        except ImportError as exc:
            notes.append(f"{name} not installed ({exc}); it is in the 'bench' dependency group")
    return libraries, notes
