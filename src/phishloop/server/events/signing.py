"""Webhook signatures: HMAC-SHA256 over `"{timestamp}." + body`, sent as
`X-Phishloop-Signature: t=<unix seconds>,v1=<hex digest>`.

A receiver verifies a delivery with `verify_signature(secret, header, body)` (this module
needs only the standard library, so it can be copied into the receiving application): it
recomputes the HMAC over the raw request body exactly as received, compares in constant
time, and rejects signatures older than `tolerance` seconds to stop replays."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Phishloop-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300  # seconds


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"{timestamp}." + body` under `secret`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The `X-Phishloop-Signature` header value for `body`."""
    when = int(time.time()) if timestamp is None else timestamp
    return f"t={when},{SCHEME}={signature(secret, when, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when `header` is a valid, fresh signature of `body` under `secret`."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    # Several v1 values may be present while a secret is being rotated.
    return any(hmac.compare_digest(expected, given) for given in parts.get(SCHEME, []))
