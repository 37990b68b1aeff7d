"""The schedule map: which of many (organization, integration) rows are due, and when.

Rows share a handful of distinct schedules, so the map compiles each distinct
(expression, zone) once and keeps the rows grouped under it: a query costs one evaluation
per distinct schedule plus the size of its answer, whatever the number of rows.
"""

from __future__ import annotations

import logging
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import chain, repeat, zip_longest
from operator import itemgetter
from typing import Any, Literal, NamedTuple, cast
from uuid import UUID

from ._cron import Cron, _aware, local_minute, parse, resolve_zone
from ._errors import CronError

logger = logging.getLogger(__name__)

IntegrationType = Literal["xledger", "dynamics", "bufdir"]
INTEGRATION_TYPES: frozenset[str] = frozenset({"xledger", "dynamics", "bufdir"})
# One shared str object per type, so a million rows hold three strings.
_TYPE_NAMES = cast(dict[str, IntegrationType], {name: name for name in INTEGRATION_TYPES})

Member = tuple[str, str, IntegrationType]  # (org_id, integration_id, integration_type)
# The rows of one schedule, column by column per type: (org ids, integration ids). A row
# costs two list slots and becomes a tuple only when a query returns it.
Members = dict[IntegrationType, tuple[list[str], list[str]]]
Group = tuple[Cron, Members]
Refusal = tuple[object, str]  # the offending value and the reason


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


class Firing(NamedTuple):
    """One schedule's fire times in a window, and its rows per integration type."""

    cron: Cron
    times: list[datetime]
    members: Members


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row the map skipped, with the offending value and why."""

    org_id: object
    integration_id: object
    value: object
    reason: str


def _add_rows(selected: list[Member], members: Members) -> None:
    for kind, (orgs, ids) in members.items():
        selected += zip(orgs, ids, repeat(kind))


def _identifier(value: object) -> str | None:
    if type(value) is str:
        return value if value else None
    if isinstance(value, UUID) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    return None


class ScheduleMap:
    """Integrations grouped by their compiled schedule. Build it with :meth:`from_rows`."""

    __slots__ = ("_edit_ids", "_edit_times", "_groups", "_rejected", "_size", "_zones")

    def __init__(
        self,
        groups: list[Group],
        rejected: list[RejectedRow],
        edits: Iterable[tuple[float, str]] = (),
    ) -> None:
        self._groups = groups
        self._rejected = tuple(rejected)
        # (updated_at as a timestamp, id) of the rows that carry one, by time: which rows
        # were edited after a given instant is a bisection, whatever the number of rows.
        ordered = sorted(edits)
        self._edit_times = array("d", [at for at, _ in ordered])
        self._edit_ids = [integration for _, integration in ordered]
        self._size = sum(len(ids) for _, members in groups for _, ids in members.values())
        # Per zone, the groups listed under each minute they can fire in: a query reads
        # the zone's clock once and looks only at the schedules of that minute.
        by_zone: dict[tzinfo, list[list[Group]]] = {}
        for cron, members in groups:
            by_minute = by_zone.setdefault(cron.tz, [[] for _ in range(60)])
            minutes = cron._spec.minutes
            while minutes:
                minute = (minutes & -minutes).bit_length() - 1
                by_minute[minute].append((cron, members))
                minutes &= minutes - 1
        self._zones = [
            (zone, by_minute, [g for g in groups if g[0].tz == zone])
            for zone, by_minute in by_zone.items()
        ]

    @classmethod
    def from_rows(
        cls, rows: Iterable[Mapping[str, object]], *, min_interval: timedelta | None = None
    ) -> ScheduleMap:
        """Build the map from mappings with the columns ``id``, ``organization_id``,
        ``integration_type``, ``cron_schedule``, ``is_enabled`` and optional ``timezone``.

        Never raises for a bad row: disabled rows and NULL schedules are left out silently;
        any other bad row is logged as a WARNING and listed in :attr:`rejected`. With
        ``min_interval``, schedules that can fire more often than that are rejected too.

        A row's optional ``updated_at`` (an aware datetime; naive reads as UTC) is when it
        was last edited: a :class:`Scheduler` never fires it for a time before that minute.
        """
        edits: list[tuple[object, object]] = []
        return cls._build(_records(rows, edits), min_interval, edits)

    @classmethod
    def from_tuples(
        cls, records: Iterable[Sequence[object]], *, min_interval: timedelta | None = None
    ) -> ScheduleMap:
        """Like :meth:`from_rows`, from 6-tuples ``(id, organization_id, integration_type,
        cron_schedule, is_enabled, timezone)``: the fast path for database adapters."""
        return cls._build(records, min_interval, [])

    @classmethod
    def _build(
        cls,
        records: Iterable[Sequence[object]],
        min_interval: timedelta | None,
        edits: list[tuple[object, object]],
    ) -> ScheduleMap:
        builder = _Builder(min_interval)
        compiled: dict[Any, dict[Any, Members | Refusal]] = builder.compiled
        seen, add = builder.seen, builder.add
        for record in records:
            # The usual row costs a few dict lookups; anything unusual (a new schedule, a
            # disabled or bad row) takes the careful path in _Builder.add.
            try:
                integration, org, kind, expression, enabled, zone = record
                if enabled is True and integration.__class__ is str and org.__class__ is str:
                    members = compiled[zone][expression]
                    if (
                        members.__class__ is dict
                        and integration not in seen
                        and integration
                        and org
                    ):
                        orgs, ids = members[kind]  # type: ignore[index]
                        seen.add(integration)
                        orgs.append(org)
                        ids.append(integration)
                        continue
            except (KeyError, TypeError, ValueError):
                pass
            add(record)
        return cls(builder.groups, builder.rejected, _edits(edits, seen))

    @classmethod
    def from_groups(
        cls,
        groups: Iterable[Sequence[Any]],
        *,
        min_interval: timedelta | None = None,
    ) -> ScheduleMap:
        """Like :meth:`from_rows`, from enabled rows already grouped: ``(cron_schedule,
        timezone, integration_type, organization_ids, integration_ids)`` per group, the
        two id lists in step, and optionally their ``updated_at`` values as a sixth. What a
        SQL ``GROUP BY`` with ``array_agg`` returns: each group is checked once and its rows
        join the map without a Python loop per row.
        """
        builder = _Builder(min_interval)
        edits: list[tuple[object, object]] = []
        for expression, zone, kind, orgs, ids, *updated in groups:
            if updated and updated[0] is not None:
                ids = list(ids)
                edits += zip(updated[0], ids, strict=False)
            builder.add_group(expression, zone, kind, orgs, ids)
        return cls(builder.groups, builder.rejected, _edits(edits, builder.seen))

    @property
    def rejected(self) -> tuple[RejectedRow, ...]:
        """The rows that were skipped, in the order they were read, each with its reason."""
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
        for zone, by_minute, every in self._zones:
            local = local_minute(zone, minute)
            # After a DST jump a fixed-time job may fire for a skipped minute: check them all.
            for cron, members in every if local.skipped_from else by_minute[local.wall[4]]:
                if cron._matches_local(local):
                    _add_rows(selected, members)
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
                _add_rows(firing.setdefault(fire.astimezone(UTC), []), members)
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

    def edited_after(self, since: datetime) -> dict[str, datetime]:
        """The rows whose ``updated_at`` is later than ``since``, with it (UTC)."""
        first = bisect_right(self._edit_times, _aware(since).timestamp())
        return {
            integration: datetime.fromtimestamp(at, UTC)
            for at, integration in zip(
                self._edit_times[first:], self._edit_ids[first:], strict=True
            )
        }

    def changed_since(self, earlier: ScheduleMap) -> list[str]:
        """The integration ids whose row is new here, or has another schedule, zone or type
        than in ``earlier`` (edited, or enabled again): what must not fire retroactively."""
        before = {
            (cron, kind): ids
            for cron, members in earlier._groups
            for kind, (_, ids) in members.items()
        }
        changed: list[str] = []
        for cron, members in self._groups:
            for kind, (_, ids) in members.items():
                known = before.get((cron, kind))
                if known is None:
                    changed += ids
                elif known != ids:
                    fresh = set(ids)
                    fresh.difference_update(known)
                    changed += fresh
        return changed

    def firing(self, since: datetime, until: datetime) -> Iterator[Firing]:
        """Each schedule that fires in ``(since, until]``, with its fire times (UTC) and its
        rows: what a planner turns into ledger rows without a Python object per row."""
        for cron, members in self._groups:
            times = [fire.astimezone(UTC) for fire in cron.fire_times(_aware(since), _aware(until))]
            if times:
                yield Firing(cron, times, members)


_PICK = itemgetter(
    "id", "organization_id", "integration_type", "cron_schedule", "is_enabled", "timezone"
)


def _records(
    rows: Iterable[Mapping[str, object]], edits: list[tuple[object, object]]
) -> Iterator[Sequence[object]]:
    """Each mapping as a 6-tuple (timezone and is_enabled may be absent); the rows'
    ``updated_at`` values go to ``edits``, with their ids."""
    for row in rows:
        try:
            edited = row.get("updated_at")
            if edited is not None:
                edits.append((edited, row.get("id")))
        except Exception:  # a hostile mapping: the row itself is judged below
            pass
        try:
            yield _PICK(row)
        except (KeyError, TypeError, IndexError):
            if isinstance(row, Mapping):
                get = row.get
                yield (
                    get("id"),
                    get("organization_id"),
                    get("integration_type"),
                    get("cron_schedule"),
                    get("is_enabled", True),
                    get("timezone"),
                )
            else:
                yield (row,)  # rejected as "not a row"


# The epoch seconds datetime.fromtimestamp can turn back into a time (years 1 to 9999).
_EPOCH_RANGE = (
    datetime.min.replace(tzinfo=UTC).timestamp(),
    datetime.max.replace(tzinfo=UTC, microsecond=0).timestamp(),
)


def _edits(edits: list[tuple[object, object]], loaded: set[str]) -> list[tuple[float, str]]:
    """(timestamp, id) of the loaded rows' ``updated_at``: datetimes (naive ones are UTC) or
    epoch seconds (int or float: what the Postgres adapter sends, as parsing a million
    datetimes costs seconds). Anything else is no edit time, NaN, infinities and seconds
    outside years 1-9999 included (a database's NULL or 'infinity')."""
    times: list[tuple[float, str]] = []
    earliest, latest = _EPOCH_RANGE
    for edited, raw in edits:
        if edited.__class__ is float and raw.__class__ is str:  # the adapter's: a million rows
            if earliest <= edited <= latest and raw in loaded:
                times.append((edited, raw))
            continue
        integration = _identifier(raw)
        if integration not in loaded:
            continue
        if isinstance(edited, datetime):
            if edited.utcoffset() is None:
                edited = edited.replace(tzinfo=UTC)
            edited = edited.timestamp()
        if (
            isinstance(edited, (float, int))
            and not isinstance(edited, bool)
            and earliest <= edited <= latest
        ):
            times.append((float(edited), integration))
    return times


class _Builder:
    """The careful path of ScheduleMap.from_tuples: new schedules and unusual rows."""

    def __init__(self, min_interval: timedelta | None) -> None:
        self.min_interval = min_interval
        self.groups: list[Group] = []
        self.rejected: list[RejectedRow] = []
        # zone -> expression -> members of its group, or why the schedule is refused
        self.compiled: dict[str | None, dict[str, Members | Refusal]] = {}
        self.seen: set[str] = set()  # integration ids, to refuse duplicates

    def add(self, record: Sequence[object]) -> None:
        try:
            raw_id, raw_org, kind, expression, enabled, zone = record
        except (TypeError, ValueError):
            self.reject(None, None, record, "not a row: expected a mapping or a 6-tuple")
            return
        if enabled is False or expression is None:
            return  # disabled, or no schedule: not an error
        if enabled is not True:
            self.reject(
                raw_org, raw_id, enabled, f"is_enabled must be true or false, not {enabled!r}"
            )
            return
        integration, org = _identifier(raw_id), _identifier(raw_org)
        if integration is None or org is None:
            which, value = ("id", raw_id) if integration is None else ("organization_id", raw_org)
            self.reject(raw_org, raw_id, value, f"{which} must be a non-empty str, int or UUID")
            return
        kind_name = _TYPE_NAMES.get(kind) if type(kind) is str else None
        if kind_name is None:
            known = ", ".join(sorted(INTEGRATION_TYPES))
            self.reject(
                org, integration, kind, f"unknown integration type {kind!r} (known: {known})"
            )
            return
        if type(expression) is not str:
            self.reject(
                org,
                integration,
                expression,
                f"cron_schedule must be a str, not {type(expression).__name__}",
            )
            return
        if zone is not None and type(zone) is not str:
            self.reject(
                org, integration, zone, f"timezone must be an IANA name, not {type(zone).__name__}"
            )
            return
        members = self.members(expression, zone)
        if isinstance(members, tuple):
            self.reject(org, integration, *members)
        elif integration in self.seen:
            owner = next(
                orgs[ids.index(integration)]
                for _, group in self.groups
                for orgs, ids in group.values()
                if integration in ids
            )
            self.reject(
                org, integration, raw_id, f"duplicate id (already used by organization {owner!r})"
            )
        else:
            self.seen.add(integration)
            orgs, ids = members.setdefault(kind_name, ([], []))
            orgs.append(org)
            ids.append(integration)

    def add_group(
        self, expression: object, zone: object, kind: object, org_ids: object, ids: object
    ) -> None:
        """Rows sharing schedule, zone and type: checked once, added with C-level loops.
        Anything unusual goes row by row through :meth:`add`."""
        try:
            orgs: list[Any] = list(org_ids)  # type: ignore[call-overload]
            integrations: list[Any] = list(ids)  # type: ignore[call-overload]
        except TypeError:
            self.reject(None, None, (org_ids, ids), "not a group: expected two lists of ids")
            return
        kind_name = _TYPE_NAMES.get(kind) if type(kind) is str else None
        members = (
            self.members(expression, zone)
            if type(expression) is str and (zone is None or type(zone) is str)
            else None
        )
        seen = self.seen
        if (
            isinstance(members, dict)
            and kind_name is not None
            and len(orgs) == len(integrations)
            and set(map(type, chain(orgs, integrations))) <= {str}
            and "" not in orgs
            and "" not in integrations
            and seen.isdisjoint(integrations)
        ):
            before = len(seen)
            seen.update(integrations)
            if len(seen) - before == len(integrations):
                chunk = members.setdefault(kind_name, ([], []))
                chunk[0].extend(orgs)
                chunk[1].extend(integrations)
                return
            seen.difference_update(integrations)  # an id repeated within the group
        for org, integration in zip_longest(orgs, integrations):
            self.add((integration, org, kind, expression, True, zone))

    def members(self, expression: str, zone: str | None) -> Members | Refusal:
        """The members of the (expression, zone) group, compiled on first use."""
        by_expression = self.compiled.setdefault(zone, {})
        members = by_expression.get(expression)
        if members is None:
            members = by_expression[expression] = self.compile(expression, zone)
        return members

    def compile(self, expression: str, zone: str | None) -> Members | Refusal:
        """A new group for (expression, zone), or the offending value and the reason."""
        try:
            tz = resolve_zone(zone or "UTC")
        except CronError as error:
            return zone, str(error)
        try:
            cron = parse(expression, tz)
        except CronError as error:
            return expression, str(error)
        if self.min_interval is not None and cron.min_interval() < self.min_interval:
            reason = f"fires every {cron.min_interval()}, more often than the minimum {self.min_interval}"
            return expression, reason
        members: Members = {}
        self.groups.append((cron, members))
        return members

    def reject(self, org: object, integration: object, value: object, reason: str) -> None:
        self.rejected.append(RejectedRow(org, integration, value, reason))
        if _already_logged(org, integration, reason):
            return
        logger.warning(
            "skipping integration %r of organization %r: %s (value: %r)",
            integration,
            org,
            reason,
            value,
            extra={"org_id": org, "integration_id": integration, "value": value, "reason": reason},
        )


# (logged before, logged now) while a Scheduler re-reads its schedules: a bad row is logged
# when first seen or when its value changes, not on every reload.
_QUIET: ContextVar[tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]] | None] = ContextVar(
    "cronspec_quiet_rejections", default=None
)


@contextmanager
def quiet_rejections(
    before: set[tuple[str, str, str]], now: set[tuple[str, str, str]]
) -> Iterator[None]:
    """Within the block, rejected rows already in ``before`` are not logged again; every
    rejection is added to ``now`` (the next reload's ``before``)."""
    token = _QUIET.set((before, now))
    try:
        yield
    finally:
        _QUIET.reset(token)


def _already_logged(org: object, integration: object, reason: str) -> bool:
    quiet = _QUIET.get()
    if quiet is None:
        return False
    before, now = quiet
    key = (repr(org)[:200], repr(integration)[:200], reason)
    now.add(key)
    return key in before
