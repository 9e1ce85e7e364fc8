"""The brand book: well-known brands, the registered domains they own and the names that
call them (data/brands.toml, extended by `[rules] brands`)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property, lru_cache
from importlib import resources

from phishloop.core.classify.homoglyphs import skeleton


@dataclass(frozen=True)
class Brand:
    name: str
    primary: str  # the domain named in evidence
    domains: frozenset[str]  # registered domains the brand owns
    globs: tuple[str, ...] = ()  # patterns such as "sparkasse-*.de"
    names: tuple[str, ...] = ()  # phrases naming the brand

    def owns(self, registered: str | None) -> bool:
        """True when `registered` (a registered domain) belongs to the brand."""
        if not registered:
            return False
        return registered in self.domains or any(fnmatchcase(registered, g) for g in self.globs)

    def seeds(self) -> tuple[str, ...]:
        """The brand's domains, primary first (look-alike evidence names the first match)."""
        label = "." + self.primary.split(".", 1)[0]
        rest = sorted(d for d in self.domains - {self.primary} if not d.endswith(label))
        return (self.primary, *rest)  # not mail.microsoft: its label "mail" is no brand


def name_form(text: str) -> str:
    """Display names and brand names compared alike: skeleton, punctuation to spaces."""
    return " ".join(re.sub(r"[^a-z0-9+&]+", " ", skeleton(text[:200])).split())


@dataclass(frozen=True)
class BrandBook:
    brands: tuple[Brand, ...]
    common_words: frozenset[str]
    not_lookalikes: frozenset[str] = frozenset()
    lure_words: frozenset[str] = frozenset()

    @cached_property
    def _by_name(self) -> dict[str, Brand]:
        return {name_form(n): b for b in self.brands for n in b.names if name_form(n)}

    @cached_property
    def _name_pattern(self) -> re.Pattern[str]:
        names = sorted(self._by_name, key=len, reverse=True)
        return re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, names)) + r")(?![a-z0-9])")

    @cached_property
    def _by_domain(self) -> dict[str, Brand]:
        return {d: b for b in reversed(self.brands) for d in b.domains}

    @cached_property
    def _globbed(self) -> tuple[Brand, ...]:
        return tuple(b for b in self.brands if b.globs)

    def owner(self, registered: str | None) -> Brand | None:
        """The brand that owns `registered` (a registered domain), if any."""
        if not registered:
            return None
        found = self._by_domain.get(registered)
        return found or next((b for b in self._globbed if b.owns(registered)), None)

    def named_in(self, text: str) -> Brand | None:
        """The first brand whose name appears as whole words in `text`."""
        found = self._name_pattern.search(name_form(text)) if text else None
        return self._by_name[found.group(1)] if found else None


def _merge_extra(brands: dict[str, Brand], entry: str) -> None:
    """Add one "Brand=domain.com,domain2.com" entry, extending a shipped brand of that name."""
    name, _, domains = entry.partition("=")
    name = name.strip()
    values = tuple(d.strip().lower() for d in domains.split(",") if d.strip())
    if not name or not values:
        return
    known = brands.get(name.lower())
    if known is None:
        brands[name.lower()] = _brand(name, values, (name,))
    else:
        merged = (known.primary, *known.domains, *known.globs, *values)
        brands[name.lower()] = _brand(known.name, merged, known.names)


def _brand(name: str, domains: tuple[str, ...], names: tuple[str, ...]) -> Brand:
    exact = tuple(d for d in domains if "*" not in d)
    globs = tuple(d for d in domains if "*" in d)
    return Brand(name, exact[0] if exact else "", frozenset(exact), globs, names)


@lru_cache(maxsize=8)
def brand_book(extra: tuple[str, ...] = ()) -> BrandBook:
    """The shipped brands plus `extra` ("Brand=domain.com,domain2.com" entries)."""
    path = resources.files("phishloop.core.classify").joinpath("data", "brands.toml")
    data = tomllib.loads(path.read_text("utf-8"))
    common = frozenset(data.pop("common_words", ()))
    platforms = frozenset(data.pop("not_lookalikes", ()))
    lures = frozenset(data.pop("lure_words", ()))
    brands = {
        name.lower(): _brand(name, tuple(table["domains"]), tuple(table.get("names", (name,))))
        for name, table in data.items()
    }
    for entry in extra:
        _merge_extra(brands, entry)
    return BrandBook(tuple(brands.values()), common, platforms, lures)
