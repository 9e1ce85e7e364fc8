"""Anchor text that names another host than the link goes to."""

from __future__ import annotations

import pytest

from phishloop.core.urls.display import display_mismatch

SAFE_LINKS = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2F{}%2F&data=05"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://paypal.com/login", "https://evil-login.com/x"),
        ("www.paypal.com", "https://evil-login.com/"),
        ("paypal.com", "http://evil-login.com/"),
        ("PAYPAL.COM", "http://evil-login.com/"),
        (" <https://www.paypal.com/signin> ", "https://paypal.com.evil-login.com/"),
        ("https://accounts.google.com", "https://accounts.google.com.evil-login.com/"),
        ("Sign in at https://www.paypal.com now", "https://evil-login.com/"),
        ("www.bankofamerica.com", "http://192.0.2.7/boa/"),
        ("http://192.0.2.7/", "http://198.51.100.9/"),
        ("https://paypal.co.uk/", "https://paypal.co.evil-login.com/"),
        # The text itself is a rewritten link whose target is PayPal.
        (SAFE_LINKS.format("www.paypal.com"), "https://evil-login.com/"),
    ],
)
def test_mismatch(text: str, url: str) -> None:
    assert display_mismatch(text, url) is True


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Click here", "https://evil-login.com/"),
        ("Verify your account now", "https://evil-login.com/"),
        ("https://paypal.com/login", "https://www.paypal.com/signin"),  # same owner
        ("http://paypal.com", "https://paypal.com/"),  # http vs https
        ("www.paypal.com", "https://paypal.com/"),
        ("paypal.com", "https://id.paypal.com/x"),
        ("support@paypal.com", "https://evil-login.com/"),  # an address
        ("invoice.zip", "https://evil-login.com/"),  # a file name
        ("report.pdf", "https://evil-login.com/"),
        ("file.unknownsuffix", "https://evil-login.com/"),
        ("", "https://evil-login.com/"),
        ("www.paypal.com", "not a url"),
        ("paypal.com", SAFE_LINKS.format("paypal.com")),  # decoded before comparing
    ],
)
def test_no_mismatch(text: str, url: str) -> None:
    assert display_mismatch(text, url) is False
