"""An in-memory intel store: for tests, small lists and the server's hot caches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from phishloop.core.enrich.matching import AllowPolicy, lookup_keys, select_matches
from phishloop.core.enrich.records import IntelRecord, is_network, network_prefix
from phishloop.core.enrich.shared_parents import DEFAULT_SHARED_PARENTS
from phishloop.core.model import Indicator, IntelMatch

DEFAULT_POLICY = AllowPolicy(shared_parents=DEFAULT_SHARED_PARENTS)


class MemoryIntel:
    """`IndicatorLookup` over records held in a dict. Records whose `expires` is before
    `now` (ISO 8601, compared as text in the same UTC format) are ignored."""

    def __init__(
        self,
        records: Iterable[IntelRecord],
        *,
        policy: AllowPolicy = DEFAULT_POLICY,
        now: str | None = None,
    ) -> None:
        self._by_key: dict[tuple[str, str], list[IntelRecord]] = defaultdict(list)
        self._prefixes: set[tuple[int, int]] = set()
        self._policy = policy
        for record in records:
            if now is not None and record.expires is not None and record.expires < now:
                continue
            indicator = record.indicator
            listed = self._by_key[(indicator.type, indicator.value)]
            # One record per value and source, the later one winning (as in the SQLite store).
            listed[:] = [r for r in listed if r.source != record.source]
            listed.append(record)
            if is_network(indicator):
                self._prefixes.add(network_prefix(indicator.value))

    def __len__(self) -> int:
        return sum(len(records) for records in self._by_key.values())

    def lookup(self, indicators: Sequence[Indicator]) -> list[IntelMatch]:
        prefixes = sorted(self._prefixes, reverse=True)  # narrowest network first
        matches: list[IntelMatch] = []
        for indicator in indicators:
            keys = lookup_keys(indicator, prefixes)
            found: dict[tuple[str, str], list[IntelRecord]] = {
                (k.type, k.value): self._by_key[(k.type, k.value)]
                for k in keys
                if (k.type, k.value) in self._by_key
            }
            if found:
                matches.extend(select_matches(indicator, keys, found, self._policy))
        return matches
