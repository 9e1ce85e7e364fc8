"""intel.* (threat-intelligence matches) and lists.* (the organisation's lists)."""

from __future__ import annotations

from phishloop.core.model import Indicator, IntelMatch


def match(category: str | None, kind: str = "exact", confidence: float | None = None) -> IntelMatch:
    url = Indicator("url", "https://evil.example.net/login")
    matched = url if kind == "exact" else Indicator("domain", "example.net")
    return IntelMatch(url, matched, kind, "feed", category, confidence)


def test_intel_categories(mail, hits) -> None:
    raw = mail()
    assert hits(raw, intel=(match("phishing"),))["intel.phishing"].weight == 6.5
    assert hits(raw, intel=(match("c2"),))["intel.malware"].signal == "malware"
    assert hits(raw, intel=(match("spam"),))["intel.spam"].signal == "spam"
    assert hits(raw, intel=(match(None),))["intel.listed"].weight < 4
    assert not {name for name in hits(raw) if name.startswith("intel.")}


def test_intel_match_kind_and_confidence_weigh(mail, hits) -> None:
    raw = mail()
    exact = hits(raw, intel=(match("phishing"),))["intel.phishing"]
    parent = hits(raw, intel=(match("phishing", "parent-domain"),))["intel.phishing"]
    unsure = hits(raw, intel=(match("phishing", confidence=0.2),))["intel.phishing"]
    assert exact.weight > parent.weight > 3
    assert exact.weight > unsure.weight
    assert "via example.net" in parent.evidence


def test_blocked_sender_and_urls(mail, hits, cfg) -> None:
    lists = cfg(lists={"block_senders": ["badvendor.com", "eve@example.org"],
                       "block_url_domains": ["evil.example.net"],
                       "block_urls": ["https://docs.example.com/forms/abc"]})  # fmt: skip
    assert "lists.blocked-sender" in hits(mail("X <x@mail.badvendor.com>"), lists)
    assert "lists.blocked-sender" in hits(mail("Eve <EVE@example.org>"), lists)
    assert "lists.blocked-sender" not in hits(mail("Bob <bob@example.org>"), lists)
    assert "lists.blocked-url" in hits(mail(text="see https://a.evil.example.net/x\n"), lists)
    assert "lists.blocked-url" in hits(
        mail(text="https://docs.example.com/forms/abc?id=1\n"), lists
    )
    assert "lists.blocked-url" not in hits(mail(text="https://docs.example.com/forms/xyz\n"), lists)


def test_allowed_sender_needs_authentication(mail, hits, cfg) -> None:
    lists = cfg(lists={"allow_senders": ["partner.com"]})
    auth = [("Authentication-Results", "mx.contoso.com; dmarc=pass header.from=partner.com")]
    found = hits(mail("P <p@partner.com>", headers=auth), lists)
    assert found["lists.allowed-sender"].signal == "legit"
    assert "lists.allowed-sender" not in hits(mail("P <p@partner.com>"), lists)
    forged = [("Authentication-Results", "mx.partner.com; dmarc=pass header.from=partner.com")]
    assert "lists.allowed-sender" not in hits(mail("P <p@partner.com>", headers=forged), lists)
