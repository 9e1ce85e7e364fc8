"""Content-Transfer-Encoding decoding that tolerates what attackers and broken mailers send."""

from __future__ import annotations

import binascii
import re

_B64_ALPHABET = re.compile(rb"[^A-Za-z0-9+/]")
_UU_BEGIN = re.compile(rb"^begin [0-7]{1,6} [^\r\n]*$", re.MULTILINE)


def normalize_cte(value: str | None) -> str:
    """'Base64 (comment)' -> 'base64'; unknown or missing -> '' (take the bytes as they are)."""
    if not value:
        return ""
    token = value.strip().split(None, 1)[0].split(";", 1)[0].strip("\"'").lower()
    return token if len(token) <= 40 else ""


def decode_base64(data: bytes) -> tuple[bytes, bool]:
    """Decode base64, ignoring junk characters and repairing bad padding.
    Returns (bytes, damaged) where damaged says the input was not clean base64."""
    try:
        return binascii.a2b_base64(data), False
    except (binascii.Error, ValueError):
        pass
    cleaned = _B64_ALPHABET.sub(b"", data)
    if len(cleaned) % 4 == 1:  # a lone trailing character carries no full byte
        cleaned = cleaned[:-1]
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        return binascii.a2b_base64(cleaned), True
    except (binascii.Error, ValueError):
        return b"", True


def decode_quoted_printable(data: bytes) -> bytes:
    """binascii's QP decoder never fails; malformed escapes are kept literally."""
    return binascii.a2b_qp(data)


def decode_uuencode(data: bytes) -> tuple[bytes, bool]:
    """Decode the first uuencoded block; (bytes, damaged)."""
    match = _UU_BEGIN.search(data)
    lines = data[match.end() :].splitlines() if match else data.splitlines()
    out = bytearray()
    damaged = False
    for line in lines:
        stripped = line.strip()
        if stripped in (b"end", b"`", b""):
            if stripped == b"end":
                break
            continue
        try:
            out += binascii.a2b_uu(stripped)
        except binascii.Error:
            # Some encoders emit garbage trailing characters; decode what the length says.
            try:
                nbytes = (((stripped[0] - 32) & 63) * 4 + 5) // 3
                out += binascii.a2b_uu(stripped[:nbytes])
            except (binascii.Error, IndexError):
                damaged = True
    return bytes(out), damaged


def decode_transfer(data: bytes, cte: str) -> tuple[bytes, bool]:
    """Decode `data` per its normalised transfer encoding; (bytes, damaged)."""
    if cte == "base64":
        return decode_base64(data)
    if cte == "quoted-printable":
        return decode_quoted_printable(data), False
    if cte in ("x-uuencode", "uuencode", "uue", "x-uue"):
        return decode_uuencode(data)
    return data, False
