"""A drop-in line buffer for the stdlib feed parser that reads lines out of the message text
on demand, with the same results as `email.feedparser.BufferedSubFile`.

The stock buffer splits the whole message into line strings up front, and the parser then
re-joins the lines of every body one by one. Here the parser says what it reads next: a
header block (`expect_headers`) is cut into lines in one go, up to its blank line, and a
body it reads whole (`expect_body`) comes out as one slice, up to the first line that ends
it (an unread EOF marker, or a multipart boundary found by `feed_text`). Other reads go
line by line.

Relies on `BufferedSubFile`'s `_eofstack` and `_closed` (unchanged since Python 3.3); the
tests parse the corpus with both buffers.
"""

from __future__ import annotations

from collections.abc import Iterator
from email import feedparser as stdlib_feedparser
from typing import Any

from phishloop.core.parse.feed_text import (
    BoundaryMatcher,
    blank_line,
    boundary_line,
    complete_end,
    line_end,
    separators_of,
)

__all__ = ["BoundaryMatcher", "LineBuffer"]

# Not in the typeshed stubs: taken untyped.
_BufferedSubFile: Any = vars(stdlib_feedparser)["BufferedSubFile"]
NEED_MORE_DATA: object = vars(stdlib_feedparser)["NeedMoreData"]
# Line breaks of str.splitlines() that StringIO(newline="") does not break lines at.
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


class LineBuffer(_BufferedSubFile):  # type: ignore[misc]
    """`BufferedSubFile` over one string (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._text = ""
        self._pos = 0  # start of the next unread line
        self._complete = 0  # end of the last complete line pushed (all of it once closed)
        self._has_cr = False
        self._given_back: list[str] = []  # lines pushed back with unreadline, last on top
        self._body_next = False
        self._headers_next = False

    def push(self, data: str) -> None:
        self._text = self._text[self._pos :] + data
        self._pos = 0
        self._has_cr = "\r" in self._text
        self._complete = complete_end(self._text)

    def pushlines(self, lines: list[str]) -> None:
        """Lines to read after everything unread (the parser itself never pushes lines)."""
        if self._pos < len(self._text):
            raise NotImplementedError("lines pushed behind unread text")
        self._given_back[0:0] = reversed(lines)

    def close(self) -> None:
        self._complete = len(self._text)
        self._closed = True

    def unreadline(self, line: str) -> None:
        self._given_back.append(line)

    def expect_body(self) -> None:
        """The parser's next loop over this buffer reads a whole body: hand it over in
        slices instead of lines."""
        self._body_next = True

    def expect_headers(self) -> None:
        """The parser's next loop over this buffer reads a header block."""
        self._headers_next = True

    def readline(self) -> Any:
        self._body_next = self._headers_next = False
        if self._given_back:
            line = self._given_back.pop()
        else:
            pos = self._pos
            if pos >= self._complete:
                return "" if self._closed else NEED_MORE_DATA
            self._pos = end = line_end(self._text, pos, self._complete, self._has_cr)
            line = self._text[pos:end]
        for at_eof in reversed(self._eofstack):
            if at_eof(line):
                self._given_back.append(line)
                return ""
        return line

    def __iter__(self) -> Iterator[Any]:
        if self._body_next:
            self._body_next = False
            return self._body()
        if self._headers_next:
            self._headers_next = False
            return self._header_lines()
        return self._each_line()

    def _each_line(self) -> Iterator[Any]:
        readline = self.readline
        while (line := readline()) != "":
            yield line

    def _header_lines(self) -> Iterator[Any]:
        """Lines as `_each_line` reads them; those up to the first blank line are cut in
        one go (the parser stops reading at it, or at the first line that is no header)."""
        while self._given_back:
            line = self.readline()
            if line == "":
                return
            yield line
        block, at_eof = self._header_block()
        for line in block:
            self._pos += len(line)
            yield line
        if not at_eof:
            yield from self._each_line()

    def _header_block(self) -> tuple[list[str], bool]:
        """The complete lines from the read position to the first blank line (included),
        and whether a line an EOF matcher accepts ends them first."""
        text, pos, limit, has_cr = self._text, self._pos, self._complete, self._has_cr
        blank = blank_line(text, pos, limit, has_cr) if pos < limit else -1
        end = line_end(text, blank, limit, has_cr) if blank >= 0 else limit
        boundary = self._boundary(end)
        if boundary is None:
            return [], False  # a predicate of unknown shape: line by line
        block = text[pos : boundary if boundary >= 0 else end]
        if any(other in block for other in _OTHER_BREAKS):
            return [], False  # rare: line by line, where the stdlib breaks lines
        return block.splitlines(keepends=True), boundary >= 0

    def _body(self) -> Iterator[Any]:
        while True:
            while self._given_back:
                line = self.readline()
                if line == "":
                    return
                yield line
            end, at_eof = self._body_end()
            if end > self._pos:
                start, self._pos = self._pos, end
                yield self._text[start:end]
            if at_eof or self._closed:
                return
            yield NEED_MORE_DATA

    def _body_end(self) -> tuple[int, bool]:
        """Where the unread complete lines stop being body: (offset, True) at the first line
        an EOF matcher accepts, else (end of the complete lines, False)."""
        boundary = self._boundary(self._complete)
        if boundary is not None:
            return (boundary, True) if boundary >= 0 else (self._complete, False)
        pos, matchers = self._pos, list(reversed(self._eofstack))
        while pos < self._complete:
            end = line_end(self._text, pos, self._complete, self._has_cr)
            if any(at_eof(self._text[pos:end]) for at_eof in matchers):
                return pos, True
            pos = end
        return self._complete, False

    def _boundary(self, limit: int) -> int | None:
        """The start of the first line before `limit` that ends the current part, -1 for
        none; None when an EOF matcher is not a boundary matcher (it cannot be searched)."""
        matchers = list(reversed(self._eofstack))
        if not matchers:
            return -1
        separators = separators_of(matchers)
        if separators is None:
            return None
        text, has_cr = self._text, self._has_cr
        return boundary_line(
            text, self._pos, limit, has_cr, matchers=matchers, separators=separators
        )
