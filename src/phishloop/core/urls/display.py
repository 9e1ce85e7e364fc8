"""Anchor text vs destination: "https://paypal.com" shown, another site linked."""

from __future__ import annotations

import re

from phishloop.core.domains import normalize_host, parse_ip, registered_domain
from phishloop.core.urls.caching import cache_short
from phishloop.core.urls.normalize import decoded_destination, host_of
from phishloop.core.urls.rewriters import unwrap

_MAX_DISPLAY_CHARS = 300
_EDGE_PUNCTUATION = " \t\r\n\u00a0<>()[]{}\"'“”‘’«».,;:!?"
# Text naming a host without a scheme: labels, then a final alphabetic label.
_HOST_LIKE = re.compile(r"^(?:[\w-]{1,63}\.){1,20}[^\W\d_]{2,63}\.?(?:[:/?#]|$)")
_FILE_EXTENSION_TLDS = frozenset({"zip", "mov", "md", "py", "sh", "pl", "rs", "ps", "ai", "so"})
_SCHEME_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"']{1,2048}", re.IGNORECASE)


def display_mismatch(display_text: str, url: str) -> bool:
    """True when the visible text looks like a URL or host name whose registered domain
    differs from the destination's, both after rewriter decoding ("Click here" never
    mismatches; neither do http vs https or a missing "www.")."""
    shown = _shown_host(display_text)
    if shown is None:
        return False
    actual = _host_of(unwrap(url)[0])
    if actual is None:
        return False
    return _owner(shown) != _owner(actual)


@cache_short(maxsize=2048)
def _shown_host(display_text: str) -> str | None:
    """The host the anchor text names, after decoding rewriters in it; None when the
    text does not read as a URL or host name."""
    text = display_text.strip(_EDGE_PUNCTUATION)
    if not text or len(text) > _MAX_DISPLAY_CHARS or "." not in text:
        return None
    if " " in text:
        # A sentence is not a host, but "Go to https://paypal.com now" shows one.
        found = _SCHEME_URL.search(text)
        if found is None:
            return None
        text = found.group(0).rstrip(".,;:!?)")
    has_scheme = "://" in text
    if has_scheme:
        if not text[:8].lower().startswith(("http://", "https://", "ftp://")):
            return None
    elif "@" in text.partition("/")[0] or not _HOST_LIKE.match(text) or _is_file_name(text):
        return None
    destination = decoded_destination(text)
    host = _host_of(unwrap(destination)[0]) if destination else None
    if host is None or not (registered_domain(host) or (has_scheme and parse_ip(host))):
        return None  # "name.unknownsuffix" is not a host anyone would recognise
    return host


def _is_file_name(text: str) -> bool:
    """ "invoice.zip" or "readme.md": a file name whose extension happens to be a TLD."""
    name, _, extension = text.lower().rpartition(".")
    return "." not in name and "/" not in text and extension in _FILE_EXTENSION_TLDS


def _host_of(url: str) -> str | None:
    host = host_of(url)
    return normalize_host(host) if host else None


def _owner(host: str) -> str:
    """Registered domain, or the host itself for IP addresses and unknown suffixes."""
    return registered_domain(host) or host
