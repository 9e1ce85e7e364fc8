"""Office field codes and external targets: DDE commands, fields that load remote
content, and the URLs inside them."""

from __future__ import annotations

import html
import re

from phishloop.core.attachments.tree import Node, Walk

MAX_FIELDS = 500
_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s\"'<>!\\]{1,2000}")
_UNC = re.compile(r"^(?:file:/*)?\\\\[^\\]{1,255}\\")
_FIELD_WORD = re.compile(r"\s*\"?\s*([A-Za-z]{2,20})")
_CSV_DDE = re.compile(r"\s*\"?[=+\-@]\s*([^|]{1,200})\|([^!]{0,2000})!")
_REMOTE_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "IMPORT", "INCLUDE"})
_FIELD_TOKEN = re.compile(
    r"<w:fldChar\b[^>]{0,300}?w:fldCharType=\"(begin|separate|end)\""
    r"|<w:instrText\b[^>]{0,300}>([^<]{0,4000})<"
    r"|<w:fldSimple\b[^>]{0,300}?w:instr=\"([^\"]{0,4000})\""
)
_SCHEME_ONLY = re.compile(r"(?i)^(ms-[a-z-]{1,40}|search-ms|mhtml|javascript|vbscript):")


def classify_fields(walk: Walk, node: Node, fields: list[str]) -> None:
    """Flag DDE fields, external links in INCLUDEPICTURE-style fields, and collect URLs."""
    for raw in fields[:MAX_FIELDS]:
        field = _unquote(raw)
        match = _FIELD_WORD.match(field)
        word = match.group(1).upper() if match else ""
        text = " ".join(field.split())
        if word in ("DDE", "DDEAUTO"):
            node.flag("dde", text)
        elif word in _REMOTE_FIELDS and external_target(walk, node, text):
            node.flag("external-link", f"{word}: {text}", key="external-link")
        elif word == "HYPERLINK":
            add_urls(walk, node, text)


def _unquote(field: str) -> str:
    """`QUOTE 68 68 69 ...` is evaluated by Word into the text of those character codes,
    a classic way to hide a DDE command from keyword scanners."""
    words = field.split()
    if len(words) < 2 or words[0].upper() != "QUOTE" or not all(w.isdigit() for w in words[1:]):
        return field
    return "".join(chr(int(word)) for word in words[1:2000] if int(word) < 0x110000)


def classify_dde_links(node: Node, links: list[str]) -> None:
    """Excel DDE links (cmd|'/c calc'!A0 style) as reported by oletools.msodde."""
    for link in links[:MAX_FIELDS]:
        if link.strip():
            node.flag("dde", " ".join(link.split()))


def scan_formula_dde(node: Node, text: str) -> None:
    """DDE formulas in CSV cells or Excel XML `Formula` attributes (=cmd|'/c ...'!A0)."""
    for cell in re.split(r"[\n\r,;\t]|Formula=\"", text)[: 20 * MAX_FIELDS]:
        match = _CSV_DDE.match(cell[:4000])
        if match:
            node.flag("dde", f"{match.group(1).strip()}|{match.group(2).strip()}"[:300])


def external_target(walk: Walk, node: Node, target: str) -> bool:
    """Record a target that makes the document load something from outside (a URL, a UNC
    share, a protocol handler); True when it was one."""
    found = add_urls(walk, node, target)
    if _UNC.match(target.strip()):
        node.detail("unc-path", target.strip())
        return True
    if _SCHEME_ONLY.match(target.strip()):
        node.detail("protocol-handler", target.strip())
        return True
    return found


def add_urls(walk: Walk, node: Node, text: str, *sources: str) -> bool:
    """Add every http(s)/ftp URL inside `text` to the collector (source: the attachment,
    plus `sources`); True when there was one."""
    found = False
    for match in _URL.finditer(text[:20_000]):
        walk.urls.add(match.group(0).rstrip(".,;)"), node.source, *sources)
        found = True
    return found


def word_fields(xml: str) -> list[str]:
    """Field codes of WordprocessingML: runs of w:instrText between a field's begin and
    separate/end marks are joined (Word splits one command across many runs)."""
    found: list[str] = []
    current: list[str] | None = None
    for match in _FIELD_TOKEN.finditer(xml):
        mark, instruction, simple = match.groups()
        if simple is not None:
            found.append(html.unescape(simple))
        elif mark == "begin":
            current = []
        elif mark is not None:
            if current:
                found.append(html.unescape("".join(current)))
            current = None
        elif current is not None and instruction is not None:
            current.append(instruction)
        if len(found) >= MAX_FIELDS:
            break
    return found
