"""Where a message provably came from, as far as the organisation's own receivers say.

Only what a trusted receiver wrote counts: the client IP that an Authentication-Results or
Received-SPF header of a trusted authserv-id records, its SPF verdict, DMARC/aligned DKIM
(`Facts.authenticated`), and the topmost Received hop from a public address (the hand-off to
the organisation's mail system, written by that system: senders can only add lines below
it). Received lines further down are the sender's word and prove nothing.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from phishloop.core.classify.facts import Facts
from phishloop.core.domains import is_public_ip, parse_ip
from phishloop.core.model import AuthResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IP_PROPERTIES = ("client-ip", "smtp.remote-ip", "smtp.client-ip", "policy.iprev")
# "designates 192.0.2.1 as permitted sender", "does not designate ...", "sender IP is ..."
REASON_IP_RE = re.compile(r"(?:designates?|sender ip is)\s+([0-9a-f][0-9a-f:.]{1,44})", re.I)
MAX_REASON = 400


@dataclass(frozen=True, slots=True)
class Origin:
    attested_ips: tuple[IPAddress, ...] = ()  # client IPs recorded by a trusted receiver
    edge_ip: IPAddress | None = None  # topmost Received hop from a public address
    spf_pass_domain: str | None = None  # SPF identity that passed at a trusted receiver
    authenticated_from: str | None = None  # From domain with DMARC or aligned DKIM pass
    authserv_id: str | None = None


def origin(facts: Facts) -> Origin:
    """What the organisation's receivers vouch for (nothing for a reconstructed forward,
    whose headers were retyped by a mail client)."""
    analysis = facts.analysis
    if analysis.report is not None and analysis.report.fidelity != "full":
        return Origin()
    auth = analysis.authentication
    spf_pass = auth.spf_domain if auth.trusted and auth.spf == "pass" else None
    return Origin(
        attested_ips=attested_ips(auth.results),
        edge_ip=edge_ip(facts),
        spf_pass_domain=spf_pass,
        authenticated_from=facts.sender_domain if facts.authenticated else None,
        authserv_id=auth.authserv_id if auth.trusted else None,
    )


def attested_ips(results: tuple[AuthResult, ...]) -> tuple[IPAddress, ...]:
    """The client IP of the topmost trusted result that names one (headers above it were
    written by the organisation's own hops; lower ones may be forged with its id)."""
    for result in results:
        if result.trusted:
            found = result_ip(result)
            if found is not None:
                return (found,)
    return ()


def result_ip(result: AuthResult) -> IPAddress | None:
    props = dict(result.properties)
    for key in IP_PROPERTIES:
        found = parse_ip(props.get(key, ""))
        if found is not None:
            return found
    match = REASON_IP_RE.search((result.reason or "")[:MAX_REASON])
    return parse_ip(match.group(1).rstrip(".")) if match else None


def edge_ip(facts: Facts) -> IPAddress | None:
    """Walk down from the top over internal hops (no "from" clause, or a private address);
    stop at the first public address — or at a hop we cannot read, rather than trust the
    sender's lines below it."""
    for hop in reversed(facts.analysis.received):
        if hop.from_ip is None:
            if hop.from_host:
                return None
            continue
        if is_public_ip(hop.from_ip):
            return parse_ip(hop.from_ip)
    return None
