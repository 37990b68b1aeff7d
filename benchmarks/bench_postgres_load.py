"""Loading the schedule map from PostgreSQL against psycopg fetching the same rows raw.

    python benchmarks/bench_postgres_load.py                    # 100,000 and 1,000,000 rows
    python benchmarks/bench_postgres_load.py --rows 100000 --trials 3

The DESIGN.md target: ``load_schedule_map`` on 1M rows <= 1.3x the time psycopg takes to
fetch the same filtered rows into Python. Uses ``CRONSPEC_TEST_DSN`` if set, else starts a
throwaway server (the tests' ``postgres_server`` module). The rows are ``corpus.make_rows``
(Zipf over ~2,000 expressions, ~2 % disabled, ~1 % NULL, ~0.5 % invalid, ~20 % of the
organizations on another zone), written with COPY.

Each trial times, in alternating order: (a) a plain SELECT of the same filtered rows and
columns, one result row per table row, every row fetched into Python, both with a
client-side cursor (``fetchall``) and with a server-side cursor in batches; the faster of
the two medians is the floor; (b)
``load_schedule_map``; (c) ``load_schedule_map_async``. The garbage collector stays on, as
in a service (the floor allocates its million tuples too). Results go to
``benchmarks/results/postgres_load.json``; progress to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))  # run from a checkout; the server code lives in tests/

import psycopg  # noqa: E402
from postgres_server import apply_schema, database_dsn, throwaway_server  # noqa: E402
from psycopg import sql  # noqa: E402

from benchmarks.corpus import make_rows  # noqa: E402
from benchmarks.report import machine_info  # noqa: E402
from cronspec.adapters.postgres import _schedules as postgres  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "postgres_load.json"
DATABASE = "cronspec_bench"
TARGET = 1.3
COLUMNS = ("id", "organization_id", "integration_type", "cron_schedule", "is_enabled", "timezone")


def _rows(text: str) -> list[int]:
    try:
        rows = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers like 100000,1000000: {text!r}"
        ) from None
    if not rows or min(rows) <= 0:
        raise argparse.ArgumentTypeError("row counts must be positive")
    return rows


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _create_database(dsn: str) -> str:
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    bench_dsn = database_dsn(dsn, DATABASE)
    with psycopg.connect(bench_dsn) as conn:
        apply_schema(conn)
    return bench_dsn


def _fill(conn: psycopg.Connection[Any], table: str, n: int) -> None:
    started = time.perf_counter()
    rows = make_rows(n, fresh_strings=False)
    _log(f"  generated {n:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    name = sql.Identifier(table)
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
    conn.execute(
        sql.SQL("CREATE TABLE {} (LIKE organization_integrations INCLUDING ALL)").format(name)
    )
    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
        name, sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    )
    with conn.cursor().copy(copy) as writer:
        for row in rows:
            writer.write_row([row[column] for column in COLUMNS])
    conn.commit()
    conn.autocommit = True
    try:
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(name))  # hint bits set: scans stay reads
    finally:
        conn.autocommit = False
    _log(f"  copied into {table} in {time.perf_counter() - started:.1f} s")


def _timed(run: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    del result
    return elapsed


def _bench_table(dsn: str, table: str, trials: int) -> dict[str, Any]:
    # The floor: psycopg fetching the same rows, one per row, as a plain SELECT would.
    query = sql.SQL(
        "SELECT id::text, organization_id::text, integration_type::text, cron_schedule::text,"
        " timezone::text FROM {} WHERE is_enabled AND cron_schedule IS NOT NULL"
    ).format(sql.Identifier(table))
    with psycopg.connect(dsn) as conn, asyncio.Runner() as runner:
        aconn = runner.run(psycopg.AsyncConnection.connect(dsn))
        counts = conn.execute(
            sql.SQL(
                "SELECT count(*), count(*) FILTER (WHERE is_enabled AND cron_schedule IS NOT NULL)"
                " FROM {}"
            ).format(sql.Identifier(table))
        ).fetchone()
        conn.rollback()
        assert counts is not None

        def raw_fetchall() -> list[tuple[Any, ...]]:
            with conn.transaction(), conn.cursor() as cur:
                return cur.execute(query).fetchall()

        def raw_batches() -> list[tuple[Any, ...]]:
            with conn.transaction(), conn.cursor("raw") as cur:
                cur.execute(query)
                rows: list[tuple[Any, ...]] = []
                while batch := cur.fetchmany(postgres.BATCH_SIZE):
                    rows += batch
                return rows

        def load() -> object:
            return postgres.load_schedule_map(conn, table=table)

        def load_async() -> object:
            return runner.run(postgres.load_schedule_map_async(aconn, table=table))

        runs = {
            "raw_fetchall": raw_fetchall,
            "raw_server_cursor": raw_batches,
            "load_schedule_map": load,
            "load_schedule_map_async": load_async,
        }
        schedule = postgres.load_schedule_map(conn, table=table)  # warm-up (and counts)
        raw_fetchall()
        times: dict[str, list[float]] = {name: [] for name in runs}
        for trial in range(trials):
            order = list(runs) if trial % 2 == 0 else list(reversed(runs))
            for name in order:
                times[name].append(_timed(runs[name]))
            _log(
                f"  trial {trial + 1}/{trials}: "
                + ", ".join(f"{name} {times[name][-1]:.3f} s" for name in runs)
            )
        runner.run(aconn.close())
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor_name = min(("raw_fetchall", "raw_server_cursor"), key=medians.__getitem__)
    floor = medians[floor_name]
    return {
        "table_rows": counts[0],
        "selected_rows": counts[1],
        "loaded": len(schedule),
        "rejected": len(schedule.rejected),
        "seconds": {name: [round(t, 4) for t in values] for name, values in times.items()},
        "median_seconds": {name: round(value, 4) for name, value in medians.items()},
        "floor": floor_name,
        "ratio_load_to_raw": round(medians["load_schedule_map"] / floor, 3),
        "ratio_load_async_to_raw": round(medians["load_schedule_map_async"] / floor, 3),
        "target": TARGET,
        "meets_target": medians["load_schedule_map"] / floor <= TARGET,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_rows, default=[100_000, 1_000_000], help="row counts")
    parser.add_argument("--trials", type=int, default=5, help="timed trials per size (median)")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    # The ~0.5 % invalid rows are logged as warnings; not what is measured here.
    logging.getLogger("cronspec").setLevel(logging.ERROR)

    results: dict[str, Any] = {
        "machine": machine_info(),
        "load_average_before": os.getloadavg(),
        "arguments": {"rows": args.rows, "trials": args.trials},
        "psycopg": psycopg.__version__,
        "libpq": psycopg.pq.version(),
        "batch_size": postgres.BATCH_SIZE,
        "sizes": {},
    }
    with throwaway_server() as server_dsn:
        dsn = _create_database(server_dsn)
        with psycopg.connect(dsn) as conn:
            results["server"] = conn.info.server_version
            for n in args.rows:
                _log(f"{n:,} rows:")
                _fill(conn, f"bench_{n}", n)
                results["sizes"][str(n)] = _bench_table(dsn, f"bench_{n}", args.trials)
    results["load_average_after"] = os.getloadavg()

    print(f"{'rows':>10}  {'raw fetch':>10}  {'load':>10}  {'async':>10}  {'load/raw':>8}  target")
    for n, size in results["sizes"].items():
        medians = size["median_seconds"]
        print(
            f"{int(n):>10,}  {medians[size['floor']]:>9.3f}s  {medians['load_schedule_map']:>9.3f}s"
            f"  {medians['load_schedule_map_async']:>9.3f}s  {size['ratio_load_to_raw']:>8.2f}"
            f"  <= {TARGET} {'met' if size['meets_target'] else 'MISSED'}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    _log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
