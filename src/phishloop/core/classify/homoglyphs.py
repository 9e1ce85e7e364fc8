"""Skeletons of look-alike text (UTS #39 style), for comparing domains and display names.

`skeleton("раураl")` (Cyrillic р, а, у) == `skeleton("paypal")` == "paypal". The character
table (data/confusables.txt) is Unicode's confusables.txt reduced to the lower-case
characters that imitate one ASCII letter or digit — all a domain or a name comparison needs —
so no dependency is required. NFKD handles accents, full-width and mathematical letters.
`fold_swaps` adds the ASCII tricks Unicode does not list for domains: 0→o, 1→l, rn→m, vv→w.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from importlib import resources

_ASCII_SWAPS = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"))


@cache
def _table() -> dict[int, str]:
    text = resources.files("phishloop.core.classify").joinpath("data", "confusables.txt")
    table: dict[int, str] = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, ascii_char = line.split()
            table[int(code, 16)] = ascii_char
    return table


@lru_cache(maxsize=16384)
def skeleton(text: str) -> str:
    """Lower-case text with accents removed and look-alike characters replaced by the
    ASCII letter or digit they imitate; other characters are kept."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.translate(_table())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def fold_swaps(label: str) -> str:
    """`label` with the usual ASCII look-alike swaps undone (paypa1 → paypal, rnicrosoft →
    microsoft). Apply to both sides of a comparison."""
    for source, target in _ASCII_SWAPS:
        label = label.replace(source, target)
    return label


def domain_skeleton(label: str) -> str:
    """The comparison form of a domain label: skeleton plus swaps folded."""
    return fold_swaps(skeleton(label))


def is_mixed_script(text: str) -> bool:
    """True when `text` mixes ASCII letters with non-ASCII letters that imitate ASCII ones
    (a classic IDN homograph: "pаypal" with a Cyrillic а)."""
    table = _table()
    has_ascii = any(c.isascii() and c.isalpha() for c in text)
    return has_ascii and any(ord(c) in table for c in text.lower())
