"""What a directory knows: people, their mailboxes, groups, and how a group address
expands to mailboxes.

Implementations answer three primitive questions (`find`, `members`, `people`); the
shared `DirectoryBase` turns them into the public `Directory` interface, so group
expansion, cycle protection and VIP rules behave the same for every backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from phishloop.core.errors import PhishloopError


class DirectoryError(PhishloopError):
    """The directory could not answer (unreachable, refused, malformed answer)."""


@dataclass(frozen=True, slots=True)
class Person:
    """Someone with a mailbox. `mailbox` is the id the mail store uses for it."""

    key: str  # backend identity: address, DN or Graph object id
    address: str  # primary address, lower-case
    mailbox: str
    name: str = ""
    aliases: tuple[str, ...] = ()
    vip: bool = False

    @property
    def addresses(self) -> tuple[str, ...]:
        return (self.address, *self.aliases)


@dataclass(frozen=True, slots=True)
class Group:
    """A distribution list or security group; `name` is what explanations show."""

    key: str
    address: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A member the directory cannot turn into a mailbox (an external address, a
    dangling DN); the plan lists it instead of dropping it silently."""

    ref: str
    reason: str


Member = Person | Group | Unresolved


@dataclass(frozen=True, slots=True)
class Reached:
    """One mailbox reached by an expansion, and the groups it was reached through
    (outermost first; empty when the recipient was the person themself)."""

    person: Person
    via: tuple[str, ...]

    def explain(self) -> str:
        return "direct" if not self.via else "reached via " + " → ".join(self.via)


@dataclass(frozen=True, slots=True)
class Expansion:
    """Everything a recipient address stands for."""

    recipient: str
    kind: str  # "person", "group" or "unknown"
    reached: tuple[Reached, ...] = ()
    unresolved: tuple[tuple[Unresolved, tuple[str, ...]], ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()  # group paths that led back into themselves
    truncated: bool = False  # the depth bound stopped part of the walk

    @property
    def mailboxes(self) -> tuple[str, ...]:
        return tuple(item.person.mailbox for item in self.reached)


@runtime_checkable
class Directory(Protocol):
    """People, mailboxes and groups of the organisation."""

    def person(self, address: str) -> Person | None:
        """The person using `address` (primary or alias), or None."""

    def mailbox_of(self, address: str) -> str | None:
        """The mailbox id behind a person's address, or None."""

    def is_internal(self, address: str) -> bool:
        """True for addresses in the organisation's domains (or known to the directory)."""

    def is_vip(self, address: str) -> bool:
        """True for people whose mail must not be touched without an analyst."""

    def group_members(self, address: str) -> tuple[Member, ...]:
        """Direct members of the group with this address (empty when it is no group)."""

    def expand(self, address: str) -> Expansion:
        """The mailboxes a recipient address reaches, through nested groups."""

    def mailboxes(self) -> Iterator[str]:
        """Every mailbox of every person, each once."""


def normalize_address(address: str) -> str:
    """Compare addresses case-insensitively and without surrounding `<>` or blanks."""
    return address.strip().strip("<>").strip().lower()


def domain_of(address: str) -> str:
    return normalize_address(address).rpartition("@")[2]


def in_domains(address: str, domains: Iterable[str]) -> bool:
    """`a@eu.corp.test` is in `corp.test`; `a@notcorp.test` is not."""
    domain = domain_of(address)
    return bool(domain) and any(domain == d or domain.endswith("." + d) for d in domains)


def dedupe(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
