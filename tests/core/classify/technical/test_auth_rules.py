"""auth.*: only results from our own authserv-id count."""

from __future__ import annotations

TRUSTED = "mx.contoso.com"


def results(
    dmarc: str,
    spf: str = "pass",
    dkim: str = "pass",
    server: str = TRUSTED,
    domain: str = "example.org",
) -> list[tuple[str, str]]:
    value = (
        f"{server}; dkim={dkim} header.d={domain}; spf={spf} smtp.mailfrom={domain}; "
        f"dmarc={dmarc} header.from={domain}"
    )
    return [("Authentication-Results", value)]


def test_dmarc_fail_for_a_brand_is_strong(mail, hits) -> None:
    raw = mail(
        "PayPal <service@paypal.com>", headers=results("fail", "fail", "fail", domain="paypal.com")
    )
    found = hits(raw)
    assert found["auth.dmarc-fail"].weight == 3.0
    assert "PayPal" in found["auth.dmarc-fail"].evidence
    assert "auth.spf-fail" in found and "auth.dkim-fail" in found


def test_dmarc_fail_for_an_unknown_domain_is_weak(mail, hits) -> None:
    found = hits(mail(headers=results("fail", "softfail", "none")))
    assert 0 < found["auth.dmarc-fail"].weight < 1.5
    assert found["auth.spf-fail"].weight == 0.5  # softfail


def test_untrusted_results_never_count(mail, hits) -> None:
    headers = results("fail", "fail", "fail", server="mx.evil.example", domain="paypal.com")
    found = hits(mail("PayPal <service@paypal.com>", headers=headers))
    assert not {name for name in found if name.startswith("auth.")}


def test_passing_dmarc_fires_nothing_and_excuses_spf(mail, hits) -> None:
    found = hits(mail(headers=results("pass", spf="fail")))
    assert not {name for name in found if name.startswith("auth.")}


def test_our_own_domain_unauthenticated_is_spoofing(mail, hits) -> None:
    headers = results("none", "none", "none", domain="contoso.com")
    found = hits(mail("IT Desk <it@contoso.com>", headers=headers))
    assert "auth.own-domain-spoof" in found
    assert "auth.internal-authenticated" not in found


def test_our_own_domain_authenticated_is_a_modest_legit_hit(mail, hits) -> None:
    found = hits(mail("Jane Doe <jane@contoso.com>", headers=results("pass", domain="contoso.com")))
    assert "auth.own-domain-spoof" not in found
    assert found["auth.internal-authenticated"].signal == "legit"
    assert found["auth.internal-authenticated"].weight <= 1.5


def test_own_domain_with_aligned_spf_is_not_spoofing(mail, hits) -> None:
    headers = results("none", "pass", "none", domain="contoso.com")
    assert "auth.own-domain-spoof" not in hits(mail("Jane <jane@contoso.com>", headers=headers))


def test_own_domain_without_any_trusted_result_is_not_judged(mail, hits, cfg) -> None:
    raw = mail("IT Desk <it@contoso.com>")
    assert "auth.own-domain-spoof" not in hits(raw)
    assert "auth.own-domain-spoof" not in hits(raw, cfg(organisation={"domains": ["contoso.com"]}))
