"""Collects URLs from every part of a message, decodes link rewriters once, and merges
duplicates into `UrlRecord`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.domains import normalize_host, registered_domain
from phishloop.core.indicators import MAX_URL_LENGTH
from phishloop.core.model import UrlRecord
from phishloop.core.urls.display import display_mismatch
from phishloop.core.urls.rewriters import unwrap


@dataclass
class _Entry:
    url: str
    original: str
    rewriters: tuple[str, ...]
    sources: list[str] = field(default_factory=list)
    display_text: str | None = None
    mismatch: bool = False


class UrlCollector:
    """Add every URL as found (`add`); `finish` returns the merged, decoded records."""

    def __init__(self, ctx: AnalysisContext) -> None:
        self._ctx = ctx
        self._entries: dict[str, _Entry] = {}
        self._limit_hit = False

    def add(self, original: str, *sources: str, display_text: str | None = None) -> None:
        """Record `original` (the URL text as found) seen in `sources` (e.g. "html",
        "attachment:invoice.pdf", "qr"); `display_text` is the visible anchor text."""
        original = original.strip()
        if not original or len(original) > MAX_URL_LENGTH:
            return
        url, rewriters = unwrap(original)
        entry = self._entries.get(url)
        if entry is None:
            if len(self._entries) >= self._ctx.limits.max_urls:
                self._note_limit()
                return
            entry = _Entry(url=url, original=original, rewriters=rewriters)
            self._entries[url] = entry
        for source in sources:
            if source not in entry.sources:
                entry.sources.append(source)
        if display_text and entry.display_text is None:
            entry.display_text = display_text[:500]
        if display_text and display_mismatch(display_text, url):
            entry.mismatch = True

    def _note_limit(self) -> None:
        if not self._limit_hit:
            self._limit_hit = True
            self._ctx.errors.add(
                errors.LIMIT_URLS, f"more than {self._ctx.limits.max_urls} URLs; the rest skipped"
            )

    def __len__(self) -> int:
        return len(self._entries)

    def finish(self) -> tuple[UrlRecord, ...]:
        return tuple(_record(entry) for entry in self._entries.values())


def _record(entry: _Entry) -> UrlRecord:
    try:
        raw_host = urlsplit(entry.url).hostname
    except ValueError:
        raw_host = None
    host = normalize_host(raw_host) if raw_host else None
    return UrlRecord(
        url=entry.url,
        original=entry.original,
        host=host,
        registered_domain=registered_domain(host) if host else None,
        sources=tuple(entry.sources),
        display_text=entry.display_text,
        mismatch=entry.mismatch,
        rewriters=entry.rewriters,
    )
