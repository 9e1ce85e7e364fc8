"""Rules: qr (to be written)."""

from __future__ import annotations

from phishloop.core.classify.types import Rule

RULES: tuple[Rule, ...] = ()
