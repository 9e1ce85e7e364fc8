"""Simulation recognition: a vendor's markers make a `simulation` only with a proven origin;
a marker without one is a phishing sign, never a simulation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from phishloop.core.classify.mailing_services import mailing_services
from phishloop.core.classify.rules.simulation import RULES
from phishloop.core.classify.simulation_vendors import shipped_vendors
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.errors import ConfigError

Message = Callable[..., bytes]
OUR_MX = AnalysisConfig.from_mapping({"organisation": {"authserv_ids": ["mx.corp.example"]}})
LURE = "IT Service Desk <it-desk@lure-bank.com>"


def auth_results(spf: str, mailfrom: str, ip: str, extra: str = "") -> tuple[str, str]:
    verb = "designates" if spf == "pass" else "does not designate"
    return (
        "Authentication-Results",
        f"mx.corp.example; spf={spf} (mx.corp.example: domain of {mailfrom} {verb} {ip} as"
        f" permitted sender) smtp.mailfrom={mailfrom}{extra}",
    )


def received(host: str, ip: str) -> tuple[str, str]:
    return (
        "Received",
        f"from {host} ({host} [{ip}]) by mx.corp.example with ESMTPS id 4Q1;"
        " Tue, 04 Mar 2025 10:00:01 +0000",
    )


def knowbe4(spf: str = "pass", ip: str = "23.21.109.197") -> list[tuple[str, str]]:
    return [
        auth_results(spf, "return@psm.knowbe4.com", ip, "; dmarc=fail header.from=lure-bank.com"),
        received("psm.knowbe4.com", ip),
        ("Return-Path", "<return@psm.knowbe4.com>"),
        ("X-PHISHTEST", "This is a phishing security test from KnowBe4"),
    ]


def config(**simulation: list[str]) -> AnalysisConfig:
    return AnalysisConfig.from_mapping(
        {"organisation": {"authserv_ids": ["mx.corp.example"]}, "simulation": simulation}
    )


def test_vendor_proven_by_spf_pass_at_our_receiver(message: Message, fire) -> None:
    hits = fire(message(knowbe4(), sender=LURE), RULES, OUR_MX)
    assert set(hits) == {"simulation.vendor"}
    assert "KnowBe4" in hits["simulation.vendor"]
    assert "SPF pass for psm.knowbe4.com at mx.corp.example" in hits["simulation.vendor"]


def test_same_message_is_no_simulation_without_trusted_authserv_id(message: Message, fire) -> None:
    hits = fire(message(knowbe4(), sender=LURE), RULES, DEFAULT_CONFIG)
    assert set(hits) == {"simulation.untrusted-marker"}


@pytest.mark.parametrize(
    "cfg",
    [
        OUR_MX,
        config(vendors=["knowbe4"], trusted_ranges=["23.21.109.197/32", "147.160.167.0/26"]),
        config(sending_domains=["psm.knowbe4.com"], headers=["X-PHISHTEST"]),
    ],
)
def test_spoofed_vendor_envelope_is_never_a_simulation(message: Message, fire, cfg) -> None:
    hits = fire(message(knowbe4(spf="fail", ip="45.92.111.234"), sender=LURE), RULES, cfg)
    assert "simulation.vendor" not in hits
    assert "simulation.own" not in hits
    assert "without a trusted origin" in hits["simulation.untrusted-marker"]


def test_training_header_on_an_attackers_authenticated_domain(message: Message, fire) -> None:
    headers = [
        (
            "Authentication-Results",
            "mx.corp.example; spf=pass smtp.mailfrom=a@evil.example.com;"
            " dkim=pass header.d=evil.example.com; dmarc=pass header.from=evil.example.com",
        ),
        received("mail.evil.example.com", "185.12.64.10"),
        ("X-PHISHTEST", "KnowBe4"),
    ]
    hits = fire(message(headers, sender="Payroll <payroll@evil.example.com>"), RULES, OUR_MX)
    assert set(hits) == {"simulation.untrusted-marker"}


def test_vendor_proven_by_client_ip_in_its_documented_range(message: Message, fire) -> None:
    headers = [
        auth_results("pass", "bounce@lure-bank.com", "64.191.166.196"),
        received("mta.lure-bank.com", "64.191.166.196"),
        ("X-PHISHTEST", "PhishingBox"),
    ]
    hits = fire(message(headers, sender=LURE), RULES, OUR_MX)
    assert "client 64.191.166.196 (in 64.191.166.196/32) recorded" in hits["simulation.vendor"]


def test_forged_lower_results_with_our_id_do_not_count(message: Message, fire) -> None:
    headers = [
        auth_results("fail", "bounce@lure-bank.com", "185.12.64.10"),
        received("mta.lure-bank.com", "185.12.64.10"),
        auth_results("pass", "bounce@lure-bank.com", "64.191.166.196"),  # the sender's own line
        ("X-PHISHTEST", "PhishingBox"),
    ]
    hits = fire(message(headers, sender=LURE), RULES, OUR_MX)
    assert set(hits) == {"simulation.untrusted-marker"}


def test_self_hosted_gophish_needs_our_own_range(message: Message, fire) -> None:
    headers = [received("phish.corp-training.example.com", "185.12.64.10"), ("X-Mailer", "gophish")]
    ours = AnalysisConfig.from_mapping({"simulation": {"trusted_ranges": ["185.12.64.0/28"]}})
    hits = fire(message(headers, sender=LURE), RULES, ours)
    assert "GoPhish" in hits["simulation.vendor"]
    assert "handed over by 185.12.64.10 (in 185.12.64.0/28)" in hits["simulation.vendor"]
    assert set(fire(message(headers, sender=LURE), RULES, OUR_MX)) == {
        "simulation.untrusted-marker"
    }


def test_only_the_hand_off_hop_counts_not_the_senders_lines(message: Message, fire) -> None:
    headers = [
        received("mail.evil.example.com", "91.200.12.7"),
        (
            "Received",
            "from gophish (gophish [185.12.64.10]) by mail.evil.example.com;"
            " Tue, 04 Mar 2025 09:59:00 +0000",
        ),
        ("X-Mailer", "gophish"),
    ]
    ours = AnalysisConfig.from_mapping({"simulation": {"trusted_ranges": ["185.12.64.0/28"]}})
    assert set(fire(message(headers, sender=LURE), RULES, ours)) == {"simulation.untrusted-marker"}


def test_own_simulation_domain_authenticated(message: Message, fire) -> None:
    headers = [
        (
            "Authentication-Results",
            "mx.corp.example; spf=pass smtp.mailfrom=b@drills.example.com;"
            " dkim=pass header.d=drills.example.com; dmarc=pass header.from=drills.example.com",
        ),
        received("out.drills.example.com", "185.12.64.20"),
    ]
    cfg = config(sending_domains=["drills.example.com"])
    hits = fire(message(headers, sender="HR <hr@drills.example.com>"), RULES, cfg)
    assert set(hits) == {"simulation.own"}
    assert "SPF pass for drills.example.com" in hits["simulation.own"]


def test_own_domain_without_authentication_is_a_spoof(message: Message, fire) -> None:
    headers = [auth_results("fail", "hr@drills.example.com", "91.200.12.7")]
    cfg = config(sending_domains=["drills.example.com"])
    hits = fire(message(headers, sender="HR <hr@drills.example.com>"), RULES, cfg)
    assert set(hits) == {"simulation.untrusted-marker"}


def test_own_header_marker_with_trusted_range(message: Message, fire) -> None:
    headers = [received("sim.vendor.example.com", "185.12.64.30"), ("X-Corp-Drill", "Q1-2025")]
    cfg = config(headers=["X-Corp-Drill: q1-"], trusted_ranges=["185.12.64.30/32"])
    assert set(fire(message(headers, sender=LURE), RULES, cfg)) == {"simulation.own"}
    wrong_value = config(headers=["X-Corp-Drill: q2-"], trusted_ranges=["185.12.64.30/32"])
    assert fire(message(headers, sender=LURE), RULES, wrong_value) == {}


def test_microsoft_simulation_links_are_a_marker_but_never_untrusted(
    message: Message, fire
) -> None:
    html = '<a href="https://www.bankmenia.com/login?id=1">Sign in</a>'
    headers = [received("sim.vendor.example.com", "185.12.64.30")]
    assert fire(message(headers, html=html, sender=LURE), RULES, OUR_MX) == {}
    ours = config(trusted_ranges=["185.12.64.30/32"])
    hits = fire(message(headers, html=html, sender=LURE), RULES, ours)
    assert "link to bankmenia.com" in hits["simulation.vendor"]


def test_disabled_vendor_is_ignored(message: Message, fire) -> None:
    cfg = config(vendors=["cofense"])
    assert fire(message(knowbe4(), sender=LURE), RULES, cfg) == {}


def test_unknown_vendor_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown simulation vendors \['knowbe'\]"):
        config(vendors=["knowbe"])
    with pytest.raises(ConfigError, match="trusted_ranges: not an IP range"):
        config(trusted_ranges=["10.0.0.300/8"])


def test_plain_mail_has_no_simulation_hits(message: Message, fire) -> None:
    assert fire(message([received("mail.example.org", "185.12.64.40")]), RULES, OUR_MX) == {}


def test_rules_are_documented() -> None:
    assert [rule.signal for rule in RULES] == ["simulation", "simulation", "phish"]
    assert all(rule.description.endswith(".") for rule in RULES)


def test_shipped_signatures_are_sourced_and_never_trust_shared_mail_services() -> None:
    vendors = shipped_vendors()
    assert {"knowbe4", "cofense", "proofpoint", "microsoft", "gophish"} <= {v.id for v in vendors}
    services = mailing_services()
    for vendor in vendors:
        assert vendor.name and vendor.source, vendor.id
        assert (
            vendor.headers
            or vendor.domains
            or vendor.marker_domains
            or vendor.link_domains
            or vendor.ranges
        ), vendor.id
        for domain in vendor.domains:  # proof domains must belong to the vendor alone
            assert services.domain_service(domain) is None, (vendor.id, domain)
        for network in vendor.ranges:
            assert network.is_global, (vendor.id, network)
