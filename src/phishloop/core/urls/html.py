"""HTML bodies and attachments: links (with their visible text), forms, refreshes, frames
and scripts, structural facts, and the visible text. Parsed once with lexbor."""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import LimitExceeded
from phishloop.core.model import HtmlFacts
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html_facts import hidden_elements
from phishloop.core.urls.html_links import absolute_base
from phishloop.core.urls.html_walk import HtmlWalk

# base[href] rides along in the one query: a separate lookup costs another full walk.
_ELEMENTS = "a, area, form, input, meta, iframe, frame, script, img, embed, object, base[href]"
# Text of neighbouring blocks must not run together ("<td>a</td><td>b</td>" is "a b"),
# while inline markup must not split words ("Pay<b>Pal</b>" is "PayPal").
_BLOCK_TAGS = frozenset({
    "p", "div", "td", "th", "tr", "li", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "blockquote", "ul", "ol", "dl", "dt", "dd", "section", "article", "header",
    "footer", "main", "nav", "aside", "pre", "center", "option", "form", "fieldset", "legend",
    "address", "figure", "figcaption", "details", "summary", "noscript", "textarea",
})  # fmt: skip
_INVISIBLE = ["script", "style", "head", "template"]


@dataclass(frozen=True, slots=True)
class HtmlAnalysis:
    facts: HtmlFacts
    text: str  # visible text (scripts, styles, hidden elements dropped), whitespace folded


def analyze_html(
    html: str,
    collector: UrlCollector,
    ctx: AnalysisContext,
    *sources: str,
    visible_text: bool = True,
) -> HtmlAnalysis:
    """Add the URLs of `html` to `collector` (tagged with `sources`): links, forms,
    refreshes, frames and scripts. URLs merely written in the visible text are left
    out: they are often the lure ("https://paypal.com" shown, elsewhere linked), not a
    destination. Return the structural facts and visible text (empty when `visible_text`
    is False: a caller that has the text/plain body saves a third of the work); never
    raises."""
    if not html or html.isspace():  # as `not html.strip()`, without copying the document
        return HtmlAnalysis(HtmlFacts(), "")
    limit = ctx.limits.max_html_bytes
    if len(html) > limit:
        ctx.errors.add(errors.LIMIT_TEXT, f"HTML cut to its first {limit} characters")
        html = html[:limit]
    try:
        return _analyze(LexborHTMLParser(html), collector, ctx, sources, visible_text)
    except LimitExceeded:
        raise
    except Exception as exc:  # lexbor is C code fed hostile bytes: report, never crash
        ctx.errors.add(errors.HTML_PARSE, f"HTML could not be analysed: {exc!r}"[:300])
        return HtmlAnalysis(HtmlFacts(present=True), "")


def _analyze(
    tree: LexborHTMLParser,
    collector: UrlCollector,
    ctx: AnalysisContext,
    sources: tuple[str, ...],
    visible_text: bool,
) -> HtmlAnalysis:
    elements = tree.css(_ELEMENTS)
    # The first <base href> applies to the whole document, links before it included.
    base_node = next((node for node in elements if node.tag == "base"), None)
    base = absolute_base(base_node.attributes.get("href") if base_node else None)
    walk = HtmlWalk(collector, ctx, sources, base)
    for count, node in enumerate(elements):
        if count % 256 == 255:
            ctx.deadline.check()
        walk.visit(node)  # <base> has no handler
    hidden = hidden_elements(tree)
    hidden_chars = sum(len(_fold(node.text())) for node in hidden)
    text = _visible_text(tree, hidden, ctx.limits.max_body_text_chars) if visible_text else ""
    return HtmlAnalysis(walk.facts(hidden_chars), text)


def _visible_text(tree: LexborHTMLParser, hidden: list[LexborNode], limit: int) -> str:
    """Mutates `tree`: call last."""
    for node in hidden:
        node.decompose()
    tree.strip_tags(_INVISIBLE)
    root = tree.body or tree.root
    if root is None:
        return ""
    # One walk in Python over the elements costs half of a 40-way selector query.
    blocks = [node for node in root.traverse() if node.tag in _BLOCK_TAGS]
    for node in blocks:
        node.insert_before(" ")
        node.insert_after(" ")
    return _fold(root.text())[:limit]


def _fold(text: str) -> str:
    return " ".join(text.split())
