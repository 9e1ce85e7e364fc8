"""Small helpers over a message's header list: pick values by name, unfold, decode."""

from __future__ import annotations

from collections.abc import Iterator
from email.errors import HeaderParseError
from email.header import decode_header, make_header

HeaderList = list[tuple[str, str]]

MAX_VALUE_CHARS = 4096  # longer header values are cut: no legitimate trace header is longer


def unfold(value: str, max_chars: int = MAX_VALUE_CHARS) -> str:
    """One line: folding and runs of whitespace become one space; RFC 2047 words decoded;
    cut to `max_chars`."""
    value = value[: max_chars * 2]
    if "=?" in value:
        value = _decode_words(value)
    return " ".join(value.split())[:max_chars]


def _decode_words(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return value  # undecodable encoded-words are kept as written


def values_named(headers: HeaderList, *names: str) -> Iterator[tuple[int, str, str]]:
    """(position, lower-case name, raw value) of each header called one of `names`,
    top first; `names` are lower-case."""
    lengths = {len(name) for name in names}  # a cheap test first: messages carry many headers
    for position, (name, value) in enumerate(headers):
        if len(name) not in lengths and not name[-1:].isspace():
            continue
        lowered = name.lower()
        if lowered in names:
            yield position, lowered, value
        elif lowered[-1:].isspace() and lowered.rstrip() in names:  # "Received :" in old mail
            yield position, lowered.rstrip(), value
