"""The shared benchmark corpus: realistic cron expressions and generated table rows.

Everything here is deterministic (seeded) and uses only the standard library, so every
benchmark (the in-memory one in ``run.py``, the PostgreSQL load one) sees the same data.

- ``CURATED``: hand-written schedules of the kind integrations use (nightly, hourly, business
  hours, month ends, sparse ones such as ``0 0 29 2 1``).
- ``random_expressions(count, seed)``: distinct, valid, standard-syntax expressions (numeric
  fields only, so that every peer library can parse them).
- ``EXPRESSIONS``: the ~2,000 distinct expressions the rows are drawn from, most popular first
  (the curated ones, then random ones).
- ``make_rows(n, seed)``: rows of ``organization_integrations`` as dicts with the keys
  ``id``, ``organization_id``, ``integration_type``, ``cron_schedule``, ``is_enabled``,
  ``timezone``; schedules Zipf-distributed over ``EXPRESSIONS``.
"""

from __future__ import annotations

import itertools
import random
import uuid
from typing import Any

__all__ = [
    "BAD_TIMEZONE",
    "CURATED",
    "DISTINCT_EXPRESSIONS",
    "EXPRESSIONS",
    "FREQUENT",
    "INTEGRATION_TYPES",
    "INVALID_EXPRESSIONS",
    "SPARSE",
    "TIMEZONES",
    "make_rows",
    "random_expressions",
]

#: Schedules that fire at least daily, used for the "frequent" next_after benchmark.
FREQUENT: list[str] = [
    "*/5 * * * *",
    "0 * * * *",
    "*/15 9-17 * * 1-5",
    "0 2 * * *",
    "30 8 * * 1-5",
    "0 */6 * * *",
    "15,45 * * * *",
    "0 9-17 * * 1-5",
]

#: Schedules that fire at most a few times a year, used for the "sparse" benchmark.
#: ``0 0 29 2 1`` fires on 29 February *or* on Mondays in February (Debian rule), while
#: ``0 0 29 2 *`` fires only on leap days.
SPARSE: list[str] = [
    "0 0 29 2 1",
    "0 0 29 2 *",
    "0 0 1 1 *",
    "59 23 31 12 *",
    "30 6 1 1,7 *",
]

#: Realistic schedules, most popular first (the rows' Zipf ranks start here).
CURATED: list[str] = [
    "0 2 * * *",  # nightly at 02:00, the seed's example
    "0 * * * *",  # hourly
    "0 3 * * *",
    "*/15 9-17 * * 1-5",  # business hours
    "0 0 * * *",
    "30 1 * * *",
    "0 2 1 * *",  # monthly on the 1st
    "*/30 * * * *",
    "0 6 * * 1-5",
    "0 */6 * * *",
    "*/5 * * * *",
    "0 2 28-31 * *",  # month end, the classic workaround for L
    "0 23 L * *",  # month end (extension)
    "@daily",
    "@hourly",
    "0 4 * * 0",
    "0 7 * * MON-FRI",
    "0 9-17 * * 1-5",
    "15 */4 * * *",
    "0 22 * * 1-5",
    "0 1 * * 0,6",
    "0 0 1 1 *",  # yearly
    "0 3 1 */3 *",  # quarterly
    "30 2 1,15 * *",
    "0 12 * * *",
    "*/10 * * * *",
    "0 2 * * 1",
    "45 23 * * 6",
    "0 5 15 * *",
    "@weekly",
    "@monthly",
    "0 0 13 * 5",  # the 13th and every Friday
    "0 2 LW * *",  # last weekday of the month (extension)
    "0 0 29 2 1",  # sparse
    "0 0 29 2 *",  # leap days only
    "59 23 31 12 *",
    "5 4 * * sun",
    "0 8 1-7 * 1",  # the 1st to 7th and every Monday (Debian OR rule)
    "20 */2 * * *",
    "0 18 * * 5",
]

#: Typical mistakes found in configuration tables; each must be rejected by cronspec.
INVALID_EXPRESSIONS: list[str] = [
    "99 * * * *",
    "0 2 * *",
    "0 2 * * * *",
    "*/0 * * * *",
    "5/10 * * * *",
    "0 25 * * *",
    "0 0 30 2 *",
    "every day at 2",
    "0 2 31 2 *",
    "60 * * * *",
    "",
    "0 2 ** * *",
    "0 2 * * 1-",
    "@reboot",
    "0 2 * 13 *",
    "1.0 * * * *",
    "0 2 5-1 * *",
    "0 2 * * 8",
]

INTEGRATION_TYPES: tuple[str, ...] = ("xledger", "dynamics", "bufdir")
_TYPE_WEIGHTS = (0.5, 0.3, 0.2)

#: Zones of the ~20 % of organizations not on UTC (Oslo first: the product is Norwegian).
TIMEZONES: tuple[str, ...] = (
    "Europe/Oslo",
    "Europe/Stockholm",
    "Europe/Copenhagen",
    "Europe/London",
    "America/New_York",
)
_TZ_WEIGHTS = (0.7, 0.1, 0.1, 0.05, 0.05)
#: A misspelt zone; rows with it must be rejected (they count towards the invalid share).
BAD_TIMEZONE = "Europe/Olso"

_POOL_SEED = 20260601
_DISTINCT = 2000
_ZIPF_EXPONENT = 1.07


def _pick_minute(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return str(rng.choice((0, 0, 0, 15, 30, 45)))
    if r < 0.60:
        return str(rng.randrange(60))
    if r < 0.75:
        return f"*/{rng.choice((5, 10, 15, 20, 30))}"
    if r < 0.87:
        a, b = sorted(rng.sample(range(60), 2))
        return f"{a},{b}"
    if r < 0.97:
        step = rng.choice((5, 10, 15))  # no wider than the range: APScheduler refuses that
        a = rng.randrange(0, 30)
        return f"{a}-{rng.randrange(a + step, 60)}/{step}"
    return "*"


def _pick_hour(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return str(rng.randrange(24))
    if r < 0.65:
        return "*"
    if r < 0.80:
        a = rng.randrange(0, 12)
        return f"{a}-{rng.randrange(a + 1, 24)}"
    if r < 0.90:
        return f"*/{rng.choice((2, 3, 4, 6, 8, 12))}"
    return ",".join(str(h) for h in sorted(rng.sample(range(24), rng.randint(2, 4))))


def _pick_dom(rng: random.Random) -> str:
    # Days 1-28 only: every month has them, so no random expression can be never-firing.
    r = rng.random()
    if r < 0.70:
        return "*"
    if r < 0.82:
        return str(rng.randint(1, 28))
    if r < 0.90:
        a, b = sorted(rng.sample(range(1, 29), 2))
        return f"{a},{b}"
    if r < 0.95:
        a = rng.randint(1, 21)
        return f"{a}-{a + 6}"
    return f"*/{rng.choice((2, 7, 10, 14))}"


def _pick_month(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.85:
        return "*"
    if r < 0.90:
        return str(rng.randint(1, 12))
    if r < 0.95:
        return rng.choice(("*/3", "1-12/3", "*/6", "2-12/3"))
    return ",".join(str(m) for m in sorted(rng.sample(range(1, 13), 4)))


def _pick_dow(rng: random.Random) -> str:
    # 0-6 only: APScheduler 3 rejects 7.
    r = rng.random()
    if r < 0.65:
        return "*"
    if r < 0.80:
        return "1-5"
    if r < 0.90:
        return str(rng.randrange(7))
    if r < 0.95:
        return ",".join(str(d) for d in sorted(rng.sample(range(7), 3)))
    return rng.choice(("0,6", "1-3", "2-4", "3-5"))


def _random_expression(rng: random.Random) -> str:
    return " ".join(
        (_pick_minute(rng), _pick_hour(rng), _pick_dom(rng), _pick_month(rng), _pick_dow(rng))
    )


def random_expressions(
    count: int, seed: int, *, exclude: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Return ``count`` distinct random expressions, none of them in ``exclude``.

    Standard syntax with numbers only (no names, macros or extensions), so that every peer
    library parses them; day-of-month stays within 1-28 so that each one fires.
    """
    rng = random.Random(seed)
    seen = set(exclude)
    out: list[str] = []
    for _ in range(count * 1000):
        expr = _random_expression(rng)
        if expr not in seen:
            seen.add(expr)
            out.append(expr)
            if len(out) == count:
                return out
    raise RuntimeError(f"could not generate {count} distinct expressions")


def _distinct_expressions() -> list[str]:
    curated = list(dict.fromkeys(CURATED))
    extra = random_expressions(_DISTINCT - len(curated), _POOL_SEED, exclude=set(curated))
    return curated + extra


#: The distinct, valid expressions the rows use, most popular (lowest Zipf rank) first.
EXPRESSIONS: list[str] = _distinct_expressions()
DISTINCT_EXPRESSIONS = EXPRESSIONS  # alias, for readers looking for "distinct"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _fresh(text: str) -> str:
    """A new str object equal to ``text``, as a database driver returns for each row."""
    return text.encode().decode()


def make_rows(
    n: int,
    seed: int = 1,
    *,
    disabled: float = 0.02,
    null_schedule: float = 0.01,
    invalid: float = 0.005,
    other_timezone: float = 0.20,
    fresh_strings: bool = True,
) -> list[dict[str, Any]]:
    """Return ``n`` rows of ``organization_integrations``, deterministic for ``(n, seed)``.

    Keys: ``id`` and ``organization_id`` (UUID strings; 1-5 integrations per organization),
    ``integration_type`` (xledger/dynamics/bufdir), ``cron_schedule`` (Zipf over
    ``EXPRESSIONS``; ``None`` for ~1 %, an invalid expression or zone for ~0.5 %),
    ``is_enabled`` (False for ~2 %) and ``timezone`` (an IANA name for ~20 % of the
    organizations, ``"UTC"`` otherwise). The rows are shuffled, as a table scan returns them.

    With ``fresh_strings`` every row gets its own string objects (as a database driver
    delivers them) instead of sharing the corpus' objects, whose hashes are already cached.
    """
    rng = random.Random(seed)
    weights = [1.0 / (rank**_ZIPF_EXPONENT) for rank in range(1, len(EXPRESSIONS) + 1)]
    cum_weights = list(itertools.accumulate(weights))
    schedules = rng.choices(EXPRESSIONS, cum_weights=cum_weights, k=n)
    copy = _fresh if fresh_strings else str
    rows: list[dict[str, Any]] = []
    while len(rows) < n:
        org = _uuid(rng)
        zone = "UTC"
        if rng.random() < other_timezone:
            zone = rng.choices(TIMEZONES, weights=_TZ_WEIGHTS)[0]
        for _ in range(min(rng.choice((1, 1, 2, 2, 3, 3, 4, 5)), n - len(rows))):
            schedule: str | None = schedules[len(rows)]
            row_zone = zone
            r = rng.random()
            if r < null_schedule:
                schedule = None
            elif r < null_schedule + invalid:
                if rng.random() < 0.2:
                    row_zone = BAD_TIMEZONE
                else:
                    schedule = rng.choice(INVALID_EXPRESSIONS)
            rows.append(
                {
                    "id": _uuid(rng),
                    "organization_id": org,
                    "integration_type": copy(rng.choices(INTEGRATION_TYPES, _TYPE_WEIGHTS)[0]),
                    "cron_schedule": None if schedule is None else copy(schedule),
                    "is_enabled": rng.random() >= disabled,
                    "timezone": copy(row_zone),
                }
            )
    rng.shuffle(rows)
    return rows
