"""Matching semantics: which listed values a message indicator hits, and how."""

from __future__ import annotations

import pytest

from phishloop.core.enrich import (
    AllowPolicy,
    IndicatorLookup,
    IntelRecord,
    MemoryIntel,
    collapse_matches,
    lookup_keys,
    parse_value,
)
from phishloop.core.enrich.lookup import CombinedLookup, NoIntel
from phishloop.core.model import Indicator, IntelMatch


def record(value: str, category: str | None = "phishing", source: str = "feed") -> IntelRecord:
    indicator = parse_value(value)
    assert indicator is not None, value
    return IntelRecord(indicator, source, category)


def hits(intel: MemoryIntel, value: str) -> list[tuple[str, str]]:
    indicator = parse_value(value)
    assert indicator is not None, value
    return [(m.matched.value, m.match) for m in intel.lookup([indicator])]


def test_url_exact_other_scheme_and_without_query() -> None:
    intel = MemoryIntel(
        [record("http://evil-site.net/login.php"), record("https://evil-site.net/pay?id=7")]
    )
    assert hits(intel, "http://EVIL-site.net:80/login.php") == [
        ("http://evil-site.net/login.php", "exact")
    ]
    assert hits(intel, "https://evil-site.net/login.php") == [
        ("http://evil-site.net/login.php", "url-other-scheme")
    ]
    assert hits(intel, "http://evil-site.net/login.php?user=a#frag") == [
        ("http://evil-site.net/login.php", "url-without-query")
    ]
    # a listed URL with a query never matches the bare URL or another query
    assert hits(intel, "https://evil-site.net/pay") == []
    assert hits(intel, "https://evil-site.net/pay?id=8") == []


def test_url_host_and_parent_domains() -> None:
    intel = MemoryIntel([record("evil.co.uk"), record("cdn.shop.example.org")])
    assert hits(intel, "https://a.b.evil.co.uk/x") == [("evil.co.uk", "parent-domain")]
    assert hits(intel, "https://evil.co.uk/x") == [("evil.co.uk", "host")]
    assert hits(intel, "https://cdn.shop.example.org/") == [("cdn.shop.example.org", "host")]
    # a listed subdomain says nothing about its parent or siblings
    assert hits(intel, "shop.example.org") == []
    assert hits(intel, "img.shop.example.org") == []


def test_parents_stop_at_the_registered_domain() -> None:
    keys = lookup_keys(Indicator("domain", "a.b.evil.co.uk"))
    assert [(k.value, k.match) for k in keys] == [
        ("a.b.evil.co.uk", "exact"),
        ("b.evil.co.uk", "parent-domain"),
        ("evil.co.uk", "parent-domain"),
    ]
    # a private PSL suffix is a floor too: one github.io page never matches another
    assert [k.value for k in lookup_keys(Indicator("domain", "x.y.github.io"))] == [
        "x.y.github.io",
        "y.github.io",
    ]


def test_bare_public_suffixes_are_never_listed_nor_matched() -> None:
    assert parse_value("co.uk") is None
    assert parse_value("github.io") is None
    # even a store that holds one (written by hand) never matches it
    intel = MemoryIntel(
        [
            IntelRecord(Indicator("domain", "co.uk"), "bad", "phishing"),
            IntelRecord(Indicator("domain", "github.io"), "bad", "phishing"),
        ]
    )
    assert hits(intel, "www.evil.co.uk") == []
    assert hits(intel, "https://victim.github.io/") == []
    assert lookup_keys(Indicator("domain", "co.uk")) == ()


def test_email_exact_then_domain() -> None:
    intel = MemoryIntel([record("ceo@evil-corp.example.com"), record("badmail.net")])
    assert hits(intel, "CEO@Evil-Corp.example.com") == [("ceo@evil-corp.example.com", "exact")]
    assert hits(intel, "anyone@badmail.net") == [("badmail.net", "email-domain")]
    assert hits(intel, "anyone@mx.badmail.net") == [("badmail.net", "parent-domain")]
    assert hits(intel, "other@evil-corp.example.com") == []


def test_ip_exact_and_cidr_v4_v6() -> None:
    intel = MemoryIntel(
        [
            record("198.51.100.0/24", "c2"),
            record("203.0.113.9", "spam"),
            record("2001:db8:abcd::/48", "c2"),
            record("192.0.2.0/255.255.255.128"),
        ]
    )
    assert hits(intel, "198.51.100.200") == [("198.51.100.0/24", "cidr")]
    assert hits(intel, "198.51.101.1") == []
    assert hits(intel, "203.0.113.9") == [("203.0.113.9", "exact")]
    assert hits(intel, "2001:DB8:ABCD:1::5") == [("2001:db8:abcd::/48", "cidr")]
    assert hits(intel, "2001:db8:abce::1") == []
    assert hits(intel, "192.0.2.127") == [("192.0.2.0/25", "cidr")]
    assert hits(intel, "192.0.2.128") == []
    assert hits(intel, "http://198.51.100.7:8080/a") == [("198.51.100.0/24", "cidr")]
    assert hits(intel, "http://203.0.113.9/") == [("203.0.113.9", "host")]


def test_single_address_networks_are_plain_addresses() -> None:
    assert parse_value("203.0.113.9/32") == Indicator("ip", "203.0.113.9")
    assert parse_value("10.1.2.3/8") == Indicator("ip", "10.0.0.0/8")
    assert parse_value("2001:db8::1/128") == Indicator("ip", "2001:db8::1")


def test_hashes_exact() -> None:
    sha = "A" * 64
    intel = MemoryIntel([record(sha, "malware"), record("d41d8cd98f00b204e9800998ecf8427e")])
    assert hits(intel, sha.lower()) == [("a" * 64, "exact")]
    assert hits(intel, "D41D8CD98F00B204E9800998ECF8427E") == [
        ("d41d8cd98f00b204e9800998ecf8427e", "exact")
    ]
    assert hits(intel, "b" * 64) == []


def test_allow_record_trusts_a_zone_but_not_listed_urls() -> None:
    intel = MemoryIntel(
        [
            record("docs.example-cloud.com"),
            record("https://docs.example-cloud.com/forms/d/e/phish/viewform"),
            record("example-cloud.com", "allow", source="local-allow"),
        ]
    )
    assert hits(intel, "docs.example-cloud.com") == []
    assert hits(intel, "https://docs.example-cloud.com/other") == []
    assert hits(intel, "https://docs.example-cloud.com/forms/d/e/phish/viewform") == [
        ("https://docs.example-cloud.com/forms/d/e/phish/viewform", "exact")
    ]


def test_allow_records_for_ips_addresses_and_hashes() -> None:
    intel = MemoryIntel(
        [
            record("10.0.0.0/8", "c2"),
            record("10.1.0.0/16", "benign"),
            record("boss@partner-firm.net"),
            record("partner-firm.net"),
            record("boss@partner-firm.net", "allow"),
            record("a" * 64, "malware"),
            record("a" * 64, "allow", source="analyst"),
        ]
    )
    assert hits(intel, "10.1.2.3") == []
    assert hits(intel, "10.2.0.1") == [("10.0.0.0/8", "cidr")]
    assert hits(intel, "boss@partner-firm.net") == []  # the address and its domain
    assert hits(intel, "other@partner-firm.net") == [("partner-firm.net", "email-domain")]
    assert hits(intel, "a" * 64) == []


def test_allow_records_never_appear_as_matches() -> None:
    intel = MemoryIntel([record("good-site.com", "allow")])
    assert hits(intel, "good-site.com") == []


def test_shared_parents_are_no_match_target_but_tenants_are() -> None:
    policy = AllowPolicy(shared_parents=frozenset({"sharepoint.com"}))
    intel = MemoryIntel([record("sharepoint.com"), record("evil-my.sharepoint.com")], policy=policy)
    assert hits(intel, "https://contoso.sharepoint.com/sites/x") == []
    assert hits(intel, "sharepoint.com") == []
    assert hits(intel, "https://evil-my.sharepoint.com/x") == [("evil-my.sharepoint.com", "host")]
    # without the policy the parent would flag every tenant
    plain = MemoryIntel([record("sharepoint.com")], policy=AllowPolicy())
    assert hits(plain, "https://contoso.sharepoint.com/") == [("sharepoint.com", "parent-domain")]


def test_default_policy_ships_shared_parents() -> None:
    intel = MemoryIntel([record("google.com"), record("https://sites.google.com/view/phish")])
    assert hits(intel, "https://sites.google.com/view/phish") == [
        ("https://sites.google.com/view/phish", "exact")
    ]
    assert hits(intel, "https://docs.google.com/document/d/1") == []


def test_allow_domains_in_the_policy() -> None:
    policy = AllowPolicy(allow_domains=frozenset({"corp-internal.com"}))
    intel = MemoryIntel(
        [record("corp-internal.com"), record("mail.corp-internal.com")], policy=policy
    )
    assert hits(intel, "mail.corp-internal.com") == []
    assert hits(intel, "someone@corp-internal.com") == []


def test_expired_records_are_ignored_when_now_is_given() -> None:
    old = IntelRecord(
        Indicator("domain", "old-site.com"), "f", "phishing", expires="2020-01-01T00:00:00Z"
    )
    fresh = IntelRecord(
        Indicator("domain", "new-site.com"), "f", "phishing", expires="2999-01-01T00:00:00Z"
    )
    intel = MemoryIntel([old, fresh], now="2024-06-01T00:00:00Z")
    assert hits(intel, "old-site.com") == []
    assert hits(intel, "new-site.com") == [("new-site.com", "exact")]
    assert hits(MemoryIntel([old]), "old-site.com") == [("old-site.com", "exact")]


def test_match_carries_record_details_and_each_source() -> None:
    listed = Indicator("domain", "evil-site.com")
    intel = MemoryIntel(
        [
            IntelRecord(listed, "urlhaus", "malware", 0.9, "https://ref/1", "2024-01-02T00:00:00Z"),
            IntelRecord(listed, "local", "phishing"),
        ]
    )
    matches = intel.lookup([Indicator("url", "https://evil-site.com/a")])
    assert {m.source for m in matches} == {"urlhaus", "local"}
    first = next(m for m in matches if m.source == "urlhaus")
    assert first == IntelMatch(
        Indicator("url", "https://evil-site.com/a"),
        listed,
        "host",
        "urlhaus",
        "malware",
        0.9,
        "https://ref/1",
        "2024-01-02T00:00:00Z",
    )


def test_collapse_keeps_the_most_specific_match_per_entry() -> None:
    intel = MemoryIntel([record("evil-site.com")])
    indicators = [
        Indicator("url", "https://www.evil-site.com/a"),
        Indicator("domain", "www.evil-site.com"),
        Indicator("domain", "evil-site.com"),
    ]
    matches = intel.lookup(indicators)
    assert len(matches) == 3
    collapsed = collapse_matches(matches)
    assert [(m.indicator.value, m.match) for m in collapsed] == [("evil-site.com", "exact")]


def test_lookups_satisfy_the_protocol_and_combine() -> None:
    first = MemoryIntel([record("a-evil.com")])
    second = MemoryIntel([record("b-evil.com")])
    assert isinstance(first, IndicatorLookup)
    assert isinstance(NoIntel(), IndicatorLookup)
    both = CombinedLookup(first, NoIntel(), second)
    found = both.lookup([Indicator("domain", "a-evil.com"), Indicator("domain", "b-evil.com")])
    assert [m.matched.value for m in found] == ["a-evil.com", "b-evil.com"]
    assert NoIntel().lookup([Indicator("domain", "a-evil.com")]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hxxps://evil[.]example/a", Indicator("url", "https://evil.example/a")),
        ("bad[at]evil[.]com", Indicator("email", "bad@evil.com")),
        ("  EVIL-Site.COM. ", Indicator("domain", "evil-site.com")),
        ("not an indicator", None),
        ("999.1.1.1/8", None),
        ("", None),
    ],
)
def test_parse_value(text: str, expected: Indicator | None) -> None:
    assert parse_value(text) == expected


def test_parse_value_with_forced_kind() -> None:
    assert parse_value("evil-site.com", "url") is None
    assert parse_value("198.51.100.0/24", "ip") == Indicator("ip", "198.51.100.0/24")
    assert parse_value("d41d8cd98f00b204e9800998ecf8427e", "sha1") is None


def test_one_record_per_value_and_source_the_later_winning() -> None:
    listed = Indicator("domain", "evil-site.com")
    intel = MemoryIntel(
        [
            IntelRecord(listed, "feed", "spam"),
            IntelRecord(listed, "feed", "phishing"),
            IntelRecord(listed, "other", "malware"),
        ]
    )
    assert len(intel) == 2
    found = intel.lookup([listed])
    assert [(m.source, m.category) for m in found] == [("feed", "phishing"), ("other", "malware")]
