"""A drop-in speed-up for the stdlib feed parser, with the same results.

`FastFeedParser` is the stdlib `FeedParser` reading through `feed_lines.LineBuffer`
(bodies come out as one slice instead of line by line), with the compat32 header-field
loop inlined, and multipart boundaries matched by `feed_text.BoundaryMatcher` instead of
a regular expression compiled per boundary (each boundary is new to `re`'s cache, and a
compile costs ~0.1 ms). The stdlib's `_parsegen` code runs unchanged, with a `re` of its
own whose `compile` hands out those matchers, and an `NLCRE_eol` that looks for a final
line break at the end of a part rather than scanning all of it.
(`feed_message.IndexedMessage` is the other drop-in, for the parts.)

Relies on `email` internals unchanged since Python 3.3 (`_parsegen`, `_parse_headers`,
`_new_message`, `_cur`, `_input`, `_headersonly`); the tests parse the corpus both ways.
"""

from __future__ import annotations

import re
import types
from email import errors
from email import feedparser as stdlib_feedparser
from email.feedparser import FeedParser
from email.message import Message
from email.policy import compat32
from typing import Any

from phishloop.core.parse.feed_lines import LineBuffer
from phishloop.core.parse.feed_text import BoundaryMatcher

# The pattern `_parsegen` compiles for a boundary: prefix + re.escape("--" + boundary) + suffix.
_BOUNDARY_PREFIX = "(?P<sep>"
_BOUNDARY_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


class _BoundaryRe:
    """The `re` that the copied `_parsegen` sees: boundary patterns become matchers."""

    escape = staticmethod(re.escape)

    @staticmethod
    def compile(pattern: str, flags: int = 0) -> Any:
        prefix, suffix = _BOUNDARY_PREFIX, _BOUNDARY_SUFFIX
        if flags == 0 and pattern.startswith(prefix) and pattern.endswith(suffix):
            escaped = pattern[len(_BOUNDARY_PREFIX) : -len(_BOUNDARY_SUFFIX)]
            separator = _ESCAPED.sub(r"\1", escaped)
            if re.escape(separator) == escaped:  # it was one literal: the matcher is exact
                return BoundaryMatcher(separator)
        return re.compile(pattern, flags)


class _LineBreakAtEnd:
    """`NLCRE_eol` (a line break at the end of the text), searched from where a match can
    start instead of through the whole part."""

    pattern: re.Pattern[str] = vars(stdlib_feedparser)["NLCRE_eol"]

    @classmethod
    def search(cls, text: str) -> re.Match[str] | None:
        return cls.pattern.search(text, max(0, len(text) - 2))


def _parsegen_with_matchers() -> types.FunctionType:
    stock: Any = FeedParser._parsegen  # type: ignore[attr-defined]
    namespace = {**vars(stdlib_feedparser), "re": _BoundaryRe, "NLCRE_eol": _LineBreakAtEnd}
    return types.FunctionType(stock.__code__, namespace, stock.__name__, stock.__defaults__)


class FastFeedParser(FeedParser):
    """`FeedParser` with the speed-ups of the module docstring."""

    _parsegen = _parsegen_with_matchers()

    def __init__(self, factory: Any = None, *, policy: Any = compat32) -> None:
        super().__init__(factory, policy=policy)
        self._input = LineBuffer()  # before the first feed: the parse generator reads it lazily

    def _new_message(self) -> None:
        super()._new_message()  # type: ignore[misc]
        self._input.expect_headers()  # `_parsegen` reads the new part's header block next

    def _parse_headers(self, lines: list[str]) -> None:
        policy: Any = self.policy  # type: ignore[attr-defined]
        if policy is not compat32:
            super()._parse_headers(lines)  # type: ignore[misc]
        else:
            self._parse_compat32_headers(lines)
        self._headers_parsed(self._cur)  # type: ignore[attr-defined]
        message: Message = self._cur  # type: ignore[attr-defined]
        headers_only: bool = self._headersonly  # type: ignore[attr-defined]
        if not headers_only and message.get_content_maintype() != "multipart":
            self._input.expect_body()  # a leaf: `_parsegen` reads the rest whole

    def _headers_parsed(self, message: Message) -> None:
        """Called once the fields of `message` are read, before its body."""

    def _parse_compat32_headers(self, lines: list[str]) -> None:
        """The stdlib's `_parse_headers` with compat32's `header_source_parse` and
        `set_raw` inlined: the same fields and defects."""
        message: Message = self._cur  # type: ignore[attr-defined]
        policy: Any = self.policy  # type: ignore[attr-defined]
        fields: list[tuple[str, str]] = message._headers  # type: ignore[attr-defined]
        folded: list[str] = []  # the lines of the field being read
        for number, line in enumerate(lines):
            if line[0] in " \t":
                if not folded:
                    defect = errors.FirstHeaderLineIsContinuationDefect(line)
                    policy.handle_defect(message, defect)
                else:
                    folded.append(line)
                continue
            if folded:
                fields.append(_field(folded))
                folded = []
            if line.startswith("From "):
                if number == 0:
                    message.set_unixfrom(line.rstrip("\r\n"))  # a line has one line break
                elif number == len(lines) - 1:
                    self._input.unreadline(line)  # the first body line, probably
                    return
                else:
                    message.defects.append(errors.MisplacedEnvelopeHeaderDefect(line))
                continue
            if line.find(":") == 0:
                message.defects.append(errors.InvalidHeaderDefect("Missing header name."))
                continue
            folded = [line]
        if folded:
            fields.append(_field(folded))


def _field(lines: list[str]) -> tuple[str, str]:
    name, _, rest = lines[0].partition(":")
    value = rest.lstrip(" \t")
    if len(lines) > 1:
        value += "".join(lines[1:])
    return name, value.rstrip("\r\n")
