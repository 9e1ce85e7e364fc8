"""Reporter feedback: every outcome in both languages, corrections, overrides, and the
safety rules (no header injection, nothing from the reported mail clickable)."""

from __future__ import annotations

import datetime
import email
import re
from email.headerregistry import Address
from email.policy import default

import pytest

from phishloop.core.errors import ConfigError
from phishloop.core.feedback import (
    FeedbackRequest,
    Outcome,
    TemplateSet,
    compose_feedback,
    defang,
    outcome_for,
    parse_template_document,
    render_feedback,
    safe_unsubscribe,
)

WHEN = datetime.datetime(2026, 3, 3, 14, 5, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=datetime.UTC)
HOSTILE = "Invoice https://evil.example/pay?x=1 <b>now</b> from paypal.com"


def _request(outcome: Outcome, language: str = "en", **fields: object) -> FeedbackRequest:
    base: dict[str, object] = {
        "subject": HOSTILE,
        "sender": "billing@evil.example",
        "reported_at": WHEN,
        "reporter_name": "Alice",
        "reference": "INC-42",
    }
    return FeedbackRequest(outcome, language, **(base | fields))  # type: ignore[arg-type]


EXPECTED = {
    ("en", Outcome.RECEIVED): "We received the message you reported",
    ("en", Outcome.MALICIOUS): "We have removed it from 37 mailboxes.",
    ("en", Outcome.SPAM): "is spam",
    ("en", Outcome.BULK): "marketing or bulk mail",
    ("en", Outcome.SIMULATION): "Well spotted!",
    ("en", Outcome.CLEAN): "found it safe",
    ("en", Outcome.UNDER_REVIEW): "still reviewing",
    ("de", Outcome.RECEIVED): "Wir haben die gemeldete Nachricht erhalten",
    ("de", Outcome.MALICIOUS): "Wir haben sie aus 37 Postfächern entfernt.",
    ("de", Outcome.SPAM): "ist Spam",
    ("de", Outcome.BULK): "Werbung oder eine Massenmail",
    ("de", Outcome.SIMULATION): "Gut erkannt!",
    ("de", Outcome.CLEAN): "unbedenklich",
    ("de", Outcome.UNDER_REVIEW): "prüft die gemeldete Nachricht noch",
}


@pytest.mark.parametrize(("language", "outcome"), list(EXPECTED))
def test_every_outcome_in_both_languages(language: str, outcome: Outcome) -> None:
    result = render_feedback(_request(outcome, language, removed_count=37))
    phrase = EXPECTED[(language, outcome)]
    assert phrase in result.text
    assert phrase in result.html.replace("<strong>", "").replace("</strong>", "")
    assert result.template == outcome.value and result.language == language
    # the reporter recognises the message: its subject (defanged) and date
    date = "3 March 2026, 14:05 UTC" if language == "en" else "3. März 2026, 14:05 UTC"
    for part in (result.text, result.html):
        assert "hxxps://evil[.]example/pay?x=1" in part
        assert date in part
        assert "INC-42" in part
    assert "evil[.]example" in result.subject
    assert ("Hello Alice," if language == "en" else "Guten Tag Alice,") in result.text


def test_nothing_from_the_reported_mail_is_clickable_or_markup() -> None:
    result = render_feedback(_request(Outcome.MALICIOUS))
    assert "https://evil" not in result.html and "evil.example" not in result.html
    assert "<b>now</b>" not in result.html and "&lt;b&gt;now&lt;/b&gt;" in result.html
    assert "paypal[.]com" in result.html and "paypal.com" not in result.text
    assert len(re.findall(r"<a[\s>]", result.html, re.IGNORECASE)) == 0
    assert "We are removing it from every mailbox" in result.text  # count unknown (0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a.b", "hxxps://example[.]com/a.b"),
        ("see HTTP://Example.COM", "see hxxp://Example[.]COM"),
        ("ftp://files.example.org", "fxp://files[.]example[.]org"),
        ("mail a@b.example or 192.0.2.1", "mail a@b[.]example or 192[.]0[.]2[.]1"),
        ("z.B. e.g. v1.2 Preis 3.50", "z.B. e.g. v1.2 Preis 3.50"),
        ("bücher.example", "bücher[.]example"),
    ],
)
def test_defang(text: str, expected: str) -> None:
    assert defang(text) == expected


def test_header_injection_through_the_subject_is_impossible() -> None:
    attack = "Hi\r\nBcc: victim@corp.test\r\nX-Evil: 1\n\n<script>alert(1)</script>\u202egnp.exe"
    result = render_feedback(_request(Outcome.SPAM, subject=attack))
    assert "\r" not in result.subject and "\n" not in result.subject
    assert "\u202e" not in result.text
    message = compose_feedback(
        result,
        sender=Address("phishloop", "abuse", "corp.test"),
        recipient=Address("Alice", "alice", "corp.test"),
        now=NOW,
        in_reply_to="<report-1@corp.test>\r\nBcc: x@y",
    )
    raw = message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["In-Reply-To"] is None  # a malformed id is dropped, not repaired
    assert "Bcc: victim@corp[.]test" in str(parsed["Subject"])  # kept as harmless text
    assert parsed["Auto-Submitted"] == "auto-replied"
    html_part = parsed.get_body(("html",))
    assert html_part is not None
    assert "<script>" not in html_part.get_content()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_compose_threads_under_the_report_and_is_7bit() -> None:
    result = render_feedback(_request(Outcome.CLEAN, "de", subject="Grüße aus München"))
    message = compose_feedback(
        result,
        sender=Address("Sicherheit", "abuse", "corp.test"),
        recipient=Address("", "bob", "corp.test"),
        now=NOW,
        in_reply_to="<report-1@corp.test>",
        message_id="<fb-1@corp.test>",
    )
    raw = message.as_bytes()
    assert raw.isascii()
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed["In-Reply-To"] == "<report-1@corp.test>"
    assert parsed["Subject"] == "Ihre Meldung: unbedenklich – Grüße aus München"
    assert parsed["Content-Language"] == "de"
    text = parsed.get_body(("plain",))
    assert text is not None and "Grüße aus München" in text.get_content()


def test_correction_when_the_verdict_changed() -> None:
    result = render_feedback(_request(Outcome.CLEAN, previous_outcome=Outcome.MALICIOUS))
    assert result.template == "correction+clean"
    assert result.subject == "Correction: the message you reported is safe"
    assert "we told you earlier that this message was malicious" in result.text
    assert "found it safe" in result.text
    german = render_feedback(_request(Outcome.MALICIOUS, "de", previous_outcome=Outcome.CLEAN))
    assert "diese Nachricht sei unbedenklich" in german.html
    same = render_feedback(_request(Outcome.SPAM, previous_outcome=Outcome.SPAM))
    assert same.template == "spam"  # the same verdict again is no correction


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("<https://news.example.com/u?id=1>", "https://news.example.com/u?id=1"),
        (
            "<mailto:leave@lists.example.com?subject=unsubscribe>, <http://x.example>",
            "leave@lists.example.com",
        ),
        (
            "<mailto:l@lists.example.com>, <https://lists.example.com/u>",
            "https://lists.example.com/u",
        ),
        ("<http://news.example.com/u>", None),  # not TLS
        ("<https://user:pw@news.example.com/u>", None),  # credentials
        ("<https://192.0.2.7/u>", None),  # IP literal
        ("<https://news.example.com:8443/u>", None),  # odd port
        ("<https://xn--pypal-4ve.example/u>", "https://xn--pypal-4ve.example/u"),  # ASCII only
        ("<https://päypal.example/u>", None),  # raw non-ASCII host
        ("<javascript:alert(1)>", None),
        ("<mailto:a@b.example?bcc=boss@corp.test>", None),
        ("<https://intranet.local/u>", None),
        ("https://news.example.com/u", None),  # not in angle brackets
        (None, None),
    ],
)
def test_safe_unsubscribe(header: str | None, expected: str | None) -> None:
    target = safe_unsubscribe(header)
    assert (target.target if target else None) == expected


def test_bulk_unsubscribe_advice_is_text_not_a_link() -> None:
    header = "<https://news.example.com/u?id=1&t=2>"
    result = render_feedback(_request(Outcome.BULK, list_unsubscribe=header))
    assert "https://news.example.com/u?id=1&t=2" in result.text
    assert "https://news.example.com/u?id=1&amp;t=2" in result.html
    assert "<a" not in result.html
    mailto = render_feedback(
        _request(Outcome.BULK, "de", list_unsubscribe="<mailto:out@lists.example.com?subject=stop>")
    )
    assert "E-Mail an out@lists.example.com mit dem Betreff „stop“" in mailto.text
    unsafe = render_feedback(_request(Outcome.BULK, list_unsubscribe="<http://x.example/u>"))
    assert "x.example" not in unsafe.text and "unsubscribe option your mail program" in unsafe.text
    # only bulk mail gets unsubscribe advice: never tell people to act on a phish
    phish = render_feedback(_request(Outcome.MALICIOUS, list_unsubscribe=header))
    assert "news.example.com" not in phish.text


def test_missing_fields_and_languages() -> None:
    result = render_feedback(
        FeedbackRequest(Outcome.SPAM, "de-AT", subject=None, sender=None, reported_at=None)
    )
    assert "„(kein Betreff)“ von unbekannter Absender, empfangen am Datum unbekannt" in result.text
    assert result.text.startswith("Guten Tag,")
    assert render_feedback(FeedbackRequest(Outcome.SPAM, "fr")).language == "en"
    assert outcome_for("suspicious") is Outcome.UNDER_REVIEW
    assert outcome_for(None) is Outcome.UNDER_REVIEW
    assert outcome_for("bulk") is Outcome.BULK


def test_dollar_signs_in_hostile_text_are_not_expanded() -> None:
    result = render_feedback(_request(Outcome.SPAM, subject="${title} $subject $$ ${body}"))
    assert "${title} $subject $$ ${body}" in result.text
    assert "<title>Your report: spam — ${title} $subject $$ ${body}</title>" in result.html


def test_admin_overrides_and_new_languages() -> None:
    overrides = {
        "en": parse_template_document(
            '[spam]\nsubject = "Spam: ${subject}"\n[strings]\nsignature = "CERT Corp"\n', "en.toml"
        ),
        "fr": parse_template_document('[spam]\ntext = "C\'est du spam."\n', "fr.toml"),
    }
    templates = TemplateSet(overrides)
    english = render_feedback(_request(Outcome.SPAM), templates)
    assert english.subject.startswith("Spam: Invoice") and "CERT Corp" in english.text
    french = render_feedback(_request(Outcome.SPAM, "fr"), templates)
    assert french.language == "fr" and "C'est du spam." in french.text
    assert "Hello Alice," in french.text  # keys the override lacks come from English


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('[spam]\ntext = "${sujet}"\n', r"en\.spam\.text: unknown placeholder \$\{sujet\}"),
        ('[spam]\ntext = "costs $5"\n', r"a \$ must start"),
        ('[strings]\nmonths = ["Jan"]\n', "12 month names"),
        ("[spam]\ntext = 3\n", "must be text"),
    ],
)
def test_override_mistakes_are_config_errors(document: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TemplateSet({"en": parse_template_document(document, "en.toml")})


def test_override_file_problems() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_template_document("[spam", "en.toml")
    with pytest.raises(ConfigError, match=r"unknown section \[phish\]"):
        parse_template_document("[phish]\n", "en.toml")
