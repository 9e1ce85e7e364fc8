"""URLs in plain text: http/https/ftp, `www.` hosts, defanged forms (`hxxp://`,
`example[.]com`) and `<...>`-wrapped URLs broken across lines.

The patterns have no nested ambiguous quantifiers and every repetition is bounded, so a
hostile text cannot make them backtrack catastrophically.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.urls.collector import UrlCollector

# Not in a URL: whitespace, quotes, controls, and CJK / full-width punctuation ("。", "）").
_URL_CHAR = (
    r"[^\s<>\"`\x00-\x1f\x7f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
_SCHEME = r"(?:h[tx]{2}ps?|ftp|fxp)(?:(?::|\[:\])//|\[://\])"
_CANDIDATE = re.compile(
    # The leading lookahead lets the engine skip to possible first characters (3x faster).
    r"(?=[<hHfFwW])(?:"
    # <https://example.com/long/path\n   continued>: RFC 3986 appendix C lets a URL
    # in angle brackets be broken across lines.
    rf"<(?:URL:)?[ \t]*(?P<wrapped>{_SCHEME}[^\s<>]{{1,2048}}"
    r"(?:[ \t]*\r?\n[ \t]*[^\s<>]{1,2048}){0,30})\s*>"
    rf"|(?P<bare>(?:{_SCHEME}|(?<![\w@.\-/])www\d{{0,3}}(?:\.|\[\.\]|\(\.\)))"
    rf"{_URL_CHAR}{{1,4096}}))",
    re.IGNORECASE,
)
# example[.]com/path with no scheme: written defanged, so meant as an indicator.
_DEFANGED_HOST = re.compile(
    r"(?<![\w@.\-/\[\]()])[a-z0-9][a-z0-9-]{0,62}(?:(?:\.|\[\.\]|\(\.\))[a-z0-9-]{1,63}){1,10}"
    rf"(?:[/?#]{_URL_CHAR}{{0,4096}})?",
    re.IGNORECASE,
)
_LINE_BREAK = re.compile(r"\s+")
_TRAILING = frozenset(".,:;!?'\"*~…、。，．：；！？")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_TRAILING_ENTITIES = ("&gt", "&lt", "&quot", "&#39", "&nbsp")
_DEADLINE_EVERY = 256


def extract_text_urls(
    text: str, collector: UrlCollector, ctx: AnalysisContext, *sources: str
) -> None:
    """Add every URL found in `text` to `collector`, tagged with `sources`; scans at most
    `limits.max_text_scan_bytes` characters."""
    limit = ctx.limits.max_text_scan_bytes
    if len(text) > limit:
        ctx.errors.add(errors.LIMIT_TEXT, f"only the first {limit} characters scanned for URLs")
        text = text[:limit]
    spans = _scan_candidates(text, collector, ctx, sources)
    if "[.]" in text or "(.)" in text:
        _scan_defanged_hosts(text, spans, collector, ctx, sources)


def _scan_candidates(
    text: str, collector: UrlCollector, ctx: AnalysisContext, sources: tuple[str, ...]
) -> list[int]:
    """Add scheme, www. and wrapped URLs; return their spans as a flat sorted list."""
    spans: list[int] = []
    for count, match in enumerate(_CANDIDATE.finditer(text)):
        if count % _DEADLINE_EVERY == _DEADLINE_EVERY - 1:
            ctx.deadline.check()
        wrapped = match.group("wrapped")
        if wrapped is not None:
            candidate = _LINE_BREAK.sub("", wrapped)
        else:
            candidate = trim_url(match.group("bare"))
        spans += match.span()
        collector.add(candidate, *sources)
    return spans


def _scan_defanged_hosts(
    text: str,
    spans: list[int],
    collector: UrlCollector,
    ctx: AnalysisContext,
    sources: tuple[str, ...],
) -> None:
    for count, match in enumerate(_DEFANGED_HOST.finditer(text)):
        if count % _DEADLINE_EVERY == _DEADLINE_EVERY - 1:
            ctx.deadline.check()
        if bisect_right(spans, match.start()) % 2 == 1:
            continue  # inside a URL the first pass already took
        found = match.group(0)
        host = found.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if "[.]" in host or "(.)" in host:
            collector.add(trim_url(found), *sources)


def trim_url(candidate: str) -> str:
    """Drop what ends a sentence rather than the URL: trailing punctuation, quotes,
    closing brackets without an opener inside the URL (Wikipedia's `Foo_(bar)` stays)."""
    while candidate:
        last = candidate[-1]
        unbalanced = last in _CLOSERS and candidate.count(_CLOSERS[last]) < candidate.count(last)
        if last in _TRAILING or unbalanced:
            candidate = candidate[:-1]
        elif candidate.endswith(_TRAILING_ENTITIES):
            candidate = candidate[: candidate.rfind("&")]
        else:
            break
    return candidate
