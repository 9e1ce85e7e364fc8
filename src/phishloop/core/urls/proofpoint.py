"""Proofpoint URL Defense decoding (v1, v2, v3), after Proofpoint's published decoder
(URLDefenseDecode.py by Eric Van Cleve).

Each function takes the whole rewritten URL, whose host the caller has already checked,
and returns the embedded URL or None when it does not decode.
"""

from __future__ import annotations

import binascii
import re
import string
from base64 import urlsafe_b64decode
from html import unescape
from urllib.parse import unquote

_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<enc>[^!]*)!")
_V3_TOKEN = re.compile(r"\*(\*.)?")
_V3_SINGLE_SLASH = re.compile(r"^([a-z0-9+.-]+:/)([^/].+)", re.IGNORECASE)
# A "**X" token stands for a run of 2..65 replacement characters; X says how many.
_V3_RUN_LENGTHS = {
    char: length
    for length, char in enumerate(
        string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_", start=2
    )
}
_V2_TRANSLATION = str.maketrans("-_", "%/")


def decode(url: str, path: str) -> str | None:
    """Dispatch on the version in the path (`/v1/`, `/v2/`, `/v3/`)."""
    if path.startswith("/v3/__"):
        return decode_v3(url)
    if path.startswith(("/v1/", "/v2/")):
        raw = _raw_param(url, "u")
        if raw is None:
            return None
        if path.startswith("/v2/"):
            raw = raw.translate(_V2_TRANSLATION)
        return unescape(unquote(raw))
    return None


def decode_v3(url: str) -> str | None:
    """`/v3/__<url>__;<base64 replacement characters>!<signature>`: every `*` in the URL
    takes the next replacement character, every `**X` the next run of them."""
    start = url.find("/v3/__")  # the netloc holds no "/", so this is the path
    match = _V3.match(url, start) if start >= 0 else None
    if match is None:
        return None
    embedded = _V3_SINGLE_SLASH.sub(r"\1/\2", match.group("url"), count=1)
    try:
        replacements = urlsafe_b64decode(match.group("enc") + "==").decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    position = 0

    def substitute(token: re.Match[str]) -> str:
        nonlocal position
        run = token.group(1)
        length = 1 if run is None else _V3_RUN_LENGTHS.get(run[-1], 0)
        if length == 0 or position + length > len(replacements):
            raise ValueError("replacement characters exhausted")
        chunk = replacements[position : position + length]
        position += length
        return chunk

    try:
        return _V3_TOKEN.sub(substitute, unquote(embedded))
    except ValueError:
        return None


def _raw_param(url: str, name: str) -> str | None:
    """The still-encoded value of query parameter `name` (v1/v2 encode it themselves)."""
    _, _, query = url.partition("?")
    prefix = name + "="
    for pair in query.split("&"):
        key_value = pair.removeprefix("amp;")  # hrefs copied from HTML source keep "&amp;"
        if key_value.startswith(prefix):
            return key_value[len(prefix) :]
    return None
