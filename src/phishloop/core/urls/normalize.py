"""Turn URL text as found (defanged, scheme-less, obfuscated IP) into the address a browser
would really open."""

from __future__ import annotations

import re

from phishloop.core.urls.caching import cache_short

_DEFANG = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\[:\]|\[://\]|\[/\]", re.IGNORECASE)
_DEFANG_REPLACEMENTS = {"[:]": ":", "[://]": "://", "[/]": "/"}
_DEFANGED_SCHEME = re.compile(r"^(?:h(?:xx|tx|xt)p(?P<s>s?)|(?P<ftp>fxp))(?=:)", re.IGNORECASE)
_DEFANGED_PREFIXES = ("hxxp", "htxp", "hxtp", "fxp:")
_WHITESPACE_INSIDE = re.compile(r"[\t\r\n]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]{0,30}):")
_AUTHORITY = re.compile(
    r"^(?P<scheme>https?|ftp|file):(?P<slashes>[/\\]{0,2})(?P<netloc>[^/?#\\]{0,2048})",
    re.IGNORECASE,
)
_BARE_HOST = re.compile(r"^[\w-]{1,63}(?:\.[\w-]{1,63}){1,30}(?=$|[:/?#])")
_IPV4_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")
_WEB_SCHEMES = frozenset({"http", "https", "ftp"})
_STRIP = " \t\r\n\f\v\x00\x0b\u00a0\u200b\ufeff"


def refang(text: str) -> str:
    """Undo analyst-style defanging: hxxp[:]// -> http://, example[.]com -> example.com."""
    if "[" in text or "(" in text or "{" in text:
        text = _DEFANG.sub(lambda m: _DEFANG_REPLACEMENTS.get(m.group(0).lower(), "."), text)
    return _DEFANGED_SCHEME.sub(lambda m: "ftp" if m.group("ftp") else "http" + m["s"], text)


@cache_short(maxsize=2048)
def to_destination(text: str) -> str | None:
    """The absolute URL a browser would open for `text`, or None when it is not one.

    Only web URLs (http, https, ftp; `www.` and defanged hosts without a scheme) and
    remote `file://host/` shares count, and they must have a host: mailto:, data:,
    javascript: and the rest are None."""
    url = _WHITESPACE_INSIDE.sub("", text.strip(_STRIP))
    defanged = (
        url[:4].lower().startswith(_DEFANGED_PREFIXES) or "[" in url or "(." in url or "{." in url
    )
    if defanged:
        url = refang(url)
    # A bare host is a link only when written as one: `www.` or defanged on purpose.
    if (url[:4].lower() == "www." or defanged) and _BARE_HOST.match(url):
        url = "http://" + url
    return _absolute(url)


def decoded_destination(value: str) -> str | None:
    """Like `to_destination`, for a target decoded out of a redirector, where a bare host
    (`example.com/path`) means http."""
    value = value.strip(_STRIP)
    if _BARE_HOST.match(value):
        value = "http://" + value
    return to_destination(value)


def _absolute(url: str) -> str | None:
    if url.startswith("//"):
        url = "https:" + url
    scheme_match = _SCHEME.match(url)
    if scheme_match is None:
        return None
    scheme = scheme_match.group(1).lower()
    if scheme in _WEB_SCHEMES or (scheme == "file" and url[5:7] == "//"):
        return _with_host(url)
    return None


def _with_host(url: str) -> str | None:
    span = host_span(url)
    if span is None:
        return None
    host = url[span[0] : span[1]]
    dotted = whatwg_ipv4(host)
    if dotted is None or dotted == host:
        return url
    return url[: span[0]] + dotted + url[span[1] :]


def host_span(url: str) -> tuple[int, int] | None:
    """Where the host of a web URL is, read as a browser reads it: the authority ends at
    "/", "?", "#" or "\\", the user-info before the last "@" and the port are not host."""
    match = _AUTHORITY.match(url)
    if match is None or (not match.group("slashes") and match.group("scheme").lower() == "file"):
        return None
    start, end = match.span("netloc")
    at = url.rfind("@", start, end)
    if at >= 0:
        start = at + 1
    if url.startswith("[", start):
        close = url.find("]", start, end)
        return (start, close + 1) if close > start + 1 else None
    colon = url.find(":", start, end)
    if colon >= 0:
        end = colon
    return (start, end) if end > start else None


@cache_short(maxsize=2048)
def host_of(url: str) -> str | None:
    """The lower-cased host of a web URL (IPv6 without brackets), or None."""
    span = host_span(url)
    return url[span[0] : span[1]].strip("[]").lower() or None if span else None


def whatwg_ipv4(host: str) -> str | None:
    """Dotted-quad form of a host browsers read as IPv4 (hex, octal, shortened or a single
    integer, e.g. `0x3E.0004.0x10.0256`), or None when the host is a name."""
    parts = host.rstrip(".").split(".")
    if not parts or len(parts) > 4 or not all(_IPV4_PART.match(p) for p in parts):
        return None
    try:
        numbers = [_ipv4_number(p) for p in parts]
    except ValueError:
        return None
    last_limit = 256 ** (5 - len(numbers))
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= last_limit:
        return None
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number * 256 ** (3 - index)
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _ipv4_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError for digits 8/9: then it is not an address
    return int(part)
