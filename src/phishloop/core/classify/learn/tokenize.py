"""The model's word splitting, fast: `TOKEN.findall` tries the regex at every position of the
text; for ASCII text (most mail) `str.translate` and `str.split` find the same tokens —
letter runs of 2 to 24, digit runs of up to 24, currency signs — at C speed.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"[^\W\d_]{2,24}|\d{1,24}|[$€£]")
MAX_RUN = 24  # TOKEN's longest letter or digit run: longer runs are cut into pieces
NUMBER = "#"  # what every number becomes
# ASCII letters, digits and "$" stay, anything else separates. (One character for one keeps
# str.translate on its fast path; chunks with a "$" are split by TOKEN.)
_ASCII_SPLIT = {code: " " for code in range(0x80) if not (chr(code).isalnum() or code == 0x24)}
_LINK_MARKERS = ("://", "@", "www.")


def words(text: str) -> list[str]:
    """TOKEN's tokens of `text`, every number replaced by NUMBER."""
    if not text.isascii():
        return [NUMBER if word[0].isdigit() else word for word in TOKEN.findall(text)]
    found: list[str] = []
    for chunk in text.translate(_ASCII_SPLIT).split():
        if chunk.isalpha():
            if 1 < len(chunk) <= MAX_RUN:
                found.append(chunk)
            elif len(chunk) > MAX_RUN:
                found += (piece for piece in _pieces(chunk) if len(piece) > 1)
        elif chunk.isdigit():
            found += [NUMBER] * -(-len(chunk) // MAX_RUN)
        else:  # "$", or letters and digits mixed ("mp3"): rare
            found += (NUMBER if word[0].isdigit() else word for word in TOKEN.findall(chunk))
    return found


def count(text: str) -> int:
    """len(TOKEN.findall(text))."""
    if not text.isascii():
        return len(TOKEN.findall(text))
    total = 0
    for chunk in text.translate(_ASCII_SPLIT).split():
        size = len(chunk)
        if chunk.isalpha():
            total += size // MAX_RUN + (size % MAX_RUN > 1)
        elif chunk.isdigit():
            total += -(-size // MAX_RUN)
        else:
            total += len(TOKEN.findall(chunk))
    return total


def without_links(text: str) -> str:
    """`text` without its whitespace-separated chunks that hold a URL or an address (and
    with its whitespace folded): the same tokens as joining the other chunks."""
    return split_links(text)[0]


def split_links(text: str) -> tuple[str, str]:
    """`without_links(text)`, and the chunks it leaves out."""
    folded = " ".join(text.split())
    if not any(marker in folded for marker in _LINK_MARKERS):
        return folded, ""
    spans = []
    for marker in _LINK_MARKERS:
        at = folded.find(marker)
        while at >= 0:
            end = folded.find(" ", at)
            end = len(folded) if end < 0 else end
            spans.append((folded.rfind(" ", 0, at) + 1, end))
            at = folded.find(marker, end)
    kept, removed, position = [], [], 0
    for start, end in sorted(spans):
        if start > position:
            kept.append(folded[position:start])
        removed.append(folded[max(start, position) : end])
        position = max(position, end)
    kept.append(folded[position:])
    return " ".join(kept), " ".join(removed)


def _pieces(run: str) -> list[str]:
    return [run[start : start + MAX_RUN] for start in range(0, len(run), MAX_RUN)]
