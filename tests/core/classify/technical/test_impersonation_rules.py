"""impersonation.*: VIPs, the organisation and brands named in display names."""

from __future__ import annotations

import pytest

from phishloop.core.classify.vips import matching_vip

VIPS = ("Jane Doe (CEO)", "François Müller")


@pytest.mark.parametrize(
    "shown",
    ["Jane Doe", "JANE DOE", "Doe, Jane", "Jane Doe (CEO)", "Jane Doé", "Jаne Doe", "CEO Jane Doe"],
)
def test_vip_name_variants(shown: str) -> None:
    assert matching_vip(shown, VIPS) == "Jane Doe (CEO)"


@pytest.mark.parametrize("shown", ["Francois Muller", "francois mueller", "François Müler"])
def test_vip_accents_and_typos(shown: str) -> None:
    assert matching_vip(shown, VIPS) == "François Müller"


@pytest.mark.parametrize("shown", ["Jane", "John Doe", "Jane Smith", "Doe Industries"])
def test_not_a_vip(shown: str) -> None:
    assert matching_vip(shown, VIPS) is None


def test_vip_from_outside(mail, hits, cfg) -> None:
    found = hits(mail("Jane Doe <jane.doe.ceo@gmail.com>", subject="Quick task"))
    assert found["impersonation.vip"].signal == "bec"
    assert "impersonation.vip" not in hits(mail("Jane Doe <jane@contoso.com>"))
    no_domains = cfg(organisation={"vip_names": ["Jane Doe"]})
    assert "impersonation.vip" not in hits(mail("Jane Doe <jd@gmail.com>"), no_domains)


def test_organisation_named_from_outside(mail, hits) -> None:
    found = hits(mail("Contoso IT Helpdesk <it@helpdesk-portal.example>"))
    assert "impersonation.organisation-name" in found
    assert "impersonation.organisation-name" not in hits(mail("Contoso IT <it@contoso.de>"))
    assert "impersonation.organisation-name" not in hits(mail("Acme IT <it@acme.example>"))


def test_brand_display_name(mail, hits) -> None:
    html = '<p>Confirm <a href="https://verify.example/login">here</a></p>'
    found = hits(mail("PayPal Service <notice@secure-mail.net>", html=html))
    assert found["impersonation.brand-name"].weight == 2.5
    assert "PayPal" in found["impersonation.brand-name"].evidence


def test_brand_display_name_without_links_is_weaker(mail, hits) -> None:
    found = hits(mail("Microsoft 365 <alerts@tenant-alerts.net>"))
    assert found["impersonation.brand-name"].weight < 2.0


def test_brand_display_name_from_the_brand_is_fine(mail, hits) -> None:
    for sender in (
        "PayPal <service@paypal.de>",
        "Microsoft account team <account-security-noreply@accountprotection.microsoft.com>",
        "Jane via LinkedIn <messages-noreply@linkedin.com>",
        "Chase Miller <chase@miller.example>",
    ):
        assert "impersonation.brand-name" not in hits(mail(sender)), sender


def test_extra_brand_from_configuration(mail, hits, cfg) -> None:
    extra = cfg(rules={"brands": ["Globex=globex.com"]})
    assert "impersonation.brand-name" in hits(mail("Globex Billing <b@invoices.net>"), extra)
    assert "impersonation.brand-name" not in hits(mail("Globex <b@globex.com>"), extra)
