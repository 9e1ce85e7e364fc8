"""Feed parsers: feed bytes in, `IntelRecord`s out. Pure (no file or network access):
the CLI and connectors read files and directories and hand the bytes over.

Every parser takes `(data, options, report)`, yields records lazily and counts skipped
lines in `report` (bad lines never fail a feed); `FeedError` means the input is not that
format at all, or holds no valid indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from phishloop.core.enrich.feeds.base import FeedError, FeedOptions, FeedReport, to_iso
from phishloop.core.enrich.feeds.csvfeeds import parse_csv
from phishloop.core.enrich.feeds.detect import detect_format
from phishloop.core.enrich.feeds.lists import parse_list, parse_openphish
from phishloop.core.enrich.feeds.misp import parse_misp, parse_misp_manifest
from phishloop.core.enrich.feeds.phishtank import parse_phishtank
from phishloop.core.enrich.feeds.stix import parse_stix
from phishloop.core.enrich.feeds.urlhaus import parse_urlhaus
from phishloop.core.enrich.records import IntelRecord

FeedParser = Callable[[bytes, FeedOptions, FeedReport], Iterator[IntelRecord]]
PARSERS: dict[str, FeedParser] = {
    "list": parse_list,
    "csv": parse_csv,
    "urlhaus": parse_urlhaus,
    "openphish": parse_openphish,
    "phishtank": parse_phishtank,
    "misp": parse_misp,
    "stix": parse_stix,
}
FORMATS = ("auto", *PARSERS)


def parse_feed(
    data: bytes,
    fmt: str = "auto",
    options: FeedOptions | None = None,
    report: FeedReport | None = None,
) -> Iterator[IntelRecord]:
    """Records of a feed in format `fmt` ("auto" detects it from the content)."""
    chosen = detect_format(data) if fmt == "auto" else fmt
    parser = PARSERS.get(chosen)
    if parser is None:
        raise FeedError(f"unknown feed format {fmt!r}; known: {', '.join(FORMATS)}")
    return parser(data, options or FeedOptions(), report if report is not None else FeedReport())


__all__ = [
    "FORMATS",
    "PARSERS",
    "FeedError",
    "FeedOptions",
    "FeedParser",
    "FeedReport",
    "detect_format",
    "parse_feed",
    "parse_misp_manifest",
    "to_iso",
]
