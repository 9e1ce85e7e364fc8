"""Rules: the organisation's own allow and block lists (`[lists]`)."""

from __future__ import annotations

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.domains import host_in_domains

MAX_URLS = 300


def _sender_listed(facts: Facts, entries: tuple[str, ...]) -> str | None:
    """The entry (an address, or a domain covering subdomains) matching the From address."""
    address, domain = facts.sender_address, facts.sender_domain
    if not address or not domain:
        return None
    for entry in entries:
        if entry == address or ("@" not in entry and host_in_domains(domain, (entry,))):
            return entry
    return None


def blocked_sender(facts: Facts) -> Finding | None:
    entry = _sender_listed(facts, facts.config.lists.block_senders)
    return Finding(f"From {facts.sender_address} is on the block list ({entry})") if entry else None


def blocked_url(facts: Facts) -> Finding | None:
    lists = facts.config.lists
    if not (lists.block_url_domains or lists.block_urls):
        return None
    for url in facts.analysis.urls[:MAX_URLS]:
        if url.host and host_in_domains(url.host, lists.block_url_domains):
            return Finding(f"link host {url.host} is on the block list")
        prefix = next((p for p in lists.block_urls if url.url.lower().startswith(p.lower())), None)
        if prefix:
            return Finding(f"link {url.url[:120]} is on the block list ({prefix})")
    return None


def allowed_sender(facts: Facts) -> Finding | None:
    """Only authenticated mail: a forged From must not ride on the allow list."""
    entry = _sender_listed(facts, facts.config.lists.allow_senders)
    if not entry or not facts.authenticated:
        return None
    return Finding(f"authenticated sender {facts.sender_address} is on the allow list ({entry})")


RULES: tuple[Rule, ...] = (
    Rule(
        "lists.blocked-sender",
        "phish",
        6.0,
        "The From address or its domain is on the organisation's block list.",
        blocked_sender,
    ),
    Rule(
        "lists.blocked-url",
        "phish",
        6.0,
        "A link goes to a domain or URL on the organisation's block list.",
        blocked_url,
    ),
    Rule(
        "lists.allowed-sender",
        "legit",
        4.0,
        "The sender is on the organisation's allow list and the message is authenticated.",
        allowed_sender,
    ),
)
