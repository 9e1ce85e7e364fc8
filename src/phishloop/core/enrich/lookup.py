"""The interface through which the analysis asks threat intelligence about indicators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from phishloop.core.model import Indicator, IntelMatch


@runtime_checkable
class IndicatorLookup(Protocol):
    """Anything that can say which of a message's indicators are listed.

    Implementations follow `phishloop.core.enrich.matching` (match kinds, allow-list)
    and never raise for an indicator they cannot handle (they skip it). Wiring it into
    an analysis is one line: `intel = tuple(lookup.lookup(analysis.indicators))`.
    """

    def lookup(self, indicators: Sequence[Indicator]) -> list[IntelMatch]: ...


class NoIntel:
    """The lookup used when no intelligence is configured: nothing is ever listed."""

    def lookup(self, indicators: Sequence[Indicator]) -> list[IntelMatch]:
        return []


class CombinedLookup:
    """Asks several lookups (a local store, then online providers) and joins the answers."""

    def __init__(self, *lookups: IndicatorLookup) -> None:
        self._lookups = lookups

    def lookup(self, indicators: Sequence[Indicator]) -> list[IntelMatch]:
        matches: list[IntelMatch] = []
        for source in self._lookups:
            matches.extend(source.lookup(indicators))
        return matches
