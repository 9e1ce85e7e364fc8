"""Anchor text vs destination (scaffolding: replaced by the full check)."""

from __future__ import annotations


def display_mismatch(display_text: str, url: str) -> bool:
    """True when the visible text names a host other than the one `url` goes to."""
    return False
