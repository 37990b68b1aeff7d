"""The scheduler workload: a large ``organization_integrations`` table in memory.

For each row count: build ``cronspec.ScheduleMap`` from the row dicts, ask ``due_at`` for
the busiest and a quiet minute, ``due_between`` over an hour, and measure peak memory;
each against the pure-Python floor the targets in DESIGN.md name:

- build floor: a plain loop building ``{(org_id, integration_id): (type, schedule)}`` from
  the same dicts (skipping disabled rows and NULL schedules, as the map does);
- due_at floor: ``[DueIntegration(o, i, t, at) for o, i, t in sorted(selected)]`` where
  ``selected`` lists the due rows, chosen beforehand (the cost of answering, not choosing);
- memory floor: the peak tracemalloc sees while the build floor runs.

The peers are used the obvious way: one compiled object per row, matched row by row.
They are slow, so they run on the first rows of the (shuffled) table only, and their
numbers are scaled linearly to the full row count (marked ``~``).
"""

from __future__ import annotations

import gc
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.corpus import make_rows
from benchmarks.peers import Library, cache_clearers
from benchmarks.timing import Timing, measure_side_by_side, peak_bytes
from cronspec._parser import MACROS  # cronsim has no macros: expand them for it

#: Candidate days for the busiest minute: 1st of January and 1st of June, both Mondays
#: (monthly, weekly and daily jobs coincide; Oslo is on winter and on summer time).
CANDIDATE_DAYS = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))


@dataclass(frozen=True)
class WorkloadConfig:
    trials: int
    #: Largest number of rows each peer runs on (then scaled up).
    peer_rows: dict[str, int]
    seed: int = 1


QUICK = WorkloadConfig(
    trials=3,
    peer_rows={
        "croniter": 1_000,
        "croniter-rs": 2_000,
        "cronsim": 2_000,
        "apscheduler": 2_000,
        "cron-converter": 2_000,
    },
)
FULL = WorkloadConfig(
    trials=5,
    peer_rows={
        "croniter": 10_000,
        "croniter-rs": 100_000,
        "cronsim": 100_000,
        "apscheduler": 100_000,
        "cron-converter": 100_000,
    },
)


@dataclass
class PeerRun:
    rows: int
    build_ns: float
    due_at_ns: float
    peak_bytes_per_row: float
    rejected: int
    wrong: int

    def as_json(self) -> dict[str, Any]:
        return {
            "rows_measured": self.rows,
            "build_ns_measured": round(self.build_ns),
            "due_at_busiest_ns_measured": round(self.due_at_ns),
            "peak_bytes_per_row": round(self.peak_bytes_per_row, 1),
            "rows_refused": self.rejected,
            "due_at_answers_differing_from_cronsim": self.wrong,
        }


@dataclass
class WorkloadResult:
    rows: int
    busiest: datetime
    busiest_due: int
    quiet: datetime
    quiet_due: int
    between_fires: int = 0
    timings: dict[str, Timing] = field(default_factory=dict)
    memory: dict[str, tuple[int, int]] = field(default_factory=dict)  # (peak, retained)
    peers: dict[str, PeerRun] = field(default_factory=dict)
    peer_errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Zero-argument callables running the cronspec side once, for profiling.
    cronspec_runs: dict[str, Callable[[], object]] = field(default_factory=dict)

    def ns(self, key: str) -> float | None:
        timing = self.timings.get(key)
        return None if timing is None else timing.median

    def peak_per_row(self, key: str) -> float | None:
        mem = self.memory.get(key)
        return None if mem is None else mem[0] / self.rows

    def retained_per_row(self, key: str) -> float | None:
        mem = self.memory.get(key)
        return None if mem is None else mem[1] / self.rows

    def peer_scaled(self, name: str, what: str) -> float | None:
        """A peer's time scaled to the full row count (bytes per row are not scaled)."""
        run = self.peers.get(name)
        if run is None:
            return None
        if what == "memory":
            return run.peak_bytes_per_row
        measured = run.build_ns if what == "build" else run.due_at_ns
        return measured * self.rows / run.rows

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "busiest_minute": self.busiest.isoformat(),
            "busiest_due": self.busiest_due,
            "quiet_minute": self.quiet.isoformat(),
            "quiet_due": self.quiet_due,
            "due_between_fires": self.between_fires,
            "timings": {key: timing.as_json() for key, timing in self.timings.items()},
            "memory": {
                key: {
                    "peak_bytes": peak,
                    "retained_bytes": retained,
                    "peak_bytes_per_row": round(peak / self.rows, 1),
                    "retained_bytes_per_row": round(retained / self.rows, 1),
                }
                for key, (peak, retained) in self.memory.items()
            },
            "peers": {name: run.as_json() for name, run in self.peers.items()},
            "peer_errors": self.peer_errors,
            "notes": self.notes,
        }


def _zone(name: str, zones: dict[str, tzinfo | None]) -> tzinfo | None:
    if name not in zones:
        try:
            zones[name] = UTC if name == "UTC" else ZoneInfo(name)
        except Exception:
            zones[name] = None
    return zones[name]


def _reference_fires_at(expr: str, zone: tzinfo, minute: datetime) -> bool:
    """Whether (expr, zone) fires at the UTC ``minute``, by cronsim (Debian rules)."""
    from cronsim import CronSim

    local = minute.astimezone(zone)
    return next(CronSim(MACROS.get(expr, expr), local - timedelta(minutes=1))) == local


@dataclass
class _Table:
    """The rows plus what the benchmarks precompute from them."""

    rows: list[dict[str, Any]]
    #: (expression, zone name) -> indexes of the enabled rows using it, cronspec-valid only
    groups: dict[tuple[str, str], list[int]]
    zones: dict[str, tzinfo | None]


def _prepare(cronspec: ModuleType, rows: list[dict[str, Any]]) -> _Table:
    zones: dict[str, tzinfo | None] = {}
    candidates: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row["is_enabled"] and row["cron_schedule"] is not None:
            candidates[row["cron_schedule"], row["timezone"]].append(index)
    groups = {}
    for (expr, zone_name), indexes in candidates.items():
        try:
            cronspec.parse(expr, zone_name)
        except ValueError:
            continue  # CronSyntaxError or an unknown zone: the map rejects these rows
        _zone(zone_name, zones)
        groups[expr, zone_name] = indexes
    return _Table(rows, groups, zones)


def _find_minutes(cronspec: ModuleType, table: _Table) -> tuple[datetime, int, datetime, int]:
    """The busiest and the quietest UTC minute of the candidate days, with their counts."""
    best: tuple[int, datetime] | None = None
    quiet: tuple[int, datetime] | None = None
    for day in CANDIDATE_DAYS:
        counts: Counter[datetime] = Counter()
        for (expr, zone_name), indexes in table.groups.items():
            cron = cronspec.parse(expr, zone_name)
            for fire in cron.fire_times(day - timedelta(minutes=1), day + timedelta(hours=24)):
                counts[fire.astimezone(UTC)] += len(indexes)
        for offset in range(0, 24 * 60):
            minute = day + timedelta(minutes=offset)
            count = counts.get(minute, 0)
            if best is None or count > best[0]:
                best = (count, minute)
            if quiet is None or count < quiet[0]:
                quiet = (count, minute)
    assert best is not None and quiet is not None
    return best[1], best[0], quiet[1], quiet[0]


def _selected(table: _Table, minute: datetime) -> list[tuple[str, str, str]]:
    """(org, id, type) of the rows due at ``minute``, chosen by cronsim, in row order."""
    due: list[int] = []
    for (expr, zone_name), indexes in table.groups.items():
        zone = table.zones[zone_name]
        assert zone is not None
        if _reference_fires_at(expr, zone, minute):
            due += indexes
    due.sort()
    rows = table.rows
    return [(rows[i]["organization_id"], rows[i]["id"], rows[i]["integration_type"]) for i in due]


def _floor_build(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str]]:
    schedule: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        if row["is_enabled"] and row["cron_schedule"] is not None:
            schedule[row["organization_id"], row["id"]] = (
                row["integration_type"],
                row["cron_schedule"],
            )
    return schedule


def _due_at_pair(
    schedule_map: Any,
    due_type: Callable[..., Any],
    minute: datetime,
    chosen: list[tuple[str, str, str]],
) -> tuple[Callable[[], object], Callable[[], object]]:
    """``due_at(minute)`` and its floor: the same answer built from rows already chosen."""

    def ask() -> object:
        return schedule_map.due_at(minute)

    def floor() -> object:
        return [due_type(o, i, t, minute) for o, i, t in sorted(chosen)]

    return ask, floor


def run_workload(
    cronspec: ModuleType,
    peers: list[Library],
    n: int,
    cfg: WorkloadConfig,
    log: Callable[[str], None],
) -> WorkloadResult:
    t0 = time.perf_counter()
    rows = make_rows(n, cfg.seed)
    table = _prepare(cronspec, rows)
    busiest, busiest_due, quiet, quiet_due = _find_minutes(cronspec, table)
    selected = _selected(table, busiest)
    selected_quiet = _selected(table, quiet)
    log(
        f"  {n:,} rows generated and analysed in {time.perf_counter() - t0:.1f} s; "
        f"busiest minute {busiest:%Y-%m-%d %H:%M} UTC ({busiest_due:,} due), "
        f"quiet {quiet:%H:%M} ({quiet_due:,})"
    )
    result = WorkloadResult(n, busiest, len(selected), quiet, len(selected_quiet))
    if busiest_due != len(selected):
        result.notes.append(
            f"cronspec fire_times counts {busiest_due} rows at the busiest minute, "
            f"cronsim {len(selected)}"
        )

    clearers = cache_clearers(cronspec)
    schedule_map_type = cronspec.ScheduleMap
    due_type = cronspec.DueIntegration

    def build_map() -> Any:
        for clear in clearers:
            clear()
        return schedule_map_type.from_rows(rows)

    def count(fn: Callable[[], object]) -> Callable[[], int]:
        def run() -> int:
            fn()
            return 1

        return run

    # Builds: gc stays on (a real scheduler process has it on) and each trial starts cold.
    trials = cfg.trials
    result.timings.update(
        measure_side_by_side(
            {"build_floor": count(lambda: _floor_build(rows)), "build": count(build_map)},
            trials=trials,
            min_trial_ns=0,
            disable_gc=False,
        )
    )
    result.cronspec_runs["build"] = build_map
    result.memory["build_floor"] = peak_bytes(lambda: _floor_build(rows))
    result.memory["build"] = peak_bytes(build_map)
    log(f"  {n:,} rows: builds and memory measured")

    schedule_map = build_map()
    expected = [due_type(o, i, t, busiest) for o, i, t in sorted(selected)]
    answer = schedule_map.due_at(busiest)
    if answer != expected:
        got = {(d.org_id, d.integration_id) for d in answer}
        want = {(d.org_id, d.integration_id) for d in expected}
        result.notes.append(
            f"due_at(busiest) differs from cronsim's selection: {len(got - want)} extra, "
            f"{len(want - got)} missing"
            + ("; same rows, other order or scheduled_at" if got == want else "")
        )
    min_ns = 50_000_000
    for key, minute, chosen in (
        ("due_at_busiest", busiest, selected),
        ("due_at_quiet", quiet, selected_quiet),
    ):
        ask, floor = _due_at_pair(schedule_map, due_type, minute, chosen)
        result.timings.update(
            measure_side_by_side(
                {key: count(ask), key + "_floor": count(floor)},
                trials=trials,
                min_trial_ns=min_ns,
            )
        )
        result.cronspec_runs[key] = ask

    since = busiest - timedelta(hours=1)
    minutes = [since + timedelta(minutes=m) for m in range(1, 61)]
    result.between_fires = len(schedule_map.due_between(since, busiest))
    result.timings.update(
        measure_side_by_side(
            {
                "due_between_hour": count(lambda: schedule_map.due_between(since, busiest)),
                "due_at_60": count(lambda: [schedule_map.due_at(m) for m in minutes]),
            },
            trials=trials,
            min_trial_ns=min_ns,
        )
    )
    result.cronspec_runs["due_between_hour"] = lambda: schedule_map.due_between(since, busiest)
    log(f"  {n:,} rows: due_at and due_between measured")

    for lib in peers:
        limit = min(n, cfg.peer_rows.get(lib.name, 0))
        if limit <= 0:
            continue
        try:
            result.peers[lib.name] = _run_peer(lib, table, limit, busiest, due_type, selected)
        except Exception as exc:
            result.peer_errors[lib.name] = f"{type(exc).__name__}: {exc}"
        log(f"  {n:,} rows: {lib.name} measured on {limit:,} rows")
    return result


def _run_peer(
    lib: Library,
    table: _Table,
    limit: int,
    busiest: datetime,
    due_type: Callable[..., Any],
    selected: list[tuple[str, str, str]],
) -> PeerRun:
    """Build and query with one compiled object per row, on the first ``limit`` rows."""
    sample = table.rows[:limit]
    zones = table.zones
    compile_ = lib.compile
    refused = 0

    def build() -> dict[tuple[str, str], tuple[str, Any, tzinfo]]:
        nonlocal refused
        refused = 0
        out: dict[tuple[str, str], tuple[str, Any, tzinfo]] = {}
        for row in sample:
            expr = row["cron_schedule"]
            if not row["is_enabled"] or expr is None:
                continue
            zone = _zone(row["timezone"], zones)
            try:
                if zone is None:
                    raise ValueError(f"unknown zone {row['timezone']}")
                handle = compile_(expr, zone)
            except Exception:
                refused += 1
                continue
            out[row["organization_id"], row["id"]] = (row["integration_type"], handle, zone)
        return out

    peak, _ = peak_bytes(build)
    gc.collect()
    t0 = time.perf_counter_ns()
    compiled = build()
    build_ns = time.perf_counter_ns() - t0
    matcher = lib.matcher

    def due_at() -> list[Any]:
        local_at: dict[tzinfo, datetime] = {}
        due = []
        for (org, integration), (kind, handle, zone) in compiled.items():
            at = local_at.get(zone)
            if at is None:
                at = local_at[zone] = busiest.astimezone(zone)
            try:
                if matcher(handle)(at):
                    due.append((org, integration, kind))
            except Exception:
                continue  # e.g. cronsim on a macro it does not know
        due.sort()
        return [due_type(o, i, t, busiest) for o, i, t in due]

    gc.collect()
    t0 = time.perf_counter_ns()
    answer = due_at()
    due_ns = time.perf_counter_ns() - t0
    # Compare on the rows this peer accepted: refusing a macro is not a wrong answer.
    want = {(o, i) for o, i, _ in selected if (o, i) in compiled}
    got = {(d.org_id, d.integration_id) for d in answer}
    return PeerRun(
        rows=limit,
        build_ns=build_ns,
        due_at_ns=due_ns,
        peak_bytes_per_row=peak / limit,
        rejected=refused,
        wrong=len(want ^ got),
    )
