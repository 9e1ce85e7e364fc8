"""Which simulation vendors a message points to (markers), and whether its origin proves it.

Markers are looked up in an index built once per `[simulation]` configuration, so a message
costs a few dictionary lookups however many vendors are shipped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.simulation_origin import IPAddress, Origin
from phishloop.core.classify.simulation_vendors import (
    HeaderMarker,
    IPNetwork,
    Vendor,
    enabled_vendors,
    own_vendor,
)
from phishloop.core.config import SimulationConfig
from phishloop.core.domains import host_in_domains

MAX_HOPS = 30
MAX_CACHED_HOSTS = 20_000


@dataclass(frozen=True)
class MarkerIndex:
    vendors: tuple[Vendor, ...]  # enabled shipped vendors, then the organisation's own
    headers: dict[str, list[tuple[Vendor, HeaderMarker]]] = field(default_factory=dict)
    domains: dict[str, list[Vendor]] = field(default_factory=dict)  # claimable domains
    links: dict[str, list[Vendor]] = field(default_factory=dict)
    host_vendors: dict[str, tuple[Vendor, ...]] = field(default_factory=dict)  # a cache


@lru_cache(maxsize=32)
def marker_index(config: SimulationConfig) -> MarkerIndex:
    index = MarkerIndex((*enabled_vendors(config), own_vendor(config)))
    for vendor in index.vendors:
        for marker in vendor.headers:
            index.headers.setdefault(marker.name, []).append((vendor, marker))
        for domain in (*vendor.domains, *vendor.marker_domains):
            index.domains.setdefault(domain, []).append(vendor)
        for domain in vendor.link_domains:
            index.links.setdefault(domain, []).append(vendor)
    return index


def claimed_hosts(facts: Facts) -> Iterator[tuple[str, str]]:
    """(where, host) of every place a sender names its infrastructure: envelope, SPF
    identity, Message-ID, Reply-To, From and Received host names."""
    message = facts.analysis.message
    if facts.return_path_domain:
        yield "Return-Path", facts.return_path_domain
    if facts.analysis.authentication.spf_domain:
        yield "SPF identity", facts.analysis.authentication.spf_domain
    if message.message_id and "@" in message.message_id:
        yield "Message-ID", message.message_id.rsplit("@", 1)[1].strip("<> ").lower()
    for domain in facts.reply_to_domains:
        yield "Reply-To", domain
    if facts.sender_domain:
        yield "From", facts.sender_domain
    for hop in facts.analysis.received[:MAX_HOPS]:
        for host in (hop.from_host, hop.by_host):
            if host:
                yield "Received", host.lower()


def _suffixes(host: str) -> Iterator[str]:
    labels = host.rstrip(".").split(".")
    for start in range(len(labels) - 1):
        yield ".".join(labels[start:])


def find_markers(facts: Facts, index: MarkerIndex) -> dict[str, list[str]]:
    """Vendor id -> the spoofable markers (headers, infrastructure names) found."""
    found: dict[str, list[str]] = {}
    for name in index.headers.keys() & facts.headers.keys():
        for vendor, marker in index.headers[name]:
            value = _matching_value(facts.headers[name], marker)
            if value is not None:
                found.setdefault(vendor.id, []).append(f"{marker.label}: {value}")
    named: set[str] = set()  # one infrastructure name per vendor is enough evidence
    for where, host in claimed_hosts(facts):
        for vendor in _host_vendors(index, host):
            if vendor.id not in named:
                named.add(vendor.id)
                found.setdefault(vendor.id, []).append(f"{where} {host}")
    return found


def _host_vendors(index: MarkerIndex, host: str) -> tuple[Vendor, ...]:
    """The vendors whose claimable domains hold `host`, most specific suffix first
    (remembered: the same relays appear in message after message)."""
    found = index.host_vendors.get(host)
    if found is None:
        found = tuple(v for suffix in _suffixes(host) for v in index.domains.get(suffix, ()))
        if len(index.host_vendors) >= MAX_CACHED_HOSTS:
            index.host_vendors.clear()
        index.host_vendors[host] = found
    return found


def _matching_value(values: tuple[str, ...], marker: HeaderMarker) -> str | None:
    for value in values:
        if marker.value is None or marker.value in value.lower():
            return " ".join(value.split())[:40]
    return None


def find_links(facts: Facts, index: MarkerIndex) -> dict[str, str]:
    """Vendor id -> a link to one of its simulation domains."""
    found: dict[str, str] = {}
    for domain in sorted(index.links.keys() & facts.url_domains):
        for vendor in index.links[domain]:
            found.setdefault(vendor.id, f"link to {domain}")
    return found


def proof(origin: Origin, vendor: Vendor, *, edge: bool) -> str | None:
    """Why the message provably comes from `vendor`'s infrastructure, or None. `edge`
    also accepts the hand-off hop (for ranges the organisation configured itself)."""
    who = f" at {origin.authserv_id}" if origin.authserv_id else ""
    if origin.spf_pass_domain and host_in_domains(origin.spf_pass_domain, vendor.domains):
        return f"SPF pass for {origin.spf_pass_domain}{who}"
    if origin.authenticated_from and host_in_domains(origin.authenticated_from, vendor.domains):
        return f"authenticated From domain {origin.authenticated_from}{who}"
    for ip in origin.attested_ips:
        network = _network_of(ip, vendor.ranges)
        if network is not None:
            return f"client {ip} (in {network}) recorded{who}"
    if edge and origin.edge_ip is not None:
        network = _network_of(origin.edge_ip, vendor.ranges)
        if network is not None:
            return f"handed over by {origin.edge_ip} (in {network})"
    return None


def _network_of(ip: IPAddress, ranges: tuple[IPNetwork, ...]) -> IPNetwork | None:
    return next((net for net in ranges if ip.version == net.version and ip in net), None)
