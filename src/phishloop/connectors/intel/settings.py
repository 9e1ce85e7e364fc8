"""The `[intel]` table of the configuration file, and where the store lives by default.

Every key is optional; unknown keys are an error (a typo must not silently disable an
allow-list). API keys come from the environment (`api_key_env`, the default names below)
or, less safely, from the file itself (`api_key`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phishloop.core.errors import ConfigError

DATA_DIR_ENV = "PHISHLOOP_DATA_DIR"
STORE_FILE = "intel.sqlite3"
CACHE_FILE = "intel-cache.sqlite3"
_TOP_KEYS = frozenset(
    {
        "store",
        "cache",
        "allow_domains",
        "shared_parents",
        "default_shared_parents",
        "online",
        "cache_ttl_hours",
        "negative_ttl_hours",
        "max_queries",
        "timeout_seconds",
        "allow_networks",
        "virustotal",
        "urlhaus",
        "urlscan",
    }
)
PROVIDER_KEYS = {
    "virustotal": ({"api_key", "api_key_env", "base_url", "min_detections"}, "VT_API_KEY"),
    "urlhaus": ({"auth_key", "auth_key_env", "base_url"}, "URLHAUS_AUTH_KEY"),
    "urlscan": ({"api_key", "api_key_env", "base_url", "verdict_filter"}, "URLSCAN_API_KEY"),
}


@dataclass(frozen=True, slots=True)
class IntelSettings:
    store: Path | None = None
    cache: Path | None = None
    allow_domains: tuple[str, ...] = ()
    shared_parents: tuple[str, ...] = ()
    default_shared_parents: bool = True
    online: bool = False
    cache_ttl_hours: float = 24.0
    negative_ttl_hours: float = 6.0
    max_queries: int = 20
    timeout_seconds: float = 15.0
    allow_networks: tuple[str, ...] = ()
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> IntelSettings:
        """Build from the parsed `[intel]` table; ConfigError names the bad key."""
        unknown = set(table) - _TOP_KEYS
        if unknown:
            raise ConfigError(
                f"unknown key intel.{sorted(unknown)[0]}; known: {', '.join(sorted(_TOP_KEYS))}"
            )
        providers = {
            name: _provider_table(name, table[name]) for name in PROVIDER_KEYS if name in table
        }
        return cls(
            store=_path(table, "store"),
            cache=_path(table, "cache"),
            allow_domains=_strings(table, "allow_domains"),
            shared_parents=_strings(table, "shared_parents"),
            default_shared_parents=_typed(table, "default_shared_parents", bool, True),
            online=_typed(table, "online", bool, False),
            cache_ttl_hours=float(_typed(table, "cache_ttl_hours", (int, float), 24.0)),
            negative_ttl_hours=float(_typed(table, "negative_ttl_hours", (int, float), 6.0)),
            max_queries=_typed(table, "max_queries", int, 20),
            timeout_seconds=float(_typed(table, "timeout_seconds", (int, float), 15.0)),
            allow_networks=_strings(table, "allow_networks"),
            providers=providers,
        )


def default_store_path() -> Path:
    """`$PHISHLOOP_DATA_DIR/intel.sqlite3`, else the per-user data directory."""
    return data_dir() / STORE_FILE


def data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # noqa: PLC0415 - only needed when nothing is configured

    return Path(platformdirs.user_data_dir("phishloop", appauthor=False))


def provider_key(name: str, table: Mapping[str, Any]) -> str:
    """The API key of a configured provider; ConfigError when none is available."""
    field_name = "auth_key" if name == "urlhaus" else "api_key"
    env_name = str(table.get(f"{field_name}_env") or PROVIDER_KEYS[name][1])
    key = table.get(field_name) or os.environ.get(env_name)
    if not key:
        raise ConfigError(
            f"intel.{name}: no API key; set the environment variable {env_name} "
            f"or intel.{name}.{field_name}"
        )
    return str(key)


def _provider_table(name: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"intel.{name} must be a table")
    unknown = set(value) - PROVIDER_KEYS[name][0]
    if unknown:
        raise ConfigError(
            f"unknown key intel.{name}.{sorted(unknown)[0]}; known: "
            f"{', '.join(sorted(PROVIDER_KEYS[name][0]))}"
        )
    return dict(value)


def _path(table: Mapping[str, Any], key: str) -> Path | None:
    value = _typed(table, key, str, None)
    return Path(value).expanduser() if value else None


def _strings(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"intel.{key} must be a list of strings")
    return tuple(item.strip().lower() for item in value)


def _typed(table: Mapping[str, Any], key: str, kinds: type | tuple[type, ...], default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    # bool is an int in Python: a flag must be a bool, a number must not be one.
    if isinstance(value, bool) != (kinds is bool) or not isinstance(value, kinds):
        raise ConfigError(f"intel.{key} has the wrong type ({type(value).__name__})")
    return value
