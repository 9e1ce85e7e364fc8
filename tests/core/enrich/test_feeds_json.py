"""JSON feeds: PhishTank JSON, MISP events and manifests, STIX 2.1 bundles."""

from __future__ import annotations

import json

import pytest

from phishloop.core.enrich.feeds import (
    FeedError,
    FeedOptions,
    FeedReport,
    detect_format,
    parse_feed,
    parse_misp_manifest,
)
from phishloop.core.enrich.feeds.stix_patterns import (
    PatternError,
    pattern_values,
    string_literals,
)
from phishloop.core.enrich.records import IntelRecord


def read(data: object, fmt: str, **options: object) -> tuple[list[IntelRecord], FeedReport]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    report = FeedReport()
    records = list(parse_feed(raw, fmt, FeedOptions(**options), report))  # type: ignore[arg-type]
    return records, report


def values(records: list[IntelRecord]) -> list[tuple[str, str]]:
    return [(r.indicator.type, r.indicator.value) for r in records]


PHISHTANK_JSON = [
    {
        "phish_id": "8571234",
        "url": "https://secure-login-paypal.com.verify-account.info/signin",
        "phish_detail_url": "http://www.phishtank.com/phish_detail.php?phish_id=8571234",
        "submission_time": "2024-05-01T10:15:22+00:00",
        "verified": "yes",
        "verification_time": "2024-05-01T10:20:01+00:00",
        "online": "yes",
        "details": [
            {
                "ip_address": "203.0.113.10",
                "cidr_block": "203.0.113.0/24",
                "announcing_network": "64500",
                "rir": "arin",
                "country": "US",
                "detail_time": "2024-05-01T10:20:01+00:00",
            }
        ],
        "target": "PayPal",
    },
    {"phish_id": "8571235", "url": 42, "verified": "yes"},
    "not an object",
]


def test_phishtank_json() -> None:
    records, report = read(PHISHTANK_JSON, "phishtank", source="phishtank")
    assert values(records) == [
        ("url", "https://secure-login-paypal.com.verify-account.info/signin")
    ]
    assert records[0].first_seen == "2024-05-01T10:15:22Z"
    assert report.reasons == {"no url": 2}
    assert detect_format(json.dumps(PHISHTANK_JSON).encode()) == "phishtank"


def test_phishtank_json_wrong_shape() -> None:
    with pytest.raises(FeedError, match="not a PhishTank JSON dump"):
        read([{"id": 1, "link": "https://a-evil.com/"}], "phishtank")
    with pytest.raises(FeedError, match="not valid JSON"):
        read(b"[{broken", "phishtank")


def misp_event(
    attributes: list[dict[str, object]],
    objects: list[dict[str, object]] | None = None,
    tags: list[str] | None = None,
) -> dict[str, object]:
    return {
        "Event": {
            "uuid": "5e8f3a4c-1d2b-4c5d-9e7f-0a1b2c3d4e5f",
            "info": "Phishing campaign: fake invoices",
            "date": "2024-04-30",
            "threat_level_id": "2",
            "analysis": "2",
            "Tag": [{"name": t} for t in tags or []],
            "Attribute": attributes,
            "Object": objects or [],
        }
    }


def attr(kind: str, value: str, to_ids: bool = True, **extra: object) -> dict[str, object]:
    return {
        "uuid": f"uuid-{kind}-{value[:8]}",
        "type": kind,
        "category": "Network activity",
        "value": value,
        "to_ids": to_ids,
        "timestamp": "1714470000",
        **extra,
    }


def test_misp_event_attributes_and_objects() -> None:
    event = misp_event(
        [
            attr("url", "https://invoice-portal.net/view?id=1"),
            attr("domain", "invoice-portal.net"),
            attr("ip-dst", "203.0.113.50"),
            attr("ip-src|port", "198.51.100.4|8080"),
            attr("domain|ip", "cdn-invoice.net|192.0.2.77"),
            attr("email-src", "billing@invoice-portal.net"),
            attr("email-dst", "victim@corp-internal.com"),  # the recipient: never imported
            attr("text", "free text is not an indicator"),
            attr("hostname", "www.benign-site.com", to_ids=False),
            attr("md5", "d41d8cd98f00b204e9800998ecf8427e", deleted=True),
            attr("ip-dst", "999.1.1.1"),
        ],
        objects=[
            {
                "name": "file",
                "Attribute": [
                    attr("filename|sha256", "invoice.zip|" + "ab" * 32),
                    attr("sha1", "cd" * 20),
                ],
            }
        ],
        tags=["tlp:white", 'rsit:fraud="phishing"'],
    )
    records, report = read(event, "misp", source="misp-circl")
    assert values(records) == [
        ("url", "https://invoice-portal.net/view?id=1"),
        ("domain", "invoice-portal.net"),
        ("ip", "203.0.113.50"),
        ("ip", "198.51.100.4"),
        ("domain", "cdn-invoice.net"),
        ("ip", "192.0.2.77"),
        ("email", "billing@invoice-portal.net"),
        ("sha256", "ab" * 32),
        ("sha1", "cd" * 20),
    ]
    assert {r.category for r in records} == {"phishing"}
    assert records[0].reference == (
        "MISP event 5e8f3a4c-1d2b-4c5d-9e7f-0a1b2c3d4e5f: Phishing campaign: fake invoices"
    )
    assert records[0].first_seen == "2024-04-30T09:40:00Z"
    assert report.reasons == {"to_ids is false": 1, "not a valid ip": 1}


def test_misp_include_non_ids_and_category_override() -> None:
    event = misp_event([attr("hostname", "www.tracker-site.com", to_ids=False)])
    records, _ = read(event, "misp", include_non_ids=True, category="spam")
    assert values(records) == [("domain", "www.tracker-site.com")]
    assert records[0].category == "spam"


def test_misp_rest_search_response_and_list() -> None:
    event = misp_event([attr("url", "https://a-evil.com/")])
    assert len(read({"response": [event, event]}, "misp")[0]) == 2
    assert len(read([event], "misp")[0]) == 1
    assert detect_format(json.dumps(event).encode()) == "misp"


def test_misp_wrong_format_and_empty_event() -> None:
    with pytest.raises(FeedError, match="not a MISP event"):
        read({"objects": []}, "misp")
    with pytest.raises(FeedError, match="holds no indicators"):
        read(misp_event([attr("comment", "nothing here")]), "misp")
    with pytest.raises(FeedError, match=r"no valid indicator.*to_ids is false"):
        read(misp_event([attr("url", "https://a-evil.com/", to_ids=False)]), "misp")


def test_misp_manifest_lists_only_uuid_names() -> None:
    manifest = {
        "5e8f3a4c-1d2b-4c5d-9e7f-0a1b2c3d4e5f": {"info": "a", "timestamp": "1714470000"},
        "../../etc/passwd": {"info": "hostile"},
        "0b8a3c2d-1111-4222-8333-444455556666": {"info": "b"},
    }
    assert parse_misp_manifest(json.dumps(manifest).encode()) == [
        "5e8f3a4c-1d2b-4c5d-9e7f-0a1b2c3d4e5f",
        "0b8a3c2d-1111-4222-8333-444455556666",
    ]
    with pytest.raises(FeedError, match="manifest"):
        parse_misp_manifest(b'["not", "a", "manifest"]')
    with pytest.raises(FeedError, match="MISP feed manifest: import the feed directory"):
        detect_format(json.dumps(manifest).encode())


STIX_BUNDLE = {
    "type": "bundle",
    "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
    "objects": [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2024-04-01T00:00:00.000Z",
            "modified": "2024-04-01T00:00:00.000Z",
            "name": "Credential phishing page",
            "indicator_types": ["malicious-activity"],
            "pattern": "[url:value = 'https://login-micros0ft.com/common/oauth2'] OR "
            "[domain-name:value = 'login-micros0ft.com']",
            "pattern_type": "stix",
            "valid_from": "2024-04-01T00:00:00Z",
            "valid_until": "2025-04-01T00:00:00Z",
            "confidence": 85,
            "external_references": [{"source_name": "ticket", "url": "https://cti.example/r/1"}],
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--0f1c7d36-4d42-4b84-8e5b-1d1e8f1c6b2a",
            "created": "2024-04-02T00:00:00Z",
            "modified": "2024-04-02T00:00:00Z",
            "indicator_types": ["malicious-activity"],
            "pattern": "[ipv4-addr:value = '198.51.100.0/24' OR ipv6-addr:value = '2001:db8::/32']"
            " AND [file:hashes.'SHA-256' = '" + "ef" * 32 + "']",
            "pattern_type": "stix",
            "valid_from": "2024-04-02T00:00:00Z",
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--bad",
            "created": "2024-04-02T00:00:00Z",
            "modified": "2024-04-02T00:00:00Z",
            "pattern": "[url:value = ",
            "pattern_type": "stix",
            "valid_from": "2024-04-02T00:00:00Z",
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--sigma",
            "pattern": "title: x",
            "pattern_type": "sigma",
            "valid_from": "2024-04-02T00:00:00Z",
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--revoked",
            "pattern": "[domain-name:value = 'old-evil.com']",
            "pattern_type": "stix",
            "valid_from": "2024-04-02T00:00:00Z",
            "revoked": True,
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--email",
            "pattern": "[email-addr:value = 'ceo@look-alike-corp.com'] OR "
            "[email-message:from_ref.value = 'hr@look-alike-corp.com' AND "
            "email-message:subject = 'Payroll']",
            "pattern_type": "stix",
            "valid_from": "2024-04-02T00:00:00Z",
            "indicator_types": ["benign"],
        },
        {"type": "url", "id": "url--1", "value": "http://payload-host.net/a.exe"},
        {"type": "domain-name", "id": "domain-name--1", "value": "co.uk"},
        {
            "type": "file",
            "id": "file--1",
            "hashes": {
                "MD5": "d41d8cd98f00b204e9800998ecf8427e",
                "SHA-1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            },
        },
        {"type": "malware", "id": "malware--1", "name": "Qakbot", "is_family": True},
    ],
}


def test_stix_bundle() -> None:
    records, report = read(STIX_BUNDLE, "stix", source="cti")
    assert values(records) == [
        ("url", "https://login-micros0ft.com/common/oauth2"),
        ("domain", "login-micros0ft.com"),
        ("ip", "198.51.100.0/24"),
        ("ip", "2001:db8::/32"),
        ("sha256", "ef" * 32),
        ("email", "ceo@look-alike-corp.com"),
        ("email", "hr@look-alike-corp.com"),
        ("url", "http://payload-host.net/a.exe"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ]
    first = records[0]
    assert (first.category, first.confidence, first.reference) == (
        "phishing",
        0.85,
        "https://cti.example/r/1",
    )
    assert (first.first_seen, first.expires) == ("2024-04-01T00:00:00Z", "2025-04-01T00:00:00Z")
    assert records[2].reference == "indicator--0f1c7d36-4d42-4b84-8e5b-1d1e8f1c6b2a"
    assert records[5].category == "benign"  # an allow-list entry
    assert report.reasons == {"bad STIX pattern": 1, "not a valid domain": 1}
    assert detect_format(json.dumps(STIX_BUNDLE).encode()) == "stix"


def test_stix_2_0_observed_data_and_bare_indicator() -> None:
    observed = {
        "type": "observed-data",
        "id": "observed-data--1",
        "objects": {
            "0": {"type": "ipv4-addr", "value": "203.0.113.99"},
            "1": {"type": "email-addr", "value": "spoof@fake-bank.com"},
        },
    }
    bundle = {
        "type": "bundle",
        "spec_version": "2.0",
        "objects": [
            observed,
            {
                "type": "indicator",
                "id": "indicator--20",
                "labels": ["malicious-activity"],
                "pattern": "[domain-name:value = 'fake-bank.com']",
                "valid_from": "2017-01-01T00:00:00Z",
            },
        ],
    }
    records, _ = read(bundle, "stix")
    assert values(records) == [
        ("ip", "203.0.113.99"),
        ("email", "spoof@fake-bank.com"),
        ("domain", "fake-bank.com"),
    ]
    single = {"type": "indicator", "pattern": "[url:value = 'https://a-evil.com/x']"}
    assert values(read(single, "stix")[0]) == [("url", "https://a-evil.com/x")]


def test_stix_wrong_format_and_empty_bundle() -> None:
    with pytest.raises(FeedError, match="not a STIX bundle"):
        read({"hello": "world"}, "stix")
    with pytest.raises(FeedError, match="holds no indicators"):
        read({"type": "bundle", "objects": []}, "stix")


def test_pattern_values_operators() -> None:
    assert pattern_values("[domain-name:value IN ('a-evil.com', 'b-evil.com')]") == [
        ("domain", "a-evil.com"),
        ("domain", "b-evil.com"),
    ]
    assert pattern_values("[ipv4-addr:value ISSUBSET '10.0.0.0/8']") == [("ip", "10.0.0.0/8")]
    assert pattern_values("[url:value != 'https://x.com/'] OR [url:value MATCHES '^x']") == []
    assert pattern_values("[url:value NOT = 'https://x.com/']") == []
    assert pattern_values("[x-custom:value = 'y']") == []
    with pytest.raises(PatternError):
        pattern_values("[url:value = 'unterminated]")


def test_string_literals_unescape() -> None:
    assert list(string_literals("'it\\'s a \\\\ test'")) == ["it's a \\ test"]
    assert list(string_literals("('a','b' , 'c')")) == ["a", "b", "c"]
    assert list(string_literals("42")) == []
