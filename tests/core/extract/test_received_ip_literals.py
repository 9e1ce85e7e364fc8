"""IP literals in Received headers: the dotted-quad shortcut and the length cap give what
`ipaddress` gives."""

from __future__ import annotations

import ipaddress
import random

from phishloop.core.extract.received_clauses import _ip, read_clauses


def _reference(text: str) -> str | None:
    """What _ip means: the canonical IP of a literal (optional "IPv6:" prefix, zone id)."""
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    address = text.split("%", 1)[0]
    if (
        not address
        or len(address) > 45
        or any(c not in "0123456789abcdefABCDEF:." for c in address)
    ):
        return None
    if "%" in text and not 1 <= len(text.split("%", 1)[1]) <= 16:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def test_random_literals_read_as_ipaddress_reads_them() -> None:
    octets = ["0", "00", "01", "1", "9", "10", "99", "100", "199", "200", "255", "256", "300", ""]
    rng = random.Random(5)
    for _ in range(20_000):
        if rng.random() < 0.6:
            text = ".".join(rng.choice(octets) for _ in range(rng.choice([3, 4, 4, 5])))
        else:
            text = "".join(rng.choice("0123456789abcdef:.") for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.1:
            text = "IPv6:" + text
        assert _ip(text) == _reference(text), text


def test_canonical_forms() -> None:
    assert _ip("203.0.113.9") == "203.0.113.9"
    assert _ip("010.0.0.1") is None  # leading zeros: ipaddress refuses them
    assert _ip("IPv6:2001:DB8::1") == "2001:db8::1"
    assert _ip("1" * 5000) is None
    hop = read_clauses("from mx.example (mx.example [198.51.100.7]) by in.example.org")
    assert (hop.from_host, hop.from_ip, hop.by_host) == (
        "mx.example",
        "198.51.100.7",
        "in.example.org",
    )
