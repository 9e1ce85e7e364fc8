"""The route part of a Received header (before the ';' and its date): the from, by and
with clauses of RFC 5321 section 4.4, as written by real MTAs rather than as specified."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from phishloop.core.domains import parse_ip

_KEYWORDS = frozenset({"from", "by", "via", "with", "id", "for"})
_BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{2,45})(?:%[\w.]{1,16})?\]", re.IGNORECASE)
_PAREN_IP = re.compile(r"\(\s*(?:IPv6:)?([0-9A-Fa-f:.]{2,45})\s*\)", re.IGNORECASE)
# "(rdns [ip])" and sendmail's "(user@rdns [ip])"
_RDNS = re.compile(r"\(\s*(?:[^\s@()\[\]]{1,64}@)?([A-Za-z0-9_][A-Za-z0-9_.-]{0,252})\s+\[")
_HELO = re.compile(r"e?helo[=\s]+\"?([A-Za-z0-9_][A-Za-z0-9_.-]{0,252})", re.IGNORECASE)
_HOSTNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}")
_IP_CHARS = re.compile(r"[0-9A-Fa-f:.]{2,45}(?:%[\w.]{1,16})?")
_MAX_IP_LITERAL = len("IPv6:") + 45 + 1 + 16
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"  # no leading zero, as ipaddress wants
_DOTTED_QUAD = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
_NOT_A_NAME = frozenset({"unknown", "none"})
_MAX_CACHED_WORD = 256
_MAX_CACHED_CLAUSES = 1024  # characters of from + by + with; longer routes are junk


@dataclass(frozen=True, slots=True)
class RouteClauses:
    from_host: str | None = None
    from_ip: str | None = None
    by_host: str | None = None
    protocol: str | None = None


def read_clauses(route: str) -> RouteClauses:
    """The hosts, connecting IP and protocol named in a Received header's route part."""
    clauses = _split(route)
    key = (clauses.get("from", ""), clauses.get("by", ""), clauses.get("with", ""))
    # The id and for clauses make routes unique; these three repeat (the same relays).
    if sum(map(len, key)) <= _MAX_CACHED_CLAUSES:
        return _cached_clauses(*key)
    return _read(*key)


@lru_cache(maxsize=8192)
def _cached_clauses(from_clause: str, by_clause: str, with_clause: str) -> RouteClauses:
    return _read(from_clause, by_clause, with_clause)


def _read(from_clause: str, by_clause: str, with_clause: str) -> RouteClauses:
    helo, _, rest = from_clause.partition(" ")
    return RouteClauses(
        from_host=_rdns(rest) or _host(helo) or _helo(rest),
        from_ip=_connecting_ip(helo, rest),
        by_host=_first_host(by_clause),
        protocol=_protocol(with_clause),
    )


def _split(route: str) -> dict[str, str]:
    """Clause keyword → its text; keywords count only outside parentheses, and the first
    clause of each kind wins. `route` is unfolded (single spaces)."""
    clauses: dict[str, str] = {}
    depth, keyword = 0, ""
    words: list[str] = []
    for word in route.split(" "):
        if depth == 0 and len(word) <= 4 and word.lower() in _KEYWORDS:
            if keyword:
                clauses.setdefault(keyword, " ".join(words))
            keyword, words = word.lower(), []
        else:
            words.append(word)
        if "(" in word or ")" in word:
            depth = max(0, depth + word.count("(") - word.count(")"))
    if keyword:
        clauses.setdefault(keyword, " ".join(words))
    return clauses


def _connecting_ip(helo: str, rest: str) -> str | None:
    # The TCP-info comment is what the receiver saw; the first word is only the sender's claim.
    for pattern in (_BRACKET_IP, _PAREN_IP):
        for match in pattern.finditer(rest):
            ip = _ip(match.group(1))
            if ip:
                return ip
    return _ip(helo.strip("[]"))


def _ip(text: str) -> str | None:
    """The canonical form of an IP literal (cached: relay addresses repeat across mail)."""
    # A longer word cannot pass _IP_CHARS (with an "IPv6:" prefix): it is not cached.
    return _canonical_ip(text) if len(text) <= _MAX_IP_LITERAL else None


@lru_cache(maxsize=8192)
def _canonical_ip(text: str) -> str | None:
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    if not text or not _IP_CHARS.fullmatch(text):
        return None  # most words are host names; ipaddress is slow at saying no
    if _DOTTED_QUAD.fullmatch(text):
        return text  # exactly the IPv4 text ipaddress accepts, and prints unchanged
    address = parse_ip(text.split("%", 1)[0])
    return str(address) if address is not None else None


def _rdns(rest: str) -> str | None:
    match = _RDNS.search(rest)
    return _host(match.group(1)) if match else None


def _helo(rest: str) -> str | None:
    match = _HELO.search(rest)
    return _host(match.group(1)) if match else None


def _host(word: str) -> str | None:
    """A host name as written (lower-case, no trailing dot); None for IPs, "unknown" and junk."""
    # Relay names repeat across mail; long words are junk and not worth a cache slot.
    return _cached_host(word) if len(word) <= _MAX_CACHED_WORD else _read_host(word)


@lru_cache(maxsize=8192)
def _cached_host(word: str) -> str | None:
    return _read_host(word)


def _read_host(word: str) -> str | None:
    word = word.strip().rstrip(".").lower()
    if not word or word in _NOT_A_NAME or ".." in word or not _HOSTNAME.fullmatch(word):
        return None
    # No ':' passes _HOSTNAME, and a word with a letter is no IPv4 address.
    return word if any(c.isalpha() for c in word) else None


def _first_host(clause: str) -> str | None:
    word = clause.split(" ", 1)[0]
    return _host(word) or _ip(word.strip("[]"))


def _protocol(clause: str) -> str | None:
    name = clause.split("(", 1)[0].strip()[:64]
    if not name:
        return None
    return name.upper() if " " not in name else name
