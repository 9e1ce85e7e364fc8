"""Recognising a sent message as a forward of a copy, and whom it went to.

Three kinds of evidence, strongest first: its References/In-Reply-To name the copy's
Message-ID; it carries the copy as an attached message; or its subject is a forward
(`Fw:`, `Fwd:`, `WG:`, `TR:`, `RV:` …) and its content matches the campaign (decided by
the caller with the campaign fingerprints). Attacker-controlled structure is bounded.
"""

from __future__ import annotations

import email.policy
from collections.abc import Collection, Iterable, Iterator
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

from phishloop.connectors.directory.base import normalize_address
from phishloop.connectors.mailstore.base import normalise_message_id
from phishloop.core.parse.forward_vocab import FORWARD_SUBJECT

MAX_PARTS = 200
MAX_RECIPIENTS = 500


def is_forward_subject(subject: str) -> bool:
    return FORWARD_SUBJECT.match(subject or "") is not None


def header_evidence(raw: bytes, copy_ids: Collection[str]) -> str:
    """Why `raw` forwards one of `copy_ids` by its headers or an attached copy ("" if not)."""
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    named = f"{headers.get('References', '')} {headers.get('In-Reply-To', '')}"
    evidence = references_evidence(named, copy_ids)
    if evidence:
        return evidence
    for message_id in attached_ids(raw):
        if message_id in copy_ids:
            return f"carries {message_id} as an attachment"
    return ""


def references_evidence(references: str, copy_ids: Collection[str]) -> str:
    """Why References/In-Reply-To text `references` shows a reply to or forward of one of
    `copy_ids` ("" if it names none)."""
    named = _ids(references)
    for message_id in copy_ids:
        if message_id in named:
            return f"References names {message_id}"
    return ""


def attached_ids(raw: bytes) -> set[str]:
    """Message-IDs of messages attached to `raw` (message/rfc822 parts and .eml files)."""
    message = BytesParser(policy=email.policy.compat32).parsebytes(raw)
    found: set[str] = set()
    for part in _parts(message):
        payload = part.get_payload()
        if part.get_content_type() == "message/rfc822" and isinstance(payload, list):
            inner = payload[0] if payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                found.add(normalise_message_id(str(inner["Message-ID"])))
        elif part.get_content_type() == "message/rfc822" or _is_eml(part):
            # An encoded attached message (base64 message/rfc822, an .eml file) stays
            # a leaf for the parser: read the Message-ID from its decoded headers.
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                inner_headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
                if inner_headers.get("Message-ID"):
                    found.add(normalise_message_id(str(inner_headers["Message-ID"])))
    return found


def _is_eml(part: Message) -> bool:
    return (part.get_filename() or "").lower().endswith(".eml")


def recipients(raw: bytes) -> tuple[str, ...]:
    """To, Cc and Bcc addresses of `raw` (a sent copy keeps its Bcc), normalised, each once."""
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    values = [str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name, [])]
    return normalised([a for _, a in getaddresses(values) if "@" in a])


def normalised(addresses: Iterable[str]) -> tuple[str, ...]:
    """Addresses normalised, each once, at most MAX_RECIPIENTS."""
    return tuple(dict.fromkeys(normalize_address(a) for a in addresses))[:MAX_RECIPIENTS]


def _ids(text: str) -> set[str]:
    return {normalise_message_id(part) for part in text.replace(">", "> ").split() if "@" in part}


def _parts(message: Message) -> Iterator[Message]:
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            return
        yield part
