"""Find IP addresses, e-mail addresses and file hashes in free text, skipping common noise.

Every search starts from a literal anchor ('.', ':', '@') or runs over a translated byte
copy, because unanchored patterns make Python's regex engine try every position."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from phishloop.core.domains import is_public_ip, registered_domain
from phishloop.core.extract.text_spans import cached_email_spans, without_urls
from phishloop.core.model import IndicatorType

_IPV4_TAIL = re.compile(r"\.\d{1,3}\.\d{1,3}\.\d{1,3}")  # the first octet is read backwards
_IPV6_CORE = re.compile(r":[0-9A-Fa-f]{0,4}:")
_HEX_BYTES = b"0123456789abcdefABCDEF"
_HEX_TABLE = bytes(ord("h") if byte in _HEX_BYTES else ord(" ") for byte in range(256))
_HEX_RUN = re.compile(b"h" * 32 + b"h*")
_WORD_BYTES = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_" + bytes(range(128, 256))
)
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:")
_VERSION_BEFORE = re.compile(r"(?:version|ver\.?|build|release|rev\.?|firmware)\s*[:#]?\s*$", re.I)
_MESSAGE_ID_BEFORE = re.compile(
    r"(?:message-id|in-reply-to|references|content-id|cid)\s*[:=]?\s*<?$", re.I
)
_HASH_KINDS: dict[int, IndicatorType] = {32: "md5", 40: "sha1", 64: "sha256"}
_LOOK_BACK = 24
MAX_IPV6_CHARS = 45
MAX_CANDIDATES = 20_000  # per kind and text: enough for any real message


def _candidates(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    return islice(pattern.finditer(text), MAX_CANDIDATES)


def scan_text(text: str) -> Iterator[tuple[IndicatorType, str]]:
    """(kind, value as found) for each candidate indicator; values still need normalising.
    URLs are blanked first: they are indicators of their own and their tokens are noise."""
    text = without_urls(text)
    yield from _ipv4(text)
    yield from _ipv6(text)
    yield from _emails(text)
    yield from _hashes(text)


@lru_cache(maxsize=8192)
def public_ip(value: str) -> bool:
    """`domains.is_public_ip`, cached: relay and text addresses repeat across mail."""
    return is_public_ip(value)


def _before(text: str, start: int) -> str:
    return text[max(0, start - _LOOK_BACK) : start]


def _ipv4(text: str) -> Iterator[tuple[IndicatorType, str]]:
    for match in _candidates(_IPV4_TAIL, text):
        start, end = match.start(), match.end()
        while start > 0 and match.start() - start < 3 and text[start - 1] in "0123456789":
            start -= 1
        if start == match.start() or (
            start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._")
        ):
            continue
        following = text[end : end + 2]
        if (
            following[:1].isalnum()
            or following[:1] == "_"
            or (following[:1] == "." and following[1:].isdigit())
        ):
            continue
        value = text[start:end]
        if public_ip(value) and not _VERSION_BEFORE.search(_before(text, start)):
            yield "ip", value


def _ipv6(text: str) -> Iterator[tuple[IndicatorType, str]]:
    last_end = -1
    for match in _candidates(_IPV6_CORE, text):
        if match.start() < last_end:
            continue
        start, end = match.start(), match.end()
        while start > 0 and end - start < MAX_IPV6_CHARS and text[start - 1] in _IPV6_CHARS:
            start -= 1
        while end < len(text) and end - start < MAX_IPV6_CHARS and text[end] in _IPV6_CHARS:
            end += 1
        last_end = end
        value = text[start:end]
        # Clock times and MAC addresses look alike; a real address has "::" or 8 groups.
        if (
            ("::" in value or value.count(":") == 7)
            and _bounded(text, start, end)
            and public_ip(value)
        ):
            yield "ip", value


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "_.:" or after.isalnum() or after == "_")


def _emails(text: str) -> Iterator[tuple[IndicatorType, str]]:
    for start, end in cached_email_spans(text):
        value = text[start:end]
        local, _, domain = value.rpartition("@")
        if _looks_like_message_id(local) or _MESSAGE_ID_BEFORE.search(_before(text, start)):
            continue
        if registered_domain(domain.lower()) is not None:  # "logo@2x.png" has no public suffix
            yield "email", value


def _looks_like_message_id(local: str) -> bool:
    return len(local) >= 16 and sum(c.isdigit() for c in local) >= 8


def _hashes(text: str) -> Iterator[tuple[IndicatorType, str]]:
    data = text.encode("utf-8", "surrogatepass")
    for match in islice(_HEX_RUN.finditer(data.translate(_HEX_TABLE)), MAX_CANDIDATES):
        start, end = match.span()
        kind = _HASH_KINDS.get(end - start)
        if kind is None or (start and data[start - 1] in _WORD_BYTES):
            continue
        if end < len(data) and data[end] in _WORD_BYTES:
            continue
        value = data[start:end].decode("ascii")
        if (
            value.isdigit()
            or value.isalpha()
            or (value != value.lower() and value != value.upper())
        ):
            continue  # a number, a word, or mixed case: an identifier, not a printed digest
        yield kind, value
