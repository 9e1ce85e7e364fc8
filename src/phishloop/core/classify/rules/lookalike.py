"""Rules: look-alike and IDN homograph domains of the organisation's domains and of
well-known brands, in From, Reply-To and link hosts."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.homoglyphs import is_mixed_script
from phishloop.core.classify.impostors import imitated_brand, imitated_organisation
from phishloop.core.classify.lookalikes import Lookalike
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.domains import unicode_host

MAX_URL_HOSTS = 60
# How much each kind of look-alike counts (homoglyph, subdomain and typo are deliberate).
KIND_STRENGTH = {
    "homoglyph": 1.0, "subdomain": 1.0, "typo": 1.0, "combo": 0.75, "label": 0.5, "tld": 0.4,
}  # fmt: skip
Matcher = Callable[[Facts, str], Lookalike | None]


def url_hosts(facts: Facts) -> tuple[str, ...]:
    hosts = dict.fromkeys(u.host for u in facts.analysis.urls if u.host)
    return tuple(hosts)[:MAX_URL_HOSTS]


def _first(facts: Facts, hosts: Iterable[str], match: Matcher, where: str) -> Finding | None:
    for host in hosts:
        found = match(facts, host)
        if found is not None:
            return Finding(f"{where} {found.describe(host)}", KIND_STRENGTH[found.kind])
    return None


def _sender(facts: Facts) -> tuple[str, ...]:
    return (facts.sender_domain,) if facts.sender_domain else ()


def sender_organisation(facts: Facts) -> Finding | None:
    return _first(facts, _sender(facts), imitated_organisation, "From domain")


def sender_brand(facts: Facts) -> Finding | None:
    return _first(facts, _sender(facts), imitated_brand, "From domain")


def reply_to(facts: Facts) -> Finding | None:
    hosts = facts.reply_to_domains
    return _first(facts, hosts, imitated_organisation, "Reply-To") or _first(
        facts, hosts, imitated_brand, "Reply-To"
    )


def url_organisation(facts: Facts) -> Finding | None:
    return _first(facts, url_hosts(facts), imitated_organisation, "link host")


def url_brand(facts: Facts) -> Finding | None:
    return _first(facts, url_hosts(facts), imitated_brand, "link host")


def mixed_script(facts: Facts) -> Finding | None:
    """An IDN mixing Latin with look-alike letters of another script: a homograph of a
    domain that need not be on any list."""
    for host in (*_sender(facts), *facts.reply_to_domains, *url_hosts(facts)):
        if "xn--" in host:
            shown = unicode_host(host)
            if any(is_mixed_script(label) for label in shown.split(".")):
                return Finding(f"{host} renders as {shown}, mixing scripts")
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "lookalike.sender-organisation",
        "phish",
        4.5,
        "The From domain imitates one of the organisation's domains.",
        sender_organisation,
    ),
    Rule(
        "lookalike.sender-brand",
        "phish",
        4.0,
        "The From domain imitates a well-known brand's domain (homoglyphs, typos, added "
        "words, brand as subdomain).",
        sender_brand,
    ),
    Rule(
        "lookalike.reply-to",
        "phish",
        3.0,
        "The Reply-To domain imitates the organisation's or a well-known brand's domain.",
        reply_to,
    ),
    Rule(
        "lookalike.url-organisation",
        "phish",
        3.5,
        "A link goes to a host that imitates one of the organisation's domains.",
        url_organisation,
    ),
    Rule(
        "lookalike.url-brand",
        "phish",
        3.0,
        "A link goes to a host that imitates a well-known brand's domain.",
        url_brand,
    ),
    Rule(
        "lookalike.mixed-script",
        "phish",
        2.0,
        "A sender or link domain is an IDN that mixes Latin letters with look-alikes from "
        "another script.",
        mixed_script,
    ),
)
