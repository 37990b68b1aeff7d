"""cronspec: a strict, fast, DST-correct cron engine with a schedule map for schedulers.

>>> import cronspec
>>> cron = cronspec.parse("0 2 * * *", tz="Europe/Oslo")
>>> str(cron)
'0 2 * * *'
"""

import logging

from ._cron import Cron, parse
from ._errors import CronError, CronSyntaxError
from ._runs import Ledger, Run, RunRecord, Status
from ._schedule import DueIntegration, IntegrationType, RejectedRow, ScheduleMap
from ._scheduler import Scheduler
from ._sqlite import SQLiteLedger

__all__ = [
    "Cron",
    "CronError",
    "CronSyntaxError",
    "DueIntegration",
    "IntegrationType",
    "Ledger",
    "RejectedRow",
    "Run",
    "RunRecord",
    "SQLiteLedger",
    "ScheduleMap",
    "Scheduler",
    "Status",
    "parse",
]

# The one place the version is written: pyproject.toml reads it from here (a literal, so
# importing cronspec costs no importlib.metadata, and a clone never installed knows it too).
__version__ = "0.2.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
