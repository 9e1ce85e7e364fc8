"""The [intel] configuration table and building lookups from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from phishloop.connectors.intel import SqliteIntelStore
from phishloop.connectors.intel.factory import (
    allow_policy,
    build_providers,
    open_lookup,
    outbound_policy,
    store_path,
)
from phishloop.connectors.intel.settings import IntelSettings, default_store_path
from phishloop.connectors.net import GuardedHttpClient
from phishloop.core.enrich import NoIntel, parse_value
from phishloop.core.enrich.records import IntelRecord
from phishloop.core.errors import ConfigError
from phishloop.core.model import Indicator

if TYPE_CHECKING:
    from conftest import LocalServer


def test_defaults_and_full_table(tmp_path: Path) -> None:
    assert IntelSettings.from_mapping({}) == IntelSettings()
    settings = IntelSettings.from_mapping(
        {
            "store": str(tmp_path / "s.sqlite3"),
            "allow_domains": ["Corp-Internal.com"],
            "shared_parents": ["mycloud.net"],
            "default_shared_parents": False,
            "online": True,
            "cache_ttl_hours": 1,
            "negative_ttl_hours": 0.5,
            "max_queries": 3,
            "timeout_seconds": 4,
            "allow_networks": ["10.20.0.0/16"],
            "virustotal": {"api_key_env": "MY_VT", "min_detections": 5},
        }
    )
    assert settings.store == tmp_path / "s.sqlite3"
    assert settings.allow_domains == ("corp-internal.com",)
    policy = allow_policy(settings)
    assert policy.shared_parents == frozenset({"mycloud.net"})
    assert policy.allow_domains == frozenset({"corp-internal.com"})
    assert "sharepoint.com" in allow_policy(IntelSettings()).shared_parents
    assert [str(n) for n in outbound_policy(settings).allowed_networks] == ["10.20.0.0/16"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"stroe": "x"}, "unknown key intel.stroe"),
        ({"online": "yes"}, "intel.online has the wrong type"),
        ({"max_queries": True}, "intel.max_queries has the wrong type"),
        ({"allow_domains": "corp.example"}, "intel.allow_domains must be a list"),
        ({"virustotal": "key"}, "intel.virustotal must be a table"),
        ({"urlscan": {"visibility": "public"}}, "unknown key intel.urlscan.visibility"),
    ],
)
def test_bad_tables(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        IntelSettings.from_mapping(table)


def test_bad_allow_networks() -> None:
    with pytest.raises(ConfigError, match=r"intel\.allow_networks"):
        outbound_policy(IntelSettings.from_mapping({"allow_networks": ["not-a-net"]}))


def test_store_location_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHISHLOOP_DATA_DIR", str(tmp_path / "data"))
    assert default_store_path() == tmp_path / "data" / "intel.sqlite3"
    configured = IntelSettings(store=tmp_path / "configured.sqlite3")
    assert store_path(configured, str(tmp_path / "option.sqlite3")) == tmp_path / "option.sqlite3"
    assert store_path(configured) == tmp_path / "configured.sqlite3"
    assert store_path(IntelSettings()) == tmp_path / "data" / "intel.sqlite3"
    monkeypatch.delenv("PHISHLOOP_DATA_DIR")
    assert default_store_path().name == "intel.sqlite3"
    assert "phishloop" in str(default_store_path())


def test_provider_keys_from_environment_or_file(monkeypatch: pytest.MonkeyPatch) -> None:
    http = GuardedHttpClient()
    monkeypatch.setenv("VT_API_KEY", "from-env")
    settings = IntelSettings.from_mapping(
        {
            "virustotal": {},
            "urlhaus": {"auth_key": "inline"},
            "urlscan": {"api_key_env": "MISSING_KEY_VAR"},
        }
    )
    monkeypatch.delenv("MISSING_KEY_VAR", raising=False)
    with pytest.raises(ConfigError, match="set the environment variable MISSING_KEY_VAR"):
        build_providers(settings, http)
    monkeypatch.setenv("MISSING_KEY_VAR", "k")
    assert [p.name for p in build_providers(settings, http)] == [
        "virustotal",
        "urlhaus-api",
        "urlscan",
    ]


def test_open_lookup_without_anything_is_no_intel(tmp_path: Path) -> None:
    lookup = open_lookup(IntelSettings(store=tmp_path / "absent.sqlite3"))
    assert isinstance(lookup, NoIntel)
    assert not (tmp_path / "absent.sqlite3").exists()


def test_open_lookup_combines_store_and_online_providers(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_file = tmp_path / "intel.sqlite3"
    listed = parse_value("evil-site.com")
    assert listed is not None
    with SqliteIntelStore(store_file) as store:
        store.import_records([IntelRecord(listed, "local", "phishing")], "local")
    server.json(
        "GET",
        "/api/v3/domains/evil-site.com",
        {"data": {"attributes": {"last_analysis_stats": {"malicious": 5, "harmless": 5}}}},
    )
    monkeypatch.setenv("VT_API_KEY", "k")
    settings = IntelSettings.from_mapping(
        {
            "store": str(store_file),
            "online": True,
            "allow_networks": ["127.0.0.1/32"],
            "virustotal": {"base_url": f"{server.url}/api/v3"},
        }
    )
    lookup = open_lookup(settings)
    found = lookup.lookup([Indicator("domain", "evil-site.com")])
    assert [(m.source, m.category) for m in found] == [
        ("local", "phishing"),
        ("virustotal", "malicious"),
    ]
    assert lookup.lookup([Indicator("domain", "evil-site.com")]) == found
    assert len(server.requests) == 1  # the second answer came from the cache
    cache = tmp_path / "intel-cache.sqlite3"
    assert cache.is_file()
    # without `online` the providers are never asked
    offline = open_lookup(IntelSettings.from_mapping({"store": str(store_file)}))
    assert [m.source for m in offline.lookup([Indicator("domain", "evil-site.com")])] == ["local"]
    assert len(server.requests) == 1
