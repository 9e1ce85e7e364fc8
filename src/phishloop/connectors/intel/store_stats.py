"""What the SQLite intel store reports: per import, per source, for the whole store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class ImportStats:
    """What one import did. `duplicates` counts records already in the source (or
    repeated in the input); `removed` those a `replace` import swept out."""

    source: str
    read: int
    added: int
    duplicates: int
    removed: int
    stored: int
    seconds: float


@dataclass(frozen=True, slots=True)
class SourceStats:
    name: str
    records: int
    format: str | None
    origin: str | None
    imported_at: str | None


@dataclass(frozen=True, slots=True)
class StoreStats:
    path: str
    records: int
    sources: int
    by_type: dict[str, int]
    size_bytes: int


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
