"""Received headers as hops in travel order (origin first), and the message's origin."""

from __future__ import annotations

from datetime import datetime

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.domains import host_in_domains, is_public_ip
from phishloop.core.extract.dates import parse_trace_date
from phishloop.core.extract.headers import HeaderList, unfold, values_named
from phishloop.core.extract.received_clauses import read_clauses
from phishloop.core.model import ReceivedHop

MAX_HOPS = 100  # the topmost ones are kept: the bottom of the trace is the sender's to forge


def parse_received(headers: HeaderList, ctx: AnalysisContext) -> tuple[ReceivedHop, ...]:
    """Every Received header as a `ReceivedHop`, index 0 being the origin (bottom-most);
    `delay_seconds` is the time since the previous hop when both are dated."""
    raw_values = [value for _, _, value in values_named(headers, "received")]
    if len(raw_values) > MAX_HOPS:
        ctx.errors.add(
            errors.LIMIT_HEADERS, f"{len(raw_values)} Received headers; the top {MAX_HOPS} kept"
        )
        raw_values = raw_values[:MAX_HOPS]
    hops: list[ReceivedHop] = []
    previous: datetime | None = None
    for index, value in enumerate(reversed(raw_values)):
        hop, previous = _read_hop(index, value, previous, ctx)
        hops.append(hop)
    return tuple(hops)


def _read_hop(
    index: int, value: str, previous: datetime | None, ctx: AnalysisContext
) -> tuple[ReceivedHop, datetime | None]:
    """The hop and its time; `previous` is the time of the hop before it, if dated."""
    raw = unfold(value)
    route, semicolon, date_text = raw.rpartition(";")
    if not semicolon:
        route, date_text = raw, ""
    when = parse_trace_date(date_text) if date_text.strip() else None
    clauses = read_clauses(route)
    if date_text.strip() and when is None:
        ctx.errors.add(errors.HEADER_PARSE, f"unreadable date in Received: {date_text[:80]!r}")
    hop = ReceivedHop(
        index=index,
        from_host=clauses.from_host,
        from_ip=clauses.from_ip,
        by_host=clauses.by_host,
        protocol=clauses.protocol,
        timestamp=when.isoformat() if when else None,
        delay_seconds=(when - previous).total_seconds() if when and previous else None,
        raw=raw,
    )
    return hop, when


def origin(
    hops: tuple[ReceivedHop, ...], org_domains: tuple[str, ...]
) -> tuple[str | None, str | None]:
    """(ip, host) of the first external sending hop: the earliest hop whose connecting IP
    is public and whose host is not one of the organisation's own; (None, None) if none."""
    own = tuple(domain.lower().rstrip(".") for domain in org_domains if domain)
    for hop in hops:
        if hop.from_ip is None or not is_public_ip(hop.from_ip):
            continue
        if hop.from_host and own and host_in_domains(hop.from_host, own):
            continue
        return hop.from_ip, hop.from_host
    return None, None
