"""Link-rewriter decoding: recover the real destination behind security gateways' and
platforms' redirect links.

A rewriter is trusted only when the URL's host IS its host (exact or a proper subdomain),
never because its name appears in a path, a query string or a look-alike host.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from phishloop.core.domains import registered_domain
from phishloop.core.urls.caching import cache_short
from phishloop.core.urls.normalize import decoded_destination, host_of
from phishloop.core.urls.rewriter_table import GOOGLE, OPAQUE, REWRITERS, Rewriter

MAX_NESTING = 6  # Safe Links around URL Defense around Google is 3; more is an attack
# google.com, google.de, google.co.uk, google.com.br, ... (checked against the PSL too)
_GOOGLE_DOMAIN = re.compile(r"^google\.(?:[a-z]{2,3}|(?:co|com)\.[a-z]{2})$")
_WEB_PREFIXES = frozenset({"http:/", "https:", "ftp://"})
_BY_DOMAIN: dict[str, tuple[Rewriter, ...]] = {}
for _rewriter in REWRITERS:
    for _domain in _rewriter.domains:
        _BY_DOMAIN[_domain] = (*_BY_DOMAIN.get(_domain, ()), _rewriter)


@cache_short(maxsize=2048)
def unwrap(url: str) -> tuple[str, tuple[str, ...]]:
    """Return the real destination of `url` and the rewriters decoded, outermost first.

    Nested rewriting is decoded repeatedly (bounded); an opaque rewriter (Mimecast) is
    named but its URL kept, since its target is only known to its server."""
    names: list[str] = []
    for _ in range(MAX_NESTING):
        step = _decode_once(url)
        if step is None:
            break
        name, decoded = step
        names.append(name)
        if decoded is None:
            break
        url = decoded
    return url, tuple(names)


def _decode_once(url: str) -> tuple[str, str | None] | None:
    """(rewriter name, decoded URL or None when opaque), or None when no rewriter applies."""
    if not url[:8].lower().startswith(("http://", "https://")):
        return None
    host = host_of(url)
    candidates = _candidates(host) if host else ()
    parts = _split(url, host) if candidates else None
    if parts is None:
        return None
    for rewriter in candidates:
        if not rewriter.handles(parts.path):
            continue
        if rewriter.decode is OPAQUE:
            return rewriter.name, None
        try:
            target = rewriter.decode(url, parts)
        except (ValueError, UnicodeError, KeyError, IndexError):
            target = None
        destination = decoded_destination(target) if target else None
        # A redirector only leads to web pages; anything else means we misread it.
        if destination and destination != url and destination[:6].lower() in _WEB_PREFIXES:
            return rewriter.name, destination
    return None


def _split(url: str, host: str | None) -> SplitResult | None:
    """urlsplit, when it agrees with the browser about the host. Browsers read "\\" as
    "/": "https://evil.example\\@rewriter.com/" goes to evil.example, which urlsplit
    would call rewriter.com. Any such disagreement means: do not trust it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "\\" in parts.netloc or parts.hostname != host:
        return None
    return parts


def _candidates(host: str) -> tuple[Rewriter, ...]:
    """Rewriters whose domain is `host` or a parent domain of it."""
    host = host.rstrip(".")
    found: tuple[Rewriter, ...] = _BY_DOMAIN.get(host, ())
    dot = host.find(".")
    while dot >= 0:
        found += _BY_DOMAIN.get(host[dot + 1 :], ())
        dot = host.find(".", dot + 1)
    if "google." in host and _GOOGLE_DOMAIN.match(registered_domain(host) or ""):
        found += _BY_DOMAIN[GOOGLE]
    return found
