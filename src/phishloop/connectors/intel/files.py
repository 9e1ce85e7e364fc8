"""Reading feeds from disk: single files (optionally .gz or a one-member .zip) and MISP
feed directories (`manifest.json` + `<uuid>.json`)."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from phishloop.core.enrich.feeds import FeedError, FeedOptions, FeedReport, parse_feed
from phishloop.core.enrich.feeds.detect import detect_format
from phishloop.core.enrich.feeds.misp import misp_event_records, parse_misp_manifest
from phishloop.core.enrich.records import IntelRecord

MAX_FEED_BYTES = 2 * 1024**3
MANIFEST = "manifest.json"


@dataclass
class FeedFile:
    """An opened feed: its records (read lazily) and an estimate of how many there are."""

    format: str
    records: Iterator[IntelRecord]
    estimated: int | None  # lines for text feeds, events for MISP directories


def open_feed(path: Path, fmt: str, options: FeedOptions, report: FeedReport) -> FeedFile:
    """Open a feed file or MISP feed directory; FeedError explains what is wrong."""
    if path.name == MANIFEST:
        path = path.parent
    if path.is_dir():
        if fmt not in ("auto", "misp"):
            raise FeedError(f"{path} is a directory; only MISP feeds (--format misp) are")
        return _misp_directory(path, options, report)
    data = read_feed_bytes(path)
    chosen = detect_format(data) if fmt == "auto" else fmt
    lines = data.count(b"\n") if chosen not in ("misp", "stix", "phishtank") else None
    return FeedFile(chosen, parse_feed(data, chosen, options, report), lines)


def read_feed_bytes(path: Path) -> bytes:
    """The feed's bytes, decompressed when it is .gz or a .zip holding one file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        raise FeedError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"{path} is larger than {MAX_FEED_BYTES} bytes")
    if data[:2] == b"\x1f\x8b":
        return _gunzip(data, path)
    if data[:4] == b"PK\x03\x04":
        return _unzip(data, path)
    return data


def _gunzip(data: bytes, path: Path) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            result = stream.read(MAX_FEED_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise FeedError(f"{path}: broken gzip data: {exc}") from None
    if len(result) > MAX_FEED_BYTES:
        raise FeedError(f"{path} expands beyond {MAX_FEED_BYTES} bytes")
    return result


def _unzip(data: bytes, path: Path) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise FeedError(f"{path}: a zipped feed must hold exactly one file")
            if members[0].file_size > MAX_FEED_BYTES:
                raise FeedError(f"{path} expands beyond {MAX_FEED_BYTES} bytes")
            return archive.read(members[0])
    except (zipfile.BadZipFile, RuntimeError, OSError) as exc:
        raise FeedError(f"{path}: unreadable zip archive: {exc}") from None


def _misp_directory(path: Path, options: FeedOptions, report: FeedReport) -> FeedFile:
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise FeedError(f"{path} is not a MISP feed: it has no {MANIFEST}")
    uuids = parse_misp_manifest(read_feed_bytes(manifest))
    return FeedFile("misp", _misp_events(path, uuids, options, report), len(uuids))


def _misp_events(
    path: Path, uuids: list[str], options: FeedOptions, report: FeedReport
) -> Iterator[IntelRecord]:
    for uuid in uuids:
        event_file = path / f"{uuid}.json"  # uuids are validated: no path tricks
        try:
            yield from misp_event_records(read_feed_bytes(event_file), options, report)
        except FeedError as exc:
            report.skip("unreadable event", event_file.name, str(exc))
    report.require_records("MISP feed")
