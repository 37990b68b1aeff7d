"""The schedule map: which of many (organization, integration) rows are due, and when.

Rows share a handful of distinct schedules, so the map compiles each distinct
(expression, zone) once and keeps the rows grouped under it: a query costs one evaluation
per distinct schedule plus the size of its answer, whatever the number of rows.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import chain, compress, repeat, zip_longest
from operator import itemgetter
from typing import Any, Literal, NamedTuple, cast
from uuid import UUID

from ._cron import Cron, _aware, instant, minutes_of_utc_minute, parse, resolve_zone
from ._errors import CronError
from ._excerpt import WIDTH, excerpt, shorten, type_name

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
    """One integration due to run at ``scheduled_at``, a whole UTC minute: its fire time,
    or, when the zone's minutes do not start on whole UTC minutes (local mean time before
    about 1972), the next whole UTC minute, so that a run never starts before its time."""

    org_id: str
    integration_id: str
    integration_type: IntegrationType
    scheduled_at: datetime

    @property
    def idempotency_key(self) -> str:
        """``"<integration_id>@<UTC minute>"``: the same run gets the same key, whichever
        replica computes it and however late."""
        return idempotency_key(self.integration_id, self.scheduled_at)


def idempotency_key(integration_id: str, scheduled_at: datetime) -> str:
    """``"<integration_id>@YYYY-MM-DDTHH:MMZ"``: an occurrence's key, for a due
    integration and for every attempt at it (``Run``, ``RunRecord``)."""
    return f"{integration_id}@{scheduled_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


class Firing(NamedTuple):
    """One schedule's runs in a window (UTC minutes), its rows per integration type, and
    the fire time of its first run there."""

    cron: Cron
    times: list[datetime]
    members: Members
    first: datetime

    def period_start(self) -> datetime:
        """Where the first run's period starts: the run of the fire time before it (the
        first instant datetime shows when there is none within 400 years)."""
        try:
            before = self.cron.previous_before(self.first)
        except CronError:
            return _BEGINNING
        return _utc(_run_minute(before)) or _BEGINNING


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
    """An id as text: a non-empty str, or an int (not a bool) or a UUID written out; None
    for anything else, and for an int too long to write out (over 4,300 digits)."""
    kind = type(value)  # type(), not isinstance(): a hostile __class__ cannot lie to it
    if kind is str:
        return cast(str, value) or None
    if kind is bool or not issubclass(kind, (int, UUID)):
        return None
    try:
        text = str(value)
    except Exception:  # ValueError past 4,300 digits, or a subclass whose __str__ raises
        return None
    return text if type(text) is str and text else None


def _id_refusal(which: str, value: object) -> str:
    if type(value) is not bool and issubclass(type(value), int):
        return f"{which} is an int too long to be an id"
    return f"{which} must be a non-empty str, int or UUID"


def _utc(seconds: int) -> datetime | None:
    """The UTC datetime ``seconds`` after 1970; None past datetime's range."""
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BEGINNING = datetime.min.replace(tzinfo=UTC)
# The earliest and the latest instant an aware datetime can be (offsets stay within a day).
_NEAR_DAY = timedelta(days=1, microseconds=-1)
_FIRST = datetime.min.replace(tzinfo=timezone(_NEAR_DAY))
_LAST = datetime.max.replace(tzinfo=timezone(-_NEAR_DAY))


def _run_minute(fire: datetime) -> int:
    """The whole UTC minute a fire time runs in: itself, or the next when it falls between
    two (a clock on local mean time): never before the fire time."""
    seconds, micro = instant(fire)
    return seconds if seconds % 60 == 0 and micro == 0 else (seconds // 60 + 1) * 60


class ScheduleMap:
    """Integrations grouped by their compiled schedule. Build it with :meth:`from_rows`."""

    __slots__ = (
        "_edit_ids",
        "_edit_latest",
        "_edit_times",
        "_groups",
        "_rejected",
        "_size",
        "_zones",
    )

    def __init__(
        self,
        groups: list[Group],
        rejected: list[RejectedRow],
        edits: Edits | None = None,
    ) -> None:
        self._groups = groups
        self._rejected = tuple(rejected)
        # The loaded rows' updated_at (epoch seconds, NaN for none) beside their ids, as
        # loaded: most ticks ask about a window after the latest edit, and get an answer
        # without a look at the rows; sorting a million pairs would cost seconds per load.
        edits = edits or Edits()
        self._edit_latest = edits.latest()  # first: it drops the values that are no time
        self._edit_times, self._edit_ids = edits.times, edits.ids
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
        builder = _Builder(min_interval)
        return cls._build(builder, _records(rows, builder))

    @classmethod
    def from_tuples(
        cls, records: Iterable[Sequence[object]], *, min_interval: timedelta | None = None
    ) -> ScheduleMap:
        """Like :meth:`from_rows`, from 6-tuples ``(id, organization_id, integration_type,
        cron_schedule, is_enabled, timezone)``: the fast path for database adapters."""
        return cls._build(_Builder(min_interval), records)

    @classmethod
    def _build(cls, builder: _Builder, records: Iterable[Sequence[object]]) -> ScheduleMap:
        compiled: dict[Any, dict[Any, Members | Refusal]] = builder.compiled
        owners, add = builder.owners, builder.add
        for record in records:
            # The usual row costs a few dict lookups; anything unusual (a new schedule, a
            # disabled or bad row, a value whose methods raise) takes the careful path in
            # _Builder.add. The ids are stored, so only exact strs pass; the other values
            # only choose the group.
            try:
                integration, org, kind, expression, enabled, zone = record
                if (
                    enabled is True
                    and type(integration) is str
                    and type(org) is str
                    and kind.__class__ is str
                    and expression.__class__ is str
                ):
                    members = compiled[zone][expression]
                    if (
                        members.__class__ is dict
                        and integration not in owners
                        and integration
                        and org
                    ):
                        orgs, ids = members[kind]  # type: ignore[index]
                        owners[integration] = org
                        orgs.append(org)
                        ids.append(integration)
                        continue
            except Exception:  # the careful path says what is wrong
                pass
            add(record)
        return cls(builder.groups, builder.rejected, builder.edits.loaded(owners))

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
        for group in groups:
            try:
                expression, zone, kind, orgs, ids, *updated = group
            except Exception:  # not five items, or items that cannot be read
                builder.reject(None, None, group, _NOT_A_GROUP)
                continue
            if updated and updated[0] is not None:
                try:
                    ids = list(ids)
                    times = updated[0]
                except Exception:  # judged with the group below
                    updated = []
            whole = builder.add_group(expression, zone, kind, orgs, ids)
            if updated and updated[0] is not None:
                builder.edits.add_many(times, ids, whole)
        return cls(builder.groups, builder.rejected, builder.edits.loaded(builder.owners))

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
        """The integrations whose schedule fires in ``at``'s UTC minute, by (org_id, id):
        the runs whose fire time is in (minute - 60 s, minute] (see DueIntegration)."""
        second = instant(at)[0]
        minute = second - second % 60
        scheduled_at = _utc(minute)
        if scheduled_at is None:
            return []  # no UTC minute to schedule a run at
        selected: list[Member] = []
        for zone, by_minute, every in self._zones:
            shown = minutes_of_utc_minute(zone, minute)
            if not shown:
                continue  # the zone's clock shows no year in 1-9999 then
            # After a DST jump a fixed-time job may fire for a skipped minute, and a clock on
            # local mean time may begin two minutes in one UTC minute: check them all.
            first, others = shown[0], shown[1:]
            candidates = every if first.skipped_from or others else by_minute[first.wall[4]]
            for cron, members in candidates:
                if cron._matches_local(first) or (others and any(map(cron._matches_local, others))):
                    _add_rows(selected, members)
        selected.sort()
        return [
            DueIntegration(org, integration, kind, scheduled_at)
            for org, integration, kind in selected
        ]

    def due_between(self, since: datetime, until: datetime) -> list[DueIntegration]:
        """Every (integration, run) with ``scheduled_at`` in ``(since, until]``, in time
        order, then by (org_id, id): what a scheduler that woke up late runs to catch up.
        Consecutive windows never return a run twice."""
        firing: dict[datetime, list[Member]] = {}
        for _, times, members, _ in self.firing(since, until):
            for scheduled_at in times:
                _add_rows(firing.setdefault(scheduled_at, []), members)
        due: list[DueIntegration] = []
        for scheduled_at in sorted(firing):
            selected = firing[scheduled_at]
            selected.sort()
            due += [
                DueIntegration(org, integration, kind, scheduled_at)
                for org, integration, kind in selected
            ]
        return due

    def upcoming(self, after: datetime, within: timedelta) -> list[DueIntegration]:
        """The integrations firing in ``(after, after + within]``: for warm-up pings."""
        try:  # at after's own offset: an hour is an hour, even across a DST change
            until = _aware(after).replace(tzinfo=timezone(after.utcoffset())) + within  # type: ignore[arg-type]
        except OverflowError:
            raise CronError(
                f"upcoming: {after.isoformat()} + {within} is outside the years datetime covers"
            ) from None
        return self.due_between(after, until)

    def edited_after(self, since: datetime) -> dict[str, datetime]:
        """The rows whose ``updated_at`` is later than ``since``, with it (UTC)."""
        after = _aware(since).timestamp()
        if after >= self._edit_latest:
            return {}
        pairs = zip(self._edit_ids, self._edit_times, strict=True)
        later = compress(pairs, map(after.__lt__, self._edit_times))
        return {integration: _EPOCH + timedelta(seconds=at) for integration, at in later}

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
        """Each schedule with runs in ``(since, until]``: their ``scheduled_at`` (whole UTC
        minutes, ascending), its rows, and its first fire time there. What a planner turns
        into ledger rows without a Python object per row."""
        low, high = instant(since)[0] // 60 * 60, instant(until)[0] // 60 * 60
        if high <= low:
            return
        # Runs are whole UTC minutes, so the window is (low, high] of fire times; either
        # end may lie where only an aware datetime at another offset can stand.
        start, end = _utc(low) or _FIRST, _utc(high) or _LAST
        for cron, members in self._groups:
            runs: list[datetime] = []
            first: datetime | None = None
            previous = None
            for fire in cron.fire_times(start, end):
                run = _run_minute(fire)
                if run > high:
                    break
                scheduled_at = _utc(run)  # None: a minute datetime cannot show
                if low < run != previous and scheduled_at is not None:
                    previous = run  # a clock change may begin two minutes in one
                    runs.append(scheduled_at)
                    first = first or fire
            if first is not None:
                yield Firing(cron, runs, members, first)


_PICK = itemgetter(
    "id", "organization_id", "integration_type", "cron_schedule", "is_enabled", "timezone"
)
_NOT_A_ROW = "not a row: expected a mapping or a 6-tuple"
_NOT_A_GROUP = "not a group: expected (cron_schedule, timezone, integration_type, two id lists)"
# A log line about a rejected row stays one line of at most this many characters.
_LINE = 200
_WARNING = "skipping integration %s of organization %s: %s (value: %s)"
_WARNING_FIXED = len(_WARNING % ("", "", "", ""))


def _records(rows: Iterable[Mapping[str, object]], builder: _Builder) -> Iterator[Sequence[object]]:
    """Each mapping as a 6-tuple (timezone and is_enabled may be absent), its
    ``updated_at`` to ``builder.edits``. A row that is not a mapping, or whose reading
    raises, is rejected on the way; errors of ``rows`` itself (a database cursor)
    propagate."""
    for row in rows:
        try:
            edited = row.get("updated_at")
            if edited is not None:
                builder.edits.add(edited, row.get("id"))
        except Exception:  # not a mapping, or a hostile one: the row is judged below
            pass
        columns = _columns(row)
        if isinstance(columns, str):
            builder.reject(None, None, row, columns)
        else:
            yield columns


def _columns(row: object) -> tuple[object, ...] | str:
    """The row's six columns, or why they cannot be read."""
    try:
        return _PICK(row)  # type: ignore[arg-type, no-any-return]
    except KeyError:
        pass  # an optional column is absent: read them one by one
    except TypeError:
        return _NOT_A_ROW  # a number, a str, a tuple...
    except Exception as error:
        return f"not a row: reading it raised {type_name(error)}"
    try:
        get = row.get  # type: ignore[attr-defined]
        return (
            get("id"),
            get("organization_id"),
            get("integration_type"),
            get("cron_schedule"),
            get("is_enabled", True),
            get("timezone"),
        )
    except Exception as error:
        return f"not a row: reading it raised {type_name(error)}"


def _loggable(value: object) -> str | None:
    """A value for a log record's ``extra``: short text any handler can format."""
    if value is None:
        return None
    return shorten(value) if type(value) is str else excerpt(value)


# The epoch seconds a UTC datetime can show (years 1 to 9999).
_EPOCH_RANGE = (
    datetime.min.replace(tzinfo=UTC).timestamp(),
    datetime.max.replace(tzinfo=UTC, microsecond=0).timestamp(),
)


class Edits:
    """The rows' ``updated_at`` as epoch seconds beside their ids: datetimes (naive ones are
    UTC) or epoch seconds, the Postgres adapter's ``array('d')`` taken whole. Anything else
    is no edit time, NaN, infinities and seconds outside years 1-9999 included (a
    database's NULL or 'infinity'): such a row fires as a row without an edit time."""

    def __init__(self) -> None:
        self.times = array("d")
        self.ids: list[str] = []
        self._unsure: list[tuple[object, object]] = []  # rows not known to be loaded yet

    def add(self, edited: object, integration: object) -> None:
        self._unsure.append((edited, integration))

    def add_many(self, times: object, ids: list[Any], loaded: bool) -> None:
        """A group's edit times, in step with its ids; ``loaded``: all of them joined."""
        if loaded and type(times) is array and times.typecode == "d" and len(times) == len(ids):
            self.times.extend(times)
            self.ids.extend(ids)
            return
        with suppress(Exception):  # not a sequence: no edit times for this group
            self._unsure += zip(times, ids, strict=False)  # type: ignore[call-overload]

    def loaded(self, owners: Container[str]) -> Edits:
        """Keep the rows that were loaded, each with its time in epoch seconds."""
        for edited, raw in self._unsure:
            integration = _identifier(raw)
            if integration is None or integration not in owners:
                continue
            if type(edited) is datetime:
                at = edited if edited.utcoffset() is not None else edited.replace(tzinfo=UTC)
                seconds: object = at.timestamp()
            else:
                seconds = edited
            if type(seconds) in (float, int):
                self.times.append(float(seconds))  # type: ignore[arg-type]
                self.ids.append(integration)
        self._unsure = []
        return self

    def latest(self) -> float:
        """The latest edit time that is a time (-inf when there is none)."""
        earliest, last = _EPOCH_RANGE
        latest = max(self.times, default=-math.inf)
        if earliest <= latest <= last:  # no NaN nor out-of-range value won the max
            return latest
        valid = [t for t in self.times if earliest <= t <= last]
        if len(valid) < len(self.times):  # drop them, so that edited_after never meets one
            keep = [earliest <= t <= last for t in self.times]
            self.times = array("d", valid)
            self.ids = list(compress(self.ids, keep))
        return max(self.times, default=-math.inf)


class _Builder:
    """The careful path of ScheduleMap.from_tuples: new schedules and unusual rows.

    Values are only hashed, compared or turned into text once their type is known to be
    exactly str (or int or UUID, for ids): whatever a hostile value's methods do, the row
    is rejected and the others load."""

    def __init__(self, min_interval: timedelta | None) -> None:
        self.min_interval = min_interval
        self.groups: list[Group] = []
        self.rejected: list[RejectedRow] = []
        # zone -> expression -> members of its group, or why the schedule is refused
        self.compiled: dict[str | None, dict[str, Members | Refusal]] = {}
        # integration id -> its organization: refuses duplicates and names the first owner
        self.owners: dict[str, str] = {}
        self.edits = Edits()  # the rows' updated_at; the loaded ones become the map's

    def add(self, record: Sequence[object]) -> None:
        try:
            raw_id, raw_org, kind, expression, enabled, zone = record
        except Exception:  # not six items, or a sequence whose reading raises
            self.reject(None, None, record, _NOT_A_ROW)
            return
        if enabled is False or expression is None:
            return  # disabled, or no schedule: not an error
        if enabled is not True:
            reason = f"is_enabled must be true or false, not {excerpt(enabled)}"
            self.reject(raw_org, raw_id, enabled, reason)
            return
        integration, org = _identifier(raw_id), _identifier(raw_org)
        if integration is None or org is None:
            which, value = ("id", raw_id) if integration is None else ("organization_id", raw_org)
            self.reject(raw_org, raw_id, value, _id_refusal(which, value))
            return
        if type(kind) is not str:
            reason = f"integration_type must be a str, not {type_name(kind)}"
            self.reject(org, integration, kind, reason)
            return
        kind_name = _TYPE_NAMES.get(kind)
        if kind_name is None:
            known = ", ".join(sorted(INTEGRATION_TYPES))
            reason = f"unknown integration type {excerpt(kind)} (known: {known})"
            self.reject(org, integration, kind, reason)
            return
        if type(expression) is not str:
            reason = f"cron_schedule must be a str, not {type_name(expression)}"
            self.reject(org, integration, expression, reason)
            return
        if zone is not None and type(zone) is not str:
            reason = f"timezone must be an IANA name, not {type_name(zone)}"
            self.reject(org, integration, zone, reason)
            return
        members = self.members(expression, zone)
        owner = self.owners.get(integration)
        if isinstance(members, tuple):
            self.reject(org, integration, *members)
        elif owner is not None:
            reason = f"duplicate id (already used by organization {excerpt(owner)})"
            self.reject(org, integration, raw_id, reason)
        else:
            self.owners[integration] = org
            orgs, ids = members.setdefault(kind_name, ([], []))
            orgs.append(org)
            ids.append(integration)

    def add_group(
        self, expression: object, zone: object, kind: object, org_ids: object, ids: object
    ) -> bool:
        """Rows sharing schedule, zone and type: checked once, added with C-level loops.
        Anything unusual goes row by row through :meth:`add`. True when every row joined
        at once."""
        try:
            orgs: list[Any] = list(org_ids)  # type: ignore[call-overload]
            integrations: list[Any] = list(ids)  # type: ignore[call-overload]
        except Exception:  # not iterable, or iterating raised
            self.reject(None, None, (org_ids, ids), "not a group: expected two lists of ids")
            return False
        kind_name = _TYPE_NAMES.get(kind) if type(kind) is str else None
        members = (
            self.members(expression, zone)
            if type(expression) is str and (zone is None or type(zone) is str)
            else None
        )
        owners = self.owners
        if (
            isinstance(members, dict)
            and kind_name is not None
            and len(orgs) == len(integrations)
            and set(map(type, chain(orgs, integrations))) <= {str}
            and "" not in orgs
            and "" not in integrations
            and owners.keys().isdisjoint(integrations)
        ):
            before = len(owners)
            owners.update(zip(integrations, orgs, strict=True))
            if len(owners) - before == len(integrations):
                chunk = members.setdefault(kind_name, ([], []))
                chunk[0].extend(orgs)
                chunk[1].extend(integrations)
                return True
            for integration in integrations:  # an id repeated within the group
                owners.pop(integration, None)
        for org, integration in zip_longest(orgs, integrations):
            self.add((integration, org, kind, expression, True, zone))
        return False

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
        """List the row with its original values; log it on one line of at most 200
        characters, each value cut to about 40 (a log line is not the place for 100 kB)."""
        self.rejected.append(RejectedRow(org, integration, value, reason))
        first, second = excerpt(integration), excerpt(org)
        room = _LINE - _WARNING_FIXED - len(first) - len(second)
        shown = excerpt(value, max(12, min(WIDTH, room - len(reason))))
        if _already_logged((first, second, reason)):
            return
        logger.warning(
            _WARNING,
            first,
            second,
            shorten(reason, room - len(shown)),
            shown,
            extra={
                "org_id": _loggable(org),
                "integration_id": _loggable(integration),
                "value": _loggable(value),
                "reason": shorten(reason, _LINE),
            },
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


def _already_logged(key: tuple[str, str, str]) -> bool:
    """(integration, organization, reason) was logged by the previous reload too."""
    quiet = _QUIET.get()
    if quiet is None:
        return False
    before, now = quiet
    now.add(key)
    return key in before
