"""Breadth-first expansion of a recipient through nested groups.

Breadth-first so that every mailbox is explained by its shortest path ("reached via
all-staff → finance"), which is the one an analyst expects to read. Groups are visited
once: a group seen again on its own path is a cycle (recorded, not followed); seen on
another path it is a diamond (already covered, skipped). Members are walked in a fixed
order, so ties between equally short paths are broken the same way by every backend.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from phishloop.connectors.directory.base import (
    Expansion,
    Group,
    Member,
    Person,
    Reached,
    Unresolved,
)

MembersOf = Callable[[Group], Sequence[Member]]


def expand_recipient(
    recipient: str, root: Person | Group | None, members: MembersOf, max_depth: int
) -> Expansion:
    """Everything `recipient` (already resolved to `root`) reaches."""
    if root is None:
        return Expansion(recipient, "unknown")
    if isinstance(root, Person):
        return Expansion(recipient, "person", reached=(Reached(root, ()),))
    return _walk(recipient, root, members, max_depth)


def _walk(recipient: str, root: Group, members: MembersOf, max_depth: int) -> Expansion:
    reached: dict[str, Reached] = {}
    unresolved: list[tuple[Unresolved, tuple[str, ...]]] = []
    cycles: list[tuple[str, ...]] = []
    truncated = False
    seen_groups = {root.key}
    queue: deque[tuple[Group, tuple[str, ...], tuple[str, ...]]] = deque(
        [(root, (root.name,), (root.key,))]
    )
    while queue:
        group, names, keys = queue.popleft()
        for member in sorted(members(group), key=_order):
            if isinstance(member, Person):
                reached.setdefault(member.key, Reached(member, names))
            elif isinstance(member, Unresolved):
                unresolved.append((member, names))
            elif member.key in keys:
                cycles.append((*names, member.name))
            elif member.key in seen_groups:
                continue
            elif len(keys) >= max_depth:
                truncated = True
            else:
                seen_groups.add(member.key)
                queue.append((member, (*names, member.name), (*keys, member.key)))
    return Expansion(
        recipient,
        "group",
        reached=tuple(reached.values()),
        unresolved=tuple(unresolved),
        cycles=tuple(cycles),
        truncated=truncated,
    )


def _order(member: Member) -> tuple[int, str]:
    if isinstance(member, Person):
        return 0, member.address
    if isinstance(member, Group):
        return 1, member.name.lower()
    return 2, member.ref
