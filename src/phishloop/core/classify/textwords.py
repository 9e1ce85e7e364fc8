"""The words of a text, as the phrase gates see them: its `\\w+` tokens."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
# ASCII bytes that are not word characters become spaces; other bytes are kept.
_ASCII_SEPARATORS = bytes(
    byte if byte >= 0x80 or chr(byte).isalnum() or byte == 0x5F else 0x20 for byte in range(256)
)
# The same for ASCII text, as a str.translate table (one character for one: its fast path).
_ASCII_SEPARATOR_MAP = {byte: " " for byte in range(0x80) if _ASCII_SEPARATORS[byte] == 0x20}


def text_words(text: str) -> frozenset[str]:
    """The `\\w+` tokens of `text`, as anchors are matched against them. ASCII is split
    with a byte table (fast); the few tokens with other characters by the regex."""
    tokens = text.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS).split()
    words = {token.decode("utf-8", "surrogatepass") for token in tokens}
    odd = [word for word in words if not word.isascii()]
    words.difference_update(odd)
    words.update(part for word in odd for part in _WORD.findall(word))
    return frozenset(words)


def vocabulary_words(text: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """`text_words(text) & vocabulary`, faster for ASCII text (most text): no bytes."""
    if text.isascii():
        return vocabulary.intersection(text.translate(_ASCII_SEPARATOR_MAP).split())
    return text_words(text) & vocabulary
