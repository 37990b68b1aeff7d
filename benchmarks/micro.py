"""Micro benchmarks: parse, matches and next_after, cronspec and every peer in one run.

All in UTC. Each library runs the same inputs; per-operation times are medians of trials.
Answers are checked against cronsim (which follows Debian cron, as cronspec does) so that
a fast wrong answer shows up in the notes instead of in the ratios.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.corpus import EXPRESSIONS, FREQUENT, SPARSE, random_expressions
from benchmarks.peers import Library, cache_clearers, import_cronspec
from benchmarks.timing import Timing, measure_batches, measure_side_by_side


@dataclass(frozen=True)
class MicroConfig:
    trials: int
    min_trial_ns: int
    parse_batch: int
    starts: int
    random_exprs: int
    #: About how many (expression, start) pairs the 100-step walks use.
    walks: int
    steps: int = 100
    seed: int = 7


QUICK = MicroConfig(
    trials=3, min_trial_ns=20_000_000, parse_batch=150, starts=6, random_exprs=40, walks=12
)
FULL = MicroConfig(
    trials=7, min_trial_ns=100_000_000, parse_batch=400, starts=20, random_exprs=150, walks=60
)


@dataclass
class MicroResult:
    key: str
    label: str
    timings: dict[str, Timing] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Runs the cronspec side once, for profiling a missed target.
    cronspec_run: Callable[[], int] | None = None

    def median(self, library: str) -> float | None:
        timing = self.timings.get(library)
        return None if timing is None else timing.median


def _random_instants(rng: random.Random, count: int) -> list[datetime]:
    """Instants in 2024-2030, half on a minute boundary, half with seconds."""
    base = datetime(2024, 1, 1, tzinfo=UTC)
    span = 7 * 365 * 24 * 60
    out = []
    for i in range(count):
        t = base + timedelta(minutes=rng.randrange(span))
        if i % 2:
            t += timedelta(seconds=rng.randrange(1, 60))
        out.append(t)
    return out


def _reference_next(expr: str, start: datetime) -> datetime:
    from cronsim import CronSim

    return next(CronSim(expr, start))


def _reference_walk(expr: str, start: datetime, steps: int) -> datetime:
    from cronsim import CronSim

    it = CronSim(expr, start)
    for _ in range(steps - 1):
        next(it)
    return next(it)


def _same_instant(a: datetime, b: datetime) -> bool:
    if a.tzinfo is None:  # croniter-rs answers in naive wall time of the start's zone
        a = a.replace(tzinfo=UTC)
    return a == b


def bench_parse(libraries: list[Library], cfg: MicroConfig) -> list[MicroResult]:
    """Parse novel strings: each trial gets strings no library has seen in this run.

    Two interleaved passes, so that each cronspec number is taken alongside the peers':
    peers with cronspec cold (token cache cleared before every call), then peers on other
    strings with cronspec warm (token cache filled by a warm-up batch).
    """
    t = cfg.trials
    pool = random_expressions(
        cfg.parse_batch * (3 * t + 1), cfg.seed, exclude=set(EXPRESSIONS) | set(FREQUENT + SPARSE)
    )
    slices = [pool[i * cfg.parse_batch : (i + 1) * cfg.parse_batch] for i in range(3 * t + 1)]
    warm_up, first, second, third = (
        slices[0],
        slices[1 : t + 1],
        slices[t + 1 : 2 * t + 1],
        slices[2 * t + 1 :],
    )

    cold = MicroResult("parse_cold", "parse, cold cache (novel string)")
    warm = MicroResult("parse_warm", "parse, warm token cache (novel string)")
    errors: dict[str, str] = {}
    cronspec = import_cronspec()
    clearers = cache_clearers(cronspec) if cronspec is not None else []

    def loop(name: str, parse: Callable[[str], object], batch: list[str]) -> Callable[[], int]:
        def run() -> int:
            try:
                for expr in batch:
                    parse(expr)
            except Exception as exc:
                errors.setdefault(name, f"{type(exc).__name__}: {exc}")
            return len(batch)

        return run

    def cold_loop(parse: Callable[[str], object], batch: list[str]) -> Callable[[], int]:
        def run() -> int:
            for expr in batch:
                for clear in clearers:
                    clear()
                parse(expr)
            return len(batch)

        return run

    def clear_loop(batch: list[str]) -> Callable[[], int]:
        # The same loop without parsing: its time is subtracted from the cold run's.
        def run() -> int:
            for _ in batch:
                for clear in clearers:
                    clear()
            return len(batch)

        return run

    for lib in libraries:
        loop(lib.name, lib.parse, warm_up)()  # imports, first-call costs
    peers = [lib for lib in libraries if lib.name != "cronspec"]
    ours = next((lib for lib in libraries if lib.name == "cronspec"), None)
    for result, peer_slices in ((cold, first), (warm, second)):
        batches = {lib.name: [loop(lib.name, lib.parse, b) for b in peer_slices] for lib in peers}
        baselines = {}
        if ours is not None and result is cold:
            batches["cronspec"] = [cold_loop(ours.parse, b) for b in third]
            baselines["cronspec"] = [clear_loop(b) for b in third]
            result.cronspec_run = cold_loop(ours.parse, third[0])
        elif ours is not None:
            loop("cronspec", ours.parse, warm_up)()  # fill the token cache again
            batches["cronspec"] = [loop("cronspec", ours.parse, b) for b in first]
            result.cronspec_run = loop("cronspec", ours.parse, first[0])
        for name, timing in measure_batches(batches, baselines=baselines).items():
            if name in errors:
                result.errors[name] = errors[name]
            else:
                result.timings[name] = timing
    if clearers:
        names = ", ".join(getattr(c, "__qualname__", repr(c)) for c in clearers)
        cold.notes.append(
            f"cronspec caches cleared before every call ({names}); "
            "the cost of clearing is measured alone and subtracted"
        )
    elif ours is not None:
        cold.notes.append(
            "no cache-clear function found in cronspec._parser: 'cold' = novel strings "
            "whose field tokens may already be cached"
        )
    return [cold, warm]


def _measure_op(
    result: MicroResult,
    libraries: list[Library],
    make_run: Callable[[Library], tuple[Callable[[], int], list[Any]]],
    reference: list[Any],
    cfg: MicroConfig,
    check: Callable[[Any, Any], bool],
) -> None:
    """Time one operation for every library side by side; check answers against cronsim."""
    runs: dict[str, Callable[[], int]] = {}
    for lib in libraries:
        try:
            run, answers = make_run(lib)  # runs the operation once: errors surface here
        except Exception as exc:
            result.errors[lib.name] = f"{type(exc).__name__}: {exc}"
            continue
        runs[lib.name] = run
        wrong = sum(not check(a, r) for a, r in zip(answers, reference, strict=True))
        if wrong:
            result.notes.append(
                f"{lib.name}: {wrong} of {len(reference)} answers differ from cronsim "
                "(Debian rules)"
            )
    result.timings.update(
        measure_side_by_side(runs, trials=cfg.trials, min_trial_ns=cfg.min_trial_ns)
    )
    result.cronspec_run = runs.get("cronspec")


def bench_matches(libraries: list[Library], cfg: MicroConfig) -> MicroResult:
    rng = random.Random(cfg.seed + 1)
    exprs = FREQUENT + SPARSE + random_expressions(cfg.random_exprs, cfg.seed + 1)
    pairs: list[tuple[str, datetime]] = []
    for expr in exprs:
        instants = _random_instants(rng, 3)
        # One instant on a fire time (plus some seconds), so that some answers are True.
        fire = _reference_next(expr, instants[0]) + timedelta(seconds=rng.randrange(60))
        pairs.extend((expr, at) for at in [*instants, fire])
    reference = [
        _reference_next(e, at.replace(second=0) - timedelta(minutes=1)) == at.replace(second=0)
        for e, at in pairs
    ]
    result = MicroResult("matches", "matches")

    def make_run(lib: Library) -> tuple[Callable[[], int], list[Any]]:
        handles = {expr: lib.compile(expr, UTC) for expr in exprs}
        bound = [(lib.matcher(handles[expr]), at) for expr, at in pairs]

        def run() -> int:
            for match, at in bound:
                match(at)
            return len(bound)

        return run, [match(at) for match, at in bound]

    _measure_op(result, libraries, make_run, reference, cfg, lambda a, r: bool(a) == r)
    return result


def _bench_next_set(
    libraries: list[Library], cfg: MicroConfig, kind: str, exprs: list[str], rng: random.Random
) -> list[MicroResult]:
    starts = _random_instants(rng, cfg.starts)
    pairs = [(expr, start) for expr in exprs for start in starts]
    reference = [_reference_next(expr, start) for expr, start in pairs]
    walks = pairs[:: -(-len(pairs) // cfg.walks)]  # spread over every expression
    reference_walks = [_reference_walk(expr, start, cfg.steps) for expr, start in walks]
    one = MicroResult(f"next_{kind}_1", f"next_after x1, {kind}")
    many = MicroResult(f"next_{kind}_{cfg.steps}", f"next_after x{cfg.steps}, {kind}")

    def make_one(lib: Library) -> tuple[Callable[[], int], list[Any]]:
        handles = {expr: lib.compile(expr, UTC) for expr in exprs}
        bound = [(lib.stepper(handles[expr]), start) for expr, start in pairs]

        def run() -> int:
            for step, start in bound:
                step(start)
            return len(bound)

        return run, [step(start) for step, start in bound]

    def make_many(lib: Library) -> tuple[Callable[[], int], list[Any]]:
        handles = {expr: lib.compile(expr, UTC) for expr in exprs}
        bound = [(lib.walker(handles[expr]), start) for expr, start in walks]
        steps = cfg.steps

        def run() -> int:
            for walk, start in bound:
                walk(start, steps)
            return len(bound)

        return run, [walk(start, steps) for walk, start in bound]

    _measure_op(one, libraries, make_one, reference, cfg, _same_instant)
    _measure_op(many, libraries, make_many, reference_walks, cfg, _same_instant)
    return [one, many]


def bench_next(libraries: list[Library], cfg: MicroConfig) -> list[MicroResult]:
    rng = random.Random(cfg.seed + 2)
    return [
        *_bench_next_set(libraries, cfg, "frequent", FREQUENT, rng),
        *_bench_next_set(libraries, cfg, "sparse", SPARSE, rng),
    ]


def run_micro(libraries: list[Library], cfg: MicroConfig) -> list[MicroResult]:
    return [
        *bench_parse(libraries, cfg),
        bench_matches(libraries, cfg),
        *bench_next(libraries, cfg),
    ]
