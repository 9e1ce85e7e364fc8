"""Text normalisation for the content rules: defeat the tricks phishers use against keyword
filters (zero-width characters, Cyrillic/Greek/Armenian look-alikes, small capitals,
mathematical letters, accents, HTML character references) so one lower-case ASCII phrase
list matches every spelling.

`normalize("V\u200berify yоur аccount")` == "verify your account" (the "о" and "а" are
Cyrillic). `obfuscation_marks` counts the tricks themselves, which are evidence too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

# Invisible characters that split words without showing: zero-width space/joiners, word
# joiner, BOM, soft hyphen, combining grapheme joiner, bidi marks and isolates.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
# Look-alikes of both cases that NFKD leaves alone, mapped to the Latin letter they imitate
# (the shared data/confusables.txt adds many more lower-case ones).
_LOOKALIKES = {
    "АВЕЅІЈКМНОРСТХУҮԚԜ": "ABESIJKMHOPCTXYYQW",  # Cyrillic upper case
    "авеѕіјкмнорстхуүԛԝһԁӏьгпшё": "abesijkmhopctxyyqwhdlbrnwe",  # Cyrillic lower case
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ": "ABEZHIKMNOPTYX",  # Greek upper case
    "αβεικνορτυχωγη": "abeikvoptuxwyn",  # Greek lower case
    "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢғıȷɑɩøłđħŧƒƅƄ": "abcdefghijklmnopqrstuvwyzfijaioldhtfbb",
}
# Typographic quotes and dashes, so "don’t" matches "don't" and "e–mail" matches "e-mail".
_PUNCTUATION = {
    "\u2018\u2019\u201b\u2032\u201c\u201d\u201f\u2033": "''''\"\"\"\"",
    "\u2010\u2011\u2012\u2013\u2014": "-----",
}
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# An invisible character hidden between two Latin letters ("V\u200berify").
_SPLIT_WORD = re.compile("[A-Za-z][\u200b\u200c\u200d\u2060\ufeff]+[A-Za-z]")


@cache
def _disguise_table() -> dict[int, str | None]:
    """Invisible characters deleted, look-alike letters replaced by the ASCII they imitate."""
    data = resources.files("phishloop.core.classify").joinpath("data", "confusables.txt")
    table: dict[int, str | None] = {}
    for line in data.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            code, ascii_char = line.split()
            table[int(code, 16)] = ascii_char
    for source, target in _LOOKALIKES.items():
        table.update({ord(s): t for s, t in zip(source, target, strict=True)})
    table.update({ord(c): None for c in _INVISIBLE})
    return table


@cache
def _table() -> dict[int, str | None]:
    """The disguise table plus typographic punctuation."""
    table = dict(_disguise_table())
    for source, target in _PUNCTUATION.items():
        table.update({ord(s): t for s, t in zip(source, target, strict=True)})
    return table


@cache
def _mixed_script() -> re.Pattern[str]:
    """A Latin letter touching a non-Latin look-alike letter: a word in two scripts. (Latin
    letters like the Turkish "ı" or the Danish "ø" are at home beside ASCII.)"""
    lookalikes = "".join(
        chr(code)
        for code, ascii_char in _disguise_table().items()
        if ascii_char
        and ascii_char.isalpha()
        and not unicodedata.name(chr(code), "").startswith("LATIN")
    )
    letters = re.escape(lookalikes)
    return re.compile(f"[A-Za-z][{letters}]|[{letters}][A-Za-z]")


class Normalized(NamedTuple):
    text: str  # see `normalize`
    disguised: bool  # look-alike letters or invisible characters were replaced


def normalize(text: str) -> str:
    """Lower-case, accent-free, look-alike-free text with invisible characters removed,
    HTML character references decoded and whitespace folded to single spaces."""
    return normalize_tracked(text).text


def normalize_tracked(text: str) -> Normalized:
    """`normalize`, also telling whether the text disguised any letters (a cheap check
    before counting the tricks with `obfuscation_marks`)."""
    if "&" in text:
        text = html.unescape(text)
    disguised = False
    if not text.isascii():
        # Each step maps characters one by one and leaves ASCII alone (NFKD reorders only
        # runs of combining marks, never across an ASCII character), so the runs of
        # non-ASCII characters alone need the work; the same runs recur: cached.
        pieces = _NON_ASCII_RUN.split(text)
        for index in range(1, len(pieces), 2):
            pieces[index], changed = _fold_run(pieces[index])
            disguised = disguised or changed
        text = "".join(pieces)
    return Normalized(" ".join(text.casefold().split()), disguised)


# The first character as a class of its own lets `re` scan for it without a match attempt
# at every position.
_NON_ASCII_RUN = re.compile(r"([^\x00-\x7f][^\x00-\x7f]*)")


@lru_cache(maxsize=4096)
def _fold_run(run: str) -> tuple[str, bool]:
    """A run of non-ASCII characters normalised, and whether it disguised a letter."""
    undisguised = run.translate(_disguise_table())
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", undisguised))
    return folded.casefold().translate(_table()), undisguised != run


def normalize_phrase(pattern: str) -> str:
    """A phrase pattern written with accents ("último aviso") in the form `normalize`
    gives the text ("ultimo aviso"); regex syntax passes through unchanged."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", pattern)).replace("ß", "ss")


class Obfuscation(NamedTuple):
    """Places where a word is hidden from keyword filters."""

    mixed_script: int  # a Latin letter touching a look-alike from another script
    split_words: int  # an invisible character between two Latin letters


def obfuscation_marks(text: str) -> Obfuscation:
    """Count the look-alike and invisible-character tricks in `text`. (Newsletters put a
    few invisible characters inside postal addresses to stop phones auto-linking them, so
    split words only mean something in numbers.)"""
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():
        return Obfuscation(0, 0)
    mixed = split = 0
    for start, end in _non_ascii_windows(text):
        mixed += len(_mixed_script().findall(text, start, end))
        split += len(_SPLIT_WORD.findall(text, start, end))
    return Obfuscation(mixed, split)


def _non_ascii_windows(text: str) -> list[tuple[int, int]]:
    """The runs of non-ASCII characters with one character either side, overlapping ones
    merged. Both patterns of `obfuscation_marks` match two or more characters, at least
    one of them not ASCII, and nothing else: every match lies inside one window, and a
    scan of the whole text meets each window afresh, so counting per window is exact."""
    windows: list[tuple[int, int]] = []
    for run in _NON_ASCII_RUN.finditer(text):
        start, end = max(run.start() - 1, 0), run.end() + 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows
