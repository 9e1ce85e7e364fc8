"""`SqliteIntelStore`: the indicator store of the CLI (one SQLite file, WAL mode).

Lookups follow `phishloop.core.enrich.matching` exactly like `MemoryIntel`; they batch
every key of a message into one indexed query per indicator type.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from phishloop.connectors.intel.sqlite_schema import (
    UPSERT,
    chunks,
    open_database,
    record_row,
    select_sql,
)
from phishloop.connectors.intel.store_stats import ImportStats, SourceStats, StoreStats, utc_now
from phishloop.core.enrich.matching import AllowPolicy, LookupKey, lookup_keys, select_matches
from phishloop.core.enrich.memory import DEFAULT_POLICY
from phishloop.core.enrich.records import IntelRecord, is_network, network_prefix
from phishloop.core.model import Indicator, IntelMatch

BATCH = 5000
_MAX_VARIABLES = 900
Progress = Callable[[int], None]


class SqliteIntelStore:
    """An `IndicatorLookup` backed by a SQLite file, plus import and housekeeping."""

    def __init__(self, path: str | Path, *, policy: AllowPolicy = DEFAULT_POLICY) -> None:
        self.path = str(path)
        self._db = open_database(self.path)
        self._policy = policy
        self._lock = threading.Lock()
        self._prefixes: list[tuple[int, int]] = []
        self._data_version = -1

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteIntelStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- lookups -------------------------------------------------------------------
    def lookup(self, indicators: Sequence[Indicator]) -> list[IntelMatch]:
        with self._lock:
            prefixes = self._current_prefixes()
            keyed = [(indicator, lookup_keys(indicator, prefixes)) for indicator in indicators]
            found = self._fetch([key for _, keys in keyed for key in keys])
        matches: list[IntelMatch] = []
        for indicator, keys in keyed:
            if any((key.type, key.value) in found for key in keys):
                matches.extend(select_matches(indicator, keys, found, self._policy))
        return matches

    def _current_prefixes(self) -> list[tuple[int, int]]:
        # data_version changes when another connection commits: re-read only then.
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            rows = self._db.execute("SELECT DISTINCT version, length FROM prefixes")
            self._prefixes = sorted(((v, n) for v, n in rows), reverse=True)
            self._data_version = version
        return self._prefixes

    def _fetch(self, keys: Sequence[LookupKey]) -> dict[tuple[str, str], list[IntelRecord]]:
        by_type: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            by_type[key.type].add(key.value)
        found: dict[tuple[str, str], list[IntelRecord]] = defaultdict(list)
        now = utc_now()
        for kind, values in by_type.items():
            for chunk in chunks(sorted(values), _MAX_VARIABLES):
                rows = self._db.execute(
                    select_sql(len(chunk)),
                    (kind, *chunk, now),
                )
                for value, *rest in rows:
                    record = IntelRecord(Indicator(kind, value), *rest)  # type: ignore[arg-type]
                    found[(kind, value)].append(record)
        return found

    # -- imports -------------------------------------------------------------------
    def import_records(
        self,
        records: Iterable[IntelRecord],
        source: str,
        replace: bool = False,
        *,
        format: str | None = None,
        origin: str | None = None,
        progress: Progress | None = None,
    ) -> ImportStats:
        """Store `records` under `source` in one transaction (nothing is kept if the
        iterator raises). Re-importing the same records changes nothing; `replace`
        also removes the source's records that are not in this import."""
        started = time.perf_counter()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                stats = self._import(
                    records,
                    source,
                    replace=replace,
                    format=format,
                    origin=origin,
                    progress=progress,
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            # Give the big import's WAL back to the disk (skipped while readers hold it).
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ImportStats(source, *stats, seconds=time.perf_counter() - started)

    def _import(
        self,
        records: Iterable[IntelRecord],
        source: str,
        *,
        replace: bool,
        format: str | None,
        origin: str | None,
        progress: Progress | None,
    ) -> tuple[int, int, int, int, int]:
        source_id, generation, before = self._source_row(source)
        read, prefixes = 0, set[tuple[int, int]]()
        for batch in chunks(records, BATCH):
            rows = [record_row(record, source_id, generation) for record in batch]
            prefixes.update(
                network_prefix(r.indicator.value) for r in batch if is_network(r.indicator)
            )
            self._db.executemany(UPSERT, rows)
            read += len(rows)
            if progress is not None:
                progress(read)
        removed = self._sweep(source_id, generation) if replace else 0
        self._save_prefixes(source_id, prefixes, replace)
        stored = self._count(source_id)
        self._db.execute(
            "UPDATE sources SET format = ?, origin = ?, imported_at = ?, records = ?,"
            " generation = ? WHERE id = ?",
            (format, origin, utc_now(), stored, generation, source_id),
        )
        added = stored - before + removed
        return read, added, read - added, removed, stored

    def _source_row(self, name: str) -> tuple[int, int, int]:
        """The source's id, the generation this import writes, and its record count."""
        self._db.execute("INSERT OR IGNORE INTO sources (name) VALUES (?)", (name,))
        source_id, generation, records = self._db.execute(
            "SELECT id, generation, records FROM sources WHERE name = ?", (name,)
        ).fetchone()
        return int(source_id), int(generation) + 1, int(records)

    def _count(self, source_id: int) -> int:
        query = "SELECT count(*) FROM records WHERE source_id = ?"
        return int(self._db.execute(query, (source_id,)).fetchone()[0])

    def _sweep(self, source_id: int, generation: int) -> int:
        cursor = self._db.execute(
            "DELETE FROM records WHERE source_id = ? AND generation <> ?", (source_id, generation)
        )
        return cursor.rowcount

    def _save_prefixes(self, source_id: int, prefixes: set[tuple[int, int]], replace: bool) -> None:
        if replace:  # the source now holds exactly this import's networks
            self._db.execute("DELETE FROM prefixes WHERE source_id = ?", (source_id,))
        self._db.executemany(
            "INSERT OR IGNORE INTO prefixes VALUES (?, ?, ?)",
            [(version, length, source_id) for version, length in prefixes],
        )

    # -- housekeeping --------------------------------------------------------------
    def remove_source(self, name: str) -> int | None:
        """Delete a source and its records; the number removed, None if unknown."""
        with self._lock:
            row = self._db.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            self._db.execute("BEGIN IMMEDIATE")
            try:
                removed = self._db.execute("DELETE FROM records WHERE source_id = ?", row).rowcount
                self._db.execute("DELETE FROM prefixes WHERE source_id = ?", row)
                self._db.execute("DELETE FROM sources WHERE id = ?", row)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return int(removed)

    def sources(self) -> list[SourceStats]:
        rows = self._db.execute(
            "SELECT name, records, format, origin, imported_at FROM sources ORDER BY name"
        )
        return [SourceStats(*row) for row in rows]

    def stats(self) -> StoreStats:
        by_type = dict(self._db.execute("SELECT type, count(*) FROM records GROUP BY type"))
        sources = self._db.execute("SELECT count(*) FROM sources").fetchone()[0]
        files = (self.path, f"{self.path}-wal")  # recent writes may still sit in the WAL
        size = sum(os.path.getsize(name) for name in files if os.path.exists(name))
        return StoreStats(self.path, sum(by_type.values()), sources, by_type, size)
