"""`ProviderLookup`: online providers behind the `IndicatorLookup` interface."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from phishloop.connectors.intel.providers.base import OnlineProvider, RateLimitedError
from phishloop.connectors.intel.providers.cache import MatchCache, MemoryCache
from phishloop.connectors.net import NetError
from phishloop.core.model import Indicator, IntelMatch

ErrorCallback = Callable[[str, str], None]
# URLs and files say most about a message; ask about them first when the budget is short.
_PRIORITY = {"url": 0, "sha256": 1, "md5": 2, "sha1": 2, "domain": 3, "ip": 4, "email": 5}
_LOG = logging.getLogger(__name__)


def _log_error(code: str, message: str) -> None:
    _LOG.warning("%s: %s", code, message)


class ProviderLookup:
    """Asks each provider about the indicators it supports, at most `max_queries` per
    provider and lookup (cache hits are free), caching answers: hits for `ttl` seconds,
    misses for `negative_ttl`. Provider failures never raise: they go to `on_error`
    (code, message) and that provider is skipped for the rest of the lookup."""

    def __init__(
        self,
        providers: Sequence[OnlineProvider],
        *,
        cache: MatchCache | None = None,
        ttl: float = 86_400.0,
        negative_ttl: float = 6 * 3_600.0,
        max_queries: int = 20,
        on_error: ErrorCallback = _log_error,
    ) -> None:
        self._providers = providers
        self._cache = cache if cache is not None else MemoryCache()
        self._ttl, self._negative_ttl = ttl, negative_ttl
        self._max_queries = max_queries
        self._on_error = on_error

    def lookup(self, indicators: Sequence[Indicator]) -> list[IntelMatch]:
        ordered = sorted(indicators, key=lambda i: _PRIORITY.get(i.type, 9))
        matches: list[IntelMatch] = []
        for provider in self._providers:
            matches.extend(self._ask(provider, ordered))
        return matches

    def _ask(self, provider: OnlineProvider, indicators: Sequence[Indicator]) -> list[IntelMatch]:
        matches: list[IntelMatch] = []
        budget = self._max_queries
        for indicator in indicators:
            if not provider.supports(indicator):
                continue
            key = f"{provider.name}|{indicator.type}|{indicator.value}"
            cached = self._cache.get(key)
            if cached is not None:
                matches.extend(cached)
                continue
            if budget == 0:
                self._on_error(
                    f"{provider.name}.budget",
                    f"{provider.name}: query budget of {self._max_queries} used up",
                )
                break
            budget -= 1
            try:
                found = provider.query(indicator)
            except RateLimitedError as exc:
                self._on_error(exc.code, str(exc))
                break
            except NetError as exc:
                self._on_error(getattr(exc, "code", "net.error"), str(exc))
                if exc.code in ("net.blocked", f"{provider.name}.auth"):
                    break
                continue
            self._cache.put(key, found, self._ttl if found else self._negative_ttl)
            matches.extend(found)
        return matches
