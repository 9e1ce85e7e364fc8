"""`analyze_html(..., visible_text=False)` skips only the visible text: URLs, facts and
errors stay those of the full analysis."""

from __future__ import annotations

from pathlib import Path

from phishloop.core.context import AnalysisContext
from phishloop.core.model import HtmlFacts, UrlRecord
from phishloop.core.parse.mime import parse_message
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html import analyze_html

PAGE = (
    "<html><head><style>p{}</style></head><body><table><tr><td>Pay</td><td>Pal</td></tr>"
    "</table><div style='display:none'>secret <a href='https://hidden.example/'>x</a></div>"
    "<p>Log<b>in</b> <a href='https://evil.example/login'>here</a></p>"
    "<section>one</section><svg><section>two</section></svg><br>three</body></html>"
)


def _run(html: str, visible_text: bool) -> tuple[HtmlFacts, str, tuple[UrlRecord, ...], object]:
    ctx = AnalysisContext.create()
    urls = UrlCollector(ctx)
    result = analyze_html(html, urls, ctx, "html", visible_text=visible_text)
    return result.facts, result.text, urls.finish(), ctx.errors.records


def test_visible_text_separates_blocks_and_drops_hidden_text() -> None:
    _, text, _, _ = _run(PAGE, visible_text=True)
    assert text == "Pay Pal Login here one two three"


def test_without_visible_text_the_rest_is_unchanged() -> None:
    full_facts, _, full_urls, full_errors = _run(PAGE, visible_text=True)
    facts, text, urls, errors = _run(PAGE, visible_text=False)
    assert text == ""
    assert (facts, urls, errors) == (full_facts, full_urls, full_errors)
    assert facts.hidden_text_chars > 0 and len(urls) == 2


def test_corpus_html_bodies_give_the_same_facts_either_way(corpora: Path) -> None:
    checked = 0
    for path in sorted((corpora / "phishing_pot" / "email").glob("*.eml"))[:400:4]:
        parsed = parse_message(path.read_bytes(), AnalysisContext.create())
        if parsed.html_body:
            full, partial = _run(parsed.html_body, True), _run(parsed.html_body, False)
            assert (partial[0], partial[2], partial[3]) == (full[0], full[2], full[3]), path
            assert partial[1] == ""
            checked += 1
    assert checked > 30
