"""What an HTML link attribute points to, as a browser would resolve it."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urljoin

LinkKind = Literal["url", "script", "data", "other"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]{0,30}):")
_TAB_NEWLINE = re.compile(r"[\t\r\n]")
_WEB_SCHEMES = frozenset({"http", "https", "ftp", "hxxp", "hxxps"})  # the collector refangs
_KIND_BY_SCHEME: dict[str, LinkKind] = {
    "javascript": "script",
    "vbscript": "script",
    "livescript": "script",
    "data": "data",
}
_REFRESH = re.compile(
    r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(?P<url>.*)$", re.IGNORECASE | re.DOTALL
)
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
MAX_ATTRIBUTE_CHARS = 8192


def classify_link(value: str, base: str | None) -> tuple[LinkKind, str | None]:
    """("url", absolute URL) for web links (relative ones resolved against `base`; `www.`
    hosts and `file://host/` shares kept), ("script", None) for javascript:,
    ("data", the data: URL) and ("other", None) for mailto:, tel:, anchors and the rest."""
    href = _TAB_NEWLINE.sub("", value[:MAX_ATTRIBUTE_CHARS].strip(_C0_AND_SPACE))
    if not href or href.startswith("#"):
        return "other", None
    if href.startswith("//"):
        return "url", _scheme_of(base) + ":" + href
    scheme_match = _SCHEME.match(href)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if not scheme or scheme.startswith("www."):  # "www.example.com:8080/" is no scheme
        return _relative(href, base)
    if scheme in _WEB_SCHEMES or (scheme == "file" and _is_remote_share(href)):
        return "url", href
    kind = _KIND_BY_SCHEME.get(scheme, "other")
    return kind, href if kind == "data" else None


def _is_remote_share(href: str) -> bool:
    """file://host/share: Windows fetches it over SMB and leaks credentials."""
    return href[5:7] == "//" and href[7:8] not in ("/", "")


def _relative(href: str, base: str | None) -> tuple[LinkKind, str | None]:
    if base is not None:
        try:
            return "url", urljoin(base, href)
        except ValueError:
            return "other", None
    if href[:4].lower() == "www.":
        return "url", href  # mail clients and people read it as a host
    return "other", None


def _scheme_of(base: str | None) -> str:
    if base is None:
        return "https"
    return base.partition(":")[0].lower()


def absolute_base(value: str | None) -> str | None:
    """The `<base href>` value when it is an absolute web URL (the only kind that can
    resolve the relative links of a mail body or a local HTML file)."""
    if not value:
        return None
    kind, url = classify_link(value, None)
    if kind != "url" or url is None or not url[:8].lower().startswith(("http://", "https://")):
        return None
    return url


def refresh_target(content: str) -> str | None:
    """The URL of a `<meta http-equiv="refresh" content="5; url='...'">`, if any."""
    match = _REFRESH.match(content[:MAX_ATTRIBUTE_CHARS])
    if match is None:
        return None
    url = match.group("url").strip()
    if url[:1] in ("'", '"'):
        url = url[1:].partition(url[0])[0]
    return url or None
