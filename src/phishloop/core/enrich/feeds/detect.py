"""Recognising a feed's format from its first bytes (`--format auto`)."""

from __future__ import annotations

import re

from phishloop.core.enrich.feeds.base import FeedError

_HEAD = 8192
_UUID_KEY = re.compile(rb'^\{\s*"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-')
_JSON_MARKERS = (
    (b'"bundle"', "stix"),
    (b'"pattern"', "stix"),
    (b'"Event"', "misp"),
    (b'"phish_id"', "phishtank"),
)


def detect_format(data: bytes) -> str:
    """list, csv, urlhaus, phishtank, misp or stix; FeedError when it cannot tell."""
    head = data[:_HEAD].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise FeedError("the feed is empty")
    if head[:1] in (b"{", b"["):
        return _json_format(head)
    if b"URLhaus" in head[:1024] or b"# id,dateadded,url," in head:
        return "urlhaus"
    first = _first_data_line(head)
    if first.startswith(b"phish_id,url"):
        return "phishtank"
    if b"," in first or b"\t" in first:
        return "csv"
    return "list"


def _json_format(head: bytes) -> str:
    for marker, fmt in _JSON_MARKERS:
        if marker in head:
            return fmt
    if _UUID_KEY.match(head):
        raise FeedError("this is a MISP feed manifest: import the feed directory instead")
    raise FeedError("unrecognised JSON feed; choose one with --format")


def _first_data_line(head: bytes) -> bytes:
    for raw in head.splitlines():
        line = raw.strip()
        if line and not line.startswith((b"#", b";")):
            return line
    return b""
