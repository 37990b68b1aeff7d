"""PostgreSQL for cronspec, with psycopg 3: read the schedules, and keep the run ledger.

- :func:`load_schedule_map` (and ``read_due_integrations``, ``claim_due``, their async
  twins): the schedule table into a :class:`cronspec.ScheduleMap` (``_schedules.py``).
- :class:`PostgresLedger`: the durable ledger behind :class:`cronspec.Scheduler`
  (``_ledger.py``, statements in ``queries.sql``, tables in ``schema.sql``).
"""

from ._ledger import PostgresLedger
from ._schedules import (
    claim_due,
    claim_due_async,
    load_schedule_map,
    load_schedule_map_async,
    read_due_integrations,
    read_due_integrations_async,
)

__all__ = [
    "PostgresLedger",
    "claim_due",
    "claim_due_async",
    "load_schedule_map",
    "load_schedule_map_async",
    "read_due_integrations",
    "read_due_integrations_async",
]
