"""Caches for functions of one string that hostile input cannot bloat."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")
MAX_CACHED_KEY = 512  # URLs, hosts and anchor texts repeat across messages when short


def cache_short(maxsize: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Like `lru_cache(maxsize)`, but strings longer than MAX_CACHED_KEY are computed,
    not kept: a message full of 8 KB URLs must not pin megabytes in the process."""

    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(key: str) -> T:
            return cached(key) if len(key) <= MAX_CACHED_KEY else function(key)

        return call

    return decorate
