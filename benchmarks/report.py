"""The performance targets, the Markdown tables and the JSON results."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from benchmarks.micro import MicroResult
from benchmarks.peers import PEER_ORDER, Library
from benchmarks.timing import Timing, fmt_ns, paired_ratio
from benchmarks.workload import WorkloadResult

PEER_TITLES = {
    "croniter": "croniter",
    "croniter-rs": "croniter-rs",
    "cronsim": "cronsim",
    "apscheduler": "APScheduler",
    "cron-converter": "cron-converter",
}


@dataclass(frozen=True)
class Verdict:
    target: str
    passed: bool | None  # None: not measurable in this run
    detail: str = ""

    @property
    def cell(self) -> str:
        if self.passed is None:
            return f"n/a {self.detail}".strip()
        return "PASS" if self.passed else f"MISS ({self.detail})"

    def as_json(self) -> dict[str, Any]:
        return {"target": self.target, "passed": self.passed, "detail": self.detail}


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base <= 0:
        return None
    return value / base


def timing_ratio(a: Timing | None, b: Timing | None) -> float | None:
    """a / b for two measured timings (see ``paired_ratio``), None if one is missing."""
    if a is None or b is None:
        return None
    return paired_ratio(a, b)


def fmt_ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.3g}x"


# Each condition: (peer, minimum of peer time / cronspec time). "fastest" = fastest peer.
_MICRO_TARGETS: dict[str, tuple[str, list[tuple[str, float]]]] = {
    "parse": ("≤ croniter-rs; ≥ 2x faster than cronsim", [("croniter-rs", 1.0), ("cronsim", 2.0)]),
    "matches": ("≥ 1.5x faster than the fastest peer", [("fastest", 1.5)]),
    "next": (
        "within 1.5x of croniter-rs; ≥ 4x faster than cronsim",
        [("croniter-rs", 1 / 1.5), ("cronsim", 4.0)],
    ),
}


def micro_verdict(result: MicroResult) -> Verdict:
    target, conditions = _MICRO_TARGETS[result.key.split("_")[0]]
    mine = result.median("cronspec")
    if mine is None:
        return Verdict(target, None, "(cronspec not measured)")
    misses = []
    for peer, minimum in conditions:
        if peer == "fastest":
            peer = min(
                (name for name in result.timings if name != "cronspec"),
                key=lambda name: result.timings[name].median,
                default="fastest peer",
            )
        r = timing_ratio(result.timings.get(peer), result.timings.get("cronspec"))
        if r is None:
            return Verdict(target, None, f"({peer} not measured)")
        if r < minimum:
            misses.append(f"{r:.2f}x vs {peer}, needs {minimum:.2f}x")
    return Verdict(target, not misses, "; ".join(misses))


def _workload_verdict(result: WorkloadResult, measure: str) -> Verdict | None:
    limits = {"build": 3.0, "due_at_busiest": 2.0, "memory": 1.3}
    if measure not in limits:
        return None
    limit = limits[measure]
    target = f"≤ {limit:g}x floor"
    if measure == "memory":
        r = ratio(result.peak_per_row("build"), result.peak_per_row("build_floor"))
    else:
        r = timing_ratio(result.timings.get(measure), result.timings.get(measure + "_floor"))
    if r is None:
        return Verdict(target, None)
    return Verdict(target, r <= limit, f"{r:.2f}x")


def micro_table(results: list[MicroResult], trials: int) -> str:
    peers = [p for p in PEER_ORDER if any(p in r.timings or p in r.errors for r in results)]
    head = ["Operation", "cronspec", *[PEER_TITLES[p] for p in peers], "Target", "Result"]
    lines = [
        f"Micro benchmarks, UTC, median of {trials} trials; in brackets: peer time / "
        "cronspec time (above 1x, cronspec is faster), the median of the ratios of trials "
        "taken side by side.",
        "",
        _row(head),
        _row(["---"] * len(head)),
    ]
    for r in results:
        mine = r.median("cronspec")
        cells = [r.label, fmt_ns(mine)]
        for peer in peers:
            if peer in r.errors:
                cells.append("error")
            elif peer in r.timings:
                theirs = r.timings[peer]
                paired = timing_ratio(theirs, r.timings["cronspec"]) if mine else None
                cells.append(f"{fmt_ns(theirs.median)} ({fmt_ratio(paired)})")
            else:
                cells.append("n/a")
        verdict = micro_verdict(r)
        cells += [verdict.target, verdict.cell]
        lines.append(_row(cells))
    return "\n".join(lines)


def _workload_rows(result: WorkloadResult, peers: list[str]) -> list[list[str]]:
    def peer_cells(what: str, mine: float | None, fmt: Any) -> list[str]:
        cells = []
        for peer in peers:
            if peer in result.peer_errors:
                cells.append("error")
                continue
            value = result.peer_scaled(peer, what)
            if value is None:
                cells.append("n/a")
                continue
            scaled = what != "memory" and result.peers[peer].rows < result.rows
            cells.append(f"{'~' if scaled else ''}{fmt(value)} ({fmt_ratio(ratio(value, mine))})")
        return cells

    def size(b: float | None) -> str:
        return "n/a" if b is None else f"{b:,.0f} B"

    n = f"{result.rows:,}"
    table = []
    for key, label, floor_key in (
        ("build", "build the map", "build_floor"),
        ("due_at_busiest", f"due_at, busiest minute ({result.busiest_due:,} due)", None),
        ("due_at_quiet", f"due_at, quiet minute ({result.quiet_due:,} due)", None),
        (
            "due_between_hour",
            f"due_between, 1 hour ({result.between_fires:,} runs); floor: 60 x due_at",
            "due_at_60",
        ),
    ):
        mine = result.ns(key)
        floor_key = floor_key or key + "_floor"
        paired = timing_ratio(result.timings.get(key), result.timings.get(floor_key))
        verdict = _workload_verdict(result, key)
        what = {"build": "build", "due_at_busiest": "due_at"}.get(key)
        cells = [n, label, fmt_ns(mine), fmt_ns(result.ns(floor_key)), fmt_ratio(paired)]
        cells += peer_cells(what, mine, fmt_ns) if what else ["—"] * len(peers)
        cells += [verdict.target, verdict.cell] if verdict else ["", ""]
        table.append(cells)
    mine, floor = result.peak_per_row("build"), result.peak_per_row("build_floor")
    verdict = _workload_verdict(result, "memory")
    assert verdict is not None
    table.append(
        [
            n,
            "peak memory per row (build)",
            size(mine),
            size(floor),
            fmt_ratio(ratio(mine, floor)),
            *peer_cells("memory", mine, size),
            verdict.target,
            verdict.cell,
        ]
    )
    mine, floor = result.retained_per_row("build"), result.retained_per_row("build_floor")
    table.append(
        [
            n,
            "retained memory per row",
            size(mine),
            size(floor),
            fmt_ratio(ratio(mine, floor)),
            *["—"] * len(peers),
            "",
            "",
        ]
    )
    return table


def workload_table(results: list[WorkloadResult], trials: int) -> str:
    peers = [p for p in PEER_ORDER if any(p in r.peers or p in r.peer_errors for r in results)]
    head = [
        "Rows",
        "Measure",
        "cronspec",
        "floor",
        "cronspec / floor",
        *[PEER_TITLES[p] for p in peers],
        "Target (at 1M rows)",
        "Result",
    ]
    lines = [
        f"Scheduler workload, median of {trials} trials; peers: one object per row, in "
        "brackets peer / cronspec, ~ = measured on fewer rows and scaled linearly. Memory: "
        "tracemalloc while building from rows already in memory (their strings are shared, "
        "not counted), per table row.",
        "",
        _row(head),
        _row(["---"] * len(head)),
    ]
    for result in results:
        lines += [_row(cells) for cells in _workload_rows(result, peers)]
    return "\n".join(lines)


def how_notes(libraries: list[Library], workload: list[WorkloadResult]) -> list[str]:
    notes = []
    for lib in libraries:
        if lib.name == "cronspec":
            continue
        how = "; ".join(f"{op}: {text}" for op, text in lib.how.items())
        notes.append(f"{lib.name} {lib.version}: {how}")
    for result in workload:
        for name, run in result.peers.items():
            if run.rows < result.rows:
                notes.append(
                    f"{name} at {result.rows:,} rows: measured on {run.rows:,} rows "
                    f"(1 trial), times scaled by {result.rows / run.rows:g}"
                )
    return notes


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def machine_info() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "uname": " ".join(platform.uname()),
    }


def results_json(
    *,
    args: dict[str, Any],
    libraries: list[Library],
    notes: list[str],
    micro: list[MicroResult],
    workload: list[WorkloadResult],
) -> dict[str, Any]:
    def micro_json(r: MicroResult) -> dict[str, Any]:
        mine = r.median("cronspec")
        return {
            "key": r.key,
            "label": r.label,
            "timings": {name: t.as_json() for name, t in r.timings.items()},
            "peer_over_cronspec": {
                name: round(paired_ratio(t, r.timings["cronspec"]), 3)
                for name, t in r.timings.items()
                if mine and name != "cronspec"
            },
            "errors": r.errors,
            "notes": r.notes,
            "verdict": micro_verdict(r).as_json(),
        }

    def workload_json(r: WorkloadResult) -> dict[str, Any]:
        data = r.as_json()
        data["verdicts"] = {
            key: verdict.as_json()
            for key in ("build", "due_at_busiest", "memory")
            if (verdict := _workload_verdict(r, key)) is not None
        }
        return data

    return {
        "machine": machine_info(),
        "arguments": args,
        "libraries": {lib.name: lib.version for lib in libraries},
        "how_peers_are_used": {lib.name: lib.how for lib in libraries},
        "notes": notes,
        "micro": [micro_json(r) for r in micro],
        "workload": [workload_json(r) for r in workload],
    }


def misses(
    micro: list[MicroResult], workload: list[WorkloadResult]
) -> list[tuple[str, Verdict, Callable[[], object] | None, bool]]:
    """(name, verdict, cronspec callable, is-a-memory-target) for every missed target."""
    out: list[tuple[str, Verdict, Callable[[], object] | None, bool]] = []
    for r in micro:
        verdict = micro_verdict(r)
        if verdict.passed is False:
            out.append((r.label, verdict, r.cronspec_run, False))
    for w in workload:
        for key in ("build", "due_at_busiest", "memory"):
            missed = _workload_verdict(w, key)
            if missed is not None and missed.passed is False:
                run = w.cronspec_runs.get("build" if key == "memory" else key)
                out.append((f"{key} at {w.rows:,} rows", missed, run, key == "memory"))
    return out
