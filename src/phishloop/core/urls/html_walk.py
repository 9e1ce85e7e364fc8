"""One pass over the interesting elements of an HTML document: URLs go to the collector,
counts and flags into `HtmlFacts`."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from phishloop.core.context import AnalysisContext
from phishloop.core.model import HtmlFacts
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html_facts import image_kind, script_smuggles, smuggling_data_url
from phishloop.core.urls.html_links import classify_link, refresh_target

_MAX_DISPLAY_CHARS = 1000
_MAX_SCRIPT_CHARS = 8 * 1024 * 1024  # inline script text examined per document


class HtmlWalk:
    """Visits elements in document order (`visit`); `facts` summarises them."""

    def __init__(
        self,
        collector: UrlCollector,
        ctx: AnalysisContext,
        sources: tuple[str, ...],
        base: str | None,
    ) -> None:
        self._collector = collector
        self._ctx = ctx
        self._sources = sources
        self._base_url = base
        self._counts = dict.fromkeys(
            ("forms", "password_inputs", "scripts", "iframes", "tracking_pixels",
             "external_images", "links", "javascript_links", "data_links"), 0,
        )  # fmt: skip
        self._smuggling = False
        self._meta_refresh: str | None = None
        self._script_chars = 0

    def facts(self, hidden_text_chars: int) -> HtmlFacts:
        return HtmlFacts(
            present=True,
            hidden_text_chars=hidden_text_chars,
            smuggling=self._smuggling,
            meta_refresh=self._meta_refresh,
            **self._counts,
        )

    def visit(self, node: LexborNode) -> None:
        handler = getattr(self, "_" + (node.tag or ""), None)
        if handler is not None:
            handler(node, node.attributes)

    def _a(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._link(attrs, "href", " ".join(node.text()[:_MAX_DISPLAY_CHARS].split()))

    def _area(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._link(attrs, "href", " ".join((attrs.get("alt") or "").split()))

    def _link(self, attrs: dict[str, str | None], name: str, display: str) -> None:
        kind, url = classify_link(attrs.get(name) or "", self._base_url)
        if kind == "url" and url is not None:
            self._counts["links"] += 1
            self._collector.add(url, *self._sources, display_text=display or None)
        elif kind == "script":
            self._counts["javascript_links"] += 1
        elif kind == "data" and url is not None:
            self._counts["data_links"] += 1
            self._smuggling |= smuggling_data_url(url, "download" in attrs)

    def _form(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._counts["forms"] += 1
        self._add_source_url(attrs.get("action"))

    def _input(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        if (attrs.get("type") or "").strip().lower() == "password":
            self._counts["password_inputs"] += 1

    def _meta(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        if (attrs.get("http-equiv") or "").strip().lower() != "refresh":
            return
        target = refresh_target(attrs.get("content") or "")
        if target is None:
            return
        url = self._add_source_url(target)
        if self._meta_refresh is None:
            self._meta_refresh = url or target[:200]  # a data: or relative target is news too

    def _iframe(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._counts["iframes"] += 1
        self._embedded(attrs.get("src"))

    _frame = _iframe

    def _embed(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._embedded(attrs.get("src"))

    def _object(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._embedded(attrs.get("data"))

    def _embedded(self, value: str | None) -> None:
        kind, url = classify_link(value or "", self._base_url)
        if kind == "url" and url is not None:
            self._collector.add(url, *self._sources)
        elif kind == "data" and url is not None:
            self._smuggling |= smuggling_data_url(url, download=False)

    def _script(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        self._counts["scripts"] += 1
        if attrs.get("src"):
            self._add_source_url(attrs.get("src"))
        elif not self._smuggling and self._script_chars < _MAX_SCRIPT_CHARS:
            code = node.text()
            self._script_chars += len(code)
            self._smuggling = script_smuggles(code)

    def _img(self, node: LexborNode, attrs: dict[str, str | None]) -> None:
        kind = classify_link(attrs.get("src") or "", self._base_url)[0]
        found = image_kind(attrs, remote=kind == "url")
        if found == "pixel":
            self._counts["tracking_pixels"] += 1
        elif found == "external":
            self._counts["external_images"] += 1

    def _add_source_url(self, value: str | None) -> str | None:
        """Add the web URL in a src/action-like attribute; return it."""
        if not value:
            return None
        kind, url = classify_link(value, self._base_url)
        if kind != "url" or url is None:
            return None
        self._collector.add(url, *self._sources)
        return url
