"""Optional online intel providers (VirusTotal, URLhaus API, urlscan.io), all off unless
configured, all going through the SSRF-guarded HTTP client, all cached."""

from __future__ import annotations

from phishloop.connectors.intel.providers.base import (
    OnlineProvider,
    ProviderError,
    RateLimitedError,
    RetryPolicy,
)
from phishloop.connectors.intel.providers.cache import MemoryCache, SqliteCache
from phishloop.connectors.intel.providers.lookup import ProviderLookup
from phishloop.connectors.intel.providers.urlhaus import UrlhausApi
from phishloop.connectors.intel.providers.urlscan import Urlscan
from phishloop.connectors.intel.providers.virustotal import VirusTotal

__all__ = [
    "MemoryCache",
    "OnlineProvider",
    "ProviderError",
    "ProviderLookup",
    "RateLimitedError",
    "RetryPolicy",
    "SqliteCache",
    "UrlhausApi",
    "Urlscan",
    "VirusTotal",
]
