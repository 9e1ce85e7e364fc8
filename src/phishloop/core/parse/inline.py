"""Reconstructing the original of an inline forward as a ParsedMessage."""

from __future__ import annotations

import html as html_lib
import re
from typing import TYPE_CHECKING

from phishloop.core.parse.forward_dates import forwarded_date
from phishloop.core.parse.forward_html import html_after_forward
from phishloop.core.parse.forwards import InlineForward, find_inline_forward
from phishloop.core.parse.headers import parse_addresses
from phishloop.core.parse.parts import ParsedMessage
from phishloop.core.parse.synth import synthesised_message

if TYPE_CHECKING:
    from phishloop.core.parse.report_signals import Signals

MAX_HTML_TO_TEXT = 256 * 1024
_INVISIBLE = re.compile(r"<(style|script|head)\b[^>]{0,500}>.*?</\1\s*>", re.I | re.S)
_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d|hr|/table|/blockquote)\b[^>]{0,500}>", re.I)
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACES = re.compile(r"[ \t\u00a0]+")


def inline_original(
    wrapper: ParsedMessage, signals: Signals
) -> tuple[ParsedMessage, str, str | None] | None:
    """(original, format, reporter's comment) for an inline forward at the top of the
    wrapper's body, or None."""
    text = wrapper.text_body if wrapper.text_body.strip() else html_to_text(wrapper.html_body)
    found = find_inline_forward(text)
    if found is None or not _plausible(found, signals):
        return None
    html = html_after_forward(wrapper.html_body, found.labels) if wrapper.html_body else None
    original = synthesised_message(_headers(found), found.body, html or "", wrapper.attachments)
    return original, f"inline-forward/{found.client}", found.comment or None


def html_to_text(html: str) -> str:
    """Rough text of an HTML body, one line per block: enough to find a forward marker."""
    html = _INVISIBLE.sub(" ", html[:MAX_HTML_TO_TEXT])
    text = html_lib.unescape(_TAG.sub("", _BREAK.sub("\n", html)))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _plausible(found: InlineForward, signals: Signals) -> bool:
    """A forwarded From must name an address (Outlook omits it only for senders inside the
    organisation), and a sender "forwarding" their own mail is a marketing trick."""
    sender = next((value for name, value in found.fields if name == "From"), "")
    addresses = parse_addresses(sender)
    address = addresses[0].address.lower() if addresses else ""
    if "@" not in address:
        return signals.org_sender or signals.to_report_address
    return address != (signals.reporter or "")


def _headers(found: InlineForward) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in found.fields:
        if name in seen or not value:
            continue
        seen.add(name)
        headers.append((name, (forwarded_date(value) or value) if name == "Date" else value))
    return headers
