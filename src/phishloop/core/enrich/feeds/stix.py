"""STIX 2.1 (and 2.0) bundles: `indicator` objects with STIX patterns, and cyber
observables (url, domain-name, ipv4-addr, ipv6-addr, email-addr, file hashes), also
inside 2.0 `observed-data`. Revoked indicators and non-STIX pattern types are skipped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from phishloop.core.enrich.feeds.base import (
    FeedError,
    FeedOptions,
    FeedReport,
    load_json,
    make_record,
    to_iso,
)
from phishloop.core.enrich.feeds.stix_patterns import PatternError, pattern_values
from phishloop.core.enrich.records import IntelRecord
from phishloop.core.model import IndicatorType

_SCO_TYPES: dict[str, IndicatorType] = {
    "url": "url",
    "domain-name": "domain",
    "ipv4-addr": "ip",
    "ipv6-addr": "ip",
    "email-addr": "email",
}
_HASHES: dict[str, IndicatorType] = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256"}


def parse_stix(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """Records from a bundle (or a bare list of STIX objects)."""
    document = load_json(data, "STIX bundle")
    objects = _objects(document)
    version = str(document.get("spec_version", "2.1")) if isinstance(document, dict) else "2.1"
    for obj in objects:
        if obj.get("type") == "indicator":
            records = _indicator_records(obj, options, report, version)
        elif obj.get("type") == "observed-data" and isinstance(obj.get("objects"), dict):
            records = [
                r
                for sco in obj["objects"].values()
                if isinstance(sco, dict)
                for r in _observable_records(sco, options, report, str(obj.get("id")))
            ]
        else:
            records = _observable_records(obj, options, report, str(obj.get("id")))
        report.records += len(records)
        yield from records
    report.require_records("STIX bundle")


def _objects(document: object) -> list[Mapping[str, Any]]:
    if isinstance(document, dict) and document.get("type") == "bundle":
        document = document.get("objects", [])
    elif isinstance(document, dict) and "type" in document:
        document = [document]
    if not isinstance(document, list):
        raise FeedError('not a STIX bundle: expected {"type": "bundle", "objects": [...]}')
    return [obj for obj in document if isinstance(obj, dict)]


def _indicator_records(
    obj: Mapping[str, Any], options: FeedOptions, report: FeedReport, version: str
) -> list[IntelRecord]:
    where = f"indicator {obj.get('id', '?')}"
    pattern = obj.get("pattern")
    if obj.get("revoked") is True or obj.get("pattern_type", "stix") != "stix":
        return []
    if not isinstance(pattern, str):
        report.skip("no pattern", where)
        return []
    try:
        values = pattern_values(pattern, "2.0" if version == "2.0" else "2.1")
    except PatternError:
        report.skip("bad STIX pattern", where, pattern)
        return []
    if not values:
        report.skip("no supported comparison in pattern", where, pattern)
    category, reference = _category(obj), _reference(obj)
    first_seen = to_iso(obj.get("valid_from") or obj.get("created"))
    expires, confidence = to_iso(obj.get("valid_until")), _confidence(obj)
    records = []
    for kind, value in values:
        record = make_record(
            value,
            options,
            kind=kind,
            category=category,
            reference=reference,
            first_seen=first_seen,
            expires=expires,
            confidence=confidence,
        )
        if record is None:
            report.skip(f"not a valid {kind}", where, value)
        else:
            records.append(record)
    return records


def _observable_records(
    obj: Mapping[str, Any], options: FeedOptions, report: FeedReport, reference: str
) -> list[IntelRecord]:
    kind = _SCO_TYPES.get(str(obj.get("type")))
    pairs: list[tuple[IndicatorType, object]] = []
    if kind is not None:
        pairs.append((kind, obj.get("value")))
    elif obj.get("type") == "file" and isinstance(obj.get("hashes"), dict):
        for name, digest in obj["hashes"].items():
            hash_kind = _HASHES.get(str(name).upper().replace("-", ""))
            if hash_kind is not None:
                pairs.append((hash_kind, digest))
    records = []
    for pair_kind, value in pairs:
        record = (
            make_record(value, options, kind=pair_kind, reference=reference)
            if isinstance(value, str)
            else None
        )
        if record is None:
            report.skip(f"not a valid {pair_kind}", f"{obj.get('type')} {reference}", str(value))
        else:
            records.append(record)
    return records


def _category(obj: Mapping[str, Any]) -> str | None:
    labels: list[str] = []
    for key in ("indicator_types", "labels"):
        value = obj.get(key)
        if isinstance(value, list):
            labels += [str(label).lower() for label in value]
    if "benign" in labels:
        return "benign"
    text = " ".join(labels) + " " + str(obj.get("name", "")).lower()
    for wanted in ("phishing", "malware"):
        if wanted in text:
            return wanted
    return labels[0] if labels else None


def _reference(obj: Mapping[str, Any]) -> str | None:
    for ref in obj.get("external_references") or ():
        if isinstance(ref, dict) and isinstance(ref.get("url"), str):
            return str(ref["url"])
    return str(obj["id"]) if "id" in obj else None


def _confidence(obj: Mapping[str, Any]) -> float | None:
    value = obj.get("confidence")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
        return value / 100
    return None
