"""Timing and memory helpers: perf_counter_ns loops, medians of trials, tracemalloc peaks."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Nanoseconds per operation, one value per trial."""

    trials: tuple[float, ...]
    ops_per_trial: int

    @property
    def median(self) -> float:
        return statistics.median(self.trials)

    def as_json(self) -> dict[str, Any]:
        return {
            "median_ns": round(self.median, 1),
            "trials_ns": [round(t, 1) for t in self.trials],
            "ops_per_trial": self.ops_per_trial,
        }


def paired_ratio(a: Timing, b: Timing) -> float:
    """a / b, robust to machine load that changes during the run.

    Trials taken side by side (round k of ``a`` next to round k of ``b``) are compared
    round by round and the median of those ratios is returned; otherwise the ratio of the
    medians.
    """
    if len(a.trials) == len(b.trials) and all(t > 0 for t in b.trials):
        return statistics.median(x / y for x, y in zip(a.trials, b.trials, strict=True))
    return a.median / b.median if b.median > 0 else float("inf")


def _trial(run: Callable[[], int], reps: int, disable_gc: bool) -> tuple[int, int]:
    """(elapsed ns, operations) of ``reps`` calls of ``run``."""
    gc.collect()
    if disable_gc:
        gc.disable()
    try:
        ops = 0
        t0 = time.perf_counter_ns()
        for _ in range(reps):
            ops += run()
        elapsed = time.perf_counter_ns() - t0
    finally:
        gc.enable()
    return elapsed, ops


def measure_side_by_side(
    runs: Mapping[str, Callable[[], int]],
    *,
    trials: int,
    min_trial_ns: int,
    disable_gc: bool = True,
    warmup: bool = True,
) -> dict[str, Timing]:
    """Time each ``run`` (which does its work once and returns how many operations it did).

    One untimed call per run warms up and calibrates how many times a trial repeats it so
    that the trial lasts at least ``min_trial_ns``. Trials are interleaved (a trial of
    every run, then the next round), so that a change of machine load hits all of them
    alike and the ratios stay fair. The garbage collector is off during a trial (as in
    ``timeit``) unless ``disable_gc`` is False.
    """
    reps: dict[str, int] = {}
    for name, run in runs.items():
        reps[name] = 1
        if warmup:
            t0 = time.perf_counter_ns()
            run()
            elapsed = time.perf_counter_ns() - t0
            reps[name] = max(1, -(-min_trial_ns // max(elapsed, 1)))
    results: dict[str, list[float]] = {name: [] for name in runs}
    ops: dict[str, int] = {}
    for _ in range(trials):
        for name, run in runs.items():
            elapsed, ops[name] = _trial(run, reps[name], disable_gc)
            results[name].append(elapsed / max(ops[name], 1))
    return {name: Timing(tuple(results[name]), ops[name]) for name in runs}


def measure(
    run: Callable[[], int],
    *,
    trials: int,
    min_trial_ns: int,
    disable_gc: bool = True,
    warmup: bool = True,
) -> Timing:
    """:func:`measure_side_by_side` for a single run."""
    return measure_side_by_side(
        {"run": run},
        trials=trials,
        min_trial_ns=min_trial_ns,
        disable_gc=disable_gc,
        warmup=warmup,
    )["run"]


def measure_batches(
    batches: Mapping[str, list[Callable[[], int]]],
    *,
    baselines: Mapping[str, list[Callable[[], int]]] | None = None,
) -> dict[str, Timing]:
    """Time every callable once, one per trial, interleaving the names round by round.

    For work that must not be repeated on the same input (parsing novel strings): the
    caller prepares one callable per trial. A name's ``baselines`` (same length) are timed
    right after its runs and subtracted, e.g. the cost of clearing a cache.
    """
    baselines = baselines or {}
    results: dict[str, list[float]] = {name: [] for name in batches}
    ops: dict[str, int] = {}
    for round_ in range(max(len(runs) for runs in batches.values())):
        for name, runs in batches.items():
            elapsed, ops[name] = _trial(runs[round_], 1, True)
            if name in baselines:
                elapsed -= _trial(baselines[name][round_], 1, True)[0]
            results[name].append(max(elapsed, 0) / max(ops[name], 1))
    return {name: Timing(tuple(results[name]), ops[name]) for name in batches}


def peak_bytes(build: Callable[[], object]) -> tuple[int, int]:
    """(peak, retained) bytes that tracemalloc sees while ``build()`` runs and after.

    Objects that exist before the call (the rows) are not counted; what ``build`` returns
    is kept alive until both numbers are read.
    """
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = build()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - base, current - base


def fmt_ns(ns: float | None) -> str:
    """Human units: ns, µs, ms or s with three significant digits."""
    if ns is None:
        return "n/a"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def allocation_sites(build: Callable[[], object], limit: int = 12) -> str:
    """The source lines holding the most memory right after ``build()``, as text."""
    gc.collect()
    tracemalloc.start()
    try:
        result = build()
        snapshot = tracemalloc.take_snapshot()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    lines = [f"retained {current:,} B, peak {peak:,} B; largest retained allocation sites:"]
    for stat in snapshot.statistics("lineno")[:limit]:
        frame = stat.traceback[0]
        lines.append(
            f"  {stat.size:>12,} B {stat.count:>9,} blocks  {frame.filename}:{frame.lineno}"
        )
    return "\n".join(lines)
