"""Enrichment: local threat intelligence behind one small interface.

`IndicatorLookup` is what the analysis calls; `MemoryIntel` holds records in memory;
the SQLite store and online providers live in `phishloop.connectors.intel`. Feed
parsers (`phishloop.core.enrich.feeds`) turn feed bytes into `IntelRecord`s.
"""

from __future__ import annotations

from phishloop.core.enrich.lookup import CombinedLookup, IndicatorLookup, NoIntel
from phishloop.core.enrich.matching import AllowPolicy, LookupKey, collapse_matches, lookup_keys
from phishloop.core.enrich.memory import DEFAULT_POLICY, MemoryIntel
from phishloop.core.enrich.records import IntelRecord, parse_value

__all__ = [
    "DEFAULT_POLICY",
    "AllowPolicy",
    "CombinedLookup",
    "IndicatorLookup",
    "IntelRecord",
    "LookupKey",
    "MemoryIntel",
    "NoIntel",
    "collapse_matches",
    "lookup_keys",
    "parse_value",
]
