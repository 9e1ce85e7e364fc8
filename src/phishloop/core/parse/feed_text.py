"""Searches in a message's text for `feed_lines.LineBuffer`: line ends, blank lines and
multipart boundary lines, found with `str.find` instead of line by line.

Lines end at "\\r", "\\n" or "\\r\\n" (the stdlib's `StringIO(newline="")`); `limit` is the
end of the text the buffer may read, always the end of a complete line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Matcher = Callable[[str], object]
# What follows the separator on a boundary line, as in the stdlib's boundary pattern.
_BOUNDARY_TAIL = re.compile(r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")


class BoundaryMatcher:
    """The stdlib's compiled boundary pattern, without compiling one per boundary: a line
    matches when it starts with `separator` ("--" + boundary) and the rest is
    `_BOUNDARY_TAIL`; the match has the same `end`, `ws` and `linesep` groups."""

    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if line.startswith(self.separator):
            return _BOUNDARY_TAIL.match(line, len(self.separator))
        return None


def separators_of(matchers: list[Matcher]) -> list[str] | None:
    """The separators of boundary matchers; None when one predicate is something else."""
    owners = [getattr(matcher, "__self__", None) for matcher in matchers]
    if all(isinstance(owner, BoundaryMatcher) for owner in owners):
        return [owner.separator for owner in owners]  # type: ignore[union-attr]
    return None


def complete_end(text: str) -> int:
    """Where the complete lines of `text` end: the last line is complete when it ends
    with "\\n" (a final "\\r" may still be the first half of "\\r\\n")."""
    if text.endswith("\n"):
        return len(text)
    last = len(text) - 1
    return max(text.rfind("\n", 0, last), text.rfind("\r", 0, last)) + 1


def line_end(text: str, pos: int, limit: int, has_cr: bool) -> int:
    """The end of the line starting at `pos`."""
    newline = text.find("\n", pos, limit)
    if has_cr:
        carriage = text.find("\r", pos, newline if newline >= 0 else limit)
        if carriage >= 0:
            return carriage + 2 if carriage + 1 == newline else carriage + 1
    return newline + 1 if newline >= 0 else limit


def blank_line(text: str, pos: int, limit: int, has_cr: bool) -> int:
    """The start of the first line at or after `pos` (a line start) made of a line break
    only, or -1."""
    if text.startswith(("\n", "\r"), pos):
        return pos
    pairs = ("\n\r", "\n\n", "\r\r") if has_cr else ("\n\n",)
    index = _first_of(text, pairs, pos, limit)
    return index + 1 if index >= 0 else -1


def boundary_line(
    text: str, pos: int, limit: int, has_cr: bool, *, matchers: list[Matcher], separators: list[str]
) -> int:
    """The start of the first line in [pos, limit) that `matchers` (boundary matchers
    with `separators`) accept, or -1; `pos` is a line start."""
    breaks = ("\n", "\r") if has_cr else ("\n",)
    needles = [newline + separator for separator in separators for newline in breaks]
    while pos < limit:
        if any(text.startswith(separator, pos) for separator in separators):
            start = pos
        else:
            index = _first_of(text, needles, pos, limit)
            if index < 0:
                return -1
            start = index + 1
        end = line_end(text, start, limit, has_cr)
        if any(at_eof(text[start:end]) for at_eof in matchers):
            return start
        pos = end
    return -1


def _first_of(text: str, needles: tuple[str, ...] | list[str], start: int, limit: int) -> int:
    """Where the first of `needles` starts in text[start:limit], or -1. Each search stops
    where an earlier needle was found: a needle that never occurs costs no full scan."""
    best = limit
    for needle in needles:
        index = text.find(needle, start, min(limit, best + len(needle) - 1))
        if index >= 0:
            best = index
    return best if best < limit else -1
