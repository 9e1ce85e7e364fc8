"""URLhaus CSV dumps (`csv_recent`, `csv_online`): `#` comment header, then quoted rows
id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter."""

from __future__ import annotations

from collections.abc import Iterator

from phishloop.core.enrich.feeds.base import (
    FeedError,
    FeedOptions,
    FeedReport,
    csv_rows,
    data_lines,
    make_record,
    to_iso,
)
from phishloop.core.enrich.records import IntelRecord

COLUMNS = (
    "id",
    "dateadded",
    "url",
    "url_status",
    "last_online",
    "threat",
    "tags",
    "urlhaus_link",
    "reporter",
)
_THREATS = {"malware_download": "malware"}


def parse_urlhaus(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """One record per URL: category from `threat` (malware_download → malware),
    reference `urlhaus_link`, first seen `dateadded` (UTC)."""
    checked = False
    for number, row in csv_rows(data_lines(data, "URLhaus dump"), report):
        if not checked:
            _check_first_row(row)
            checked = True
        record = _record(row, options)
        if record is None:
            report.skip("bad row", f"row {number}", ",".join(row))
            continue
        report.records += 1
        yield record
    report.require_records("URLhaus dump")


def _check_first_row(row: list[str]) -> None:
    if len(row) != len(COLUMNS) or to_iso(row[1]) is None:
        raise FeedError(
            "not a URLhaus CSV dump: expected rows of "
            f"{','.join(COLUMNS)}; the first row has {len(row)} fields"
        )


def _record(row: list[str], options: FeedOptions) -> IntelRecord | None:
    if len(row) != len(COLUMNS):
        return None
    threat = row[5].strip()
    return make_record(
        row[2],
        options,
        kind="url",
        category=_THREATS.get(threat, threat),
        reference=row[7].strip(),
        first_seen=to_iso(row[1]),
    )
