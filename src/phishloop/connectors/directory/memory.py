"""An in-memory directory: the test fake, and what the static file loads into."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from phishloop.connectors.directory.base import (
    DirectoryError,
    Group,
    Member,
    Person,
    Unresolved,
    in_domains,
    normalize_address,
)
from phishloop.connectors.directory.shared import DirectoryBase


class InMemoryDirectory(DirectoryBase):
    """People and groups given as objects; group members are addresses (or the names
    of groups without an address)."""

    def __init__(
        self,
        people: Iterable[Person] = (),
        groups: Iterable[tuple[Group, Sequence[str]]] = (),
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._people = tuple(people)
        self._by_address: dict[str, Person | Group] = {}
        self._members: dict[str, tuple[str, ...]] = {}
        for entry in self._people:
            for address in entry.addresses:
                self._claim(address, entry)
        for group, members in groups:
            self._claim(group.address or group.key, group)
            self._claim(group.key, group)
            self._members[group.key] = tuple(normalize_address(m) for m in members)

    def _claim(self, address: str, entry: Person | Group) -> None:
        previous = self._by_address.setdefault(normalize_address(address), entry)
        if previous is not entry:
            raise DirectoryError(f"address {address} is used twice in the directory")

    def find(self, address: str) -> Person | Group | None:
        return self._by_address.get(normalize_address(address))

    def members(self, group: Group) -> Sequence[Member]:
        return [self._member(ref) for ref in self._members.get(group.key, ())]

    def _member(self, ref: str) -> Member:
        found = self._by_address.get(ref)
        if found is not None:
            return found
        reason = "unknown internal address" if in_domains(ref, self.domains) else "external"
        return Unresolved(ref, reason)

    def people(self) -> Iterable[Person]:
        return self._people

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], **options: Any) -> InMemoryDirectory:
        """Build from `{"people": [...], "groups": [...]}` (see docs/connectors.md)."""
        from phishloop.connectors.directory.static import parse_document  # noqa: PLC0415

        people, groups = parse_document(data, source="directory data")
        return cls(people, groups, **options)
