"""PhishTank database dumps: `online-valid.json` and `online-valid.csv`
(phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from phishloop.core.enrich.feeds.base import (
    FeedError,
    FeedOptions,
    FeedReport,
    csv_rows,
    data_lines,
    load_json,
    make_record,
    to_iso,
)
from phishloop.core.enrich.records import IntelRecord

CSV_COLUMNS = (
    "phish_id",
    "url",
    "phish_detail_url",
    "submission_time",
    "verified",
    "verification_time",
    "online",
    "target",
)


def parse_phishtank(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """Verified phishing URLs, with the PhishTank detail page as reference."""
    entries = _json_entries(data) if data.lstrip()[:1] == b"[" else _csv_entries(data, report)
    for where, entry in entries:
        record = _record(entry, options, report, where)
        if record is not None:
            report.records += 1
            yield record
    report.require_records("PhishTank dump")


def _json_entries(data: bytes) -> Iterator[tuple[str, Mapping[str, Any]]]:
    document = load_json(data, "PhishTank dump")
    if not isinstance(document, list) or (document and not _is_phish(document[0])):
        raise FeedError(
            "not a PhishTank JSON dump: expected a list of objects with phish_id and url"
        )
    for index, entry in enumerate(document):
        yield f"entry {index}", entry if isinstance(entry, dict) else {}


def _is_phish(entry: object) -> bool:
    return isinstance(entry, dict) and "phish_id" in entry and "url" in entry


def _csv_entries(data: bytes, report: FeedReport) -> Iterator[tuple[str, Mapping[str, Any]]]:
    header: list[str] | None = None
    for number, row in csv_rows(data_lines(data, "PhishTank dump"), report):
        if header is None:
            header = [cell.strip().lower() for cell in row]
            if tuple(header[:2]) != CSV_COLUMNS[:2]:
                raise FeedError(
                    "not a PhishTank CSV dump: expected the header " + ",".join(CSV_COLUMNS)
                )
            continue
        yield f"row {number}", dict(zip(header, row, strict=False))


def _record(
    entry: Mapping[str, Any], options: FeedOptions, report: FeedReport, where: str
) -> IntelRecord | None:
    url = entry.get("url")
    if not isinstance(url, str):
        report.skip("no url", where)
        return None
    if str(entry.get("verified", "yes")).lower() not in ("yes", "true"):
        report.skip("not verified", where, url)
        return None
    detail = entry.get("phish_detail_url")
    record = make_record(
        url,
        options,
        kind="url",
        category="phishing",
        reference=detail if isinstance(detail, str) else None,
        first_seen=to_iso(entry.get("submission_time")),
    )
    if record is None:
        report.skip("not a URL", where, url)
    return record
