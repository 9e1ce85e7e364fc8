"""Every HTML, text and calendar body of the real corpora goes through the URL extractors
without an exception, and what comes out keeps the contract."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from phishloop.core.context import AnalysisContext
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html import analyze_html
from phishloop.core.urls.ics import extract_ics_urls
from phishloop.core.urls.text import extract_text_urls

SETS = (
    "phishing_pot",
    "spamassassin_public",
    "markup_newsletters",
    "mime_fixtures",
    "modern_lists",
    "modern_fixtures",
    "sublime_demo",
)
_NOT_MAIL = {".csv", ".md"}


def _messages(root: Path) -> Iterator[tuple[Path, EmailMessage]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in _NOT_MAIL and path.name != "hints.csv":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            yield path, message


def _content(part: EmailMessage) -> object:
    """Decoded with the standard library only; a part it cannot decode is skipped."""
    try:
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
        return part.get_content()
    except (LookupError, ValueError, AssertionError, KeyError):
        return None


def _analyze(message: EmailMessage, ctx: AnalysisContext, collector: UrlCollector) -> int:
    html_bodies = 0
    for part in message.walk():
        content = _content(part)
        kind = part.get_content_type()
        if isinstance(content, str) and kind == "text/html":
            result = analyze_html(content, collector, ctx, "html")
            html_bodies += 1
            assert result.facts.present == bool(content.strip())
            assert len(result.text) <= ctx.limits.max_body_text_chars
            assert min(result.facts.links, result.facts.forms, result.facts.scripts) >= 0
        elif isinstance(content, str) and kind == "text/plain":
            extract_text_urls(content, collector, ctx, "text")
        elif isinstance(content, bytes) and kind == "text/calendar":
            extract_ics_urls(content, collector, ctx, "ics")
    return html_bodies


@pytest.mark.corpus
@pytest.mark.parametrize("corpus_set", SETS)
def test_corpus_bodies(corpora: Path, corpus_set: str) -> None:
    messages = with_urls = 0
    for _, message in _messages(corpora / corpus_set):
        ctx = AnalysisContext.create()
        collector = UrlCollector(ctx)
        _analyze(message, ctx, collector)
        records = collector.finish()
        messages += 1
        with_urls += bool(records)
        for record in records:
            assert record.sources and set(record.sources) <= {"html", "text", "ics"}
            assert record.url.split(":", 1)[0].lower() in {"http", "https", "ftp", "file"}
            assert record.host, record.url
            assert not record.mismatch or record.display_text
            assert len(record.rewriters) <= 6
    assert messages > 0
    if corpus_set == "phishing_pot":
        # A phishing message without a link is the exception, not the rule.
        assert with_urls > messages * 0.8
