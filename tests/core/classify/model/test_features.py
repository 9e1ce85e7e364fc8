"""What the model sees: words and pairs, never headers, URLs or era artefacts."""

from __future__ import annotations

from collections.abc import Callable

from phishloop.core.classify.learn.features import body_terms, extract, subject_terms, tokens
from phishloop.core.model import Analysis

Analyse = Callable[..., Analysis]


def test_tokens_fold_numbers_and_drop_urls_and_addresses() -> None:
    words = tokens("Visit https://evil.example/login?id=2002 or mail bob@example.com by 2025!")
    assert words == ["visit", "or", "mail", "by", "#"]


def test_body_terms_keep_content_words_and_pairs_but_not_function_words() -> None:
    terms = body_terms("Please verify your account today")
    assert {"verify", "account", "verify your", "your account", "please verify"} <= terms
    assert "your" not in terms  # a function word alone is genre, not intent


def test_external_sender_banner_is_ignored() -> None:
    banner = (
        "CAUTION: This email originated from outside of the organization. Do not click links "
        "or open attachments unless you recognize the sender.\nHello Anna, lunch at noon?"
    )
    assert "click" not in body_terms(banner)
    assert "lunch" in body_terms(banner)


def test_subject_reply_markers_are_ignored() -> None:
    assert subject_terms("RE: FW: Invoice overdue") == {"invoice", "overdue"}


def test_headers_and_dates_do_not_change_the_features(analysed: Analyse) -> None:
    old = {"Date": "Tue, 13 Aug 2002 10:00:00 +0100", "X-Mailer": "Microsoft Outlook Express 6"}
    new = {
        "Date": "Tue, 13 Jan 2026 10:00:00 +0000",
        "DKIM-Signature": "v=1; a=rsa-sha256; d=example.org; s=selector1; b=abc",
        "ARC-Seal": "i=1; a=rsa-sha256; d=microsoft.com; cv=none; b=abc",
        "Authentication-Results": "mx.microsoft.com; dkim=pass; dmarc=pass",
        "X-MS-Exchange-Organization-SCL": "1",
    }
    body = "Shall we meet at noon?"
    assert extract(analysed("Lunch", body, headers=old)) == extract(
        analysed("Lunch", body, headers=new)
    )


def test_structure_reports_forms_and_link_density(analysed: Analyse) -> None:
    html = (
        '<p>Sign in</p><form action="https://x.example/p"><input type="password"></form>'
        '<a href="https://a.example/">a</a>'
    )
    structure = dict(extract(analysed("Sign in", "Sign in", html)).structure)
    assert structure["html-form"] == 1.0
    assert structure["html-password"] == 1.0
    assert structure["links-per-word"] > 0
    assert "html-form" not in dict(extract(analysed("Hi", "Just text")).structure)
