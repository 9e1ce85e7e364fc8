"""Look-alike domains: a host that imitates one of a set of protected domains (the
organisation's, or the brand book's) without belonging to it.

Kinds, strongest first: `homoglyph` (same skeleton, other characters: pаypal.com, paypa1.com,
rnicrosoft.com), `subdomain` (a protected domain inside an unrelated host: paypal.com.evil.net),
`typo` (edit distance 1, or 2 for long labels: micorsoft.com), `combo` (the label plus words:
paypal-secure-login.com, microsoftsupport.net), `label` (a protected label as a subdomain of
an unrelated host: paypal.evil.net), `tld` (same label, other suffix: paypal.help).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from phishloop.core.classify.editdistance import deletes, osa_distance
from phishloop.core.classify.homoglyphs import domain_skeleton
from phishloop.core.domains import registered_domain, unicode_host

MIN_TYPO_LENGTH = 5  # shorter labels produce too many innocent neighbours
MIN_COMBO_LENGTH = 6  # for substring combos without a hyphen (paypalsecure.com)
MAX_CACHE = 20_000
LONG_LABEL = 10  # from this length two same-length edits still count as a typo
MAX_TYPO_LENGTH = 24  # longer labels are no typo of a brand


@dataclass(frozen=True, slots=True)
class Lookalike:
    target: str  # "PayPal", or the organisation's name
    seed: str  # the protected registered domain imitated
    kind: str  # homoglyph, subdomain, typo, combo, label, tld

    def describe(self, host: str) -> str:
        return f"{host} imitates {self.target} ({self.seed}, {self.kind})"


@dataclass(frozen=True, slots=True)
class _Seed:
    target: str
    domain: str
    common: bool  # an ordinary word: exact character swaps only
    short: bool  # a short label: character swaps and hyphenated combos only

    @property
    def loose(self) -> bool:
        return self.common or self.short


class LookalikeIndex:
    """Protected registered domains, indexed for fast look-alike queries (cached per host)."""

    def __init__(
        self,
        targets: Iterable[tuple[str, Iterable[str]]],
        is_protected: Callable[[str], bool],
        common_words: frozenset[str] = frozenset(),
        lure_words: frozenset[str] = frozenset(),
        country_variants: bool = False,
    ) -> None:
        self._country_variants = country_variants  # contoso.co imitates contoso.com
        self._lures = lure_words  # make brand + word a lure: paypal-secure, apple-id-verify
        self._is_protected = is_protected  # registered domain -> owned by a target?
        self._seeds: dict[str, list[_Seed]] = defaultdict(list)
        for target, domains in targets:
            for domain in domains:
                label = domain.split(".", 1)[0]
                if "*" in label or len(label) < 2:
                    continue
                seed = _Seed(target, domain, label in common_words, len(label) < MIN_TYPO_LENGTH)
                self._seeds[domain_skeleton(label)].append(seed)
        strict = [s for s, seeds in self._seeds.items() if not all(x.loose for x in seeds)]
        self._variants: dict[str, set[str]] = defaultdict(set)
        for label in strict:
            for variant in deletes(label, 2 if len(label) >= LONG_LABEL else 1):
                self._variants[variant].add(label)
        long_labels = sorted((s for s in strict if len(s) >= MIN_COMBO_LENGTH), key=len)
        self._combo_pattern = re.compile("|".join(map(re.escape, reversed(long_labels))) or "(?!)")
        self._cache: dict[str, Lookalike | None] = {}
        self._registered_cache: dict[str, Lookalike | None] = {}

    def match(self, host: str) -> Lookalike | None:
        """The protected domain `host` imitates, or None (also None for protected hosts)."""
        if host not in self._cache:
            if len(self._cache) > MAX_CACHE:
                self._cache.clear()
            self._cache[host] = self._match(host.lower().rstrip("."))
        return self._cache[host]

    def _match(self, host: str) -> Lookalike | None:
        registered = registered_domain(host)
        if not registered or self._is_protected(registered):
            return None
        labels = [domain_skeleton(unicode_host(x)) for x in host.split(".")]
        subdomains = len(labels) - registered.count(".") - 1
        return (
            self._in_subdomain(labels, subdomains, full=True)
            or self._by_registered(registered)
            or self._in_subdomain(labels, subdomains, full=False)
        )

    def _by_registered(self, registered: str) -> Lookalike | None:
        if registered not in self._registered_cache:
            if len(self._registered_cache) > MAX_CACHE:
                self._registered_cache.clear()
            label = unicode_host(registered.split(".", 1)[0])
            folded = domain_skeleton(label)
            self._registered_cache[registered] = (
                self._same_skeleton(label, folded, "homoglyph", want_changed=True)
                or self._typo(folded)
                or self._combo(folded)
                or self._other_tld(registered, label, folded)
            )
        return self._registered_cache[registered]

    def _other_tld(self, registered: str, label: str, folded: str) -> Lookalike | None:
        """The protected label on a new generic TLD (paypal.help); country domains and
        com/net/org variants are too often the brand's own."""
        suffix = registered.split(".", 1)[1]
        generic = len(suffix.rsplit(".", 1)[-1]) > 2 and suffix not in ("com", "net", "org")
        if not (generic or self._country_variants):
            return None
        return self._same_skeleton(label, folded, "tld", want_changed=False)

    def _first(
        self, folded: str, kind: str, strict_only: bool, allow_common: bool = False
    ) -> Lookalike | None:
        for seed in self._seeds.get(folded, ()):
            if not ((seed.common and not allow_common) or (strict_only and seed.short)):
                return Lookalike(seed.target, seed.domain, kind)
        return None

    def _same_skeleton(
        self, label: str, folded: str, kind: str, want_changed: bool
    ) -> Lookalike | None:
        changed = label.lower() != folded
        if changed != want_changed or len(folded) < 3:
            return None
        if changed:  # a character swap imitates even an ordinary word: аpple.com
            seed = next(iter(self._seeds.get(folded, ())), None)
            return Lookalike(seed.target, seed.domain, kind) if seed else None
        return self._first(folded, kind, strict_only=True)

    def _typo(self, folded: str) -> Lookalike | None:
        if not MIN_TYPO_LENGTH - 1 <= len(folded) <= MAX_TYPO_LENGTH:
            return None
        for variant in deletes(folded, 2 if len(folded) >= LONG_LABEL else 1):
            for seed_label in self._variants.get(variant, ()):
                limit = 2 if len(seed_label) >= LONG_LABEL and len(folded) == len(seed_label) else 1
                if seed_label != folded and osa_distance(folded, seed_label, limit) <= limit:
                    return self._first(seed_label, "typo", strict_only=True)
        return None

    def _combo(self, folded: str) -> Lookalike | None:
        """The protected label plus words: as a hyphenated token (paypal-secure), or run
        together with a lure word (microsoftsupport); ordinary words need a lure word."""
        tokens = folded.split("-")
        for token in tokens if len(tokens) > 1 else ():
            if len(token) >= 3 and token in self._seeds:
                lure = any(t in self._lures for t in tokens if t != token)
                found = self._first(token, "combo", strict_only=False, allow_common=lure)
                if found:
                    return found
        hit = self._combo_pattern.search(folded)
        if not hit or hit.group(0) == folded:
            return None
        rest = [p for p in (folded[: hit.start()], folded[hit.end() :]) if p.strip("-")]
        if not any(self._has_lure(part.strip("-")) for part in rest):
            return None
        return self._first(hit.group(0), "combo", strict_only=True)

    def _has_lure(self, part: str) -> bool:
        """`part` (what surrounds a brand label) starts or ends with a lure word."""
        pieces = part.split("-")
        ends = (pieces[0], pieces[-1])
        return any(
            p.startswith(w) or p.endswith(w) for p in ends for w in self._lures if len(w) > 2
        )

    def _in_subdomain(self, labels: list[str], count: int, full: bool) -> Lookalike | None:
        """A protected domain (`full`) or label in the first `count` labels of a host."""
        for index in range(count):
            for seed in self._seeds.get(labels[index], ()):
                rest = seed.domain.split(".", 1)[1]
                after = ".".join(labels[index + 1 :])
                if full and (after == rest or after.startswith((rest + ".", rest + "-"))):
                    return Lookalike(seed.target, seed.domain, "subdomain")
                if not full and not seed.loose and len(labels[index]) >= MIN_COMBO_LENGTH:
                    return Lookalike(seed.target, seed.domain, "label")
        return None
