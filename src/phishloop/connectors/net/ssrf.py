"""The SSRF guard: which destinations phishloop may connect to.

Only http and https; the host name is resolved here and every address it resolves to
must be public (not private, loopback, link-local, multicast, reserved, unspecified,
shared/CGNAT, documentation, nor an IPv6 form embedding one: IPv4-mapped, 6to4, Teredo,
NAT64) unless it lies in a network the operator explicitly allowed. The connection is
then made to the checked address, so a second DNS answer cannot swap it (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from phishloop.core.errors import PhishloopError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class NetError(PhishloopError):
    """An outbound request failed; `code` is a stable "net.<what>" string."""

    code = "net.error"


class BlockedDestinationError(NetError):
    code = "net.blocked"


class NetTimeoutError(NetError):
    code = "net.timeout"


class ResponseTooLargeError(NetError):
    code = "net.too-large"


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Limits on outbound HTTP. `allowed_networks` lets chosen non-public networks through
    (e.g. an internal MISP server, or 127.0.0.0/8 in tests); nothing else bypasses it."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    schemes: frozenset[str] = frozenset({"http", "https"})
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0
    max_response_bytes: int = 5 * 1024 * 1024

    @classmethod
    def allowing(cls, *networks: str, **limits: float) -> OutboundPolicy:
        parsed = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        return cls(allowed_networks=parsed, **limits)  # type: ignore[arg-type]


def is_public(address: IPAddress) -> bool:
    """True for addresses on the public internet (embedded IPv4 forms included)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast and not address.is_reserved


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_address(address: IPAddress, policy: OutboundPolicy) -> None:
    """Raise BlockedDestinationError unless the address is public or explicitly allowed."""
    if any(address in network for network in policy.allowed_networks):
        return
    if not is_public(address):
        raise BlockedDestinationError(f"refusing to connect to non-public address {address}")


def system_resolver(host: str, port: int) -> list[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise NetError(f"cannot resolve {host}: {exc}") from None
    return [str(answer[4][0]) for answer in answers]


def resolve_checked(
    host: str, port: int, policy: OutboundPolicy, resolver: Resolver = system_resolver
) -> IPAddress:
    """The address to connect to: every address the name resolves to must pass, so one
    public answer cannot smuggle a private one through."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolver(host, port)]
    if not addresses:
        raise NetError(f"cannot resolve {host}: no address")
    for address in addresses:
        check_address(address, policy)
    return addresses[0]
