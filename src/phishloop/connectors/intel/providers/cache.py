"""Caches of provider answers (hits and misses) with a time to live, so the same
indicator reported a hundred times costs one query of the provider's quota."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from phishloop.core.model import Indicator, IntelMatch

Clock = Callable[[], float]


class MatchCache(Protocol):
    def get(self, key: str) -> list[IntelMatch] | None: ...

    def put(self, key: str, matches: list[IntelMatch], ttl: float) -> None: ...


class MemoryCache:
    """In-process cache (the server's workers); bounded, oldest entries dropped first."""

    def __init__(self, max_entries: int = 10_000, clock: Clock = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[float, list[IntelMatch]]] = OrderedDict()
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: str) -> list[IntelMatch] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= self._clock():
                self._entries.pop(key, None)
                return None
            return list(entry[1])

    def put(self, key: str, matches: list[IntelMatch], ttl: float) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + ttl, list(matches))
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


class SqliteCache:
    """A cache file shared by CLI runs and processes."""

    def __init__(self, path: str | Path, clock: Clock = time.time) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, expires REAL NOT NULL,"
            " matches TEXT NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS answers_expires ON answers (expires)")
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: str) -> list[IntelMatch] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT matches FROM answers WHERE key = ? AND expires > ?", (key, self._clock())
            ).fetchone()
        return None if row is None else [match_from_dict(m) for m in json.loads(row[0])]

    def put(self, key: str, matches: list[IntelMatch], ttl: float) -> None:
        payload = json.dumps([asdict(m) for m in matches])
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                (key, self._clock() + ttl, payload),
            )
            self._db.execute("DELETE FROM answers WHERE expires <= ?", (self._clock(),))

    def close(self) -> None:
        self._db.close()


def match_from_dict(data: dict[str, Any]) -> IntelMatch:
    return IntelMatch(
        indicator=Indicator(**data["indicator"]),
        matched=Indicator(**data["matched"]),
        match=data["match"],
        source=data["source"],
        category=data.get("category"),
        confidence=data.get("confidence"),
        reference=data.get("reference"),
        first_seen=data.get("first_seen"),
    )
