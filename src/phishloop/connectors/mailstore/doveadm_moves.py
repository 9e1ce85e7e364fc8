"""Planning and reading doveadm moves for one mailbox.

doveadm `move` does not say where a message landed, so each mailbox is looked at before and
after: Message-ID locations and UIDVALIDITY before decide what to move (and detect "an
earlier run already did it"); the new UIDs after give the targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from phishloop.connectors.mailstore.base import (
    MessageRef,
    MoveResult,
    Outcome,
    normalise_message_id,
)
from phishloop.connectors.mailstore.doveadm_api import Command, CommandError

Location = tuple[str, int]  # (folder, uid)


@dataclass(frozen=True, slots=True)
class MoveJob:
    source: MessageRef
    destination: str


@dataclass
class MovePlan:
    mailbox: str
    jobs: list[MoveJob]
    message_ids: list[str] = field(default_factory=list)
    validity: dict[str, int] = field(default_factory=dict)
    before: dict[str, list[Location]] = field(default_factory=dict)
    to_move: dict[MoveJob, int] = field(default_factory=dict)
    look_error: CommandError | None = None

    @property
    def destinations(self) -> list[str]:
        return sorted({job.destination for job in self.jobs})

    @property
    def look_size(self) -> int:
        return 1 + len(self.message_ids)

    @property
    def creates(self) -> list[str]:
        """Destinations to create before moving (absent when looked at)."""
        return sorted({job.destination for job in self.to_move} - set(self.validity))

    @property
    def move_size(self) -> int:
        """How many answers `move_commands` expects (none after a failed look)."""
        if self.look_error is not None:
            return 0
        created = len(self.creates)
        return created + len(self.to_move) + (1 if created else 0) + len(self.message_ids)

    def look_commands(self) -> list[Command]:
        """Every folder's UIDVALIDITY (and so which destinations exist), and where each
        Message-ID sits."""
        return [_status(self.mailbox), *(_locate(self.mailbox, mid) for mid in self.message_ids)]

    def read_before(self, answers: list[Any]) -> None:
        status, located = answers[0], answers[1:]
        for answer in (status, *located):
            if isinstance(answer, CommandError):
                self.look_error = answer
                return
        self.validity = _validities(status)
        self.before = {
            mid: locations(rows, mid) for mid, rows in zip(self.message_ids, located, strict=True)
        }
        for job in self.jobs:
            uid = self._current_uid(job.source)
            if uid is not None and job.source.folder != job.destination:
                self.to_move[job] = uid

    def move_commands(self) -> list[Command]:
        """Create missing destinations, move, read the new folders' UIDVALIDITY (the others
        were read before: moves do not change them) and where each Message-ID sits now."""
        if self.look_error is not None:
            return []
        user = self.mailbox
        creates = self.creates
        commands: list[Command] = [
            ("mailboxCreate", {"user": user, "mailbox": [name]}) for name in creates
        ]
        for job, uid in self.to_move.items():
            query = move_query(job.source.folder, str(uid), job.source.message_id)
            commands.append(
                ("move", {"user": user, "destinationMailbox": job.destination, "query": query})
            )
        if creates:
            commands.append(_status(user, creates))
        commands += [_locate(user, mid) for mid in self.message_ids]
        return commands

    def _current_uid(self, ref: MessageRef) -> int | None:
        """The source's UID if it is still there (found again by Message-ID when the folder's
        UIDVALIDITY changed)."""
        here = [uid for folder, uid in self.before.get(ref.message_id, []) if folder == ref.folder]
        if self.validity.get(ref.folder) == ref.uidvalidity and ref.uid.isdigit():
            return int(ref.uid) if int(ref.uid) in here else None
        return here[0] if here else None


def plan_moves(mailbox: str, jobs: list[MoveJob]) -> MovePlan:
    message_ids = sorted({job.source.message_id for job in jobs})
    return MovePlan(mailbox, jobs, message_ids)


def settle_moves(plan: MovePlan, answers: list[Any]) -> dict[MoveJob, MoveResult]:
    if plan.look_error is not None:
        error = plan.look_error
        return {
            job: MoveResult(
                job.source,
                Outcome.FAILED,
                reason=f"{plan.mailbox}: {error.reason}",
                transient=error.transient,
            )
            for job in plan.jobs
        }
    created = len(plan.creates)
    answers = answers[created:]
    moved = dict(zip(plan.to_move, answers[: len(plan.to_move)], strict=True))
    answers = answers[len(plan.to_move) :]
    validity = dict(plan.validity)
    if created:
        status, answers = answers[0], answers[1:]
        validity.update(_validities(status) if not isinstance(status, CommandError) else {})
    located = answers
    after = {
        mid: locations(rows, mid) if not isinstance(rows, CommandError) else []
        for mid, rows in zip(plan.message_ids, located, strict=True)
    }
    claimed: set[Location] = set()
    results: dict[MoveJob, MoveResult] = {}
    # doveadm runs the moves in order, so new UIDs rise in `to_move` order; jobs that moved
    # now claim theirs first and "already" ones take what is left.
    ordered = list(plan.to_move) + [job for job in plan.jobs if job not in moved]
    for job in ordered:
        results[job] = _settle(
            plan, job, move_answer=moved.get(job), after=after, validity=validity, claimed=claimed
        )
    return results


def _settle(
    plan: MovePlan,
    job: MoveJob,
    *,
    move_answer: Any,
    after: dict[str, list[Location]],
    validity: dict[str, int],
    claimed: set[Location],
) -> MoveResult:
    source, mid = job.source, job.source.message_id
    if isinstance(move_answer, CommandError):
        return MoveResult(
            source,
            Outcome.FAILED,
            reason=f"{plan.mailbox}: {move_answer.reason}",
            transient=move_answer.transient,
        )
    in_destination = [
        loc for loc in after.get(mid, []) if loc[0] == job.destination and loc not in claimed
    ]
    was_there = set(plan.before.get(mid, []))
    if job in plan.to_move:
        fresh = [loc for loc in in_destination if loc not in was_there]
        if not fresh:
            return MoveResult(
                source,
                Outcome.FAILED,
                reason=f"{plan.mailbox}: move of UID {source.uid} had no effect",
                transient=True,
            )
        location = min(fresh, key=lambda loc: loc[1])
        outcome = Outcome.MOVED
    elif in_destination:
        location = min(in_destination, key=lambda loc: loc[1])
        outcome = Outcome.ALREADY
    else:
        return MoveResult(
            source, Outcome.NOT_FOUND, reason=f"not in {source.folder} nor {job.destination}"
        )
    claimed.add(location)
    target = MessageRef(
        plan.mailbox, location[0], validity.get(location[0], 0), str(location[1]), mid
    )
    return MoveResult(source, outcome, target)


def _status(user: str, folders: list[str] | None = None) -> Command:
    mask = folders or ["*"]
    return ("mailboxStatus", {"user": user, "field": ["uidvalidity"], "mailboxMask": mask})


def _locate(user: str, message_id: str) -> Command:
    query = ["header", "Message-ID", message_id]
    return ("fetch", {"user": user, "field": ["mailbox", "uid", "hdr.message-id"], "query": query})


def _validities(status: Any) -> dict[str, int]:
    return {str(row["mailbox"]): int(row["uidvalidity"]) for row in status or ()}


def move_query(folder: str, uid: str, message_id: str) -> list[str]:
    """The one message at `uid` in `folder`, and only if it still has that Message-ID."""
    return ["mailbox", folder, "uid", uid, "header", "Message-ID", message_id]


def locations(rows: Any, message_id: str) -> list[Location]:
    """Exact Message-ID matches only (HEADER search is a substring match)."""
    found = []
    for row in rows or ():
        header = str(row.get("hdr.message-id", ""))
        if header.strip() and normalise_message_id(header) == message_id:
            found.append((str(row["mailbox"]), int(row["uid"])))
    return found
