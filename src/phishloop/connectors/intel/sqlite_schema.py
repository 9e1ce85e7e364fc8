"""The SQLite schema of the indicator store.

One row per (type, value, source). The primary key (type, value, source_id) is the lookup
index; WITHOUT ROWID keeps each lookup to one B-tree search. IP networks are stored in
canonical CIDR form ("198.51.100.0/24") like any other value; `prefixes` lists which
(IP version, prefix length) pairs exist, so containment is an exact lookup of the one
network of each listed length that contains the address — no range scans.
`generation` marks the rows written by the latest import, so `--replace` is a sweep.
There is deliberately no index on `source_id`: it would double the size and the import
time, while the per-source operations (counting after an import, `--replace`, removal)
are rare and a scan of a million rows takes a fraction of a second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TypeVar

from phishloop.core.enrich.records import IntelRecord

SCHEMA_VERSION = "1"
T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    format TEXT,
    origin TEXT,
    imported_at TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS records (
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    category TEXT,
    confidence REAL,
    reference TEXT,
    first_seen TEXT,
    expires TEXT,
    generation INTEGER NOT NULL,
    PRIMARY KEY (type, value, source_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS prefixes (
    version INTEGER NOT NULL,
    length INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    PRIMARY KEY (version, length, source_id)
) WITHOUT ROWID;
"""
UPSERT = """
INSERT INTO records (type, value, source_id, category, confidence, reference, first_seen,
                     expires, generation)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (type, value, source_id) DO UPDATE SET
    category = excluded.category,
    confidence = excluded.confidence,
    reference = excluded.reference,
    first_seen = coalesce(min(records.first_seen, excluded.first_seen),
                          records.first_seen, excluded.first_seen),
    expires = excluded.expires,
    generation = excluded.generation
"""


def open_database(path: str) -> sqlite3.Connection:
    """Open (creating if needed) a store: WAL so lookups never wait for an import."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA cache_size=-65536")  # 64 MiB: big imports stay in memory
    connection.execute("PRAGMA busy_timeout=10000")
    connection.executescript(SCHEMA)
    found = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if found is None:
        connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    elif found[0] != SCHEMA_VERSION:
        connection.close()
        raise sqlite3.DatabaseError(
            f"{path}: intel store schema {found[0]}, this phishloop reads {SCHEMA_VERSION}"
        )
    return connection


_SELECT = (
    "SELECT r.value, s.name, r.category, r.confidence, r.reference, r.first_seen, r.expires"
    " FROM records r JOIN sources s ON s.id = r.source_id"
    " WHERE r.type = ? AND r.value IN (MARKS) AND (r.expires IS NULL OR r.expires > ?)"
)


@lru_cache(maxsize=128)
def select_sql(count: int) -> str:
    """The lookup query for `count` values (placeholders only: values are bound)."""
    return _SELECT.replace("MARKS", ",".join("?" * count))


def record_row(record: IntelRecord, source_id: int, generation: int) -> tuple[object, ...]:
    return (
        record.indicator.type,
        record.indicator.value,
        source_id,
        record.category,
        record.confidence,
        record.reference,
        record.first_seen,
        record.expires,
        generation,
    )


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, so imports of any size run in bounded memory."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
