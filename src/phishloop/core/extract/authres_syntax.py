"""A forgiving reader for Authentication-Results values (RFC 8601) and Received-SPF
(RFC 7208 section 9.1), written for what mail systems really send: Microsoft 365 omits the
authserv-id, separators go missing, comments nest and quotes are left open."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A quoted string (closing quote optional), a parenthesis, a ';', or a run of other text.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[()]|;|[^\s;()"]+')
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")  # a method or result keyword
# Keys without a dot that are not methods: reason (RFC 8601) and Microsoft's extras.
_NOT_METHODS = frozenset({"reason", "action", "i", "version"})
_QUOTED_PAIR = re.compile(r"\\(.)")
MAX_RESULTS = 64
MAX_VALUE_CHARS = 256


@dataclass
class ParsedResult:
    method: str
    result: str
    properties: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None
    comment: str | None = None


@dataclass
class Segment:
    """The words of one ';'-separated part and the comments found in it, in order."""

    words: list[str] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)  # (index of next word, text)


def segments(value: str) -> list[Segment]:
    """Split at ';' outside comments and quotes; words joined across ' = ' spacing."""
    parts, current, depth, comment = [], Segment(), 0, []
    for piece in _TOKENS.findall(value):
        if piece == "(":
            depth += 1
            if depth > 1:
                comment.append(piece)
        elif piece == ")" and depth:
            depth -= 1
            if depth:
                comment.append(piece)
            else:
                current.comments.append((len(current.words), " ".join(comment)))
                comment = []
        elif depth:
            comment.append(piece)
        elif piece == ";":
            parts.append(current)
            current = Segment()
        else:
            _add_word(current.words, piece)
    parts.append(current)
    return [part for part in parts if part.words or part.comments]


def _add_word(words: list[str], piece: str) -> None:
    if words and (words[-1].endswith("=") or piece.startswith("=")):
        words[-1] += piece
    else:
        words.append(piece)


def results_from(segment: Segment) -> list[ParsedResult]:
    """The method results in one segment; normally one, but a missing ';' is forgiven."""
    results: list[ParsedResult] = []
    for index, word in enumerate(segment.words):
        key, equals, raw_value = word.partition("=")
        if not equals:
            continue
        key = key.lower().split("/", 1)[0]  # "dkim/1=pass": the method version is dropped
        value = unquote(raw_value)
        if key not in _NOT_METHODS and _NAME.fullmatch(key):
            result = value.lower()
            if not _NAME.fullmatch(result):
                continue
            results.append(ParsedResult(key, result, comment=_comment_at(segment, index + 1)))
        elif results and key == "reason":
            results[-1].reason = value
        elif results and key:
            results[-1].properties.append((key, value))
    return results[:MAX_RESULTS]


def _comment_at(segment: Segment, word_index: int) -> str | None:
    for index, text in segment.comments:
        if index == word_index:
            return text[:MAX_VALUE_CHARS] or None
    return None


def unquote(value: str) -> str:
    if value.startswith('"'):
        value = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
        value = _QUOTED_PAIR.sub(r"\1", value)
    return value[:MAX_VALUE_CHARS]
