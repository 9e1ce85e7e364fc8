"""URLs in calendar invitations (.ics, text/calendar): meeting links, attachments and the
HTML description, where phishing invites put their lure."""

from __future__ import annotations

import re

import icalendar

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import LimitExceeded
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html import analyze_html
from phishloop.core.urls.text import extract_text_urls

_TEXT_PROPERTIES = ("DESCRIPTION", "LOCATION", "COMMENT", "SUMMARY")
_URI_PROPERTIES = ("URL", "ATTACH", "CONFERENCE")
_HTML_PROPERTIES = ("X-ALT-DESC",)
_LINK_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)
_FOLDED_LINE = re.compile(r"\r?\n[ \t]")
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")
_MAX_COMPONENTS = 2000


def extract_ics_urls(
    data: bytes, collector: UrlCollector, ctx: AnalysisContext, *sources: str
) -> None:
    """Add the URLs of a calendar file to `collector`, tagged with `sources`. Parsed with
    icalendar; when that fails (`ics.parse` recorded), the raw text is scanned instead."""
    limit = ctx.limits.max_text_scan_bytes
    text = data[:limit].decode("utf-8", errors="replace")
    if len(data) > limit:
        ctx.errors.add(errors.LIMIT_TEXT, f"calendar cut to its first {limit} bytes")
        _scan_raw(text, collector, ctx, sources)
        return
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        if not calendars:
            raise ValueError("no complete calendar component")
        for calendar in calendars:
            _scan_components(calendar, collector, ctx, sources)
    except LimitExceeded:
        raise
    except Exception as exc:  # icalendar raises many types for hostile input
        ctx.errors.add(errors.ICS_PARSE, f"calendar could not be parsed: {exc!r}"[:300])
        _scan_raw(text, collector, ctx, sources)


def _scan_components(
    calendar: icalendar.Component,
    collector: UrlCollector,
    ctx: AnalysisContext,
    sources: tuple[str, ...],
) -> None:
    for count, component in enumerate(calendar.walk()):
        if count >= _MAX_COMPONENTS:
            ctx.errors.add(errors.ICS_PARSE, f"more than {_MAX_COMPONENTS} calendar components")
            return
        ctx.deadline.check()
        for name, problem in getattr(component, "errors", ())[:5]:
            ctx.errors.add(errors.ICS_PARSE, f"{component.name} {name}: {problem}"[:300])
        _scan_properties(component, collector, ctx, sources)


def _scan_properties(
    component: icalendar.Component,
    collector: UrlCollector,
    ctx: AnalysisContext,
    sources: tuple[str, ...],
) -> None:
    for name in (*_TEXT_PROPERTIES, *_URI_PROPERTIES, *_LINK_PROPERTIES, *_HTML_PROPERTIES):
        for value in _values(component, name):
            if name in _HTML_PROPERTIES:
                analyze_html(_unescape(value), collector, ctx, *sources, visible_text=False)
            elif name in _URI_PROPERTIES and _is_inline_binary(value):
                continue
            else:
                extract_text_urls(value, collector, ctx, *sources)


def _values(component: icalendar.Component, name: str) -> list[str]:
    """The property's values as text (a property may repeat)."""
    value = component.get(name)
    if value is None:
        return []
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _is_inline_binary(value: str) -> bool:
    return len(value) > 2048 and " " not in value and "://" not in value[:64]


def _unescape(value: str) -> str:
    """iCalendar TEXT escapes (\\n, \\, and \\;), which icalendar leaves in X- values."""
    return _TEXT_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _scan_raw(
    text: str, collector: UrlCollector, ctx: AnalysisContext, sources: tuple[str, ...]
) -> None:
    """Fallback for a calendar icalendar rejects: unfold lines, undo escapes, scan it all."""
    extract_text_urls(_unescape(_FOLDED_LINE.sub("", text)), collector, ctx, *sources)
