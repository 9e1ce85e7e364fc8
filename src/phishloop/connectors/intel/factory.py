"""Building intel lookups from settings: the one place the CLI and the server call."""

from __future__ import annotations

from pathlib import Path

from phishloop.connectors.intel.providers import (
    OnlineProvider,
    ProviderLookup,
    SqliteCache,
    UrlhausApi,
    Urlscan,
    VirusTotal,
    urlhaus,
    urlscan,
    virustotal,
)
from phishloop.connectors.intel.settings import (
    CACHE_FILE,
    IntelSettings,
    default_store_path,
    provider_key,
)
from phishloop.connectors.intel.sqlite_store import SqliteIntelStore
from phishloop.connectors.net import GuardedHttpClient, OutboundPolicy
from phishloop.core.enrich import AllowPolicy, CombinedLookup, IndicatorLookup, NoIntel
from phishloop.core.enrich.shared_parents import DEFAULT_SHARED_PARENTS
from phishloop.core.errors import ConfigError


def allow_policy(settings: IntelSettings) -> AllowPolicy:
    shipped = DEFAULT_SHARED_PARENTS if settings.default_shared_parents else frozenset()
    return AllowPolicy(
        allow_domains=frozenset(settings.allow_domains),
        shared_parents=shipped | frozenset(settings.shared_parents),
    )


def store_path(settings: IntelSettings, option: str | Path | None = None) -> Path:
    """`--store` wins, then `[intel] store`, then the default data directory."""
    if option:
        return Path(option).expanduser()
    return settings.store or default_store_path()


def open_store(path: Path, settings: IntelSettings, *, create: bool) -> SqliteIntelStore | None:
    """The store at `path`; None when it does not exist and `create` is false."""
    if not create and not path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteIntelStore(path, policy=allow_policy(settings))


def outbound_policy(settings: IntelSettings) -> OutboundPolicy:
    try:
        return OutboundPolicy.allowing(
            *settings.allow_networks, read_timeout=settings.timeout_seconds
        )
    except ValueError as exc:
        raise ConfigError(f"intel.allow_networks: {exc}") from None


def build_providers(settings: IntelSettings, http: GuardedHttpClient) -> list[OnlineProvider]:
    """The configured providers, in a fixed order; ConfigError when a key is missing."""
    providers: list[OnlineProvider] = []
    for name, table in settings.providers.items():
        key = provider_key(name, table)
        if name == "virustotal":
            base = str(table.get("base_url", virustotal.DEFAULT_BASE_URL))
            detections = int(table.get("min_detections", 2))
            providers.append(VirusTotal(http, key, base_url=base, min_detections=detections))
        elif name == "urlhaus":
            base = str(table.get("base_url", urlhaus.DEFAULT_BASE_URL))
            providers.append(UrlhausApi(http, key, base_url=base))
        else:
            base = str(table.get("base_url", urlscan.DEFAULT_BASE_URL))
            verdicts = str(table.get("verdict_filter", urlscan.DEFAULT_VERDICT_FILTER))
            providers.append(Urlscan(http, key, base_url=base, verdict_filter=verdicts))
    return providers


def provider_lookup(settings: IntelSettings, store: Path) -> ProviderLookup | None:
    """Online look-ups with a persistent cache beside the store; None when none are set."""
    http = GuardedHttpClient(outbound_policy(settings))
    providers = build_providers(settings, http)
    if not providers:
        return None
    cache = SqliteCache(settings.cache or store.with_name(CACHE_FILE))
    return ProviderLookup(
        providers,
        cache=cache,
        ttl=settings.cache_ttl_hours * 3600,
        negative_ttl=settings.negative_ttl_hours * 3600,
        max_queries=settings.max_queries,
    )


def open_lookup(settings: IntelSettings, store_option: str | Path | None = None) -> IndicatorLookup:
    """What an analysis asks: the local store (if one exists) and, when `online` is on,
    the configured providers. Nothing configured gives `NoIntel`."""
    path = store_path(settings, store_option)
    lookups: list[IndicatorLookup] = []
    store = open_store(path, settings, create=False)
    if store is not None:
        lookups.append(store)
    online = provider_lookup(settings, path) if settings.online else None
    if online is not None:
        lookups.append(online)
    if not lookups:
        return NoIntel()
    return lookups[0] if len(lookups) == 1 else CombinedLookup(*lookups)
