"""lookalike.*: look-alike domains of the organisation and of brands."""

from __future__ import annotations

import pytest

from phishloop.core.classify import impostors
from phishloop.core.classify.homoglyphs import domain_skeleton, skeleton


def test_skeletons() -> None:
    assert skeleton("раураl") == "paypal"  # Cyrillic р, а, у
    assert skeleton("Crédit") == "credit"
    assert domain_skeleton("paypa1") == "paypal"
    assert domain_skeleton("rnicrosoft") == "microsoft"


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("xn--pypal-4ve.com", "homoglyph"),  # pаypal.com, Cyrillic а
        ("paypa1.com", "homoglyph"),
        ("rnicrosoft.com", "homoglyph"),
        ("xn--pple-43d.com", "homoglyph"),  # аpple.com: an ordinary word, but a swap
        ("micorsoft.com", "typo"),
        ("linkedln.com", "typo"),
        ("paypal-secure-login.com", "combo"),
        ("microsoftsupport.net", "combo"),
        ("apple-id-verify.com", "combo"),
        ("dhl-express-tracking.com", "combo"),
        ("paypal.com.evil.net", "subdomain"),
        ("login.microsoftonline.com.xyz.ru", "subdomain"),
        ("paypal.evil.net", "label"),
        ("paypal.help", "tld"),
    ],
)
def test_brand_lookalikes(host: str, kind: str) -> None:
    found = impostors._brand_index(()).match(host)
    assert found is not None and found.kind == kind, found


@pytest.mark.parametrize(
    "host",
    [
        "paypal.com", "www.paypal.de", "mail.google.com", "sparkasse-hannover.de", "gmail.com",
        "mail.com", "pineapple.com", "live-chat.com", "office-supplies.com", "yahoo.com.au",
        "revolution-os.com", "tenant.onmicrosoft.com", "example.com", "kernel.googlesource.com",
    ],
)  # fmt: skip
def test_not_lookalikes(host: str) -> None:
    assert impostors._brand_index(()).match(host) is None


def test_sender_lookalike_of_the_organisation(mail, hits) -> None:
    for sender in (
        "it@c0ntoso.com",
        "it@contosso.com",
        "it@contoso-helpdesk.com",
        "it@contoso.com.evil.io",
    ):
        found = hits(mail(f"IT <{sender}>"))
        assert "lookalike.sender-organisation" in found, sender
    assert "lookalike.sender-organisation" not in hits(mail("IT <it@contoso.com>"))
    assert "lookalike.sender-organisation" not in hits(mail("IT <it@mail.contoso.de>"))


def test_sender_lookalike_of_a_brand(mail, hits) -> None:
    found = hits(mail("Service <service@paypa1.com>"))
    assert found["lookalike.sender-brand"].weight == 4.0
    assert "lookalike.sender-brand" not in hits(mail("Service <service@paypal.com>"))


def test_reply_to_lookalike(mail, hits) -> None:
    found = hits(mail("Bob <bob@example.org>", reply_to="finance@contoso-finance.com"))
    assert "contoso" in found["lookalike.reply-to"].evidence
    assert "lookalike.reply-to" not in hits(mail("Bob <bob@example.org>", reply_to="b@example.net"))


def test_link_lookalikes(mail, hits) -> None:
    html = (
        '<a href="https://micros0ft-login.com/owa">Sign in</a> <a href="https://contoso.co/x">x</a>'
    )
    found = hits(mail(html=html))
    assert "lookalike.url-brand" in found and "lookalike.url-organisation" in found
    fine = '<a href="https://login.microsoftonline.com/">Sign in</a> <a href="https://contoso.com/">x</a>'
    found = hits(mail(html=fine))
    assert "lookalike.url-brand" not in found and "lookalike.url-organisation" not in found


def test_mixed_script_idn(mail, hits) -> None:
    found = hits(mail(html='<a href="https://xn--exmple-4nf.com/">open</a>'))  # exаmple.com
    assert "lookalike.mixed-script" in found
    html = '<a href="https://xn--mller-kva.de/">open</a>'  # müller.de: a real IDN
    assert "lookalike.mixed-script" not in hits(mail(html=html))


def test_without_organisation_domains_only_brands_count(mail, hits, cfg) -> None:
    found = hits(mail("IT <it@c0ntoso.com>"), cfg(organisation={}))
    assert "lookalike.sender-organisation" not in found
