"""The schedule map: which of many (organization, integration) rows are due, and when.

Rows share a handful of distinct schedules, so the map compiles each distinct
(expression, zone) once and keeps the rows grouped under it: a query costs one evaluation
per distinct schedule plus the size of its answer, whatever the number of rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, cast
from uuid import UUID

from ._cron import Cron, _aware, parse, resolve_zone
from ._errors import CronError

logger = logging.getLogger(__name__)

IntegrationType = Literal["xledger", "dynamics", "bufdir"]
INTEGRATION_TYPES: frozenset[str] = frozenset({"xledger", "dynamics", "bufdir"})
# One shared str object per type, so a million rows hold three strings.
_TYPE_NAMES = cast(dict[str, IntegrationType], {name: name for name in INTEGRATION_TYPES})

Member = tuple[str, str, IntegrationType]  # (org_id, integration_id, integration_type)
Record = tuple[object, object, object, object, object, object]


@dataclass(frozen=True, slots=True)
class DueIntegration:
    """One integration due to run at ``scheduled_at`` (its fire time, in UTC)."""

    org_id: str
    integration_id: str
    integration_type: IntegrationType
    scheduled_at: datetime

    @property
    def idempotency_key(self) -> str:
        """``"<integration_id>@<UTC minute>"``: the same run gets the same key, whichever
        replica computes it and however late."""
        return f"{self.integration_id}@{self.scheduled_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row the map skipped, with the offending value and why."""

    org_id: object
    integration_id: object
    value: object
    reason: str


def _identifier(value: object) -> str | None:
    if type(value) is str:
        return value if value else None
    if isinstance(value, UUID) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    return None


class ScheduleMap:
    """Integrations grouped by their compiled schedule. Build it with :meth:`from_rows`."""

    __slots__ = ("_groups", "_rejected", "_size")

    def __init__(
        self, groups: list[tuple[Cron, list[Member]]], rejected: list[RejectedRow]
    ) -> None:
        self._groups = groups
        self._rejected = tuple(rejected)
        self._size = sum(len(members) for _, members in groups)

    @classmethod
    def from_rows(
        cls, rows: Iterable[Mapping[str, object]], *, min_interval: timedelta | None = None
    ) -> ScheduleMap:
        """Build the map from mappings with the columns ``id``, ``organization_id``,
        ``integration_type``, ``cron_schedule``, ``is_enabled`` and optional ``timezone``.

        Never raises for a bad row: disabled rows and NULL schedules are left out silently;
        any other bad row is logged as a WARNING and listed in :attr:`rejected`. With
        ``min_interval``, schedules that can fire more often than that are rejected too.
        """
        return cls.from_tuples(map(_record, rows), min_interval=min_interval)

    @classmethod
    def from_tuples(
        cls, records: Iterable[Record | tuple[object]], *, min_interval: timedelta | None = None
    ) -> ScheduleMap:
        """Like :meth:`from_rows`, from 6-tuples ``(id, organization_id, integration_type,
        cron_schedule, is_enabled, timezone)``: the fast path for database adapters."""
        groups: list[tuple[Cron, list[Member]]] = []
        rejected: list[RejectedRow] = []
        # zone -> expression -> members, or the reason the schedule is refused
        compiled: dict[str | None, dict[str, list[Member] | str]] = {}
        seen: dict[str, str] = {}  # integration id -> org id, to refuse duplicates

        def reject(org: object, integration: object, value: object, reason: str) -> None:
            rejected.append(RejectedRow(org, integration, value, reason))
            logger.warning(
                "skipping integration %r of organization %r: %s (value: %r)",
                integration,
                org,
                reason,
                value,
                extra={
                    "org_id": org,
                    "integration_id": integration,
                    "value": value,
                    "reason": reason,
                },
            )

        for record in records:
            try:
                raw_id, raw_org, kind, expression, enabled, zone = cast(Record, record)
            except (TypeError, ValueError):
                reject(None, None, record, "not a row: expected a mapping or a 6-tuple")
                continue
            if enabled is False or expression is None:
                continue  # disabled, or no schedule: not an error
            if enabled is not True:
                reject(
                    raw_org, raw_id, enabled, f"is_enabled must be true or false, not {enabled!r}"
                )
                continue
            integration = _identifier(raw_id)
            org = _identifier(raw_org)
            if integration is None or org is None:
                which, value = (
                    ("id", raw_id) if integration is None else ("organization_id", raw_org)
                )
                reject(raw_org, raw_id, value, f"{which} must be a non-empty str, int or UUID")
                continue
            kind_name = _TYPE_NAMES.get(kind) if type(kind) is str else None
            if kind_name is None:
                known = ", ".join(sorted(INTEGRATION_TYPES))
                reject(
                    org, integration, kind, f"unknown integration type {kind!r} (known: {known})"
                )
                continue
            if type(expression) is not str or (zone is not None and type(zone) is not str):
                value, reason = (
                    (expression, f"cron_schedule must be a str, not {type(expression).__name__}")
                    if type(expression) is not str
                    else (zone, f"timezone must be an IANA name, not {type(zone).__name__}")
                )
                reject(org, integration, value, reason)
                continue
            by_expression = compiled.get(zone)
            if by_expression is None:
                by_expression = compiled[zone] = {}
            members = by_expression.get(expression)
            if members is None:
                members = by_expression[expression] = _compile(
                    expression, zone, min_interval, groups
                )
            if type(members) is str:
                reject(org, integration, expression, members)
                continue
            if integration in seen:
                reject(
                    org,
                    integration,
                    raw_id,
                    f"duplicate id (already used by organization {seen[integration]!r})",
                )
                continue
            seen[integration] = org
            cast(list[Member], members).append((org, integration, kind_name))
        return cls(groups, rejected)

    @property
    def rejected(self) -> tuple[RejectedRow, ...]:
        """The rows that were skipped, in input order, each with its reason."""
        return self._rejected

    def __len__(self) -> int:
        """The number of rows loaded (enabled, valid, with a schedule)."""
        return self._size

    def __repr__(self) -> str:
        return (
            f"<ScheduleMap {self._size} integrations, {len(self._groups)} schedules, "
            f"{len(self._rejected)} rejected>"
        )

    def due_at(self, at: datetime) -> list[DueIntegration]:
        """The integrations whose schedule fires in ``at``'s minute, by (org_id, id)."""
        minute = _aware(at).astimezone(UTC).replace(second=0, microsecond=0)
        selected: list[Member] = []
        for cron, members in self._groups:
            if cron.matches(minute):
                selected += members
        selected.sort()
        return [
            DueIntegration(org, integration, kind, minute) for org, integration, kind in selected
        ]

    def due_between(self, since: datetime, until: datetime) -> list[DueIntegration]:
        """Every (integration, fire time) in ``(since, until]``, in time order, then by
        (org_id, id): what a scheduler that woke up late runs to catch up. Consecutive
        windows never return a run twice."""
        firing: dict[datetime, list[Member]] = {}
        for cron, members in self._groups:
            for fire in cron.fire_times(_aware(since), _aware(until)):
                firing.setdefault(fire.astimezone(UTC), []).extend(members)
        due: list[DueIntegration] = []
        for fire in sorted(firing):
            selected = firing[fire]
            selected.sort()
            due += [
                DueIntegration(org, integration, kind, fire) for org, integration, kind in selected
            ]
        return due

    def upcoming(self, after: datetime, within: timedelta) -> list[DueIntegration]:
        """The integrations firing in ``(after, after + within]``: for warm-up pings."""
        return self.due_between(after, after + within)


def _record(row: Mapping[str, object]) -> Record | tuple[object]:
    if not isinstance(row, Mapping):
        return (row,)  # rejected as "not a row"
    get = row.get
    return (
        get("id"),
        get("organization_id"),
        get("integration_type"),
        get("cron_schedule"),
        get("is_enabled", True),
        get("timezone"),
    )


def _compile(
    expression: str,
    zone: str | None,
    min_interval: timedelta | None,
    groups: list[tuple[Cron, list[Member]]],
) -> list[Member] | str:
    """A new group for (expression, zone), or the reason it is refused."""
    try:
        cron = parse(expression, resolve_zone(zone or "UTC"))
    except CronError as error:
        return str(error)
    if min_interval is not None and cron.min_interval() < min_interval:
        return f"fires every {cron.min_interval()}, more often than the minimum {min_interval}"
    members: list[Member] = []
    groups.append((cron, members))
    return members
