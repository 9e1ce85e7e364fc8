"""Cryptocurrency wallet addresses in text, checksum-verified where the format has one
(Bitcoin/Litecoin/Tron base58check, Bitcoin bech32), so random tokens do not pass."""

from __future__ import annotations

import hashlib
import re

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(_BASE58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CANDIDATES = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<base58>[13LMT][1-9A-HJ-NP-Za-km-z]{25,34})"
    r"|(?P<bech32>(?:bc|ltc)1[02-9ac-hj-np-z]{11,71})"
    r"|(?P<monero>4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})"
    r"|(?P<ethereum>0x[0-9a-fA-F]{40})"
    r")(?![0-9A-Za-z])"
)
MAX_WALLETS = 5


def find_wallets(text: str) -> tuple[str, ...]:
    """Distinct wallet addresses in `text` (case as written)."""
    found: dict[str, None] = {}
    for match in _CANDIDATES.finditer(text):
        kind = match.lastgroup
        value = match.group(0)
        if kind == "base58" and not _base58check(value):
            continue
        if kind == "bech32" and not _bech32(value):
            continue
        found.setdefault(value, None)
        if len(found) >= MAX_WALLETS:
            break
    return tuple(found)


def _base58check(value: str) -> bool:
    number = 0
    for char in value:
        number = number * 58 + _BASE58_INDEX[char]
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(value) - len(value.lstrip("1"))) + raw
    if len(raw) < 5:
        return False
    payload, checksum = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum


def _bech32(value: str) -> bool:
    prefix, _, data = value.rpartition("1")
    values = [_BECH32.index(char) for char in data]
    expanded = [ord(c) >> 5 for c in prefix] + [0] + [ord(c) & 31 for c in prefix]
    return _polymod(expanded + values) in (1, 0x2BC830A3)  # bech32, bech32m


def _polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(generators):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum
