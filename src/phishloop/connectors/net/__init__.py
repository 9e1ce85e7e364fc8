"""Outbound network access. Every fetch phishloop makes goes through `GuardedHttpClient`,
which applies the SSRF policy of `phishloop.connectors.net.ssrf`."""

from __future__ import annotations

from phishloop.connectors.net.http import GuardedHttpClient, HttpResponse
from phishloop.connectors.net.ssrf import (
    BlockedDestinationError,
    NetError,
    NetTimeoutError,
    OutboundPolicy,
    ResponseTooLargeError,
)

__all__ = [
    "BlockedDestinationError",
    "GuardedHttpClient",
    "HttpResponse",
    "NetError",
    "NetTimeoutError",
    "OutboundPolicy",
    "ResponseTooLargeError",
]
