"""MISP feeds: a directory holding `manifest.json` and one `<uuid>.json` per event.

The core parses bytes only: `parse_misp_manifest` names the event files and
`parse_misp` reads one event document (`{"Event": ...}`, a list of them, or a REST
search answer `{"response": [...]}`). Attributes of the event and of its objects are
imported when `to_ids` is true (all of them with `include_non_ids`); deleted ones never.
Recipients (`email-dst`) are never imported: in a phishing event they are the victims.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from phishloop.core.enrich.feeds.base import (
    FeedError,
    FeedOptions,
    FeedReport,
    load_json,
    make_record,
    to_iso,
)
from phishloop.core.enrich.records import IntelRecord
from phishloop.core.model import IndicatorType

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# MISP attribute type -> the indicators in it: (type, which "|"-separated part)
_TYPES: dict[str, tuple[tuple[IndicatorType, int], ...]] = {
    "url": (("url", 0),),
    "domain": (("domain", 0),),
    "hostname": (("domain", 0),),
    "hostname|port": (("domain", 0),),
    "domain|ip": (("domain", 0), ("ip", 1)),
    "ip-src": (("ip", 0),),
    "ip-dst": (("ip", 0),),
    "ip-src|port": (("ip", 0),),
    "ip-dst|port": (("ip", 0),),
    "email": (("email", 0),),
    "email-src": (("email", 0),),
    "email-reply-to": (("email", 0),),
    "md5": (("md5", 0),),
    "sha1": (("sha1", 0),),
    "sha256": (("sha256", 0),),
    "filename|md5": (("md5", 1),),
    "filename|sha1": (("sha1", 1),),
    "filename|sha256": (("sha256", 1),),
    "malware-sample": (("md5", 1),),
}


def parse_misp_manifest(data: bytes) -> list[str]:
    """The event UUIDs a feed's manifest.json lists (only well-formed UUIDs, so a hostile
    manifest can never name a file outside the feed directory)."""
    manifest = load_json(data, "MISP manifest")
    if not isinstance(manifest, dict) or not all(isinstance(v, dict) for v in manifest.values()):
        raise FeedError("not a MISP feed manifest: expected an object of event UUIDs")
    return [key for key in manifest if _UUID.match(key)]


def parse_misp(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """Records from one MISP event document."""
    yield from misp_event_records(data, options, report)
    report.require_records("MISP event")


def misp_event_records(
    data: bytes, options: FeedOptions, report: FeedReport
) -> Iterator[IntelRecord]:
    """Like `parse_misp`, but an event without indicators is no error (feed directories
    hold many events, some with nothing to import)."""
    for event in _events(load_json(data, "MISP event")):
        yield from _event_records(event, options, report)


def _events(document: object) -> list[Mapping[str, Any]]:
    if isinstance(document, dict) and isinstance(document.get("response"), list):
        document = document["response"]
    items = document if isinstance(document, list) else [document]
    events = [
        item["Event"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("Event"), dict)
    ]
    if not events:
        raise FeedError('not a MISP event: expected {"Event": {...}} with Attribute lists')
    return events


def _event_records(
    event: Mapping[str, Any], options: FeedOptions, report: FeedReport
) -> Iterator[IntelRecord]:
    reference = f"MISP event {event.get('uuid', '?')}: {str(event.get('info', ''))[:120]}"
    category = _category(event.get("Tag"))
    attributes = list(_list(event.get("Attribute")))
    for obj in _list(event.get("Object")):
        attributes += _list(obj.get("Attribute"))
    fallback_date = to_iso(f"{event.get('date', '')}T00:00:00") if event.get("date") else None
    for attribute in attributes:
        for record in _attribute_records(attribute, options, report, category, reference):
            report.records += 1
            yield record if record.first_seen else replace(record, first_seen=fallback_date)


def _attribute_records(
    attribute: Mapping[str, Any],
    options: FeedOptions,
    report: FeedReport,
    category: str | None,
    reference: str,
) -> list[IntelRecord]:
    where = f"attribute {attribute.get('uuid', '?')}"
    wanted = _TYPES.get(str(attribute.get("type")), ())
    value = attribute.get("value")
    # Types that are no indicator (text, comment, link) and deleted ones are not "skipped".
    if not wanted or not isinstance(value, str) or attribute.get("deleted") in (True, "1", 1):
        return []
    if not options.include_non_ids and attribute.get("to_ids") not in (True, "1", 1):
        report.skip("to_ids is false", where, value)
        return []
    parts = value.split("|")
    seen = to_iso(attribute.get("first_seen") or attribute.get("timestamp"))
    records = []
    for kind, part in wanted:
        record = make_record(
            parts[min(part, len(parts) - 1)],
            options,
            kind=kind,
            category=_category(attribute.get("Tag")) or category,
            reference=reference,
            first_seen=seen,
        )
        if record is None:
            report.skip(f"not a valid {kind}", where, value)
        else:
            records.append(record)
    return records


def _category(tags: object) -> str | None:
    names = " ".join(str(tag.get("name", "")).lower() for tag in _list(tags))
    if "phishing" in names:
        return "phishing"
    if "malware" in names or "ransomware" in names:
        return "malware"
    return None


def _list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
