"""Checks shared by every backend: header refinement and content (URL, attachment hash).

Servers narrow candidates coarsely (IMAP dates are whole days, HEADER is a substring
match); these functions decide exactly, on the headers or raw bytes of each candidate.
"""

from __future__ import annotations

import email.errors
import email.header
import email.policy
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from phishloop.connectors.mailstore.base import (
    FoundMessage,
    MessageRef,
    SearchQuery,
    normalise_message_id,
)

# Headers every backend reads for a hit (uppercase: the IMAP HEADER.FIELDS spelling).
SUMMARY_HEADERS = (
    "MESSAGE-ID", "FROM", "SUBJECT", "DATE", "REFERENCES", "IN-REPLY-TO", "TO", "CC", "BCC",
)  # fmt: skip
_MAX_PARTS = 500  # attacker-controlled structure: bound the walk


@dataclass(frozen=True, slots=True)
class Summary:
    message_id: str
    sender: str
    subject: str
    date: datetime | None
    references: str
    recipients: tuple[str, ...] = ()

    def found(self, ref: MessageRef, flags: frozenset[str], size: int = 0) -> FoundMessage:
        """The search hit at `ref` (with the References and recipients read here)."""
        return FoundMessage(ref, flags, self.sender, self.subject, self.date, size,
                            self.references, self.recipients)  # fmt: skip


def summarise(header_bytes: bytes) -> Summary:
    """Parse the summary headers out of a header block (or a whole message)."""
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(header_bytes)
    return summary_from_fields(
        message_id=_text(headers, "Message-ID"),
        sender=_text(headers, "From"),
        subject=_decoded(headers, "Subject"),
        date=_text(headers, "Date"),
        references=f"{_text(headers, 'References')} {_text(headers, 'In-Reply-To')}",
        recipients=[str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name, [])],
    )


def summary_from_fields(
    *, message_id: str, sender: str, subject: str, date: str, references: str,
    recipients: Sequence[str] = (),
) -> Summary:  # fmt: skip
    mid = normalise_message_id(message_id) if message_id.strip() else ""
    return Summary(mid, sender.strip(), subject.strip(), parse_date(date), references,
                   addresses(recipients))  # fmt: skip


def addresses(header_values: Sequence[str]) -> tuple[str, ...]:
    """The addresses (with an @) in To/Cc/Bcc header values, in order."""
    return tuple(a for _, a in getaddresses(list(header_values)) if "@" in a)


def parse_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def dates_narrow(query: SearchQuery) -> bool:
    """Whether the server should check the Date window too. A subject, Message-ID or
    References narrows enough, and a Date check costs the server about as much as the rest
    of the search; the window is decided exactly on the fetched headers either way."""
    return query.subject is None and query.message_id is None and query.references is None


def headers_match(query: SearchQuery, summary: Summary) -> bool:
    """Exact decision on the header criteria of `query`."""
    if query.message_id is not None and summary.message_id != query.message_id:
        return False
    if query.sender is not None and not _sender_matches(query.sender, summary.sender):
        return False
    if query.subject is not None and query.subject.casefold() not in summary.subject.casefold():
        return False
    if query.references is not None and query.references not in summary.references:
        return False
    return _in_window(query, summary.date)


def content_matches(query: SearchQuery, raw: bytes) -> bool:
    """Decide the URL and attachment-fingerprint criteria on the raw message."""
    message = BytesParser(policy=email.policy.compat32).parsebytes(raw)
    if query.url is not None and not _contains_url(message, raw, query.url):
        return False
    return query.attachment_sha256 is None or query.attachment_sha256 in attachment_hashes(message)


def attachment_hashes(message: Message) -> set[str]:
    """SHA-256 of every attachment's decoded bytes."""
    hashes = set()
    for part in _parts(message):
        if part.is_multipart() or not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            hashes.add(hashlib.sha256(payload).hexdigest())
    return hashes


def _parts(message: Message) -> Iterator[Message]:
    for count, part in enumerate(message.walk()):
        if count >= _MAX_PARTS:
            return
        yield part


def _is_attachment(part: Message) -> bool:
    if part.get_filename():
        return True
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment") or part.get_content_maintype() not in (
        "text",
        "multipart",
        "message",
    )


def _contains_url(message: Message, raw: bytes, url: str) -> bool:
    needle = url.casefold()
    if needle in raw.decode("utf-8", "replace").casefold():
        return True
    for part in _parts(message):
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            text = payload.decode(part.get_content_charset() or "utf-8", "replace")
            if needle in text.casefold().replace("&amp;", "&"):
                return True
    return False


def _sender_matches(wanted: str, header: str) -> bool:
    wanted = wanted.casefold()
    if wanted in header.casefold():
        return True
    return any(wanted == address.casefold() for _, address in getaddresses([header]))


def _in_window(query: SearchQuery, date: datetime | None) -> bool:
    if query.since is None and query.until is None:
        return True
    if date is None:
        return False
    if query.since is not None and date < _aware(query.since):
        return False
    return query.until is None or date <= _aware(query.until)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _text(headers: Message, name: str) -> str:
    value = headers.get(name)
    return "" if value is None else " ".join(str(value).split())


def _decoded(headers: Message, name: str) -> str:
    value = headers.get(name)
    return "" if value is None else decode_header_text(str(value))


def decode_header_text(value: str) -> str:
    """RFC 2047 encoded words decoded; the raw text when they are broken."""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        return value
