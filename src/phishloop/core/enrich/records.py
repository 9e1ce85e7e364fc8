"""Intel records: one listed indicator as a feed or store holds it.

Feed values are normalised here with the same functions the analysis uses
(`phishloop.core.indicators`), so a listed value and an extracted one compare equal.
IP networks are kept as `Indicator("ip", "198.51.100.0/24")`; a single address is never
written with a prefix ("/32" and "/128" are dropped).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from phishloop.core.domains import registered_domain
from phishloop.core.indicators import guess_indicator, make_indicator
from phishloop.core.model import Indicator, IndicatorType

# Records in these categories are an allow-list, never a match (see matching.py).
ALLOW_CATEGORIES = frozenset({"allow", "benign"})
MAX_VALUE_LENGTH = 8192
_REFANG = (
    ("hxxps://", "https://"),
    ("hxxp://", "http://"),
    ("[.]", "."),
    ("(.)", "."),
    ("[:]", ":"),
    ("[@]", "@"),
    ("[at]", "@"),
    ("[dot]", "."),
)


@dataclass(frozen=True, slots=True)
class IntelRecord:
    """One listed indicator. Times are ISO 8601 UTC strings ("2024-05-01T12:00:00Z")."""

    indicator: Indicator
    source: str
    category: str | None = None  # phishing, malware, c2, spam, ... or allow/benign
    confidence: float | None = None  # 0..1 when the source gives one
    reference: str | None = None
    first_seen: str | None = None
    expires: str | None = None

    @property
    def is_allow(self) -> bool:
        return self.category in ALLOW_CATEGORIES


def refang(value: str) -> str:
    """Undo the usual defanging of shared indicators (hxxp://, [.], [at])."""
    if "[" not in value and "(" not in value and "hxxp" not in value:
        return value
    for fanged, plain in _REFANG:
        value = value.replace(fanged, plain)
    return value


def parse_value(text: str, kind: IndicatorType | None = None) -> Indicator | None:
    """Normalise a listed value; `kind` forces a type, else it is guessed. IP networks
    and ranges ("10.0.0.0/8") become ip indicators in CIDR notation. None when invalid,
    and for domains without a registered domain (bare public suffixes, unknown TLDs),
    which could never match."""
    text = refang(text.strip())
    if not text or len(text) > MAX_VALUE_LENGTH:
        return None
    if kind in (None, "ip") and "/" in text and "://" not in text:
        return _network(text)
    indicator = guess_indicator(text) if kind is None else make_indicator(kind, text)
    if (
        indicator is not None
        and indicator.type == "domain"
        and not registered_domain(indicator.value)
    ):
        return None
    return indicator


def _network(text: str) -> Indicator | None:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if network.prefixlen == network.max_prefixlen:
        return Indicator("ip", str(network.network_address))
    return Indicator("ip", str(network))


def is_network(indicator: Indicator) -> bool:
    return indicator.type == "ip" and "/" in indicator.value


def network_prefix(network: str) -> tuple[int, int]:
    """(IP version, prefix length) of a network in CIDR notation."""
    address, _, length = network.partition("/")
    return (6 if ":" in address else 4), int(length)
