"""Loading the schedule map from PostgreSQL against psycopg fetching the same rows raw.

    python benchmarks/bench_postgres_load.py                    # 100,000 and 1,000,000 rows
    python benchmarks/bench_postgres_load.py --rows 1000000 --trials 3
    python benchmarks/bench_postgres_load.py --rows 1000000 --trials 3 --carriers

The DESIGN.md target: ``load_schedule_map`` on 1M rows <= 1.3x the time psycopg takes to
fetch the same filtered rows into Python. Uses ``CRONSPEC_TEST_DSN`` if set, else starts a
throwaway server (the tests' ``postgres_server`` module). The rows are ``corpus.make_rows``
(Zipf over ~2,000 expressions, ~2 % disabled, ~1 % NULL, ~0.5 % invalid, ~20 % of the
organizations on another zone), each with its own ``updated_at`` over 600 days, written with
COPY; a view of the same table without ``updated_at`` gives the load without it.

Each trial times, in alternating order:

- the floor: a plain SELECT of the same filtered rows and columns, ids cast to text, one
  result row per table row, every row fetched into Python, three ways (``fetchall``, a
  server-side cursor in batches, ``stream``); the fastest median is the floor. The same
  again with ``updated_at`` as epoch seconds (float8, psycopg's cheapest) for the floor of
  the load with ``updated_at``;
- ``load_schedule_map`` from the view (no ``updated_at``: the target's like for like), from
  the table (with ``updated_at``), and ``load_schedule_map_async`` from the view.

``bounds`` records what the load is made of: the server's execution time of the floor's
SELECT and of the adapter's grouping SELECT (``EXPLAIN (ANALYZE, TIMING OFF)``, best of
three), and the client's part: fetching the groups, building the map from them, and the
garbage collector's share of the build. With ``--carriers`` the same trials also time
complete loads through the other ways of carrying the rows (see ``CARRIERS``), each checked
to give the same map.

The garbage collector stays on, as in a service (the floor allocates its million tuples
too). Results go to ``benchmarks/results/postgres_load.json``; progress to stderr, the table
to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))  # run from a checkout; the server code lives in tests/

import psycopg  # noqa: E402
from postgres_server import apply_schema, database_dsn, throwaway_server  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.rows import dict_row  # noqa: E402
from psycopg.types.string import TextLoader  # noqa: E402

from benchmarks.corpus import make_rows  # noqa: E402
from benchmarks.report import machine_info  # noqa: E402
from cronspec import ScheduleMap  # noqa: E402
from cronspec.adapters.postgres import _schedules as postgres  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "postgres_load.json"
DATABASE = "cronspec_bench"
TARGET = 1.3
COLUMNS = ("id", "organization_id", "integration_type", "cron_schedule", "is_enabled", "timezone")
FIRST_EDIT = datetime(2025, 1, 1, tzinfo=UTC)
EDIT_SPAN = 600 * 86_400 * 1_000_000  # microseconds
Conn = psycopg.Connection[Any]
Group = tuple[Any, ...]

FILTER = "WHERE is_enabled AND cron_schedule IS NOT NULL"
KEY = "cron_schedule::text, timezone::text, integration_type::text"
GROUP_BY = "GROUP BY cron_schedule, timezone, integration_type"
# The floor: what a plain SELECT of the same rows costs, ids cast to text as the load does.
FLOOR = f"SELECT id::text, organization_id::text, {KEY}"
FLOOR_UPDATED_AT = FLOOR + ", date_part('epoch', updated_at)"


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


def _view(table: str) -> str:
    return f"{table}_no_updated_at"


def _fill(conn: Conn, table: str, n: int) -> None:
    started = time.perf_counter()
    rows = make_rows(n, fresh_strings=False)
    _log(f"  generated {n:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    name = sql.Identifier(table)
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(name))
    conn.execute(
        sql.SQL("CREATE TABLE {} (LIKE organization_integrations INCLUDING ALL)").format(name)
    )
    copy = sql.SQL("COPY {} ({}, updated_at) FROM STDIN").format(
        name, sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    )
    with conn.cursor().copy(copy) as writer:
        for number, row in enumerate(rows):
            # Spread over 600 days, to the microsecond: every row its own edit time.
            edited = FIRST_EDIT + timedelta(microseconds=number * 7_919_000_003 % EDIT_SPAN)
            writer.write_row([*(row[column] for column in COLUMNS), edited])
    conn.execute(
        sql.SQL("CREATE VIEW {} AS SELECT {} FROM {}").format(
            sql.Identifier(_view(table)), sql.SQL(", ").join(map(sql.Identifier, COLUMNS)), name
        )
    )
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


def _query(conn: Conn, text: str) -> list[Group]:
    with conn.transaction(), conn.cursor() as cur:
        return cur.execute(text).fetchall()


# -- the floor: one result row per table row ------------------------------------------------


def _floors(conn: Conn, table: str) -> dict[str, Callable[[], object]]:
    def fetchall(select: str) -> Callable[[], object]:
        return lambda: _query(conn, f"{select} FROM {table} {FILTER}")

    def server_cursor(select: str) -> Callable[[], object]:
        def run() -> object:
            with conn.transaction(), conn.cursor("raw") as cur:
                cur.execute(f"{select} FROM {table} {FILTER}")
                rows: list[Group] = []
                while batch := cur.fetchmany(postgres.BATCH_SIZE):
                    rows += batch
                return rows

        return run

    def stream(select: str) -> Callable[[], object]:
        def run() -> object:
            with conn.transaction(), conn.cursor() as cur:
                return list(cur.stream(f"{select} FROM {table} {FILTER}", size=1000))

        return run

    return {
        f"raw_{way.__name__}{suffix}": way(select)
        for suffix, select in (("", FLOOR), ("_updated_at", FLOOR_UPDATED_AT))
        for way in (fetchall, server_cursor, stream)
    }


# -- other ways of carrying the rows (--carriers), each a complete load ---------------------


def _by_key(rows: Iterable[Group]) -> list[Group]:
    """(schedule, zone, type, org, id) rows grouped in Python, as from_groups takes them."""
    groups: dict[tuple[Any, ...], tuple[list[Any], list[Any]]] = {}
    for expression, zone, kind, org, integration in rows:
        orgs, ids = groups.setdefault((expression, zone, kind), ([], []))
        orgs.append(org)
        ids.append(integration)
    return [(*key, orgs, ids) for key, (orgs, ids) in groups.items()]


def _copy_text_rows(text: str) -> Iterator[Group]:
    """COPY text lines; the bench ids need none of COPY's backslash escapes (checked)."""
    assert "\\" not in text
    for line in text.splitlines():
        expression, zone, kind, org, integration = line.split("\t")
        yield (expression, None if zone == "\\N" else zone, kind, org, integration)


def _carriers(conn: Conn, table: str) -> dict[str, Callable[[], ScheduleMap]]:
    view = _view(table)
    rows = f"FROM {view} {FILTER}"
    arrays = (
        f"SELECT {KEY}, array_agg(organization_id::text), array_agg(id::text) {rows} {GROUP_BY}"
    )

    def groups(query: str, *, binary: bool = False, setting: str = "") -> ScheduleMap:
        with conn.transaction(), conn.cursor(binary=binary) as cur:
            if setting:
                cur.execute(setting)
            return ScheduleMap.from_groups(cur.execute(query).fetchall())

    def string_agg_work_mem() -> ScheduleMap:
        with conn.transaction():
            conn.execute("SELECT set_config('work_mem', '256MB', true)")
            return postgres.load_schedule_map(conn, table=view)

    tuples = (
        "SELECT id::text, organization_id::text, integration_type::text, cron_schedule::text,"
        f" true, timezone::text {rows}"
    )

    def rows_streamed() -> ScheduleMap:
        # The floor's overlap: the map is built while the server is still sending rows.
        with conn.transaction(), conn.cursor() as cur:
            return ScheduleMap.from_tuples(cur.stream(tuples, size=1000))

    def rows_streamed_updated_at() -> ScheduleMap:
        # from_rows is the map's one way to take updated_at row by row: dicts.
        columns = ", ".join(
            f"{column}::text AS {column}" for column in COLUMNS if column != "is_enabled"
        )
        query = (
            f"SELECT {columns}, true AS is_enabled, date_part('epoch', updated_at) AS updated_at"
            f" FROM {table} {FILTER}"
        )
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            return ScheduleMap.from_rows(cur.stream(query, size=1000))

    def order_by() -> ScheduleMap:
        fetched = _query(
            conn,
            f"SELECT {KEY}, organization_id::text, id::text {rows} ORDER BY cron_schedule"
            ' COLLATE "C", timezone COLLATE "C", integration_type COLLATE "C"',
        )

        def split() -> Iterator[Group]:
            for key, members in itertools.groupby(fetched, key=itemgetter(0, 1, 2)):
                group = list(members)
                yield (*key, [row[3] for row in group], [row[4] for row in group])

        return ScheduleMap.from_groups(split())

    def copy_rows(binary: bool) -> ScheduleMap:
        query = f"COPY (SELECT {KEY}, organization_id::text, id::text {rows}) TO STDOUT"
        with conn.transaction(), conn.cursor() as cur:
            if binary:
                with cur.copy(query + " (FORMAT binary)") as copy:
                    copy.set_types(["text"] * 5)
                    return ScheduleMap.from_groups(_by_key(copy.rows()))
            with cur.copy(query) as copy:
                text = b"".join(copy).decode()
        return ScheduleMap.from_groups(_by_key(_copy_text_rows(text)))

    def copy_groups() -> ScheduleMap:
        select = postgres._select(postgres._table(view), (True, False)).as_string(conn)
        with conn.transaction(), conn.cursor().copy(f"COPY ({select}) TO STDOUT") as copy:
            text = b"".join(copy).decode()
        fields = (line.split("\t") for line in text.splitlines())
        return ScheduleMap.from_groups(
            postgres._group((e, None if z == "\\N" else z, k, bytes.fromhex(p[3:])))
            for e, z, k, p in fields
        )

    def keys_apart() -> ScheduleMap:
        # One statement: the distinct keys numbered, then each row's key number and ids.
        fetched = _query(
            conn,
            f"WITH keys AS MATERIALIZED (SELECT {KEY}, (row_number() OVER ())::int AS n"
            f" {rows} {GROUP_BY}),"
            f" numbered AS (SELECT k.n, v.organization_id::text AS org, v.id::text AS id"
            f" FROM {view} AS v JOIN keys AS k ON v.cron_schedule = k.cron_schedule"
            " AND v.integration_type = k.integration_type"
            " AND v.timezone IS NOT DISTINCT FROM k.timezone"
            " WHERE v.is_enabled AND v.cron_schedule IS NOT NULL)"
            " SELECT n, cron_schedule, timezone, integration_type FROM keys"
            " UNION ALL SELECT -n, org, id, NULL FROM numbered",
        )
        members: dict[int, tuple[list[str], list[str]]] = {}
        keys: dict[int, tuple[Any, ...]] = {}
        for n, first, second, third in fetched:
            if n > 0:
                keys[n] = (first, second, third)
            else:
                orgs, ids = members.setdefault(-n, ([], []))
                orgs.append(first)
                ids.append(second)
        return ScheduleMap.from_groups((*keys[n], *ids) for n, ids in members.items())

    def hash_of_key() -> ScheduleMap:
        pair = "organization_id::text || ' ' || id::text"
        fetched = _query(
            conn,
            f"SELECT min(cron_schedule)::text, min(timezone)::text, min(integration_type)::text,"
            f" max(cron_schedule)::text, max(timezone)::text, max(integration_type)::text,"
            f" string_agg({pair}, ' ') {rows} GROUP BY hashtextextended(cron_schedule || ' '"
            f" || coalesce(timezone, '') || ' ' || integration_type, 0)",
        )
        assert all(r[:3] == r[3:6] for r in fetched), "a hash collision: groups merged"
        return ScheduleMap.from_groups(
            (e, z, k, (ids := pairs.split(" "))[0::2], ids[1::2]) for e, z, k, *_, pairs in fetched
        )

    def uuid_arrays() -> ScheduleMap:
        # uuid[] aggregated natively (16 bytes a value), read as str by psycopg's text loader.
        with conn.transaction(), conn.cursor() as cur:
            cur.adapters.register_loader("uuid", TextLoader)
            cur.execute(
                f"SELECT {KEY}, array_agg(organization_id), array_agg(id) {rows} {GROUP_BY}"
            )
            return ScheduleMap.from_groups(cur.fetchall())

    return {
        "adapter: string_agg bytea, binary": lambda: postgres.load_schedule_map(conn, table=view),
        "string_agg bytea, work_mem 256MB": string_agg_work_mem,
        "array_agg text arrays (cronspec 0.2)": lambda: groups(arrays),
        "array_agg, binary format": lambda: groups(arrays, binary=True),
        "array_agg of uuid, text loader": uuid_arrays,
        "GROUP BY a hash of the key": hash_of_key,
        "COPY text of the groups": copy_groups,
        "rows, ScheduleMap.from_tuples": lambda: ScheduleMap.from_tuples(_query(conn, tuples)),
        "rows streamed into ScheduleMap.from_tuples": rows_streamed,
        "rows streamed into ScheduleMap.from_rows (updated_at)": rows_streamed_updated_at,
        "ORDER BY the key, split on the client": order_by,
        "COPY text of the rows, grouped in Python": lambda: copy_rows(False),
        "COPY binary of the rows, grouped in Python": lambda: copy_rows(True),
        "keys apart, a numbered key per row": keys_apart,
    }


# -- what the load is made of ----------------------------------------------------------------


def _server_ms(conn: Conn, query: str | sql.Composable) -> float:
    text = query if isinstance(query, str) else query.as_string(conn)
    times = []
    for _ in range(3):
        with conn.transaction():
            plan = conn.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {text}").fetchone()
        assert plan is not None
        times.append(plan[0][0]["Execution Time"])
    return round(min(times), 1)


def _bounds(conn: Conn, table: str) -> dict[str, Any]:
    """Server and client parts of the load, with updated_at and without."""
    result: dict[str, Any] = {
        "server_floor_select_ms": _server_ms(conn, f"{FLOOR} FROM {table} {FILTER}"),
        "server_floor_select_updated_at_ms": _server_ms(
            conn, f"{FLOOR_UPDATED_AT} FROM {table} {FILTER}"
        ),
    }
    for suffix, columns in (("", (True, False)), ("_updated_at", (True, True))):
        select = postgres._select(postgres._table(table), columns)
        result[f"server_load_select{suffix}_ms"] = _server_ms(conn, select)
        started = time.perf_counter()
        with conn.transaction(), conn.cursor("groups", binary=True) as cur:
            cur.execute(select)
            groups = [postgres._group(row) for row in cur]
        result[f"client_fetch_groups{suffix}_s"] = round(time.perf_counter() - started, 3)
        collecting: list[float] = []

        def track(phase: str, info: dict[str, int], collecting: list[float] = collecting) -> None:
            collecting.append(time.perf_counter() if phase == "start" else -time.perf_counter())

        gc.collect()
        gc.callbacks.append(track)
        started = time.perf_counter()
        ScheduleMap.from_groups(groups)
        result[f"client_from_groups{suffix}_s"] = round(time.perf_counter() - started, 3)
        gc.callbacks.remove(track)
        result[f"client_from_groups{suffix}_gc_s"] = round(-sum(collecting), 3)
        del groups
    return result


def _bench_table(dsn: str, table: str, trials: int, carriers: bool) -> dict[str, Any]:
    view = _view(table)
    with psycopg.connect(dsn) as conn, asyncio.Runner() as runner:
        aconn = runner.run(psycopg.AsyncConnection.connect(dsn))
        counts = conn.execute(
            f"SELECT count(*), count(*) FILTER (WHERE is_enabled AND cron_schedule IS NOT NULL)"
            f" FROM {table}"
        ).fetchone()
        conn.rollback()
        assert counts is not None
        runs: dict[str, Callable[[], object]] = {
            **_floors(conn, table),
            "load_schedule_map": lambda: postgres.load_schedule_map(conn, table=view),
            "load_schedule_map_updated_at": lambda: postgres.load_schedule_map(conn, table=table),
            "load_schedule_map_async": lambda: runner.run(
                postgres.load_schedule_map_async(aconn, table=view)
            ),
        }
        schedule = postgres.load_schedule_map(conn, table=table)  # warm-up (and counts)
        if carriers:
            for name, carrier in _carriers(conn, table).items():
                other = carrier()  # each carrier gives the same map, or it is not measured
                assert (len(other), len(other.rejected)) == (len(schedule), len(schedule.rejected))
                runs[f"carrier: {name}"] = carrier
        times: dict[str, list[float]] = {name: [] for name in runs}
        for trial in range(trials):
            order = list(runs) if trial % 2 == 0 else list(reversed(runs))
            for name in order:
                times[name].append(_timed(runs[name]))
            _log(
                f"  trial {trial + 1}/{trials}: "
                + ", ".join(f"{name} {times[name][-1]:.3f} s" for name in runs)
            )
        bounds = _bounds(conn, table)
        runner.run(aconn.close())
    medians = {name: statistics.median(values) for name, values in times.items()}

    def floor_of(suffix: str) -> str:
        ways = ("fetchall", "server_cursor", "stream")
        return min((f"raw_{way}{suffix}" for way in ways), key=medians.__getitem__)

    floor, floor_updated_at = floor_of(""), floor_of("_updated_at")
    ratio = medians["load_schedule_map"] / medians[floor]
    return {
        "table_rows": counts[0],
        "selected_rows": counts[1],
        "loaded": len(schedule),
        "rejected": len(schedule.rejected),
        "edit_times": len(schedule.edited_after(FIRST_EDIT - timedelta(days=1))),
        "seconds": {name: [round(t, 4) for t in values] for name, values in times.items()},
        "median_seconds": {name: round(value, 4) for name, value in medians.items()},
        "floor": floor,
        "floor_updated_at": floor_updated_at,
        "ratio_load_to_raw": round(ratio, 3),
        "ratio_load_async_to_raw": round(medians["load_schedule_map_async"] / medians[floor], 3),
        "ratio_load_updated_at_to_raw_updated_at": round(
            medians["load_schedule_map_updated_at"] / medians[floor_updated_at], 3
        ),
        "updated_at_cost_seconds": round(
            medians["load_schedule_map_updated_at"] - medians["load_schedule_map"], 3
        ),
        # Each against the floor of its columns: "(updated_at)" carriers read updated_at too.
        "ratio_carriers_to_raw": {
            name.removeprefix("carrier: "): round(
                value / medians[floor_updated_at if "(updated_at)" in name else floor], 3
            )
            for name, value in medians.items()
            if name.startswith("carrier: ")
        },
        "bounds": bounds,
        "target": TARGET,
        "meets_target": ratio <= TARGET,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_rows, default=[100_000, 1_000_000], help="row counts")
    parser.add_argument("--trials", type=int, default=5, help="timed trials per size (median)")
    parser.add_argument("--carriers", action="store_true", help="also time the other carriers")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    # The ~0.5 % invalid rows are logged as warnings; not what is measured here.
    logging.getLogger("cronspec").setLevel(logging.ERROR)

    results: dict[str, Any] = {
        "machine": machine_info(),
        "load_average_before": os.getloadavg(),
        "arguments": {"rows": args.rows, "trials": args.trials, "carriers": args.carriers},
        "psycopg": psycopg.__version__,
        "libpq": psycopg.pq.version(),
        "batch_size": postgres.BATCH_SIZE,
        "sizes": {},
    }
    with throwaway_server() as server_dsn:
        dsn = _create_database(server_dsn)
        with psycopg.connect(dsn) as conn:
            results["server"] = conn.info.server_version
            results["work_mem"] = conn.execute("SHOW work_mem").fetchone()
            for n in args.rows:
                _log(f"{n:,} rows:")
                _fill(conn, f"bench_{n}", n)
                results["sizes"][str(n)] = _bench_table(
                    dsn, f"bench_{n}", args.trials, args.carriers
                )
    results["load_average_after"] = os.getloadavg()

    print(
        f"{'rows':>10}  {'raw fetch':>10}  {'load':>10}  {'async':>10}  {'load/raw':>8}  target"
        f"  {'+updated_at':>11}  {'/raw':>5}"
    )
    for n, size in results["sizes"].items():
        medians = size["median_seconds"]
        print(
            f"{int(n):>10,}  {medians[size['floor']]:>9.3f}s  {medians['load_schedule_map']:>9.3f}s"
            f"  {medians['load_schedule_map_async']:>9.3f}s  {size['ratio_load_to_raw']:>8.2f}"
            f"  <= {TARGET} {'met' if size['meets_target'] else 'MISSED'}"
            f"  {medians['load_schedule_map_updated_at']:>10.3f}s"
            f"  {size['ratio_load_updated_at_to_raw_updated_at']:>5.2f}"
        )
        for name, ratio in size["ratio_carriers_to_raw"].items():
            print(f"{'':>10}  carrier {name:<44} {ratio:>5.2f}x the floor")
        print(f"{'':>10}  bounds: {json.dumps(size['bounds'])}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    _log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
