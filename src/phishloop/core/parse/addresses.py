"""Address header values (From, To, Cc, Reply-To, Sender) into `Address`es."""

from __future__ import annotations

import re
from email.utils import getaddresses
from functools import lru_cache

from phishloop.core.model import Address
from phishloop.core.parse.charset import surrogates_to_text
from phishloop.core.parse.rfc2047 import MAX_HEADER_CHARS, decode_header_value, unfold

MAX_ADDRESSES = 500
_MAX_CACHED_VALUE = 512
_MAILTO_SUFFIX = re.compile(r"\[mailto:([^\]\s]{1,320})\]")
# RFC 5322 atext: what the stdlib address parser reads as one atom.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}"
_ADDR_SPEC = rf"{_ATOM}(?:\.{_ATOM}){{0,16}}@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}}){{0,16}}"
_SIMPLE_ADDRESS = re.compile(
    rf"(?P<bare>{_ADDR_SPEC})"
    rf"|(?:(?P<name>{_ATOM}(?: {_ATOM}){{0,16}}) )?<(?P<address>{_ADDR_SPEC})>"
)


def parse_addresses(raw: str) -> tuple[Address, ...]:
    """Addresses in a From/To/Cc/Reply-To value; display names RFC 2047-decoded.
    Parsing happens before decoding so an encoded comma cannot split an address."""
    # The stdlib address parser reads character by character; values repeat a lot
    # (campaign senders, the same recipient), so short ones are cached.
    return _cached_addresses(raw) if len(raw) <= _MAX_CACHED_VALUE else _parse_addresses(raw)


@lru_cache(maxsize=4096)
def _cached_addresses(raw: str) -> tuple[Address, ...]:
    return _parse_addresses(raw)


def _parse_addresses(raw: str) -> tuple[Address, ...]:
    value = unfold(raw[:MAX_HEADER_CHARS])
    if not value.isascii():
        value = surrogates_to_text(value)
    if "[mailto:" in value:
        value = _MAILTO_SUFFIX.sub(r"<\1>", value)  # Outlook's 'Name [mailto:a@b]'
    if "@" not in value and "<" not in value:
        # Only a display name (Outlook's forward of an internal sender; a bare "PayPal"):
        # the stdlib would split it into words.
        name = decode_header_value(value)
        return () if not name or name.endswith(";") else (Address("", name),)
    pairs = _split_addresses(value)[:MAX_ADDRESSES]
    if any("@" not in found for _, found in pairs):
        pairs = _one_angle_address(value) or pairs
    result: list[Address] = []
    for name, found in pairs:
        address = found.strip().strip("<>").strip()
        if not address:
            continue
        display = decode_header_value(name) if "=?" in name else name.strip()
        result.append(Address(address=address, display_name=display))
    return tuple(result)


_ANGLE_ADDRESS = re.compile(rf"<\s*({_ADDR_SPEC})\s*>")
_NAME_JUNK = " \t\"',_;:"


def _one_angle_address(value: str) -> list[tuple[str, str]] | None:
    """Spammers write `From: Microsoft account team ,_<x@evil.example>`: the stdlib splits
    at the comma and takes "Microsoft account team" for an address. When the value holds
    exactly one <address>, that is the sender and the text before it its display name."""
    found = _ANGLE_ADDRESS.findall(value)
    if len(found) != 1:
        return None
    name = value[: value.index("<")].strip(_NAME_JUNK)
    return [(decode_header_value(name) if "=?" in name else name, found[0])]


def _split_addresses(value: str) -> list[tuple[str, str]]:
    """`getaddresses([value])`; the common one-address forms ("a@b.example",
    "Ann Lee <a@b.example>") are read by one regex, which gives the same pair."""
    simple = _SIMPLE_ADDRESS.fullmatch(value.strip(" \t"))
    if simple is None:
        return getaddresses([value])
    return [(simple.group("name") or "", simple.group("address") or simple.group("bare"))]
