"""Online providers, driven against a local server that answers like the real services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pytest

from phishloop.connectors.intel.providers import (
    MemoryCache,
    ProviderError,
    ProviderLookup,
    RateLimitedError,
    RetryPolicy,
    SqliteCache,
    UrlhausApi,
    Urlscan,
    VirusTotal,
)
from phishloop.connectors.intel.providers.base import retry_after
from phishloop.connectors.intel.providers.virustotal import url_id
from phishloop.connectors.net import GuardedHttpClient, OutboundPolicy
from phishloop.core.enrich import IndicatorLookup
from phishloop.core.model import Indicator, IntelMatch

if TYPE_CHECKING:
    from conftest import LocalServer

URL = Indicator("url", "https://login-micros0ft.com/common/oauth2")
DOMAIN = Indicator("domain", "login-micros0ft.com")
SHA = Indicator("sha256", "ab" * 32)


def vt_report(malicious: int, suspicious: int = 0, **attributes: object) -> dict[str, object]:
    stats = {
        "malicious": malicious,
        "suspicious": suspicious,
        "harmless": 60 - malicious,
        "undetected": 10,
        "timeout": 0,
    }
    return {
        "data": {
            "id": "x",
            "type": "url",
            "links": {"self": "https://vt/x"},
            "attributes": {"last_analysis_stats": stats, "reputation": -12, **attributes},
        }
    }


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def virustotal(server: LocalServer, http: GuardedHttpClient, **options: object) -> VirusTotal:
    return VirusTotal(http, "vt-key", base_url=f"{server.url}/api/v3", **options)  # type: ignore[arg-type]


def test_url_id_is_unpadded_urlsafe_base64() -> None:
    assert url_id("http://www.example.com/") == "aHR0cDovL3d3dy5leGFtcGxlLmNvbS8"


def test_virustotal_hit(server: LocalServer, http: GuardedHttpClient) -> None:
    server.json(
        "GET", f"/api/v3/urls/{url_id(URL.value)}", vt_report(14, first_submission_date=1714470000)
    )
    (match,) = virustotal(server, http).query(URL)
    assert (match.match, match.source, match.category) == ("exact", "virustotal", "malicious")
    assert match.confidence == round(14 / 70, 3)
    assert match.reference == f"https://www.virustotal.com/gui/url/{url_id(URL.value)}"
    assert match.first_seen == "2024-04-30T09:40:00Z"
    assert server.requests[0].headers["x-apikey"] == "vt-key"


def test_virustotal_paths_per_type(server: LocalServer, http: GuardedHttpClient) -> None:
    server.json("GET", "/api/v3/domains/login-micros0ft.com", vt_report(0, suspicious=3))
    server.json("GET", "/api/v3/ip_addresses/203.0.113.9", vt_report(1))
    server.json("GET", f"/api/v3/files/{SHA.value}", vt_report(40))
    provider = virustotal(server, http)
    assert [m.category for m in provider.query(DOMAIN)] == ["suspicious"]
    assert provider.query(Indicator("ip", "203.0.113.9")) == []  # below min_detections
    assert [m.category for m in provider.query(SHA)] == ["malicious"]
    assert not provider.supports(Indicator("email", "a@b-evil.com"))


def test_virustotal_miss_is_404(server: LocalServer, http: GuardedHttpClient) -> None:
    assert virustotal(server, http).query(DOMAIN) == []  # unrouted paths answer 404


def test_virustotal_auth_error(server: LocalServer, http: GuardedHttpClient) -> None:
    server.json(
        "GET",
        "/api/v3/domains/login-micros0ft.com",
        {"error": {"code": "WrongCredentialsError", "message": "Wrong API key"}},
        401,
    )
    with pytest.raises(ProviderError) as caught:
        virustotal(server, http).query(DOMAIN)
    assert caught.value.code == "virustotal.auth"


def test_rate_limit_waits_retry_after_then_succeeds(
    server: LocalServer, http: GuardedHttpClient
) -> None:
    path = "/api/v3/domains/login-micros0ft.com"
    server.answer(
        "GET",
        path,
        server.reply(429, b'{"error": {"code": "QuotaExceededError"}}', {"Retry-After": "3"}),
        server.reply(200, json.dumps(vt_report(9)).encode()),
    )
    sleeps = Sleeps()
    matches = virustotal(server, http, sleep=sleeps).query(DOMAIN)
    assert [m.category for m in matches] == ["malicious"]
    assert sleeps == [3.0]
    assert len(server.requests) == 2


def test_rate_limit_gives_up(server: LocalServer, http: GuardedHttpClient) -> None:
    path = "/api/v3/domains/login-micros0ft.com"
    server.answer("GET", path, server.reply(429, b"", {"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError) as caught:
        virustotal(server, http, sleep=Sleeps()).query(DOMAIN)
    assert caught.value.retry_after == 3600
    server.answer("GET", path, server.reply(429, b"", {"Retry-After": "1"}))
    sleeps = Sleeps()
    with pytest.raises(RateLimitedError):
        virustotal(server, http, sleep=sleeps, retry=RetryPolicy(retries=2)).query(DOMAIN)
    assert sleeps == [1.0, 1.0]


def test_retry_after_forms() -> None:
    assert retry_after("17", 5.0) == 17.0
    assert retry_after(None, 5.0) == 5.0
    assert retry_after("garbage", 5.0) == 5.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 5.0) == 0.0  # in the past


def urlhaus(server: LocalServer, http: GuardedHttpClient) -> UrlhausApi:
    return UrlhausApi(http, "abuse-key", base_url=f"{server.url}/v1")


def test_urlhaus_url_hit(server: LocalServer, http: GuardedHttpClient) -> None:
    server.json(
        "POST",
        "/v1/url/",
        {
            "query_status": "ok",
            "id": "105821",
            "urlhaus_reference": "https://urlhaus.abuse.ch/url/105821/",
            "url": URL.value,
            "url_status": "online",
            "host": "login-micros0ft.com",
            "date_added": "2024-04-30 09:40:00 UTC",
            "threat": "malware_download",
            "blacklists": {"spamhaus_dbl": "not listed", "surbl": "not listed"},
            "reporter": "abuse_ch",
            "larted": "true",
            "takedown_time_seconds": None,
            "tags": ["elf"],
            "payloads": [],
        },
    )
    (match,) = urlhaus(server, http).query(URL)
    assert (match.category, match.reference, match.first_seen) == (
        "malware",
        "https://urlhaus.abuse.ch/url/105821/",
        "2024-04-30T09:40:00Z",
    )
    sent = server.requests[0]
    assert sent.headers["auth-key"] == "abuse-key"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.body.decode()) == {"url": [URL.value]}


def test_urlhaus_host_miss_and_payload(server: LocalServer, http: GuardedHttpClient) -> None:
    server.json("POST", "/v1/host/", {"query_status": "no_results"})
    server.json(
        "POST",
        "/v1/payload/",
        {
            "query_status": "ok",
            "md5_hash": "d41d8cd98f00b204e9800998ecf8427e",
            "sha256_hash": SHA.value,
            "file_type": "exe",
            "file_size": "1024",
            "signature": "AgentTesla",
            "firstseen": "2024-04-01 10:00:00",
            "lastseen": None,
            "url_count": "3",
            "urlhaus_download": f"https://urlhaus-api.abuse.ch/v1/download/{SHA.value}/",
            "virustotal": None,
            "urls": [],
        },
    )
    provider = urlhaus(server, http)
    assert provider.query(DOMAIN) == []
    assert parse_qs(server.requests[0].body.decode()) == {"host": ["login-micros0ft.com"]}
    (match,) = provider.query(SHA)
    assert match.first_seen == "2024-04-01T10:00:00Z"
    assert parse_qs(server.requests[1].body.decode()) == {"sha256_hash": [SHA.value]}


def test_urlhaus_error_status(server: LocalServer, http: GuardedHttpClient) -> None:
    server.json("POST", "/v1/url/", {"query_status": "invalid_url"})
    with pytest.raises(ProviderError, match="invalid_url"):
        urlhaus(server, http).query(URL)


def urlscan(server: LocalServer, http: GuardedHttpClient) -> Urlscan:
    return Urlscan(http, "scan-key", base_url=f"{server.url}/api/v1")


def test_urlscan_search_hit_and_miss(server: LocalServer, http: GuardedHttpClient) -> None:
    def search(seen: object) -> object:
        query = seen.query["q"][0]  # type: ignore[attr-defined]
        hits = [
            {
                "task": {
                    "uuid": "0e5b3b7a-0000-4000-8000-000000000001",
                    "time": "2024-04-30T10:00:00.000Z",
                    "url": URL.value,
                    "visibility": "public",
                },
                "page": {"url": URL.value, "domain": DOMAIN.value, "ip": "203.0.113.9"},
                "_id": "0e5b3b7a-0000-4000-8000-000000000001",
            }
        ]
        body = {"results": hits if "login-micros0ft" in query else [], "total": 1}
        return server.reply(200, json.dumps(body).encode())

    server.respond("GET", "/api/v1/search/", search)  # type: ignore[arg-type]
    provider = urlscan(server, http)
    (match,) = provider.query(DOMAIN)
    assert (match.category, match.first_seen) == ("malicious", "2024-04-30T10:00:00Z")
    assert match.reference == "https://urlscan.io/result/0e5b3b7a-0000-4000-8000-000000000001/"
    sent = server.requests[0]
    assert sent.query["q"] == ['page.domain:"login-micros0ft.com" AND verdicts.malicious:true']
    assert sent.headers["api-key"] == "scan-key"
    assert provider.query(Indicator("domain", "harmless-site.org")) == []


def test_urlscan_submissions_are_always_private(
    server: LocalServer, http: GuardedHttpClient
) -> None:
    server.json(
        "POST",
        "/api/v1/scan/",
        {
            "message": "Submission successful",
            "uuid": "1f2e3d4c-0000-4000-8000-000000000002",
            "result": "https://urlscan.io/result/1f2e3d4c-0000-4000-8000-000000000002/",
            "visibility": "private",
        },
    )
    assert urlscan(server, http).submit_private(URL.value) == "1f2e3d4c-0000-4000-8000-000000000002"
    assert json.loads(server.requests[0].body) == {"url": URL.value, "visibility": "private"}


class CountingProvider:
    name = "counting"

    def __init__(self, answers: dict[str, list[IntelMatch]]) -> None:
        self.answers, self.asked = answers, []  # type: list[str]

    def supports(self, indicator: Indicator) -> bool:
        return indicator.type in ("url", "domain")

    def query(self, indicator: Indicator) -> list[IntelMatch]:
        self.asked.append(indicator.value)
        return self.answers.get(indicator.value, [])


def test_provider_lookup_caches_hits_and_misses() -> None:
    hit = IntelMatch(DOMAIN, DOMAIN, "exact", "counting", "malicious")
    provider = CountingProvider({DOMAIN.value: [hit]})
    lookup = ProviderLookup([provider], cache=MemoryCache())
    assert isinstance(lookup, IndicatorLookup)
    asked = [DOMAIN, Indicator("domain", "harmless-site.org"), SHA]
    assert lookup.lookup(asked) == [hit]
    assert lookup.lookup(asked) == [hit]
    assert provider.asked == ["login-micros0ft.com", "harmless-site.org"]


def test_memory_cache_expires() -> None:
    now = [1000.0]
    cache = MemoryCache(clock=lambda: now[0])
    cache.put("k", [], ttl=10)
    assert cache.get("k") == []
    now[0] += 11
    assert cache.get("k") is None


def test_sqlite_cache_survives_reopen_and_expires(tmp_path: Path) -> None:
    hit = IntelMatch(URL, URL, "exact", "virustotal", "malicious", 0.4, "https://ref", None)
    now = [1000.0]
    first = SqliteCache(tmp_path / "cache.sqlite3", clock=lambda: now[0])
    first.put("virustotal|url|x", [hit], ttl=60)
    first.close()
    second = SqliteCache(tmp_path / "cache.sqlite3", clock=lambda: now[0])
    assert second.get("virustotal|url|x") == [hit]
    now[0] += 61
    assert second.get("virustotal|url|x") is None


def test_provider_lookup_budget_and_errors(server: LocalServer, http: GuardedHttpClient) -> None:
    server.answer("GET", "/api/v3/domains/a-evil.com", server.reply(500, b"oops"))
    errors: list[tuple[str, str]] = []
    lookup = ProviderLookup(
        [virustotal(server, http)],
        max_queries=2,
        on_error=lambda code, message: errors.append((code, message)),
    )
    asked = [Indicator("domain", name) for name in ("a-evil.com", "b-evil.com", "c-evil.com")]
    assert lookup.lookup(asked) == []
    assert [code for code, _ in errors] == ["virustotal.http", "virustotal.budget"]
    assert len(server.requests) == 2


def test_providers_go_through_the_ssrf_guard(server: LocalServer) -> None:
    """Without the loopback allow-list the same provider never reaches the server."""
    errors: list[str] = []
    strict = GuardedHttpClient(OutboundPolicy())
    provider = VirusTotal(strict, "vt-key", base_url=f"{server.url}/api/v3")
    lookup = ProviderLookup([provider], on_error=lambda code, _m: errors.append(code))
    assert lookup.lookup([DOMAIN, URL]) == []
    assert errors == ["net.blocked"]
    assert server.requests == []
