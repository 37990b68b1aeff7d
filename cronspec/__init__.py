"""cronspec: a strict, fast, DST-correct cron engine with a schedule map for schedulers.

>>> import cronspec
>>> cron = cronspec.parse("0 2 * * *", tz="Europe/Oslo")
>>> str(cron)
'0 2 * * *'
"""

import logging

from ._cron import Cron, parse
from ._errors import CronError, CronSyntaxError
from ._schedule import DueIntegration, IntegrationType, RejectedRow, ScheduleMap

__all__ = [
    "Cron",
    "CronError",
    "CronSyntaxError",
    "DueIntegration",
    "IntegrationType",
    "RejectedRow",
    "ScheduleMap",
    "parse",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
