"""Finding an inline forward at the top of a plain-text body: the marker line (or Outlook's
bare header block), the forwarded header fields, the reporter's comment and the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from phishloop.core.parse.forward_vocab import (
    APPLE_PHRASES,
    FORWARDED_PHRASES,
    LABELS,
    ORIGINAL_PHRASES,
)

MAX_SCAN_CHARS = 8000  # the marker must start this close to the top
MAX_BLOCK_LINES = 30
MAX_COMMENT_CHARS = 2000
_DASHED = re.compile(r"^([-_]{2,})\s*(.{3,60}?)\s*[-_]{2,}$")
_APPLE = re.compile(r"^(.{5,60}?)\s*:$")
_RULE = re.compile(r"^\s*[-_=]{8,}\s*$")
_QUOTE = re.compile(r"^(?:>[ \t]?)+")
_MAILTO = re.compile(r"<mailto:[^<>\s]{1,320}>")


@dataclass(frozen=True, slots=True)
class InlineForward:
    client: str  # outlook | gmail | apple | thunderbird
    comment: str  # what the reporter wrote above the forward
    fields: tuple[tuple[str, str], ...]  # ("From", "Jane <jane@example.com>"), ... in order
    labels: tuple[str, ...]  # the labels as written ("Betreff", "Objet"), for the HTML cut
    body: str  # the forwarded text after the header block


def find_inline_forward(text: str) -> InlineForward | None:
    """The first inline forward near the top of `text`, or None."""
    head = text[: MAX_SCAN_CHARS + 6000]
    lines = head.split("\n")
    offset = 0
    previous_blank = True
    for index, raw_line in enumerate(lines):
        if offset > MAX_SCAN_CHARS:
            return None
        line = _clean(raw_line)
        client = _marker_client(line)
        if client is not None:
            found = _read_block(
                text,
                lines,
                index + 1,
                offset + len(raw_line) + 1,
                client,
                quoted=raw_line.lstrip().startswith(">"),
            )
        elif previous_blank and LABELS.get(_label(line)[0]) == "From":
            found = _read_block(text, lines, index, offset, "outlook", quoted=False, bare=True)
        else:
            found = None
        if found is not None:
            return _with_comment(found, text[:offset])
        previous_blank = not line or _RULE.match(line) is not None
        offset += len(raw_line) + 1
    return None


def _marker_client(line: str) -> str | None:
    if "-" in line or "_" in line:
        match = _DASHED.match(line)
        if match:
            phrase = _phrase(match.group(2))
            dashes = len(match.group(1))
            if phrase in ORIGINAL_PHRASES:
                return "outlook" if dashes <= 5 else "thunderbird"
            if phrase in FORWARDED_PHRASES:
                return "gmail" if dashes >= 10 else "thunderbird"
    if line.endswith(":"):
        match = _APPLE.match(line)
        if match and _phrase(match.group(1)) in APPLE_PHRASES:
            return "apple"
    return None


def _read_block(
    text: str,
    lines: list[str],
    start: int,
    offset: int,
    client: str,
    *,
    quoted: bool,
    bare: bool = False,
) -> InlineForward | None:
    """Parse the header block starting at line `start` (character `offset` in text)."""
    fields: list[list[str]] = []
    labels: list[str] = []
    index = start
    while index < len(lines) and index - start < MAX_BLOCK_LINES:
        line = _clean(lines[index])
        offset += len(lines[index]) + 1
        index += 1
        if not line:
            if fields:
                break
            continue
        label, value = _label(line)
        field = LABELS.get(label)
        if field is not None:
            fields.append([field, value])
            labels.append(label)
        elif fields and fields[-1][0] in ("To", "Cc", "From") and ("@" in line or "," in line):
            fields[-1][1] += " " + line  # a wrapped address list
        else:
            offset -= len(lines[index - 1]) + 1
            break
    names = {name for name, _ in fields}
    if "From" not in names or not names & {"Subject", "Date"}:
        return None
    if bare and not ({"Subject"} <= names and len(names) >= 3):
        return None
    body = _unquote(text[offset:]) if quoted else text[offset:]
    return InlineForward(
        client, "", tuple((n, _tidy(v)) for n, v in fields), tuple(labels), body.strip("\r\n")
    )


def _with_comment(found: InlineForward, above: str) -> InlineForward:
    kept = above.rstrip().split("\n")
    while kept and (_RULE.match(kept[-1]) or not kept[-1].strip()):
        kept.pop()  # the separator rule Outlook puts above the block
    comment = "\n".join(kept).strip()[:MAX_COMMENT_CHARS]
    return InlineForward(found.client, comment, found.fields, found.labels, found.body)


def _clean(line: str) -> str:
    """A line without quoting, Markdown-ish bold markers, NBSPs and trailing CR."""
    line = line.replace("\u00a0", " ").replace("\r", "").strip()
    if line.startswith(">"):
        line = _QUOTE.sub("", line).strip()
    return line.strip("*").strip()


def _label(line: str) -> tuple[str, str]:
    """('subject', 'Hello') for 'Subject: Hello'; ('', '') when the line has no label."""
    colon = line.find(":", 0, 40)
    if colon <= 0:
        return "", ""
    label = " ".join(line[:colon].replace("*", " ").split()).lower()
    return label, line[colon + 1 :].strip().strip("*").strip()


def _phrase(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).lower()


def _tidy(value: str) -> str:
    """Outlook's plain text writes 'a@b.com<mailto:a@b.com>'; keep the address once."""
    return _MAILTO.sub("", value).strip()


def _unquote(text: str) -> str:
    return "\n".join(re.sub(r"^>[ \t]?", "", line) for line in text.split("\n"))
