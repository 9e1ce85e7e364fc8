"""Who a message may be pretending to be: the brand book and look-alike indexes for the
organisation's domains and the brands, built once per configuration."""

from __future__ import annotations

from functools import lru_cache

from phishloop.core.classify.brands import Brand, BrandBook, brand_book
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.hostlists import is_freemail
from phishloop.core.classify.lookalikes import Lookalike, LookalikeIndex
from phishloop.core.domains import host_in_domains, registered_domain


def brands(facts: Facts) -> BrandBook:
    return brand_book(facts.config.rules.brands)


@lru_cache(maxsize=8)
def _brand_index(extra: tuple[str, ...]) -> LookalikeIndex:
    book = brand_book(extra)
    return LookalikeIndex(
        ((b.name, b.seeds()) for b in book.brands),
        lambda registered: _known(book, registered),
        book.common_words,
        book.lure_words,
    )


@lru_cache(maxsize=8)
def _org_index(name: str, domains: tuple[str, ...], extra: tuple[str, ...]) -> LookalikeIndex:
    book = brand_book(extra)
    owned = frozenset(filter(None, map(registered_domain, domains)))
    return LookalikeIndex(
        ((name or "the organisation", tuple(owned)),),
        lambda registered: registered in owned or _known(book, registered),
        lure_words=book.lure_words,
        country_variants=True,
    )


def _known(book: BrandBook, registered: str) -> bool:
    """A domain of a brand, a shared platform or a free-mail provider: no look-alike."""
    return (
        registered in book.not_lookalikes
        or book.owner(registered) is not None
        or is_freemail(registered)
    )


def imitated_brand(facts: Facts, host: str) -> Lookalike | None:
    """The brand `host` imitates (never one it belongs to, nor the organisation's hosts)."""
    if _is_own(facts, host):
        return None
    return _brand_index(facts.config.rules.brands).match(host)


def imitated_organisation(facts: Facts, host: str) -> Lookalike | None:
    """The organisation domain `host` imitates (None without configured domains)."""
    org = facts.config.organisation
    if not org.domains or _is_own(facts, host):
        return None
    return _org_index(org.name, org.domains, facts.config.rules.brands).match(host)


def _is_own(facts: Facts, host: str) -> bool:
    trusted = (*facts.config.organisation.domains, *facts.config.lists.allow_url_domains)
    return bool(trusted) and host_in_domains(host, trusted)


def sender_brand(facts: Facts) -> Brand | None:
    """The brand that owns the From domain, if any."""
    return brands(facts).owner(facts.sender_registered_domain)
