"""Link-rewriter decoding (scaffolding: replaced by the full decoder)."""

from __future__ import annotations


def unwrap(url: str) -> tuple[str, tuple[str, ...]]:
    """Return the real destination of `url` and the rewriters decoded, outermost first."""
    return url, ()
