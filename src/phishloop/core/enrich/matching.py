"""Matching semantics shared by every intel store: which listed values a message
indicator matches, and how (`IntelMatch.match`).

- url: the URL itself (`exact`), with http and https swapped (`url-other-scheme`),
  without query and fragment (`url-without-query`), then its host as a domain or IP
  (`host`, `parent-domain`, `cidr`);
- domain: itself (`exact`) and each parent down to the registered domain
  (`parent-domain`) — never a bare public suffix (`co.uk`, `github.io`);
- email: the address (`exact`), then its domain (`email-domain`) and parents;
- ip: the address (`exact`) and every listed network containing it (`cidr`);
- md5/sha1/sha256: `exact`.
Stores expand each indicator with `lookup_keys`, fetch the listed records for those
keys, and let `select_matches` apply the allow-list (see `AllowPolicy`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from phishloop.core.domains import parse_ip, registered_domain
from phishloop.core.enrich.records import IntelRecord
from phishloop.core.indicators import normalize_url
from phishloop.core.model import Indicator, IndicatorType, IntelMatch

Level = Literal["url", "domain", "ip", "email", "hash"]
EXACT, WITHOUT_QUERY, HOST = "exact", "url-without-query", "host"
PARENT, EMAIL_DOMAIN, CIDR = "parent-domain", "email-domain", "cidr"
OTHER_SCHEME = "url-other-scheme"
_OTHER_SCHEME = {"http": "https", "https": "http"}
_MAX_PARENTS = 32


@dataclass(frozen=True, slots=True)
class LookupKey:
    """A listed value to look for, the match kind it yields and the allow-list level."""

    type: IndicatorType
    value: str
    match: str
    level: Level


def lookup_keys(
    indicator: Indicator, prefixes: Iterable[tuple[int, int]] = ()
) -> tuple[LookupKey, ...]:
    """The keys to look up for one message indicator, most specific first. `prefixes`
    are the (IP version, prefix length) pairs of networks the store holds."""
    kind, value = indicator.type, indicator.value
    if kind == "url":
        return _url_keys(value, tuple(prefixes))
    if kind == "domain":
        return domain_keys(value, EXACT)
    if kind == "email":
        address = LookupKey("email", value, EXACT, "email")
        return (address, *domain_keys(value.rpartition("@")[2], EMAIL_DOMAIN))
    if kind == "ip":
        return ip_keys(value, EXACT, tuple(prefixes))
    return (LookupKey(kind, value, EXACT, "hash"),)


def domain_keys(domain: str, first_match: str) -> tuple[LookupKey, ...]:
    """The domain and its parents, stopping at the registered domain."""
    floor = registered_domain(domain)
    if floor is None or not (domain == floor or domain.endswith("." + floor)):
        return ()
    keys = [LookupKey("domain", domain, first_match, "domain")]
    current = domain
    while current != floor and len(keys) < _MAX_PARENTS:
        current = current.partition(".")[2]
        keys.append(LookupKey("domain", current, PARENT, "domain"))
    return tuple(keys)


def ip_keys(
    address: str, first_match: str, prefixes: Sequence[tuple[int, int]]
) -> tuple[LookupKey, ...]:
    """The address and, for each listed prefix length, the network containing it."""
    ip = parse_ip(address)
    if ip is None:
        return ()
    keys = [LookupKey("ip", str(ip), first_match, "ip")]
    for version, length in prefixes:
        if version == ip.version and length < ip.max_prefixlen:
            network = ipaddress.ip_network(f"{ip}/{length}", strict=False)
            keys.append(LookupKey("ip", str(network), CIDR, "ip"))
    return tuple(keys)


def _url_keys(raw: str, prefixes: Sequence[tuple[int, int]]) -> tuple[LookupKey, ...]:
    url = normalize_url(raw)  # indicators already are; a no-op then, but cheap insurance
    if url is None:
        return ()
    keys = [LookupKey("url", url, EXACT, "url")]
    parts = urlsplit(url)
    host = parts.hostname or ""
    other = _OTHER_SCHEME.get(parts.scheme)
    if other is not None:
        swapped = urlunsplit((other, parts.netloc, parts.path, parts.query, ""))
        keys.append(LookupKey("url", swapped, OTHER_SCHEME, "url"))
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    if bare != url:
        keys.append(LookupKey("url", bare, WITHOUT_QUERY, "url"))
    if parse_ip(host) is not None:
        return (*keys, *ip_keys(host, HOST, prefixes))
    return (*keys, *domain_keys(host, HOST))


@dataclass(frozen=True, slots=True)
class AllowPolicy:
    """How allow-listing works.

    - Allow records (category `allow`/`benign`) and `allow_domains` trust a whole zone at
      their level: an allow-listed domain suppresses the domain-level matches (`exact`,
      `host`, `parent-domain`, `email-domain`) of every indicator at or below it; an
      allow-listed IP or network suppresses IP matches of addresses inside it; an
      allow-listed URL, address or hash suppresses matches of that value (an address
      also its domain matches). Full-URL listings are never suppressed by a domain:
      a listed phishing page on a big platform stays a hit.
    - `shared_parents` (big shared platforms such as sharepoint.com) are never a match
      target themselves: a feed listing the parent is ignored, listed tenants
      (evil.sharepoint.com) and URLs still match.
    """

    allow_domains: frozenset[str] = frozenset()
    shared_parents: frozenset[str] = frozenset()


def select_matches(
    indicator: Indicator,
    keys: Sequence[LookupKey],
    found: Mapping[tuple[str, str], Sequence[IntelRecord]],
    policy: AllowPolicy,
) -> list[IntelMatch]:
    """Turn the records found for `keys` into matches, applying the allow-list."""
    allowed = _allowed_levels(keys, found, policy)
    keys = [k for k in keys if not (k.type == "domain" and k.value in policy.shared_parents)]
    matches: list[IntelMatch] = []
    for key in keys:
        if key.level in allowed:
            continue
        for record in found.get((key.type, key.value), ()):
            if not record.is_allow:
                matches.append(to_match(indicator, key.match, record))
    return matches


def _allowed_levels(
    keys: Sequence[LookupKey],
    found: Mapping[tuple[str, str], Sequence[IntelRecord]],
    policy: AllowPolicy,
) -> set[Level]:
    levels: set[Level] = set()
    for key in keys:
        listed = found.get((key.type, key.value), ())
        if any(r.is_allow for r in listed) or (
            key.type == "domain" and key.value in policy.allow_domains
        ):
            levels.add(key.level)
    if "email" in levels:
        levels.add("domain")
    return levels


def to_match(indicator: Indicator, match: str, record: IntelRecord) -> IntelMatch:
    return IntelMatch(
        indicator=indicator,
        matched=record.indicator,
        match=match,
        source=record.source,
        category=record.category,
        confidence=record.confidence,
        reference=record.reference,
        first_seen=record.first_seen,
    )


_SPECIFICITY = {
    EXACT: 0,
    OTHER_SCHEME: 1,
    WITHOUT_QUERY: 2,
    HOST: 3,
    EMAIL_DOMAIN: 4,
    PARENT: 5,
    CIDR: 6,
}


def collapse_matches(matches: Iterable[IntelMatch]) -> list[IntelMatch]:
    """One match per listed entry and source, the most specific kept: a URL, its host
    and its registered domain found in one message hit a listed domain only once."""
    best: dict[tuple[str, str, str], IntelMatch] = {}
    for match in matches:
        key = (match.matched.type, match.matched.value, match.source)
        kept = best.get(key)
        if kept is None or _SPECIFICITY.get(match.match, 9) < _SPECIFICITY.get(kept.match, 9):
            best[key] = match
    return list(best.values())
