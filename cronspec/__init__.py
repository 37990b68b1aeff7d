"""cronspec: a strict, fast, DST-correct cron engine with a schedule map for schedulers.

>>> import cronspec
>>> cron = cronspec.parse("0 2 * * *", tz="Europe/Oslo")
>>> str(cron)
'0 2 * * *'
"""

import logging
from importlib import metadata

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

try:
    __version__ = metadata.version("cronspec")
except metadata.PackageNotFoundError:  # a clone run as `python3 -m cronspec`, never installed
    __version__ = "0.1.0"  # as in pyproject.toml (tests/test_cli.py checks both ways)

logging.getLogger(__name__).addHandler(logging.NullHandler())
