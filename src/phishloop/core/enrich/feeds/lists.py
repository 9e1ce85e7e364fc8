"""Plain indicator lists: one value per line (OpenPhish, blocklists, hosts files).

`#` and `;` start comments (whole-line or after whitespace, as in Spamhaus DROP);
hosts-file lines ("0.0.0.0 evil.example") give their host name; values may be defanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from phishloop.core.enrich.feeds.base import (
    MAX_LINE_CHARS,
    FeedOptions,
    FeedReport,
    decode_text,
    make_record,
)
from phishloop.core.enrich.records import IntelRecord

# hosts-file sink addresses (never bound to: they are text in a blocklist)
_SINKHOLES = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1"})  # noqa: S104


def parse_list(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """One indicator per line; the type is guessed unless `options.kind` forces it."""
    for number, line in enumerate(decode_text(data, "list").splitlines(), 1):
        value = _value_of(line)
        if not value:
            continue
        if len(value) > MAX_LINE_CHARS:
            report.skip("line too long", f"line {number}")
            continue
        record = make_record(value, options)
        if record is None:
            report.skip("not an indicator", f"line {number}", value)
            continue
        report.records += 1
        yield record
    report.require_records("list")


def parse_openphish(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """OpenPhish feeds: a plain list of phishing URLs."""
    yield from parse_list(
        data,
        replace(options, kind=options.kind or "url", category=options.category or "phishing"),
        report,
    )


def _value_of(line: str) -> str:
    line = line.strip()
    if not line or line[0] in "#;":
        return ""
    fields = line.split(None, 2)
    if len(fields) > 1 and fields[0] in _SINKHOLES and fields[1][0] not in "#;":
        return fields[1]
    return fields[0]
