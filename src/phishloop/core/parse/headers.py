"""Header values: unfolding, RFC 2047 decoding, addresses, dates, and the message summary.

Works on the raw header strings the parser keeps (compat32), which is several times faster
than `policy.default` header objects and tolerates anything an attacker writes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

from phishloop.core.model import Address, Header, MessageInfo
from phishloop.core.parse.addresses import MAX_ADDRESSES, parse_addresses
from phishloop.core.parse.rfc2047 import MAX_HEADER_CHARS, decode_header_value, unfold

__all__ = [
    "decode_header_value",
    "decoded_headers",
    "message_info",
    "parse_addresses",
    "parse_date",
    "unfold",
]

_MSG_ID = re.compile(r"<[^<>\s]{1,998}>")
_ANGLE = re.compile(r"<([^<>]{0,998})>")


def parse_date(raw: str) -> str | None:
    """RFC 5322 date -> ISO 8601 with offset (UTC when the value names no zone);
    None when unreadable."""
    value = decode_header_value(raw)[:200]
    if not value:
        return None
    parts = parsedate_tz(value)
    if parts is None:
        return _iso_fallback(value)
    try:
        offset = parts[9] or 0
        zone = timezone(timedelta(seconds=offset)) if abs(offset) < 86400 else UTC
        return datetime(*parts[:6], tzinfo=zone).isoformat()
    except (ValueError, OverflowError, TypeError):
        return None


def _iso_fallback(value: str) -> str | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def decoded_headers(headers: list[tuple[str, str]]) -> tuple[Header, ...]:
    """All header fields, unfolded and decoded, in order."""
    return tuple(Header(name.strip(), decode_header_value(value)) for name, value in headers)


def message_info(headers: list[tuple[str, str]]) -> MessageInfo:
    """The summary fields of a message from its raw top-level headers."""
    first: dict[str, str] = {}
    repeated: dict[str, list[str]] = {"to": [], "cc": [], "reply-to": []}
    for name, value in headers:
        key = name.strip().lower()
        first.setdefault(key, value)
        if key in repeated:
            repeated[key].append(value)
    from_ = _one_address(first.get("from"))
    return MessageInfo(
        message_id=_message_id(first.get("message-id")),
        subject=decode_header_value(first["subject"]) if "subject" in first else None,
        date=parse_date(first["date"]) if "date" in first else None,
        from_=from_,
        sender=_one_address(first.get("sender")),
        reply_to=_all_addresses(repeated["reply-to"]),
        return_path=_return_path(first.get("return-path")),
        to=_all_addresses(repeated["to"]),
        cc=_all_addresses(repeated["cc"]),
        in_reply_to=_message_id(first.get("in-reply-to")),
        references=_references(first.get("references")),
        user_agent=_user_agent(first),
    )


def _one_address(raw: str | None) -> Address | None:
    if raw is None:
        return None
    found = parse_addresses(raw)
    if found:
        return found[0]
    text = decode_header_value(raw)
    return Address(address="", display_name=text) if text else None


def _all_addresses(values: list[str]) -> tuple[Address, ...]:
    return tuple(address for value in values for address in parse_addresses(value))[:MAX_ADDRESSES]


def _message_id(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = decode_header_value(raw)
    match = _MSG_ID.search(value)
    return match.group(0) if match else (value[:998] or None)


def _references(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    return tuple(_MSG_ID.findall(unfold(raw[:MAX_HEADER_CHARS])))[:100]


def _return_path(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = decode_header_value(raw).strip()
    match = _ANGLE.search(value)
    address = match.group(1) if match else value
    return address.strip() or None


def _user_agent(first: dict[str, str]) -> str | None:
    for key in ("x-mailer", "user-agent"):
        if key in first:
            return decode_header_value(first[key])[:500] or None
    return None
