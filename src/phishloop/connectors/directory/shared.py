"""`DirectoryBase`: the public `Directory` behaviour on top of three primitives."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence

from phishloop.connectors.directory.base import (
    Expansion,
    Group,
    Member,
    Person,
    in_domains,
    normalize_address,
)
from phishloop.connectors.directory.expand import expand_recipient

DEFAULT_MAX_DEPTH = 16


class DirectoryBase(ABC):
    """Backends implement `find`, `members` and `people`; the rest is shared.

    VIPs are people flagged by the backend, listed in `vip_addresses`, or members (at
    any depth) of a group in `vip_groups`; group membership is read once per instance,
    so build a fresh directory per job when memberships change often.
    """

    def __init__(
        self,
        *,
        domains: Iterable[str] = (),
        vip_addresses: Iterable[str] = (),
        vip_groups: Iterable[str] = (),
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        self.domains = tuple(normalize_address(d).lstrip("@") for d in domains)
        self.vip_addresses = frozenset(normalize_address(a) for a in vip_addresses)
        self.vip_groups = tuple(normalize_address(a) for a in vip_groups)
        self.max_depth = max_depth
        self._vip_keys: frozenset[str] | None = None

    @abstractmethod
    def find(self, address: str) -> Person | Group | None:
        """The person or group using this (normalised) address."""

    @abstractmethod
    def members(self, group: Group) -> Sequence[Member]:
        """Direct members of a group."""

    @abstractmethod
    def people(self) -> Iterable[Person]:
        """Every person with a mailbox."""

    def person(self, address: str) -> Person | None:
        found = self.find(normalize_address(address))
        return found if isinstance(found, Person) else None

    def mailbox_of(self, address: str) -> str | None:
        found = self.person(address)
        return found.mailbox if found else None

    def is_internal(self, address: str) -> bool:
        if in_domains(address, self.domains):
            return True
        return self.find(normalize_address(address)) is not None

    def is_vip(self, address: str) -> bool:
        found = self.person(address)
        if found is None:
            return normalize_address(address) in self.vip_addresses
        if found.vip or any(a in self.vip_addresses for a in found.addresses):
            return True
        return found.key in self.vip_member_keys()

    def vip_member_keys(self) -> frozenset[str]:
        """Keys of everyone in a VIP group (at any depth)."""
        if self._vip_keys is None:
            keys: set[str] = set()
            for address in self.vip_groups:
                keys.update(item.person.key for item in self.expand(address).reached)
            self._vip_keys = frozenset(keys)
        return self._vip_keys

    def group_members(self, address: str) -> tuple[Member, ...]:
        found = self.find(normalize_address(address))
        return tuple(self.members(found)) if isinstance(found, Group) else ()

    def expand(self, address: str) -> Expansion:
        recipient = normalize_address(address)
        return expand_recipient(recipient, self.find(recipient), self.members, self.max_depth)

    def mailboxes(self) -> Iterator[str]:
        seen: set[str] = set()
        for entry in self.people():
            if entry.mailbox not in seen:
                seen.add(entry.mailbox)
                yield entry.mailbox
