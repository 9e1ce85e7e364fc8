"""Rules: QR-code lures — a link decoded from a QR code (`UrlRecord.sources` has "qr"),
with wording that asks to scan it, an MFA or credential pretext, hardly any other text, or
a destination unrelated to the sender (data/lexicon/qr.toml).
"""

from __future__ import annotations

from phishloop.core.classify.content import body, find, quoted, web_urls
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.model import UrlRecord

FAMILY = "qr"
SHORT_BODY = 200  # characters of normalised body text: "image-only" below this


def qr_urls(facts: Facts) -> tuple[UrlRecord, ...]:
    return facts.memo("qr:urls", lambda f: tuple(u for u in web_urls(f) if "qr" in u.sources))


def scan_lure(facts: Facts) -> Finding | None:
    urls = qr_urls(facts)
    wording = find(facts, FAMILY, "scan") if urls else ()
    if not wording:
        return None
    return Finding(f"QR code to {urls[0].host} with {quoted(wording, 1)}")


def credential_pretext(facts: Facts) -> Finding | None:
    urls = qr_urls(facts)
    wording = (find(facts, FAMILY, "mfa") + find(facts, "language", "credential")) if urls else ()
    if not wording:
        return None
    return Finding(f"QR code to {urls[0].host} with credential pretext {quoted(wording, 2)}")


def image_only(facts: Facts) -> Finding | None:
    urls = qr_urls(facts)
    if not urls or len(body(facts)) >= SHORT_BODY:
        return None
    return Finding(f"QR code to {urls[0].host} and only {len(body(facts))} characters of text")


def unrelated_domain(facts: Facts) -> Finding | None:
    sender = facts.sender_registered_domain
    for url in qr_urls(facts):
        domain = url.registered_domain or url.host
        if domain and domain != sender:
            return Finding(f"QR code leads to {domain}, not the sender's {sender or 'domain'}")
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "qr.scan-lure",
        "phish",
        2.5,
        "A QR code carries a link and the text asks the reader to scan it.",
        scan_lure,
    ),
    Rule(
        "qr.credential-pretext",
        "phish",
        2.0,
        "A QR code link next to MFA, re-authentication or account-verification wording.",
        credential_pretext,
    ),
    Rule(
        "qr.image-only",
        "phish",
        1.5,
        "A QR code link in a message with almost no text (the lure is in the image).",
        image_only,
    ),
    Rule(
        "qr.unrelated-domain",
        "phish",
        1.0,
        "A QR code leads to a domain unrelated to the sender's.",
        unrelated_domain,
    ),
)
