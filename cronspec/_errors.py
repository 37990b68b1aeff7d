"""The cronspec exception family."""

from __future__ import annotations

from ._excerpt import shorten

ELIDED_LENGTH = 40


def elided(text: str) -> str:
    """``text`` cut to ELIDED_LENGTH characters, the last one an ellipsis, for a message.

    A message names what is wrong; echoing a whole hostile input would make every error
    (and every log line that carries it) as long as the input.
    """
    return shorten(text, ELIDED_LENGTH)


class CronError(ValueError):
    """Base class of every error cronspec raises about a schedule or a time zone."""


class CronSyntaxError(CronError):
    """An expression that cronspec refuses, with where and why.

    ``str()`` is one line: ``"minute: 99 is out of range 0-59 (column 1)"``.
    ``position`` is the 0-based column of the offending text; the message shows it 1-based,
    like an editor does.  ``field`` is None for errors about the whole expression.
    The message quotes at most ELIDED_LENGTH characters of the input (``expression`` keeps
    all of it), so it stays under 200 characters whatever the input.
    """

    expression: str
    field: str | None
    position: int
    reason: str

    def __init__(self, expression: str, field: str | None, position: int, reason: str) -> None:
        self.expression = expression
        self.field = field
        self.position = position
        self.reason = reason
        prefix = f"{field}: " if field else ""
        super().__init__(f"{prefix}{reason} (column {position + 1})")

    def __reduce__(self) -> tuple[type[CronSyntaxError], tuple[str, str | None, int, str]]:
        return (type(self), (self.expression, self.field, self.position, self.reason))
