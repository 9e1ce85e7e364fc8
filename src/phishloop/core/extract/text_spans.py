"""Fast location of URLs and e-mail addresses in long text.

Python's regex engine tries a pattern at every position unless it starts with a literal,
which made a plain scan of a 5 KB body cost hundreds of microseconds. These helpers find
the rare literal anchors ("://", "www.", "@") with C-speed searches and only then match
around them with patterns anchored at that position.
"""

from __future__ import annotations

import re
from functools import lru_cache

_URL_TAIL = re.compile(r"[^\s<>\"'`]{0,8192}")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,63}(?![\w-])")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_LOCAL_PUNCTUATION = frozenset("._+%=-")
MAX_SCHEME = 16
MAX_LOCAL_PART = 64
MAX_ANCHORS = 20_000  # anchors looked at per text; beyond this it is junk, the rest is skipped

Span = tuple[int, int]


def url_spans(text: str) -> list[Span]:
    """(start, end) of each URL-looking run ("scheme://..." or "www..."), in order."""
    spans: list[Span] = []
    for anchor in ("://", "www.", "WWW."):
        position = text.find(anchor)
        for _ in range(MAX_ANCHORS):
            if position == -1:
                break
            start = _scheme_start(text, position) if anchor == "://" else position
            tail = _URL_TAIL.match(text, position + len(anchor))
            end = tail.end() if tail else position + len(anchor)
            if anchor == "://" or start == 0 or not text[start - 1].isalnum():
                spans.append((start, end))
            position = text.find(anchor, end)
    return _merge(spans)


def _scheme_start(text: str, position: int) -> int:
    start = position
    while start > 0 and position - start < MAX_SCHEME and text[start - 1] in _SCHEME_CHARS:
        start -= 1
    return start


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def email_spans(text: str) -> list[Span]:
    """(start, end) of each "local@domain.tld" with a dotted, letter-ended domain."""
    spans: list[Span] = []
    position = text.find("@")
    for _ in range(MAX_ANCHORS):
        if position == -1:
            break
        start = _local_start(text, position)
        domain = _DOMAIN.match(text, position + 1)
        if start is not None and domain is not None:
            spans.append((start, domain.end()))
            position = text.find("@", domain.end())
        else:
            position = text.find("@", position + 1)
    return spans


def _local_start(text: str, at: int) -> int | None:
    start = at
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _LOCAL_PUNCTUATION):
        start -= 1
        if at - start > MAX_LOCAL_PART:
            return None  # longer than any real local part: an encoded blob
    while start < at and text[start] == ".":
        start += 1
    return start if start < at else None


@lru_cache(maxsize=4)
def without_urls(text: str) -> str:
    """`text` with its URLs blanked. Cached for the few most recent texts: indicator search
    and fingerprinting both ask for the same body, and a str caches its own hash."""
    return blank(text, url_spans(text))


@lru_cache(maxsize=4)
def cached_email_spans(text: str) -> tuple[Span, ...]:
    """`email_spans`, cached like `without_urls`."""
    return tuple(email_spans(text))


def blank(text: str, spans: list[Span] | tuple[Span, ...]) -> str:
    """`text` with each span replaced by one space."""
    if not spans:
        return text
    pieces, cursor = [], 0
    for start, end in sorted(spans):
        pieces.append(text[cursor:start])
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    return " ".join(pieces)
