"""Small text measurements for the spam rules: shouting subjects, emoji, obfuscation."""

from __future__ import annotations

import re

from phishloop.core.classify.textnorm import obfuscation_marks

MIN_SUBJECT_LETTERS = 12
CAPS_SHARE = 0.8
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|tr|rv|sv|vs)\s*:\s*)+", re.IGNORECASE)


def shouting_subject(subject: str) -> float | None:
    """The share of capitals among the subject's letters when it is shouted, else None."""
    letters = "".join(filter(str.isalpha, _REPLY_PREFIX.sub("", subject[:300])))
    if len(letters) < MIN_SUBJECT_LETTERS:
        return None
    share = sum(map(str.isupper, letters)) / len(letters)
    return share if share >= CAPS_SHARE else None


def emoji_count(text: str) -> int:
    """Pictographs in `text` (emoji, dingbats, symbols)."""
    return sum(1 for c in text[:300] if 0x1F300 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF)


MIN_MIXED_SCRIPT = 2
MIN_SPLIT_WORDS = 6


def obfuscation(text: str) -> str | None:
    """Evidence of deliberate word hiding in `text`, or None."""
    marks = obfuscation_marks(text)
    if marks.mixed_script >= MIN_MIXED_SCRIPT:
        return f"{marks.mixed_script} word(s) mix look-alike letters from another script"
    if marks.split_words >= MIN_SPLIT_WORDS:
        return f"{marks.split_words} word(s) split by invisible characters"
    return None
