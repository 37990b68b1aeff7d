"""What odd tables cost to load, against the plain build of the map (issue 12).

    python benchmarks/bench_build_costs.py                 # 100,000 rows, 5 trials
    python benchmarks/bench_build_costs.py --rows 200000 --trials 3

Each is timed side by side with the plain build, trials interleaved, and printed as a
ratio (median of the per-round ratios), so load on the machine mostly cancels:

- duplicates: the rows plus 4 % more whose ids repeat earlier ones (each is rejected,
  naming the organization that has the id), against the rows alone;
- monthly + min_interval: 3,000 distinct monthly schedules (``M H D * *``) loaded with
  ``min_interval``, against the same rows without it, and against the plain build;
- day lists + min_interval: 3,000 distinct day-of-month lists (``0 0 D1,D2,D3 * *``),
  the worst case for the cache of day gaps, which is cleared before every trial.

Rejected rows are logged (to a NullHandler), as in a service with logging configured.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from benchmarks.corpus import make_rows  # noqa: E402
from benchmarks.timing import Timing, fmt_ns, measure_side_by_side, paired_ratio  # noqa: E402
from cronspec import ScheduleMap  # noqa: E402
from cronspec._days import min_day_gap  # noqa: E402

POLICY = timedelta(minutes=15)


def _rows(expressions: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"i{n}",
            "organization_id": f"o{n % 700}",
            "integration_type": "xledger",
            "cron_schedule": expression,
            "is_enabled": True,
        }
        for n, expression in enumerate(expressions)
    ]


def monthly(count: int) -> list[str]:
    """``count`` distinct schedules that fire once a month."""
    combos = itertools.product(range(1, 29), range(24), range(0, 60, 5))
    return [f"{m} {h} {d} * *" for d, h, m in itertools.islice(combos, 0, None, 2)][:count]


def day_lists(count: int) -> list[str]:
    """``count`` distinct day-of-month lists: as many day rules to work out as rows."""
    combos = itertools.combinations(range(1, 29), 3)
    return [f"0 0 {a},{b},{c} * *" for a, b, c in itertools.islice(combos, count)]


def build(rows: list[dict[str, Any]], min_interval: timedelta | None = None) -> Callable[[], int]:
    def run() -> int:
        min_day_gap.cache_clear()  # every trial works the day gaps out afresh
        ScheduleMap.from_rows(rows, min_interval=min_interval)
        return 1

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    cronspec_logger = logging.getLogger("cronspec")
    cronspec_logger.addHandler(logging.NullHandler())
    cronspec_logger.propagate = False

    rows = make_rows(args.rows)
    repeated = [{**row, "organization_id": "another-org"} for row in rows[::25] if row.get("id")]
    months, days = _rows(monthly(3000)), _rows(day_lists(3000))
    runs = {
        "plain": build(rows),
        "duplicates": build(rows + repeated),
        "monthly": build(months),
        "monthly + min_interval": build(months, POLICY),
        "day lists": build(days),
        "day lists + min_interval": build(days, POLICY),
    }
    timings = measure_side_by_side(runs, trials=args.trials, min_trial_ns=0, disable_gc=False)

    def line(name: str, against: str) -> str:
        a, b = timings[name], timings[against]
        return f"  {name:<26} {fmt_ns(a.median):>9}  {paired_ratio(a, b):6.2f}x {against}"

    plain: Timing = timings["plain"]
    print(f"{args.rows:,} rows, {args.trials} trials; plain build {fmt_ns(plain.median)}")
    print(f"  duplicates: {len(repeated):,} rows repeat an id")
    print(line("duplicates", "plain"))
    for name in ("monthly", "day lists"):
        print(line(f"{name} + min_interval", name))
        print(line(f"{name} + min_interval", "plain"))


if __name__ == "__main__":
    main()
