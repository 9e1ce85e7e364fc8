"""What a pull plan is made of: the seeds it starts from and every copy it found, each
with its read status and the reason it is included (or left out)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from phishloop.connectors.mailstore.base import FoundMessage, MessageRef
from phishloop.core.model import Fingerprint


@dataclass(frozen=True, slots=True)
class Seed:
    """One reported message of the incident: where the search starts."""

    message_id: str
    sender: str = ""  # the From address
    subject: str = ""
    date: datetime | None = None
    recipients: tuple[str, ...] = ()  # To and Cc addresses
    fingerprint: Fingerprint | None = None

    @property
    def sender_domain(self) -> str:
        return self.sender.strip().strip("<>").rpartition("@")[2].lower()


class EntryKind(StrEnum):
    ORIGINAL = "original"  # the reported message's own Message-ID
    SIBLING = "sibling"  # same campaign, another Message-ID
    FORWARD = "forward"  # a colleague's forward of a copy, received internally
    SENT_FORWARD = "sent-forward"  # that forward in the forwarder's sent items


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One message the pull will move to quarantine."""

    kind: EntryKind
    mailbox: str
    folder: str
    uidvalidity: int
    uid: str
    message_id: str
    seen: bool
    reason: str
    path: tuple[str, ...] = ()  # how it got here: recipient, groups, forwarders
    depth: int = 0  # forward hops from a delivered copy
    sender: str = ""
    subject: str = ""
    date: str = ""

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.mailbox, self.folder, self.uidvalidity, self.uid, self.message_id)

    @classmethod
    def of(
        cls, kind: EntryKind, hit: FoundMessage, reason: str, path: tuple[str, ...], depth: int = 0
    ) -> PlanEntry:
        ref = hit.ref
        return cls(
            kind, ref.mailbox, ref.folder, ref.uidvalidity, ref.uid, ref.message_id,
            hit.seen, reason, path, depth, hit.sender, hit.subject,
            hit.date.isoformat() if hit.date else "",
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class External:
    """A recipient outside the organisation: listed, never pulled."""

    address: str
    reason: str  # "cannot pull — external"
    via: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    """A copy or mailbox deliberately left alone (abuse mailbox, VIP sent items, a
    look-alike whose content differs), with why."""

    mailbox: str
    reason: str
    folder: str = ""
    message_id: str = ""
    uid: str = ""


@dataclass(frozen=True, slots=True)
class PlanError:
    """A mailbox that could not be searched (the plan may be incomplete there)."""

    mailbox: str
    error: str
    transient: bool = False


@dataclass
class Plan:
    seeds: list[dict[str, Any]] = field(default_factory=list)
    entries: list[PlanEntry] = field(default_factory=list)
    external: list[External] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)
    searched_mailboxes: int = 0
    forward_depth_reached: int = 0
    forwards_truncated: bool = False  # the depth bound stopped following forwards

    @property
    def mailboxes(self) -> list[str]:
        return sorted({entry.mailbox for entry in self.entries})

    def counts(self) -> dict[str, int]:
        kinds = {kind.value: 0 for kind in EntryKind}
        for entry in self.entries:
            kinds[entry.kind.value] += 1
        return {
            "mailboxes": len(self.mailboxes),
            "messages": len(self.entries),
            "seen": sum(1 for entry in self.entries if entry.seen),
            "external": len(self.external),
            "skipped": len(self.skipped),
            "errors": len(self.errors),
            "searched_mailboxes": self.searched_mailboxes,
            **kinds,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (stored with the pull job, shown by the API and CLI)."""
        return {
            "seeds": self.seeds,
            "counts": self.counts(),
            "entries": [_entry_dict(entry) for entry in self.entries],
            "external": [_plain(asdict(item)) for item in self.external],
            "skipped": [asdict(item) for item in self.skipped],
            "errors": [asdict(item) for item in self.errors],
            "recipients": self.recipients,
            "forward_depth_reached": self.forward_depth_reached,
            "forwards_truncated": self.forwards_truncated,
        }


def _entry_dict(entry: PlanEntry) -> dict[str, Any]:
    data = _plain(asdict(entry))
    data["kind"] = entry.kind.value
    return data


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}
