"""Indicator normalisation: the one place where URLs, domains, IPs, addresses and hashes
get their canonical form (intelmq-style harmonisation). Extraction, intel lookups and
clustering all call these functions, so equal indicators compare equal everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from phishloop.core.domains import normalize_host, parse_ip, registered_domain
from phishloop.core.model import Indicator, IndicatorType

_HASH_LENGTHS: dict[int, IndicatorType] = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX = re.compile(r"^[0-9a-f]+$")
_EMAIL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[a-z0-9.-]{1,253}$")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# A web URL whose authority is a bare host name (no user, port or brackets), without
# whitespace or control characters: all `urlsplit` does to it is cut it at the first "/",
# "?" and "#", so it is normalised without it (most URLs in mail look like this).
_PLAIN_URL = re.compile(
    r"(?P<scheme>https?|ftp)://(?P<host>[a-z0-9.-]{1,253})(?P<rest>[/?#][^\x00-\x20]*)?",
    re.IGNORECASE | re.ASCII,
)
MAX_URL_LENGTH = 8192
_MAX_CACHED_VALUE = 512


def normalize_url(url: str) -> str | None:
    """Canonical URL: lower-case scheme and host, IDNA host, no default port, no fragment,
    '/' for an empty path. None when it has no usable host."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    plain = _PLAIN_URL.fullmatch(url)
    return _normalize_plain_url(plain) if plain is not None else _normalize_any_url(url)


def _normalize_any_url(url: str) -> str | None:
    """`normalize_url` for a stripped URL of any shape, through urlsplit."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = normalize_host(parts.hostname or "")
    if not scheme or host is None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _normalize_plain_url(match: re.Match[str]) -> str | None:
    """`normalize_url` for a `_PLAIN_URL` (the same result, without urlsplit/urlunsplit)."""
    host = normalize_host(match["host"].lower())
    if host is None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    path, _, query = (match["rest"] or "").partition("#")[0].partition("?")
    url = f"{match['scheme'].lower()}://{netloc}{path or '/'}"
    return f"{url}?{query}" if query else url


def normalize_domain(value: str) -> str | None:
    host = normalize_host(value)
    if host is None or parse_ip(host) is not None or "." not in host:
        return None
    return host


def normalize_ip(value: str) -> str | None:
    ip = parse_ip(value.strip())
    return str(ip) if ip is not None else None


def normalize_email(value: str) -> str | None:
    value = value.strip().strip("<>").lower()
    local, _, domain = value.rpartition("@")
    host = normalize_domain(domain) if local else None
    if host is None:
        return None
    candidate = f"{local}@{host}"
    return candidate if _EMAIL.match(candidate) else None


def normalize_hash(value: str) -> tuple[IndicatorType, str] | None:
    value = value.strip().lower()
    kind = _HASH_LENGTHS.get(len(value))
    if kind is None or not _HEX.match(value):
        return None
    return kind, value


def make_indicator(kind: IndicatorType, value: str) -> Indicator | None:
    """Normalise `value` as an indicator of `kind`; None when it is not a valid one."""
    # The same senders, hosts and links come back message after message: short values
    # are cached (an Indicator is immutable, so sharing one is safe).
    if len(value) <= _MAX_CACHED_VALUE:
        return _cached_indicator(kind, value)
    return _make_indicator(kind, value)


@lru_cache(maxsize=8192)
def _cached_indicator(kind: IndicatorType, value: str) -> Indicator | None:
    return _make_indicator(kind, value)


def _make_indicator(kind: IndicatorType, value: str) -> Indicator | None:
    normalized: str | None
    if kind == "url":
        normalized = normalize_url(value)
    elif kind == "domain":
        normalized = normalize_domain(value)
    elif kind == "ip":
        normalized = normalize_ip(value)
    elif kind == "email":
        normalized = normalize_email(value)
    else:
        parsed = normalize_hash(value)
        normalized = parsed[1] if parsed and parsed[0] == kind else None
    return Indicator(kind, normalized) if normalized else None


def guess_indicator(value: str) -> Indicator | None:
    """Normalise a value of unknown type (intel lists, `phishloop intel lookup`)."""
    value = value.strip()
    if "://" in value:
        return make_indicator("url", value)
    if "@" in value:
        return make_indicator("email", value)
    if parse_ip(value) is not None:
        return make_indicator("ip", value)
    parsed = normalize_hash(value)
    if parsed is not None:
        return Indicator(parsed[0], parsed[1])
    return make_indicator("domain", value)


class IndicatorSet:
    """Deduplicating, order-keeping collection of normalised indicators."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Indicator] = {}

    def add(self, kind: IndicatorType, value: str | None) -> None:
        if not value:
            return
        indicator = make_indicator(kind, value)
        if indicator is not None:
            self._items.setdefault((indicator.type, indicator.value), indicator)

    def add_url(self, url: str) -> None:
        """A URL and the host it points to (a domain, or an IP)."""
        self.add("url", url)
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            return
        self.add_host(host)

    def add_host(self, host: str) -> None:
        if parse_ip(host.strip("[]")) is not None:
            self.add("ip", host)
            return
        self.add("domain", host)
        normalized = normalize_domain(host)
        registered = registered_domain(normalized) if normalized else None
        if registered and registered != normalized:
            self.add("domain", registered)

    def extend(self, indicators: Iterable[Indicator]) -> None:
        for indicator in indicators:
            self._items.setdefault((indicator.type, indicator.value), indicator)

    def to_tuple(self) -> tuple[Indicator, ...]:
        return tuple(self._items.values())
