"""Threat intelligence connectors: the SQLite indicator store, feed files on disk and
optional online providers (off unless configured)."""

from __future__ import annotations

from phishloop.connectors.intel.sqlite_store import (
    ImportStats,
    SourceStats,
    SqliteIntelStore,
    StoreStats,
)

__all__ = ["ImportStats", "SourceStats", "SqliteIntelStore", "StoreStats"]
