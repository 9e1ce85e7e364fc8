"""Threat intelligence connectors: the SQLite indicator store, feed files on disk and
optional online providers (off unless configured)."""

from __future__ import annotations

from phishloop.connectors.intel.sqlite_store import SqliteIntelStore
from phishloop.connectors.intel.store_stats import ImportStats, SourceStats, StoreStats

__all__ = ["ImportStats", "SourceStats", "SqliteIntelStore", "StoreStats"]
