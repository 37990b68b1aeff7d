"""How messages and log lines show a value that came from outside: on one short line, and
without letting the value's own methods raise (a database row can hold anything)."""

from __future__ import annotations

WIDTH = 42  # about 40 characters of the value, and its quotes


def shorten(text: str, width: int = WIDTH) -> str:
    """``text`` on one line of at most ``width`` characters: control characters escaped,
    cut with "…" when longer."""
    head = text[:width]
    if not head.isprintable():
        head = repr(head)[1:-1]
    if len(head) > width or len(text) > width:
        return head[: width - 1] + "…"
    return head


def excerpt(value: object, width: int = WIDTH) -> str:
    """``repr(value)`` on one line of at most ``width`` characters, cut with "…" (a str
    keeps its quotes: ``'Europe/Osl…'``). Never raises, whatever the value's ``__repr__``
    does: a value that cannot be shown is named by its type."""
    if type(value) is str:
        shown = repr(value[:width])
        if len(value) <= width and len(shown) <= width:
            return shown
        return shown[0] + shown[1:-1][: width - 3] + "…" + shown[0]
    try:
        shown = repr(value)
    except Exception:  # a hostile __repr__, or an int of more than 4,300 digits
        return f"<unprintable {type_name(value)}>"
    return shorten(shown, width) if type(shown) is str else f"<unprintable {type_name(value)}>"


def type_name(value: object) -> str:
    """The name of ``value``'s type, short, for messages such as "must be a str, not int"."""
    try:
        name = type(value).__name__
    except Exception:  # a metaclass may make even that raise
        return "object"
    return shorten(name, 30) if type(name) is str else "object"
