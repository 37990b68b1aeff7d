"""Run every cronspec benchmark in one process and compare with the peers.

    python benchmarks/run.py                      # full run, ~10 minutes
    python benchmarks/run.py --quick              # smoke run, under a minute
    python benchmarks/run.py --rows 10000,100000,1000000
    python benchmarks/run.py --markdown           # only the tables, for the README

Peers come from PyPI (``pip install --group bench`` or the versions in pyproject.toml).
Results go to ``benchmarks/results/latest.json`` (``quick.json`` for ``--quick``).
Progress is written to stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from benchmarks import micro, report, workload  # noqa: E402
from benchmarks.peers import import_cronspec, load_libraries  # noqa: E402
from benchmarks.timing import allocation_sites  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def _rows(text: str) -> list[int]:
    try:
        rows = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 10000,100000: {text!r}") from None
    if not rows or min(rows) <= 0:
        raise argparse.ArgumentTypeError("row counts must be positive")
    return rows


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials and rows (smoke run)")
    parser.add_argument(
        "--rows",
        type=_rows,
        help="row counts for the scheduler workload (default 10000,100000,1000000; --quick: 10000)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print only the Markdown tables to stdout"
    )
    parser.add_argument("--json", type=Path, help="where to write the results (JSON)")
    parser.add_argument("--skip-micro", action="store_true", help="no micro benchmarks")
    parser.add_argument("--skip-workload", action="store_true", help="no scheduler workload")
    parser.add_argument("--no-peers", action="store_true", help="cronspec and the floors only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the cronspec side of every missed target (to stderr and "
        "benchmarks/results/profile.txt)",
    )
    return parser


def _profile(run: Callable[[], object]) -> str:
    """The 14 functions with the most own time over three runs, as pstats prints them."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(14)
    body = out.getvalue()
    start = body.find("   ncalls")
    return body[start if start >= 0 else 0 :].rstrip()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quick = args.quick
    rows = args.rows or ([10_000] if quick else [10_000, 100_000, 1_000_000])
    micro_cfg = micro.QUICK if quick else micro.FULL
    work_cfg = workload.QUICK if quick else workload.FULL
    json_path = args.json or RESULTS / ("quick.json" if quick else "latest.json")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # Rejected rows are logged as warnings by design; keep them off the terminal while
    # still paying for the log calls, as an application with logging configured would.
    cronspec_logger = logging.getLogger("cronspec")
    cronspec_logger.addHandler(logging.NullHandler())
    cronspec_logger.propagate = False

    started = time.perf_counter()
    libraries, notes = load_libraries([] if args.no_peers else None)
    log("libraries: " + ", ".join(f"{lib.name} {lib.version}" for lib in libraries))
    peers = [lib for lib in libraries if lib.name != "cronspec"]

    micro_results: list[micro.MicroResult] = []
    if not args.skip_micro:
        log("micro benchmarks ...")
        micro_results = micro.run_micro(libraries, micro_cfg)
        log(f"micro benchmarks done in {time.perf_counter() - started:.0f} s")

    work_results: list[workload.WorkloadResult] = []
    cronspec = import_cronspec()
    if not args.skip_workload:
        if cronspec is None:
            notes.append("scheduler workload skipped: cronspec.ScheduleMap not importable")
        else:
            for n in rows:
                log(f"scheduler workload, {n:,} rows ...")
                work_results.append(workload.run_workload(cronspec, peers, n, work_cfg, log))

    for r in micro_results:
        notes += [f"{r.label}: {note}" for note in r.notes]
        notes += [f"{r.label}: {name} failed: {err}" for name, err in r.errors.items()]
    for w in work_results:
        notes += [f"{w.rows:,} rows: {note}" for note in w.notes]
        notes += [f"{w.rows:,} rows: {name} failed: {err}" for name, err in w.peer_errors.items()]
        notes += [
            f"{w.rows:,} rows: {name} refused {run.rejected} of {run.rows:,} rows; "
            f"on the rows it accepted, {run.wrong} due_at answers differ from cronsim "
            "(Debian rules)"
            for name, run in w.peers.items()
            if run.rejected or run.wrong
        ]
    how = report.how_notes(libraries, work_results)

    tables = []
    if micro_results:
        tables.append(report.micro_table(micro_results, micro_cfg.trials))
    if work_results:
        tables.append(report.workload_table(work_results, work_cfg.trials))
    markdown = "\n\n".join(tables)
    markdown += "\n\nHow the peers are used:\n\n" + "\n".join(f"- {line}" for line in how)
    print(markdown)
    if not args.markdown:
        print("\nNotes:\n" + "\n".join(f"- {note}" for note in notes))

    data = report.results_json(
        args={
            "argv": sys.argv[1:] if argv is None else argv,
            "quick": quick,
            "rows": rows,
            "micro_config": micro_cfg.__dict__,
            "workload_config": work_cfg.__dict__,
        },
        libraries=libraries,
        notes=notes + how,
        micro=micro_results,
        workload=work_results,
    )
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"results written to {json_path} ({time.perf_counter() - started:.0f} s in all)")

    missed = report.misses(micro_results, work_results)
    if args.profile and missed:
        sections = []
        for name, verdict, run, is_memory in missed:
            if run is None:
                continue
            title = f"## {name}: {verdict.cell}"
            body = allocation_sites(run) if is_memory else _profile(run)
            sections.append(f"{title}\n{body}\n")
        text = "\n".join(sections)
        (RESULTS / "profile.txt").write_text(text, encoding="utf-8")
        log(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
