"""Checks on where the links go (the `links` rule family; see rules/links.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.hostlists import free_hosting, shortener, suspicious_tld
from phishloop.core.classify.impostors import brands
from phishloop.core.classify.senders import is_list_mail
from phishloop.core.classify.types import Finding
from phishloop.core.domains import host_in_domains, is_public_ip, parse_ip, registered_domain
from phishloop.core.model import UrlRecord

_SHOWN_HOST = re.compile(r"(?:[a-z][a-z0-9+.-]{0,10}://)?((?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24})")
MAX_LINKS = 300
LIST_MAIL_STRENGTH = 0.2
_AUTHORITY_END = re.compile(r"[/?#\\]")


def link_urls(facts: Facts) -> tuple[UrlRecord, ...]:
    return facts.analysis.urls[:MAX_LINKS]


def allowed_host(facts: Facts, host: str) -> bool:
    """Hosts of the organisation and of the configured allowed URL domains."""
    trusted = (*facts.config.organisation.domains, *facts.config.lists.allow_url_domains)
    return bool(trusted) and host_in_domains(host, trusted)


def text_mismatch(facts: Facts) -> Finding | None:
    """Newsletters wrap every link in a click tracker: weak for list mail."""
    for url in link_urls(facts):
        if url.mismatch and url.host and not allowed_host(facts, url.host):
            strength = LIST_MAIL_STRENGTH if is_list_mail(facts) else 1.0
            text = (url.display_text or "")[:80]
            return Finding(f'link text "{text}" goes to {url.host}', strength)
    return None


def text_brand_mismatch(facts: Facts) -> Finding | None:
    """The link text shows a brand's domain, the link goes elsewhere."""
    book = brands(facts)
    for url in link_urls(facts):
        if not (url.mismatch and url.display_text and url.host):
            continue
        shown = _SHOWN_HOST.search(url.display_text[:200].lower())
        if shown is None:
            continue
        brand = book.owner(registered_domain(shown.group(1)))
        if brand is not None and not brand.owns(url.registered_domain):
            strength = LIST_MAIL_STRENGTH if is_list_mail(facts) else 1.0  # social links
            evidence = f"link text shows {shown.group(1)} ({brand.name}) but goes to {url.host}"
            return Finding(evidence, strength)
    return None


def ip_host(facts: Facts) -> Finding | None:
    for url in link_urls(facts):
        if url.host and parse_ip(url.host) is not None and is_public_ip(url.host):
            return Finding(f"link to a raw IP address: {url.url[:120]}")
    return None


def _first_listed(
    facts: Facts, lookup: Callable[[str | None], str | None], what: str
) -> Finding | None:
    for url in link_urls(facts):
        entry = lookup(url.host)
        if entry and not allowed_host(facts, url.host or ""):
            return Finding(f"link via {what} {entry}: {url.url[:120]}")
    return None


def shortened(facts: Facts) -> Finding | None:
    return _first_listed(facts, shortener, "URL shortener")


def free_hosted(facts: Facts) -> Finding | None:
    return _first_listed(facts, free_hosting, "free hosting platform")


def bad_tld(facts: Facts) -> Finding | None:
    return _first_listed(facts, suspicious_tld, "a host in suspicious top-level domain")


def userinfo(facts: Facts) -> Finding | None:
    """`https://paypal.com@evil.example/`: what precedes the @ is not the host."""
    for url in link_urls(facts):
        scheme, _, rest = url.url[:500].partition("://")
        authority = _AUTHORITY_END.split(rest, 1)[0]
        if scheme.lower() in ("http", "https") and "@" in authority:
            return Finding(f"link hides its host behind an @: {url.url[:120]}")
    return None
