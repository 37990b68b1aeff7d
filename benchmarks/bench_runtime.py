"""The scheduler runtime on PostgreSQL at scale, against its floors, in one run.

    python benchmarks/bench_runtime.py                       # 1,000,000 rows
    python benchmarks/bench_runtime.py --rows 100000 --trials 3

The DESIGN.md targets (Part 2):
- planning the busiest minute (~300k occurrences at 1M rows) <= 1.5x inserting the same
  rows raw: one ``INSERT ... SELECT FROM unnest`` of the same columns, already computed,
  into the same table with the same indexes;
- a quiet tick (a few hundred due) <= 2x the map's own ``due_between`` for the window plus
  one empty transaction;
- taking: >= 20,000 runs/s into ``running`` with 4 concurrent workers (threads, each with
  its own connection), draining the busiest minute's backlog.

Uses ``CRONSPEC_TEST_DSN`` if set, else starts a throwaway server (``tests/postgres_server``).
Rows are ``corpus.make_rows``. Each ledger measurement starts from an empty ledger
(TRUNCATE) and a watermark set just before the minute. Results go to
``benchmarks/results/runtime.json``; progress to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import psycopg  # noqa: E402
from postgres_server import apply_schema, database_dsn, throwaway_server  # noqa: E402
from psycopg import sql  # noqa: E402

from benchmarks.corpus import make_rows  # noqa: E402
from benchmarks.report import machine_info  # noqa: E402
from cronspec import ScheduleMap, Scheduler  # noqa: E402
from cronspec._runs import batches  # noqa: E402
from cronspec._scheduler import _Missed  # noqa: E402
from cronspec.adapters.postgres import PostgresLedger  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "runtime.json"
DATABASE = "cronspec_bench_runtime"
DAY = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday and the 1st: daily, weekly, monthly coincide
WORKERS = 4
TAKE_LIMIT = 500


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _minutes(schedule: ScheduleMap) -> tuple[datetime, int, datetime, int]:
    """The busiest minute of DAY, and the quiet one closest to 300 due."""
    counts: Counter[datetime] = Counter()
    for firing in schedule.firing(DAY - timedelta(minutes=1), DAY + timedelta(hours=24)):
        size = sum(len(ids) for _, ids in firing.members.values())
        for at in firing.times:
            counts[at] += size
    busiest, most = counts.most_common(1)[0]
    quiet = min(counts, key=lambda at: (abs(counts[at] - 300), at))
    return busiest, most, quiet, counts[quiet]


def _reset(dsn: str, watermark: datetime) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("TRUNCATE integration_runs")
        conn.execute("UPDATE integration_runs_watermark SET planned_until = %s", (watermark,))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE integration_runs")


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def _scheduler(schedule: ScheduleMap, dsn: str, at: datetime, worker: str = "bench") -> Scheduler:
    ledger = PostgresLedger(lambda: psycopg.connect(dsn))
    return Scheduler(schedule, ledger, worker=worker, clock=lambda: at)


_RAW_INSERT = (
    "INSERT INTO integration_runs (integration_id, organization_id, integration_type,"
    " scheduled_at, period_start, status, covered_by, attempts, claimed_at)"
    " SELECT i, o, t, s, p, st, c, 0, %(now)s FROM unnest(%(ids)s::text[], %(orgs)s::text[],"
    " %(types)s::text[], %(times)s::timestamptz[], %(periods)s::timestamptz[],"
    " %(statuses)s::text[], %(covered)s::timestamptz[]) AS u(i, o, t, s, p, st, c)"
)


def _plan_busiest(schedule: ScheduleMap, dsn: str, minute: datetime, trials: int) -> dict[str, Any]:
    since, now = minute - timedelta(seconds=30), minute + timedelta(seconds=30)
    probe = _scheduler(schedule, dsn, now)
    [rows] = list(batches(probe._occurrences(schedule, since, now, _Missed()), 10**9))
    params = {
        "now": now,
        "ids": rows.integration_ids,
        "orgs": rows.org_ids,
        "types": rows.types,
        "times": rows.scheduled_at,
        "periods": rows.period_start,
        "statuses": rows.statuses,
        "covered": rows.covered_by,
    }
    plan_s: list[float] = []
    raw_s: list[float] = []
    for trial in range(trials):
        for which in ("raw", "plan") if trial % 2 else ("plan", "raw"):
            _reset(dsn, since)
            gc.collect()
            if which == "plan":
                scheduler = _scheduler(schedule, dsn, now)
                started = time.perf_counter()
                scheduler.plan()
                plan_s.append(time.perf_counter() - started)
                scheduler.ledger.close()  # type: ignore[attr-defined]
            else:
                with psycopg.connect(dsn) as conn:
                    started = time.perf_counter()
                    with conn.transaction():
                        conn.execute(_RAW_INSERT, params)
                    raw_s.append(time.perf_counter() - started)
        _log(f"    plan {plan_s[-1]:.2f} s, raw insert {raw_s[-1]:.2f} s")
    with psycopg.connect(dsn) as conn:
        counted = conn.execute("SELECT count(*) FROM integration_runs").fetchone()
    assert counted is not None and counted[0] == len(rows.integration_ids)
    return {
        "occurrences": len(rows.integration_ids),
        "plan_s": plan_s,
        "raw_insert_s": raw_s,
        "ratio": _median(plan_s) / _median(raw_s),
        "target": 1.5,
    }


def _quiet_tick(schedule: ScheduleMap, dsn: str, minute: datetime, trials: int) -> dict[str, Any]:
    since, now = minute - timedelta(seconds=30), minute + timedelta(seconds=30)
    tick_s: list[float] = []
    floor_s: list[float] = []
    taken = 0
    with psycopg.connect(dsn) as conn:
        for _ in range(trials):
            _reset(dsn, since)
            gc.collect()
            scheduler = _scheduler(schedule, dsn, now)
            _connect(scheduler)
            started = time.perf_counter()
            taken = len(scheduler.tick(limit=10_000))
            tick_s.append(time.perf_counter() - started)
            scheduler.ledger.close()  # type: ignore[attr-defined]
            gc.collect()
            started = time.perf_counter()
            schedule.due_between(since, now)
            with conn.transaction():
                conn.execute("SELECT 1")
            floor_s.append(time.perf_counter() - started)
            _log(
                f"    tick {tick_s[-1] * 1000:.1f} ms ({taken} taken), floor {floor_s[-1] * 1000:.1f} ms"
            )
    return {
        "due": taken,
        "tick_s": tick_s,
        "floor_s": floor_s,
        "ratio": _median(tick_s) / _median(floor_s),
        "target": 2.0,
    }


def _connect(scheduler: Scheduler) -> None:
    """Open the ledger's connection before timing, as a running scheduler has one."""
    scheduler.ledger.history(DAY, DAY)


def _drain(worker: Scheduler, barrier: threading.Barrier, counts: list[int], index: int) -> None:
    barrier.wait()
    while taken := len(worker.take(limit=TAKE_LIMIT)):
        counts[index] += taken


def _take_rate(schedule: ScheduleMap, dsn: str, minute: datetime, trials: int) -> dict[str, Any]:
    since, now = minute - timedelta(seconds=30), minute + timedelta(seconds=30)
    rates: list[float] = []
    total = 0
    for _ in range(trials):
        _reset(dsn, since)
        planner = _scheduler(schedule, dsn, now, "planner")
        planner.plan()
        planner.ledger.close()  # type: ignore[attr-defined]
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE integration_runs")
        workers = [_scheduler(schedule, dsn, now, f"worker-{n}") for n in range(WORKERS)]
        for worker in workers:
            _connect(worker)
        counts = [0] * WORKERS
        barrier = threading.Barrier(WORKERS + 1)
        threads = [
            threading.Thread(target=_drain, args=(worker, barrier, counts, n))
            for n, worker in enumerate(workers)
        ]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        total = sum(counts)
        rates.append(total / elapsed)
        for worker in workers:
            worker.ledger.close()  # type: ignore[attr-defined]
        _log(f"    took {total:,} runs in {elapsed:.2f} s: {rates[-1]:,.0f} runs/s")
    return {
        "runs": total,
        "workers": WORKERS,
        "batch": TAKE_LIMIT,
        "runs_per_s": rates,
        "target": 20_000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = make_rows(args.rows)
    schedule = ScheduleMap.from_rows(rows)
    del rows
    busiest, most, quiet, few = _minutes(schedule)
    _log(
        f"{len(schedule):,} rows loaded in {time.perf_counter() - started:.1f} s; busiest minute"
        f" {busiest:%Y-%m-%d %H:%M} ({most:,} due), quiet {quiet:%H:%M} ({few:,} due)"
    )
    with throwaway_server() as server_dsn:
        with psycopg.connect(server_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        dsn = database_dsn(server_dsn, DATABASE)
        with psycopg.connect(dsn) as conn:
            apply_schema(conn)
        _log("planning the busiest minute:")
        plan = _plan_busiest(schedule, dsn, busiest, args.trials)
        _log("a quiet tick:")
        quiet_tick = _quiet_tick(schedule, dsn, quiet, max(args.trials, 5))
        _log("taking with 4 workers:")
        take = _take_rate(schedule, dsn, busiest, args.trials)
    result = {
        "machine": machine_info(),
        "rows": len(schedule),
        "busiest_minute": busiest.isoformat(),
        "quiet_minute": quiet.isoformat(),
        "plan_busiest": plan,
        "quiet_tick": quiet_tick,
        "take": take,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    rate = _median(take["runs_per_s"])
    lines = [
        "| Measure | cronspec | floor | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| plan the busiest minute ({plan['occurrences']:,} occurrences) |"
        f" {_median(plan['plan_s']):.2f} s | {_median(plan['raw_insert_s']):.2f} s (raw INSERT) |"
        f" {plan['ratio']:.2f}x | <= 1.5x | {'PASS' if plan['ratio'] <= 1.5 else 'MISS'} |",
        f"| quiet tick ({quiet_tick['due']} due) | {_median(quiet_tick['tick_s']) * 1000:.1f} ms |"
        f" {_median(quiet_tick['floor_s']) * 1000:.1f} ms (due_between + empty transaction) |"
        f" {quiet_tick['ratio']:.2f}x | <= 2x | {'PASS' if quiet_tick['ratio'] <= 2 else 'MISS'} |",
        f"| take, {WORKERS} workers, batches of {TAKE_LIMIT} | {rate:,.0f} runs/s | | |"
        f" >= 20,000 runs/s | {'PASS' if rate >= 20_000 else 'MISS'} |",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
