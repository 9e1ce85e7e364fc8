"""Phishing-simulation signatures: the shipped vendors (`data/simulation_vendors.toml`)
and the organisation's own markers from `[simulation]`, parsed once."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from phishloop.core.config import SimulationConfig

DATA_FILE = "simulation_vendors.toml"
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
OWN_ID = "own"  # the organisation's own markers and ranges


@dataclass(frozen=True, slots=True)
class HeaderMarker:
    name: str  # lower-case header name
    value: str | None  # lower-case substring of the value, or None for any value
    label: str  # the name as written in the signature, for evidence


@dataclass(frozen=True, slots=True)
class Vendor:
    id: str
    name: str
    source: str
    headers: tuple[HeaderMarker, ...] = ()
    domains: tuple[str, ...] = ()  # markers that authentication can prove
    marker_domains: tuple[str, ...] = ()  # markers only
    ranges: tuple[IPNetwork, ...] = ()
    link_domains: frozenset[str] = frozenset()
    self_hosted: bool = False


def parse_header_marker(text: str) -> HeaderMarker:
    """ "Header-Name: value" (value = case-insensitive substring) or "Header-Name"."""
    name, _, value = text.partition(":")
    if not name.strip():
        raise ValueError(f"simulation header marker {text!r} has no header name")
    return HeaderMarker(name.strip().lower(), value.strip().lower() or None, name.strip())


def parse_ranges(values: tuple[str, ...] | list[str], where: str) -> tuple[IPNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)
    except ValueError as exc:
        raise ValueError(f"{where}: not an IP range: {exc}") from exc


def parse_vendors(data: dict[str, Any]) -> tuple[Vendor, ...]:
    vendors = []
    for vendor_id, table in data.get("vendors", {}).items():
        vendors.append(
            Vendor(
                id=vendor_id,
                name=str(table["name"]),
                source=str(table["source"]),
                headers=tuple(parse_header_marker(h) for h in table.get("headers", [])),
                domains=tuple(d.lower() for d in table.get("domains", [])),
                marker_domains=tuple(d.lower() for d in table.get("marker_domains", [])),
                ranges=parse_ranges(table.get("ranges", []), f"vendor {vendor_id}"),
                link_domains=frozenset(d.lower() for d in table.get("link_domains", [])),
                self_hosted=bool(table.get("self_hosted", False)),
            )
        )
    return tuple(vendors)


@lru_cache(maxsize=1)
def shipped_vendors() -> tuple[Vendor, ...]:
    text = resources.files("phishloop.core.classify").joinpath("data", DATA_FILE).read_text()
    return parse_vendors(tomllib.loads(text))


@lru_cache(maxsize=32)
def enabled_vendors(config: SimulationConfig) -> tuple[Vendor, ...]:
    """The shipped vendors `config.vendors` selects ("*" = all); unknown ids are an error
    (a typo must not silently switch recognition off)."""
    shipped = shipped_vendors()
    if "*" in config.vendors:
        return shipped
    known = {vendor.id: vendor for vendor in shipped}
    unknown = [v for v in config.vendors if v.lower() not in known]
    if unknown:
        raise ValueError(f"unknown simulation vendors {unknown}; known: {', '.join(known)}")
    return tuple(known[v.lower()] for v in config.vendors)


@lru_cache(maxsize=32)
def own_vendor(config: SimulationConfig) -> Vendor:
    """The organisation's own simulations as one more "vendor": its headers and sending
    domains are markers, its trusted ranges and sending domains are proof."""
    return Vendor(
        id=OWN_ID,
        name="your own simulations",
        source="[simulation] configuration",
        headers=tuple(parse_header_marker(h) for h in config.headers),
        domains=tuple(d.lower() for d in config.sending_domains),
        ranges=parse_ranges(config.trusted_ranges, "[simulation] trusted_ranges"),
    )
