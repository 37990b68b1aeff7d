"""The compiled schedule: matching and searching fire times, in any time zone.

Searches jump field by field over bit masks (month, then day, hour, minute) on the wall
clock of the schedule's zone, and never scan minute by minute. The Gregorian calendar
repeats every 400 years, so a search that finds nothing within 400 years never will.

DST follows Debian cron (cron.8): a *fixed-time* job (neither the minute nor the hour field
starts with ``*``) whose wall time is skipped by a spring-forward runs once, right after
the gap, and runs only on the first pass of a repeated hour; a *wildcard* job follows the
wall clock: nothing in the gap, both passes of the repeated hour.

A fire time is the instant the zone's clock shows the selected minute's hh:mm:00. Before
about 1972 some zones kept local mean time (Africa/Monrovia was -0:44:30), so that instant
is not always a whole UTC minute, and a clock change can land in the middle of a wall
minute: a wildcard job does not fire in a minute whose :00 the clock never showed, and a
fixed-time job runs at the change, as after a DST gap.

Results are datetimes, so the calendar is datetime's: years 1 to 9999 on the schedule's
clock. An instant outside them matches nothing, and searches start or stop at their ends.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from ._days import (
    FULL_MONTH,
    MONTH_LENGTH,
    min_day_gap,
    month_days,
    month_length,
    weekday_free_days,
)
from ._errors import CronError
from ._excerpt import excerpt, type_name
from ._parser import Spec, format_spec, parse_spec

_SEARCH_YEARS = 400
_DAY = 86400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECOND = timedelta(seconds=1)
# Seconds in 400 Gregorian years: the calendar repeats, and so do a zone's rules before
# its first and after its last listed change.
_CYCLE = 146097 * _DAY
# Instants every zone's clock shows within years 1-9999 (no offset reaches a day).
_SAFE = range(
    (date(1, 1, 2).toordinal() - _EPOCH_ORDINAL) * _DAY,
    (date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL) * _DAY,
)
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Zulu"})
# Names zoneinfo loads that are not places: the host's /etc/localtime, tzdb's "-00"
# placeholder for hosts with no zone set, and a build artefact of older tzdb releases.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})

Wall = tuple[int, int, int, int, int]  # year, month, day, hour, minute on the zone's clock
_NO_CACHE: dict[int, int] = {}  # shared by plain schedules, whose _days never caches


@cache
def _zone_names() -> frozenset[str]:
    """The IANA names, listed once: only these are zones, so a schedule never depends on
    the host (``localtime``) or reads a file by path (``../``, ``/usr/share/...``)."""
    return frozenset(available_timezones()) - _NOT_ZONES


@lru_cache(maxsize=1024)
def _zone_by_name(name: str) -> tzinfo:
    if name in _UTC_NAMES:
        return UTC
    try:
        if name in _zone_names():
            return ZoneInfo(name)
    except Exception:  # a listed file that does not load: unknown all the same
        pass
    raise CronError(f"unknown time zone {excerpt(name)}: use an IANA name like 'Europe/Oslo'")


def _zone_name(tz: tzinfo) -> str | None:
    """The IANA key a ZoneInfo was loaded by; None for other zones, and for a ZoneInfo
    read with ``from_file()``, whose data need not be its key's (pickle refuses those)."""
    if not isinstance(tz, ZoneInfo):
        return None
    try:
        tz.__reduce__()
    except pickle.PicklingError:
        return None
    return tz.key


def resolve_zone(tz: str | tzinfo) -> tzinfo:
    """A tzinfo for an IANA name or a tzinfo; UTC names become ``datetime.UTC``.

    A ZoneInfo's key must be an IANA name too (``ZoneInfo("localtime")`` is refused).
    """
    if isinstance(tz, str):
        return _zone_by_name(tz)
    name = _zone_name(tz)
    if name is not None:
        return UTC if _zone_by_name(name) is UTC else tz
    if isinstance(tz, tzinfo):
        return tz
    raise TypeError(f"tz must be an IANA zone name or a tzinfo, not {type_name(tz)}")


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"{at.isoformat()} is a naive datetime: give it a zone, "
            "e.g. at.replace(tzinfo=datetime.UTC) or at.astimezone()"
        )
    return at


def instant(at: datetime) -> tuple[int, int]:
    """``at`` as (whole seconds since 1970 UTC, microseconds): exact in every year (a
    float timestamp drops microseconds after 2255) and at datetime's very ends."""
    delta = _aware(at) - _EPOCH
    return delta.days * _DAY + delta.seconds, delta.microseconds


def _clock(tz: tzinfo, seconds: int) -> datetime | None:
    """``tz``'s clock at ``seconds`` after 1970 UTC; None when it shows no year in 1-9999."""
    try:
        return datetime.fromtimestamp(seconds, tz)
    except (OverflowError, ValueError, OSError):
        pass
    # At the ends of the range the UTC time may have no datetime where the zone's clock
    # has one: read the clock 400 years inside, where it shows the same, and move back.
    years = 400 if seconds < 0 else -400
    try:
        local = datetime.fromtimestamp(seconds + years // 400 * _CYCLE, tz)
        return local.replace(year=local.year - years)
    except (OverflowError, ValueError, OSError):
        return None


def _offset(tz: tzinfo, seconds: int) -> int:
    local = _clock(tz, seconds)
    assert local is not None
    return local.utcoffset() // _SECOND  # type: ignore[operator]


def _offset_change(tz: tzinfo, start: int, end: int, offset: int) -> int | None:
    """The instant nearest ``start`` in (start, end] (or [end, start)) whose UTC offset
    differs from ``offset``; None when the offset holds all the way.

    Probes a day at a time, then bisects to the second: no zone changes its offset twice
    within a day.
    """
    step = _DAY if end > start else -_DAY
    same = start
    while same != end:
        probe = same + step
        if (probe - end) * step > 0:
            probe = end
        if _offset(tz, probe) != offset:
            while abs(probe - same) > 1:
                middle = (same + probe) // 2
                if _offset(tz, middle) == offset:
                    same = middle
                else:
                    probe = middle
            return probe
        same = probe
    return None


def _wall(local: datetime) -> Wall:
    return local.year, local.month, local.day, local.hour, local.minute


def _wall_seconds(wall: Wall) -> int:
    year, month, day, hour, minute = wall
    return (date(year, month, day).toordinal() - _EPOCH_ORDINAL) * _DAY + hour * 3600 + minute * 60


def _wall_at(seconds: int) -> Wall:
    """The wall time ``seconds`` after 1970-01-01 00:00 on a clock (inverse of _wall_seconds)."""
    days, rest = divmod(seconds, _DAY)
    day = date.fromordinal(days + _EPOCH_ORDINAL)
    return day.year, day.month, day.day, rest // 3600, rest % 3600 // 60


class LocalMinute(NamedTuple):
    """A minute as a zone's clock shows it: the wall time; whether it is the second pass
    of a repeated hour; where the skipped wall times began when the clock jumped forward
    into this minute; whether the jump landed after its :00 (``partial``: local mean time
    changing to whole minutes); and the instant the minute began on the clock."""

    wall: Wall
    second_pass: bool
    skipped_from: Wall | None
    partial: bool
    start: int


def local_minute(tz: tzinfo, second: int) -> LocalMinute | None:
    """Read the wall minute containing the whole second ``second`` on ``tz``'s clock; None
    when the clock shows no year in 1-9999 then."""
    local = _clock(tz, second)
    if local is None:
        return None
    wall = _wall(local)
    start = second - local.second  # where the minute began, if the clock ran on since
    before = _clock(tz, start - 1)
    if before is None or before.utcoffset() == local.utcoffset():
        # The pass is the one the minute began in: on local mean time a repeated stretch
        # can end in the middle of a minute.
        began = local if start == second else _clock(tz, start)
        return LocalMinute(wall, began is not None and began.fold == 1, None, False, start)
    change = _offset_change(tz, start - 1, second, before.utcoffset() // _SECOND)  # type: ignore[operator]
    assert change is not None
    last, began = _clock(tz, change - 1), _clock(tz, change)
    assert last is not None and began is not None
    year, month, day, hour, minute = _wall(last)
    jumped = _wall_seconds(wall) - _wall_seconds((year, month, day, hour, minute)) > 60
    skipped_from = (year, month, day, hour, minute + 1) if jumped else None
    return LocalMinute(wall, began.fold == 1, skipped_from, change > start, change)


def minutes_of_utc_minute(tz: tzinfo, minute: int) -> list[LocalMinute]:
    """The wall minutes of ``tz`` that began in (minute - 60, minute]: the ones a run at
    the whole UTC minute ``minute`` answers for. One, unless the zone's minutes do not
    start on whole UTC minutes and its clock changed within that minute."""
    found: list[LocalMinute] = []
    local = local_minute(tz, minute)
    while local is not None and local.start > minute - 60:
        found.append(local)
        local = local_minute(tz, local.start - 1)
    return found


class Cron:
    """A parsed cron schedule in a time zone. Immutable, hashable and picklable.

    Create one with :func:`cronspec.parse`. Times given to its methods must be aware
    datetimes; results are aware datetimes in the schedule's zone.

    Two schedules are equal when they mean the same in the same zone; a ZoneInfo counts
    by its IANA key, so ``ZoneInfo.no_cache("Europe/Oslo")`` is the same zone as
    ``ZoneInfo("Europe/Oslo")``. Pickling keeps the zone by that key (or as the tzinfo
    itself, e.g. a fixed ``datetime.timezone``); a zone read with ``ZoneInfo.from_file()``
    has no key to restore it by, and pickling such a schedule raises PicklingError.
    """

    __slots__ = ("_days_cache", "_fixed_zone", "_plan", "_spec", "_tz")

    _spec: Spec
    _tz: tzinfo
    _fixed_zone: bool
    _days_cache: dict[int, int]
    # What searches read on every step: minutes, hours, months, first minute, first hour,
    # and the day mask when it is the same in every month (else -1).
    _plan: tuple[int, int, int, int, int, int]

    def __init__(self, spec: Spec, tz: tzinfo) -> None:
        set_spec, set_tz, set_fixed_zone, set_days_cache, set_plan = _SLOT_SETTERS
        set_spec(self, spec)
        set_tz(self, tz)
        # A zone whose offset never changes needs none of the DST handling.
        set_fixed_zone(self, tz is UTC or type(tz).__name__ == "timezone")
        plain = weekday_free_days(spec.day)
        # Only weekday-dependent day rules need a cache (of at most 28 month shapes).
        set_days_cache(self, {} if plain is None else _NO_CACHE)
        minutes, hours = spec.minutes, spec.hours
        set_plan(
            self,
            (
                minutes,
                hours,
                spec.months,
                (minutes & -minutes).bit_length() - 1,
                (hours & -hours).bit_length() - 1,
                -1 if plain is None else plain,
            ),
        )

    # -- value semantics -------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Cron is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Cron is immutable: cannot delete {name!r}")

    def _zone_key(self) -> object:
        name = _zone_name(self._tz)
        return self._tz if name is None else name

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cron):
            return NotImplemented
        return self._spec == other._spec and self._zone_key() == other._zone_key()

    def __hash__(self) -> int:
        return hash((self._spec, self._zone_key()))

    def __reduce__(self) -> tuple[object, tuple[str, object]]:
        zone = self._zone_key()
        if isinstance(zone, ZoneInfo):
            raise pickle.PicklingError(
                f"cannot pickle the schedule {excerpt(str(self))}: its zone was read with "
                "ZoneInfo.from_file() and has no IANA name to restore it by"
            )
        return (_restore, (str(self), zone))

    def __str__(self) -> str:
        return format_spec(self._spec)

    def __repr__(self) -> str:
        return f"cronspec.parse({str(self)!r}, tz={str(self._tz)!r})"

    @property
    def tz(self) -> tzinfo:
        """The schedule's time zone."""
        return self._tz

    @property
    def is_fixed_time(self) -> bool:
        """True when neither the minute nor the hour field starts with ``*`` (see DST)."""
        return not (self._spec.minute_star or self._spec.hour_star)

    # -- the calendar ------------------------------------------------------------------

    def _days(self, year: int, month: int) -> int:
        """Bit d set when day d of this month fires."""
        length = month_length(year, month)
        plain = self._plan[5]
        if plain >= 0:
            return plain & FULL_MONTH[length]
        first = date(year, month, 1).toordinal() % 7  # 0 = Sunday
        key = length * 8 + first
        days = self._days_cache.get(key)
        if days is None:
            days = self._days_cache[key] = month_days(self._spec.day, length, first)
        return days

    def _wall_matches(self, year: int, month: int, day: int, hour: int, minute: int) -> bool:
        minutes, hours, months, _, _, plain = self._plan
        if not (minutes >> minute & 1 and hours >> hour & 1 and months >> month & 1):
            return False
        if plain >= 0:
            return bool(plain >> day & 1)
        return bool(self._days(year, month) >> day & 1)

    # Every day has the same fire times, so a search first settles the time of day (carrying
    # into the next or previous day), then finds the date; the time resets when the date moves.

    def _next_wall(self, year: int, month: int, day: int, hour: int, minute: int) -> Wall:
        """The first matching wall time at or after the given one (fields may overflow)."""
        minutes, hours, months, first_minute, first_hour, plain = self._plan
        later = minutes >> minute
        if later:
            minute += (later & -later).bit_length() - 1
        else:
            hour, minute = hour + 1, first_minute
        later = hours >> hour
        if not later:
            day, hour, minute = day + 1, first_hour, first_minute
        elif later & 1 == 0:
            hour, minute = hour + (later & -later).bit_length() - 1, first_minute
        stop = min(year + _SEARCH_YEARS, 9999)
        while True:
            if not months >> month & 1:
                later = months >> month
                if later:
                    month += (later & -later).bit_length() - 1
                else:
                    year, month = year + 1, (months & -months).bit_length() - 1
                day, hour, minute = 1, first_hour, first_minute
            if year > stop:
                break
            if plain < 0:
                later = self._days(year, month) >> day
            elif month != 2:
                later = (plain & FULL_MONTH[MONTH_LENGTH[month]]) >> day
            else:
                later = (plain & FULL_MONTH[month_length(year, 2)]) >> day
            if later:
                if later & 1 == 0:
                    day += (later & -later).bit_length() - 1
                    hour, minute = first_hour, first_minute
                return year, month, day, hour, minute
            month, day, hour, minute = month + 1, 1, first_hour, first_minute
        raise self._none_after(stop)

    def _previous_wall(self, year: int, month: int, day: int, hour: int, minute: int) -> Wall:
        """The last matching wall time at or before the given one (fields may underflow)."""
        minutes, hours, months, _, _, _ = self._plan
        last_minute, last_hour = minutes.bit_length() - 1, hours.bit_length() - 1
        earlier = minutes & ((2 << minute) - 1) if minute >= 0 else 0
        if earlier:
            minute = earlier.bit_length() - 1
        else:
            hour, minute = hour - 1, last_minute
        earlier = hours & ((2 << hour) - 1) if hour >= 0 else 0
        if not earlier:
            day, hour, minute = day - 1, last_hour, last_minute
        elif earlier >> hour == 0:
            hour, minute = earlier.bit_length() - 1, last_minute
        stop = max(year - _SEARCH_YEARS, 1)
        while True:
            if not months >> month & 1:
                earlier = months & ((1 << month) - 1)
                if earlier:
                    month = earlier.bit_length() - 1
                else:
                    year, month = year - 1, months.bit_length() - 1
                day, hour, minute = 31, last_hour, last_minute
            if year < stop:
                break
            earlier = self._days(year, month) & ((2 << day) - 1) if day > 0 else 0
            if earlier:
                if earlier >> day == 0:
                    day, hour, minute = earlier.bit_length() - 1, last_hour, last_minute
                return year, month, day, hour, minute
            month, day, hour, minute = month - 1, 31, last_hour, last_minute
        raise self._none_before(stop)

    def _none_after(self, year: int = 9999) -> CronError:
        return CronError(
            f"{excerpt(str(self))} has no fire time between the given time and year {year}"
        )

    def _none_before(self, year: int = 1) -> CronError:
        return CronError(
            f"{excerpt(str(self))} has no fire time between year {year} and the given time"
        )

    # -- time zones ----------------------------------------------------------------------

    def _local(self, seconds: int) -> datetime:
        """The schedule's clock at ``seconds``, an instant searches keep within years 1-9999."""
        local = _clock(self._tz, seconds)
        assert local is not None
        return local

    def _bounds(self) -> tuple[int, int]:
        """The first and the last second at which the zone's clock shows years 1-9999."""
        tz = self._tz
        first = datetime(1, 1, 1, tzinfo=tz) - _EPOCH
        last = datetime.max.replace(tzinfo=tz) - _EPOCH
        return first // _SECOND, last // _SECOND

    def _on_fixed_clock(self, at: datetime) -> datetime | None:
        """``at`` on this fixed-offset zone's clock, where ``astimezone`` overflowed: None
        when the clock shows no year in 1-9999 then."""
        tz = self._tz
        try:  # astimezone passes through UTC, which may overflow where this clock does not
            moved = at.replace(tzinfo=None) + (tz.utcoffset(None) - _aware(at).utcoffset())  # type: ignore[operator]
        except OverflowError:
            return None
        return moved.replace(tzinfo=tz)

    def _first_pass_instant(self, wall: Wall) -> int:
        """Where Debian runs a fixed-time job due at ``wall``: its first pass when the wall
        time repeats, the end of the gap when it is skipped."""
        seconds = _wall_seconds(wall)
        offset = datetime(*wall, tzinfo=self._tz).utcoffset() // _SECOND  # type: ignore[operator]
        instant = seconds - offset
        if _wall(self._local(instant)) == wall:
            return instant
        # Skipped: fold=0 read the wall with the offset before the gap, which lands inside
        # the new offset's time; the gap ended at most one DST shift earlier.
        tz = self._tz
        shift = _offset(tz, instant) - offset
        change = _offset_change(tz, instant - shift - 1, instant, _offset(tz, instant - shift - 1))
        return instant if change is None else change

    # -- the public API --------------------------------------------------------------------

    def matches(self, at: datetime) -> bool:
        """Whether the minute containing ``at`` on the zone's clock is a fire time (seconds
        are ignored)."""
        tz = self._tz
        if self._fixed_zone:
            try:
                local = at if at.tzinfo is tz else _aware(at).astimezone(tz)
            except OverflowError:
                local = self._on_fixed_clock(at)  # type: ignore[assignment]
                if local is None:
                    return False
            return self._wall_matches(local.year, local.month, local.day, local.hour, local.minute)
        local_at = local_minute(tz, instant(at)[0])
        return local_at is not None and self._matches_local(local_at)

    def _matches_local(self, local: LocalMinute) -> bool:
        """``matches`` for a minute already read on this schedule's zone's clock."""
        wall, second_pass, skipped_from, partial, _ = local
        if not self.is_fixed_time:
            return not partial and self._wall_matches(*wall)
        if not second_pass and self._wall_matches(*wall):
            return True
        # The clock just jumped forward: run what the gap skipped (Debian cron.c, DST begins).
        return skipped_from is not None and self._next_wall(*skipped_from) < wall

    def next_after(self, at: datetime) -> datetime:
        """The first fire time strictly after ``at``, in the schedule's zone."""
        tz = self._tz
        if self._fixed_zone:
            try:
                local = at if at.tzinfo is tz else _aware(at).astimezone(tz)
            except OverflowError:
                local = self._on_fixed_clock(at)  # type: ignore[assignment]
            if local is not None:
                year, month, day, hour, minute = self._next_wall(
                    local.year, local.month, local.day, local.hour, local.minute + 1
                )
            elif instant(at)[0] < 0:  # before year 1 on this clock: from its first minute
                year, month, day, hour, minute = self._next_wall(1, 1, 1, 0, 0)
            else:
                raise self._none_after()
            return datetime(year, month, day, hour, minute, 0, 0, tz)
        second = instant(at)[0]
        start = second + 1  # fire times are whole seconds: the first that may be one
        from_first = False  # ``at`` is before the first minute the zone's clock can show
        if start not in _SAFE:
            first, last = self._bounds()
            if start > last:
                raise self._none_after()
            if start <= first:
                start, from_first = first, True
        if self.is_fixed_time:
            # The walls after the one ``at`` shows: one before it may come round again only
            # on a second pass, which fixed-time jobs skip.
            if from_first:
                year, month, day, hour, minute = 1, 1, 1, 0, 0
            else:
                year, month, day, hour, minute = _wall(self._local(second))
                minute += 1
            while True:
                wall = self._next_wall(year, month, day, hour, minute)
                fire = self._first_pass_instant(wall)
                if fire >= start:
                    return self._local(fire)
                year, month, day, hour, minute = wall
                minute += 1
        while True:
            local = self._local(start)
            offset = local.utcoffset() // _SECOND  # type: ignore[operator]
            year, month, day, hour, minute = _wall(local)
            # A minute the clock entered after its :00 (local mean time giving way to whole
            # minutes) does not fire: wildcard jobs follow what the clock shows.
            wall = self._next_wall(year, month, day, hour, minute + (local.second > 0))
            fire = _wall_seconds(wall) - offset
            change = _offset_change(tz, start, fire, offset)
            if change is None:
                return self._local(fire)
            start = change

    def previous_before(self, at: datetime) -> datetime:
        """The last fire time strictly before ``at``, in the schedule's zone."""
        tz = self._tz
        if self._fixed_zone:
            try:
                local = at if at.tzinfo is tz else _aware(at).astimezone(tz)
            except OverflowError:
                local = self._on_fixed_clock(at)  # type: ignore[assignment]
            if local is not None:
                exact = local.second == 0 and local.microsecond == 0
                year, month, day, hour, minute = self._previous_wall(
                    local.year, local.month, local.day, local.hour, local.minute - exact
                )
            elif instant(at)[0] > 0:  # after year 9999 on this clock: from its last minute
                year, month, day, hour, minute = self._previous_wall(9999, 12, 31, 23, 59)
            else:
                raise self._none_before()
            return datetime(year, month, day, hour, minute, 0, 0, tz)
        second, micro = instant(at)
        start = second - (micro == 0)  # the last whole second before ``at``
        if start not in _SAFE:
            first, last = self._bounds()
            if start < first:
                raise self._none_before()
            start = min(start, last)
        if self.is_fixed_time:
            local = self._local(start)
            year, month, day, hour, minute = _wall(local)
            if local.fold:
                # In the repeated hour the first pass, up to its end, may still lie ahead
                # on the wall clock: read the same instant with the first pass's offset.
                earlier = local.replace(fold=0).utcoffset() // _SECOND  # type: ignore[operator]
                year, month, day, hour, minute = _wall_at(start + earlier)
            while True:
                wall = self._previous_wall(year, month, day, hour, minute)
                fire = self._first_pass_instant(wall)
                if fire <= start:
                    return self._local(fire)
                year, month, day, hour, minute = wall
                minute -= 1
        while True:
            local = self._local(start)
            offset = local.utcoffset() // _SECOND  # type: ignore[operator]
            fire = _wall_seconds(self._previous_wall(*_wall(local))) - offset
            # A change between the minute's :00 and ``start`` means the clock entered the
            # minute after its :00: look before the change.
            change = _offset_change(tz, start, fire, offset)
            if change is None:
                return self._local(fire)
            start = change

    def fire_times(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every fire time in the half-open window ``(start, end]``, lazily, in order.

        Ends with year 9999 on the schedule's clock, where datetime ends."""
        # Compare instants, not datetimes: two times of one zone compare by wall clock in
        # Python, which gets the repeated hour of a fall-back wrong.
        stop = instant(end)
        at = start
        while True:
            try:
                at = self.next_after(at)
            except CronError:  # nothing more before the end of year 9999
                return
            if instant(at) > stop:
                return
            yield at

    def min_interval(self) -> timedelta:
        """The smallest gap between two consecutive fire times, on the wall clock.

        Exact over the 400-year calendar. A DST night can bring two real instants closer
        than this by at most the DST shift (e.g. ``30 1-3 * * *`` on a spring-forward).
        """
        spec = self._spec
        times = [
            hour * 60 + minute
            for hour in range(24)
            if spec.hours >> hour & 1
            for minute in range(60)
            if spec.minutes >> minute & 1
        ]
        within = min((b - a for a, b in itertools.pairwise(times)), default=None)
        span = times[-1] - times[0]
        if within is not None and within <= 1440 - span:
            return timedelta(minutes=within)
        across = min_day_gap(spec.day, spec.months) * 1440 - span
        return timedelta(minutes=across if within is None else min(within, across))

    def describe(self) -> str:
        """An English sentence for the schedule, e.g. ``"At 02:00 every day"``."""
        from ._describe import describe

        return describe(self._spec)


# Cron.__init__ sets its slots through their own descriptors, since __setattr__ refuses (a
# Cron is immutable): about half the cost of object.__setattr__, paid on every parse.
_SLOT_SETTERS = tuple(
    Cron.__dict__[name].__set__ for name in ("_spec", "_tz", "_fixed_zone", "_days_cache", "_plan")
)


def _restore(text: str, tz: str | tzinfo) -> Cron:
    return parse(text, tz)


def parse(expression: str, tz: str | tzinfo = "UTC") -> Cron:
    """Parse a five-field cron expression (or a macro such as ``@daily``) into a Cron.

    Raises CronSyntaxError for any expression cronspec refuses (with the field and the
    column), TypeError for a non-str, and CronError for an unknown time zone.
    """
    return Cron(parse_spec(expression), UTC if tz == "UTC" else resolve_zone(tz))
