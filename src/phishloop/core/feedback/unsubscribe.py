"""The one link from a reported mail a reporter may use: a safe List-Unsubscribe target.

Only for bulk mail (a verdict says it is harmless marketing), and only an `https:` URL
to a plain DNS host (no credentials, IP literals, odd ports or non-ASCII homographs) or
a `mailto:` to one plain address. Anything else: no unsubscribe advice at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

MAX_TARGET_CHARS = 400
_BRACKETED = re.compile(r"<([^<>]{1,2000})>")
_DNS_HOST = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@([A-Za-z0-9.-]{4,253})$")


@dataclass(frozen=True, slots=True)
class UnsubscribeTarget:
    kind: str  # "https" or "mailto"
    target: str  # the URL, or the address to write to
    subject: str = ""  # mailto: the subject line to use, if the sender asked for one


def safe_unsubscribe(header: str | None) -> UnsubscribeTarget | None:
    """The first safe target of a List-Unsubscribe header (https preferred), or None."""
    targets = [_parse(item.strip()) for item in _BRACKETED.findall(header or "")]
    safe = [target for target in targets if target is not None]
    safe.sort(key=lambda target: target.kind != "https")
    return safe[0] if safe else None


def _parse(uri: str) -> UnsubscribeTarget | None:
    if len(uri) > MAX_TARGET_CHARS or not _URL_CHARS.match(uri):
        return None
    scheme = uri.partition(":")[0].lower()
    if scheme == "https":
        return _https(uri)
    if scheme == "mailto":
        return _mailto(uri)
    return None


def _https(uri: str) -> UnsubscribeTarget | None:
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or port not in (None, 443):
        return None
    if not _DNS_HOST.match(host) or host.endswith((".local", ".localhost", ".internal")):
        return None
    return UnsubscribeTarget("https", uri)


def _mailto(uri: str) -> UnsubscribeTarget | None:
    address, _, query = uri[len("mailto:") :].partition("?")
    address = unquote(address)
    match = _ADDRESS.match(address)
    if match is None or not _DNS_HOST.match(match.group(1).lower()):
        return None
    fields = parse_qs(query, keep_blank_values=True)
    if set(fields) - {"subject", "body"}:
        return None  # cc, bcc, in-reply-to …: more than an unsubscribe request
    subject = fields.get("subject", [""])[0]
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in subject) or len(subject) > 120:
        return None
    return UnsubscribeTarget("mailto", address, subject)
