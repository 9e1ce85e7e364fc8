"""Host names: normalisation and registered domains from the bundled Public Suffix List.

tldextract is used with its bundled snapshot only (no download, no cache directory), so
results are the same offline and on every machine.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)
_MAX_HOST_LENGTH = 253
_MAX_CACHED_HOST = 300


def normalize_host(host: str) -> str | None:
    """Lower-case, strip brackets/trailing dots and ports, IDNA-encode; None if not a host."""
    # Hosts repeat within and across messages; over-long text is no host and not cached.
    return _cached_host(host) if len(host) <= _MAX_CACHED_HOST else _normalize_host(host)


@lru_cache(maxsize=8192)
def _cached_host(host: str) -> str | None:
    return _normalize_host(host)


def _normalize_host(host: str) -> str | None:
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host or len(host) > _MAX_HOST_LENGTH or any(c in host for c in " /\\@<>\"'`"):
        return None
    ip = parse_ip(host)
    return str(ip) if ip is not None else _idna(host)


@lru_cache(maxsize=8192)
def _idna(host: str) -> str | None:
    if host.isascii():
        return host if all(label for label in host.split(".")) else None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        # IDNA 2003 rejects some labels browsers accept; punycode each label ourselves.
        try:
            labels = [
                label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                for label in host.split(".")
            ]
        except UnicodeError:
            return None
        return ".".join(labels) if all(labels) else None


def unicode_host(host: str) -> str:
    """The human-readable form of an IDNA host (for homoglyph checks and display)."""
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


@lru_cache(maxsize=65536)
def registered_domain(host: str) -> str | None:
    """The domain an owner registered (eTLD+1, private suffixes included), or None for IPs,
    single labels and unknown suffixes."""
    if not host or parse_ip(host) is not None:
        return None
    result = _EXTRACT(host)
    return result.top_domain_under_public_suffix or None


_IP_CHARS = frozenset("0123456789abcdefABCDEF.:[]%")


@lru_cache(maxsize=65536)
def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `text` names (brackets allowed), or None. Cached: hosts repeat a lot."""
    if not text or len(text) > 64 or not _IP_CHARS.issuperset(text):
        return None
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def is_public_ip(text: str) -> bool:
    ip = parse_ip(text)
    return ip is not None and ip.is_global


def host_in_domains(host: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    """True when `host` is one of `domains` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)
