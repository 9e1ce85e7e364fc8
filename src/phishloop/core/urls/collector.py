"""Collects URLs from every part of a message, decodes link rewriters once, and merges
duplicates into `UrlRecord`s."""

from __future__ import annotations

from dataclasses import dataclass, field

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.domains import normalize_host, registered_domain
from phishloop.core.indicators import MAX_URL_LENGTH
from phishloop.core.model import UrlRecord
from phishloop.core.urls.caching import cache_short
from phishloop.core.urls.display import display_mismatch
from phishloop.core.urls.normalize import host_of, to_destination
from phishloop.core.urls.rewriters import unwrap

_MAX_DISPLAY_TEXT = 500


@dataclass
class _Entry:
    url: str
    original: str
    rewriters: tuple[str, ...]
    host: str
    registered_domain: str | None
    sources: list[str] = field(default_factory=list)
    display_text: str | None = None
    mismatch: bool = False


class UrlCollector:
    """Add every URL as found (`add`); `finish` returns the merged, decoded records."""

    def __init__(self, ctx: AnalysisContext) -> None:
        self._ctx = ctx
        self._entries: dict[str, _Entry] = {}
        self._by_original: dict[str, str] = {}  # original text -> key in _entries
        self._limit_hit = False

    def add(self, original: str, *sources: str, display_text: str | None = None) -> None:
        """Record `original` (the URL text as found, possibly defanged or without a
        scheme) seen in `sources` (e.g. "html", "attachment:invoice.pdf", "qr");
        `display_text` is the visible anchor text (the record keeps the first one, or the
        one that names another host). Text that is no web URL with a valid host is
        ignored."""
        original = original.strip()
        if not original or len(original) > MAX_URL_LENGTH:
            return
        entry = self._entry_for(original)
        if entry is None:
            return
        for source in sources:
            if source not in entry.sources:
                entry.sources.append(source)
        if display_text:
            if not entry.mismatch and display_mismatch(display_text, entry.url):
                entry.mismatch = True
                entry.display_text = display_text[:_MAX_DISPLAY_TEXT]  # keep the evidence
            elif entry.display_text is None:
                entry.display_text = display_text[:_MAX_DISPLAY_TEXT]

    def _entry_for(self, original: str) -> _Entry | None:
        key = self._by_original.get(original)
        if key is not None:
            return self._entries[key]
        destination = to_destination(original)
        if destination is None:
            return None
        url, rewriters = unwrap(destination)
        entry = self._entries.get(url)
        if entry is None:
            raw_host = host_of(url)
            host, domain = _host_and_domain(raw_host) if raw_host else (None, None)
            if host is None:
                return None  # "http://exa'mple" opens nothing and is no indicator
            if len(self._entries) >= self._ctx.limits.max_urls:
                self._note_limit()
                return None
            entry = _Entry(url, original, rewriters, host, domain)
            self._entries[url] = entry
        if len(self._by_original) < 4 * self._ctx.limits.max_urls:
            self._by_original[original] = url
        return entry

    def _note_limit(self) -> None:
        if not self._limit_hit:
            self._limit_hit = True
            self._ctx.errors.add(
                errors.LIMIT_URLS, f"more than {self._ctx.limits.max_urls} URLs; the rest skipped"
            )

    def __len__(self) -> int:
        return len(self._entries)

    def finish(self) -> tuple[UrlRecord, ...]:
        """The records, in the order their URLs were first seen."""
        return tuple(_record(entry) for entry in self._entries.values())


@cache_short(maxsize=4096)
def _host_and_domain(raw_host: str) -> tuple[str | None, str | None]:
    """Hosts repeat across messages; normalising one costs an IP-parse attempt."""
    host = normalize_host(raw_host)
    return host, registered_domain(host) if host else None


def _record(entry: _Entry) -> UrlRecord:
    return UrlRecord(
        url=entry.url,
        original=entry.original,
        host=entry.host,
        registered_domain=entry.registered_domain,
        sources=tuple(entry.sources),
        display_text=entry.display_text,
        mismatch=entry.mismatch,
        rewriters=entry.rewriters,
    )
