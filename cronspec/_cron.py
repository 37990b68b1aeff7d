"""The compiled schedule: matching and searching fire times, in any time zone.

Searches jump field by field over bit masks (month, then day, hour, minute) on the wall
clock of the schedule's zone, and never scan minute by minute. The Gregorian calendar
repeats every 400 years, so a search that finds nothing within 400 years never will.

DST follows Debian cron (cron.8): a *fixed-time* job (neither the minute nor the hour field
starts with ``*``) whose wall time is skipped by a spring-forward runs once, right after
the gap, and runs only on the first pass of a repeated hour; a *wildcard* job follows the
wall clock: nothing in the gap, both passes of the repeated hour.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ._days import (
    FULL_MONTH,
    MONTH_LENGTH,
    min_day_gap,
    month_days,
    month_length,
    weekday_free_days,
)
from ._errors import CronError
from ._parser import Spec, format_spec, parse_spec

_SEARCH_YEARS = 400
_DAY = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Zulu"})

Wall = tuple[int, int, int, int, int]  # year, month, day, hour, minute on the zone's clock
_NO_CACHE: dict[int, int] = {}  # shared by plain schedules, whose _days never caches


@lru_cache(maxsize=1024)
def _zone_by_name(name: str) -> tzinfo:
    if name in _UTC_NAMES:
        return UTC
    try:
        return ZoneInfo(name)
    except Exception:  # ZoneInfo raises KeyError, ValueError or OSError for odd keys
        raise CronError(
            f"unknown time zone {name!r}: use an IANA name like 'Europe/Oslo'"
        ) from None


def resolve_zone(tz: str | tzinfo) -> tzinfo:
    """A tzinfo for an IANA name or a tzinfo; UTC names become ``datetime.UTC``."""
    if isinstance(tz, str):
        return _zone_by_name(tz)
    if isinstance(tz, ZoneInfo) and tz.key in _UTC_NAMES:
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    raise TypeError(f"tz must be an IANA zone name or a tzinfo, not {type(tz).__name__}")


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"{at.isoformat()} is a naive datetime: give it a zone, "
            "e.g. at.replace(tzinfo=datetime.UTC) or at.astimezone()"
        )
    return at


def _from_timestamp(seconds: float, tz: tzinfo) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz)
    except (OverflowError, ValueError, OSError):
        raise CronError(f"{seconds:.0f} s from 1970 is outside the years datetime covers") from None


def _wall(local: datetime) -> Wall:
    return local.year, local.month, local.day, local.hour, local.minute


def _wall_seconds(wall: Wall) -> int:
    year, month, day, hour, minute = wall
    return (date(year, month, day).toordinal() - _EPOCH_ORDINAL) * _DAY + hour * 3600 + minute * 60


class LocalMinute(NamedTuple):
    """A minute as a zone's clock shows it: the wall time, whether it is the second pass
    of a repeated hour, and where the skipped wall times began when the clock jumped
    forward into this minute."""

    wall: Wall
    second_pass: bool
    skipped_from: Wall | None


def local_minute(tz: tzinfo, at: datetime) -> LocalMinute:
    """Read the minute containing ``at`` on ``tz``'s clock (one zone lookup per query)."""
    seconds = _aware(at).timestamp()
    seconds -= seconds % 60
    local = _from_timestamp(seconds, tz)
    wall = _wall(local)
    year, month, day, hour, minute = _wall(_from_timestamp(seconds - 60, tz))
    jumped = _wall_seconds(wall) - _wall_seconds((year, month, day, hour, minute)) > 60
    return LocalMinute(
        wall, local.fold == 1, (year, month, day, hour, minute + 1) if jumped else None
    )


class Cron:
    """A parsed cron schedule in a time zone. Immutable, hashable and picklable.

    Create one with :func:`cronspec.parse`. Times given to its methods must be aware
    datetimes; results are aware datetimes in the schedule's zone.
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
        set_slot = object.__setattr__
        set_slot(self, "_spec", spec)
        set_slot(self, "_tz", tz)
        # A zone whose offset never changes needs none of the DST handling.
        set_slot(self, "_fixed_zone", tz is UTC or type(tz).__name__ == "timezone")
        plain = weekday_free_days(spec.day)
        # Only weekday-dependent day rules need a cache (of at most 28 month shapes).
        set_slot(self, "_days_cache", {} if plain is None else _NO_CACHE)
        set_slot(
            self,
            "_plan",
            (
                spec.minutes,
                spec.hours,
                spec.months,
                (spec.minutes & -spec.minutes).bit_length() - 1,
                (spec.hours & -spec.hours).bit_length() - 1,
                -1 if plain is None else plain,
            ),
        )

    # -- value semantics -------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Cron is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Cron is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cron):
            return NotImplemented
        return self._spec == other._spec and self._tz == other._tz

    def __hash__(self) -> int:
        return hash((self._spec, self._tz))

    def __reduce__(self) -> tuple[object, tuple[str, str | tzinfo]]:
        return (_restore, (str(self), getattr(self._tz, "key", self._tz)))

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
        raise CronError(f"'{self}' has no fire time between the given time and year {stop}")

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
        raise CronError(f"'{self}' has no fire time between year {stop} and the given time")

    # -- time zones ----------------------------------------------------------------------

    def _local(self, seconds: float) -> datetime:
        return _from_timestamp(seconds, self._tz)

    def _offset(self, seconds: float) -> int:
        offset = self._local(seconds).utcoffset()
        assert offset is not None
        return int(offset.total_seconds())

    def _offset_change(self, start: int, end: int, offset: int) -> int | None:
        """The instant nearest ``start`` in (start, end] (or [end, start)) whose UTC offset
        differs from ``offset``; None when the offset holds all the way.

        Probes a day at a time, then bisects to the second: no zone changes its offset
        twice within a day.
        """
        step = _DAY if end > start else -_DAY
        same = start
        while same != end:
            probe = same + step
            if (probe - end) * step > 0:
                probe = end
            if self._offset(probe) != offset:
                while abs(probe - same) > 1:
                    middle = (same + probe) // 2
                    if self._offset(middle) == offset:
                        same = middle
                    else:
                        probe = middle
                return probe
            same = probe
        return None

    def _first_pass_instant(self, wall: Wall) -> int:
        """Where Debian runs a fixed-time job due at ``wall``: its first pass when the wall
        time repeats, the end of the gap when it is skipped."""
        seconds = _wall_seconds(wall)
        offset = datetime(*wall, tzinfo=self._tz).utcoffset()
        assert offset is not None
        instant = seconds - int(offset.total_seconds())
        if _wall(self._local(instant)) == wall:
            return instant
        # Skipped: fold=0 read the wall with the offset before the gap, which lands inside
        # the new offset's time; the gap ended at most one DST shift earlier.
        shift = self._offset(instant) - int(offset.total_seconds())
        change = self._offset_change(
            instant - shift - 1, instant, self._offset(instant - shift - 1)
        )
        return instant if change is None else change

    # -- the public API --------------------------------------------------------------------

    def matches(self, at: datetime) -> bool:
        """Whether the minute containing ``at`` is a fire time (seconds are ignored)."""
        tz = self._tz
        if self._fixed_zone:
            local = at if at.tzinfo is tz else _aware(at).astimezone(tz)
            return self._wall_matches(local.year, local.month, local.day, local.hour, local.minute)
        return self._matches_local(local_minute(tz, at))

    def _matches_local(self, local: LocalMinute) -> bool:
        """``matches`` for a minute already read on this schedule's zone's clock."""
        wall, second_pass, skipped_from = local
        if not self.is_fixed_time:
            return self._wall_matches(*wall)
        if not second_pass and self._wall_matches(*wall):
            return True
        # The clock just jumped forward: run what the gap skipped (Debian cron.c, DST begins).
        return skipped_from is not None and self._next_wall(*skipped_from) < wall

    def next_after(self, at: datetime) -> datetime:
        """The first fire time strictly after ``at``, in the schedule's zone."""
        tz = self._tz
        if self._fixed_zone:
            local = at if at.tzinfo is tz else _aware(at).astimezone(tz)
            year, month, day, hour, minute = self._next_wall(
                local.year, local.month, local.day, local.hour, local.minute + 1
            )
            return datetime(year, month, day, hour, minute, 0, 0, tz)
        seconds = _aware(at).timestamp()
        if self.is_fixed_time:
            year, month, day, hour, minute = _wall(self._local(seconds))
            while True:
                wall = self._next_wall(year, month, day, hour, minute + 1)
                instant = self._first_pass_instant(wall)
                if instant > seconds:
                    return self._local(instant)
                year, month, day, hour, minute = wall
        start = int(seconds - seconds % 60) + 60
        while True:
            local = self._local(start)
            offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
            instant = _wall_seconds(self._next_wall(*_wall(local))) - offset
            change = self._offset_change(start, instant, offset)
            if change is None:
                return self._local(instant)
            start = change

    def previous_before(self, at: datetime) -> datetime:
        """The last fire time strictly before ``at``, in the schedule's zone."""
        tz = self._tz
        if self._fixed_zone:
            local = at if at.tzinfo is tz else _aware(at).astimezone(tz)
            exact = local.second == 0 and local.microsecond == 0
            year, month, day, hour, minute = self._previous_wall(
                local.year, local.month, local.day, local.hour, local.minute - exact
            )
            return datetime(year, month, day, hour, minute, 0, 0, tz)
        seconds = _aware(at).timestamp()
        if self.is_fixed_time:
            local = self._local(seconds)
            year, month, day, hour, minute = _wall(local)
            if local.fold:
                # In the repeated hour the first pass, up to its end, may still lie ahead
                # on the wall clock: start from the same instant read with the first offset.
                earlier = local.replace(fold=0).utcoffset()
                assert earlier is not None
                shifted = datetime.fromtimestamp(seconds, UTC) + earlier
                year, month, day, hour, minute = _wall(shifted)
            while True:
                wall = self._previous_wall(year, month, day, hour, minute)
                instant = self._first_pass_instant(wall)
                if instant < seconds:
                    return self._local(instant)
                year, month, day, hour, minute = wall
                minute -= 1
        floor = seconds - seconds % 60
        start = int(floor - 60 if floor == seconds else floor)
        while True:
            local = self._local(start)
            offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
            instant = _wall_seconds(self._previous_wall(*_wall(local))) - offset
            change = self._offset_change(start, instant, offset)
            if change is None:
                return self._local(instant)
            start = change

    def fire_times(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every fire time in the half-open window ``(start, end]``, lazily, in order."""
        # Compare instants, not datetimes: two times of one zone compare by wall clock in
        # Python, which gets the repeated hour of a fall-back wrong.
        stop = _aware(end).timestamp()
        at = start
        while True:
            try:
                at = self.next_after(at)
            except CronError:
                return
            if at.timestamp() > stop:
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


def _restore(text: str, tz: str | tzinfo) -> Cron:
    return parse(text, tz)


def parse(expression: str, tz: str | tzinfo = "UTC") -> Cron:
    """Parse a five-field cron expression (or a macro such as ``@daily``) into a Cron.

    Raises CronSyntaxError for any expression cronspec refuses (with the field and the
    column), TypeError for a non-str, and CronError for an unknown time zone.
    """
    return Cron(parse_spec(expression), UTC if tz == "UTC" else resolve_zone(tz))
