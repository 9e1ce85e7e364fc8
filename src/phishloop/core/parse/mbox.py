"""mbox files (mboxo / mboxrd): one file, many messages, each after a 'From ' line."""

from __future__ import annotations

import re
from collections.abc import Iterator

from phishloop.core.context import AnalysisContext

LIMIT_MBOX = "limit.mbox-messages"
MAX_MBOX_MESSAGES = 100_000
# A separator is a 'From ' line at the start of the file or after an empty line, naming a
# sender and something that looks like a date (a year or a clock time). Body lines that
# merely start with "From " rarely match all of that.
_SEPARATOR = re.compile(
    rb"(?:\A|(?<=\n\n)|(?<=\n\r\n))From [^\r\n]{0,400}?"
    rb"(?:\d\d:\d\d|\b(?:19|20)\d\d\b)[^\r\n]{0,200}\r?\n"
)
_FIRST_LINE = re.compile(rb"From \S{1,400}[ \t][^\r\n]{0,400}?(?:\d\d:\d\d|\b(?:19|20)\d\d\b)")
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_LINE_FROM = b"\nFrom "


def looks_like_mbox(data: bytes) -> bool:
    """True when the data starts with an mbox 'From ' line and holds at least two messages."""
    if not _FIRST_LINE.match(data[:1024]):
        return False
    return _next_separator(data, 5) is not None


def _next_separator(data: bytes, pos: int) -> re.Match[bytes] | None:
    """`_SEPARATOR.search(data, pos)`, trying only the starts of "From " lines: a search
    of the pattern itself tries every byte (it has no literal prefix), which costs more
    than parsing the message when a single email starts with a "From " line."""
    if pos == 0:
        first = _SEPARATOR.match(data)
        if first is not None:
            return first
    while (newline := data.find(_LINE_FROM, max(pos - 1, 0))) >= 0:
        found = _SEPARATOR.match(data, newline + 1)  # its lookbehind sees before `pos`
        if found is not None:
            return found
        pos = newline + 2
    return None


def _separators(data: bytes) -> Iterator[re.Match[bytes]]:
    """Like `_SEPARATOR.finditer(data)`."""
    pos = 0
    while (found := _next_separator(data, pos)) is not None:
        yield found
        pos = max(found.end(), pos + 1)


def split_mbox(data: bytes, ctx: AnalysisContext) -> list[bytes]:
    """The messages of an mbox, without their 'From ' lines and with '>From ' unescaped
    (mboxrd; for mboxo this is the usual reading). Bounded by MAX_MBOX_MESSAGES."""
    starts: list[tuple[int, int]] = []
    for match in _separators(data):
        if len(starts) >= MAX_MBOX_MESSAGES:
            ctx.errors.add(
                LIMIT_MBOX, f"more than {MAX_MBOX_MESSAGES} messages in the mbox; the rest ignored"
            )
            break
        starts.append((match.start(), match.end()))
        if len(starts) % 1024 == 0:
            ctx.deadline.check()
    if not starts:
        return [data] if data.strip() else []
    messages = []
    for index, (_, body_start) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(data)
        messages.append(_unescape(data[body_start:end]))
    return messages


def _unescape(message: bytes) -> bytes:
    if b">From " not in message:
        return message
    return _ESCAPED_FROM.sub(rb"\1", message)
