"""Values a database row or a caller might hand ScheduleMap whose own methods raise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

HUGE = 10**5000  # str() and repr() raise ValueError past 4,300 digits


def _raise(self: object, *args: object) -> Any:
    raise RuntimeError("hostile")


class Hostile:
    """A value all of whose methods raise."""

    __str__ = __repr__ = __hash__ = __eq__ = __lt__ = __format__ = __bool__ = _raise  # type: ignore[assignment]


class HostileStr(str):
    """A str that cannot be hashed, compared or shown."""

    __str__ = __repr__ = __hash__ = __eq__ = __format__ = _raise  # type: ignore[assignment]


class HostileGetItem(dict):  # type: ignore[type-arg]
    """A mapping whose item lookup raises."""

    __getitem__ = _raise


class HostileGet(dict):  # type: ignore[type-arg]
    """A mapping whose ``get`` raises (read when a column is absent)."""

    get = _raise


class Unreadable:
    """An iterable whose iteration raises."""

    def __iter__(self) -> Iterator[object]:
        raise RuntimeError("hostile")
