"""Which indicators of a confirmed-malicious message may become local threat intel.

A phishing mail also names things that are not the attacker's: the recipient's own domain,
the real brand it imitates (a logo from microsoft.com), the webmail provider or URL
shortener the attacker borrowed. Listing those as malicious would flag every later mail
that mentions them, so only the attacker-specific indicators go back: full URLs (not on
a brand's own domain) and addresses, except on the organisation's or allow-listed domains;
domains that belong to no shipped brand or shared platform; public IP addresses; file
hashes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from phishloop.core.classify.brands import brand_book
from phishloop.core.classify.hostlists import host_list, listed_parent
from phishloop.core.domains import registered_domain
from phishloop.core.model import Indicator

_HASHES = frozenset({"md5", "sha1", "sha256"})
_SHARED_LISTS = ("freemail", "shorteners", "free_hosting")


def feedback_indicators(
    indicators: Iterable[Indicator], *, trusted_domains: Iterable[str] = ()
) -> list[Indicator]:
    """The indicators fit for the local intel store, deduplicated, in input order.
    `trusted_domains`: the organisation's own and allow-listed domains (subdomains too)."""
    trusted = frozenset(d.lower().strip(".") for d in trusted_domains if d)
    kept: dict[tuple[str, str], Indicator] = {}
    for indicator in indicators:
        if _fit(indicator, trusted):
            kept.setdefault((indicator.type, indicator.value), indicator)
    return list(kept.values())


def _fit(indicator: Indicator, trusted: frozenset[str]) -> bool:
    kind, value = indicator.type, indicator.value
    if kind in _HASHES:
        return bool(value)
    if kind == "ip":
        return _public_ip(value)
    if kind == "email":
        return not _trusted(value.rpartition("@")[2], trusted)
    if kind == "url":
        host = urlsplit(value).hostname or ""
        return bool(host) and not _trusted(host, trusted) and not _brand(host)
    if kind == "domain":
        return not _trusted(value, trusted) and not _shared(value)
    return False


def _trusted(host: str, trusted: frozenset[str]) -> bool:
    return listed_parent(host, trusted) is not None if host else True


def _shared(domain: str) -> bool:
    """A brand's real domain or a platform many unrelated senders use."""
    if _brand(domain):
        return True
    return any(listed_parent(domain, host_list(name)) for name in _SHARED_LISTS)


def _brand(host: str) -> bool:
    return brand_book().owner(registered_domain(host) or host) is not None


def _public_ip(value: str) -> bool:
    try:
        return ipaddress.ip_address(value).is_global
    except ValueError:
        return False
