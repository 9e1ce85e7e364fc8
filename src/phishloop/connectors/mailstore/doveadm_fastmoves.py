"""doveadm moves with the looks done through user masks (`doveadm_users`).

Three rounds for a batch of mailboxes: a read-only status of the folders involved
(UIDVALIDITY, UIDNEXT) through masks; per mailbox the moves (`mailbox F uid N header
Message-ID X`: both must match, so a stale reference moves nothing) after creating a
missing destination; a read-only look through masks for where each Message-ID sits now.
A copy in the destination at or above the UIDNEXT read before arrived now (MOVED), below
it an earlier run put it there (ALREADY); still at its source UID, the move had no effect.

The moves themselves are one command per mailbox and message, never a mask. Jobs this
cannot settle exactly go the careful way (`doveadm_moves`: a look before per mailbox):
a changed UIDVALIDITY (find by Message-ID), a source that is its destination, or several
jobs of one mailbox moving one Message-ID to the same folder.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from phishloop.connectors.mailstore.base import MailStoreError, MessageRef, MoveResult, Outcome
from phishloop.connectors.mailstore.doveadm_api import Command, DoveadmApi
from phishloop.connectors.mailstore.doveadm_moves import Location, MoveJob, locations, move_query
from phishloop.connectors.mailstore.doveadm_users import UserReads, failure

MAX_ORED_IDS = 32  # more Message-IDs in one batch: each mailbox looks for its own only


@dataclass
class Box:
    """One mailbox's fast jobs and what was read about it."""

    mailbox: str
    jobs: list[MoveJob]
    validity: dict[str, int] = field(default_factory=dict)
    uidnext: dict[str, int] = field(default_factory=dict)
    moved: dict[MoveJob, Any] = field(default_factory=dict)  # move answers
    arrived: dict[str, Any] = field(default_factory=dict)  # destination → new rows
    error: tuple[str, bool] | None = None

    @property
    def destinations(self) -> set[str]:
        return {job.destination for job in self.jobs}

    def read_validities(self, status: Any) -> None:
        for row in status:
            self.validity[str(row["mailbox"])] = int(row["uidvalidity"])
            if "uidnext" in row:
                self.uidnext[str(row["mailbox"])] = int(row["uidnext"])

    @property
    def creates(self) -> list[str]:
        return sorted({job.destination for job in self.jobs} - set(self.validity))

    def commands(self) -> list[Command]:
        user = self.mailbox
        out: list[Command] = [
            ("mailboxCreate", {"user": user, "mailbox": [n]}) for n in self.creates
        ]
        for job in self.jobs:
            query = move_query(job.source.folder, job.source.uid, job.source.message_id)
            params = {"user": user, "destinationMailbox": job.destination, "query": query}
            out.append(("move", params))
        return out


def split_fast(
    reads: UserReads, jobs: Sequence[MoveJob]
) -> tuple[list[Box], list[MoveJob], dict[MoveJob, MoveResult]]:
    """Read the folders' status through masks; (fast boxes, jobs for the careful way,
    results already known: the mailboxes whose status could not be read)."""
    by_mailbox: dict[str, list[MoveJob]] = defaultdict(list)
    for job in jobs:
        by_mailbox[job.source.mailbox].append(job)
    folders = sorted({j.source.folder for j in jobs} | {j.destination for j in jobs})
    status = reads.read(
        lambda u: (
            "mailboxStatus",
            {"user": u, "field": ["uidvalidity", "uidnext"], "mailboxMask": folders},
        ),
        list(by_mailbox),
    )
    boxes: list[Box] = []
    careful: list[MoveJob] = []
    done: dict[MoveJob, MoveResult] = {}
    for mailbox, mine in by_mailbox.items():
        error = failure(status[mailbox])
        if error is not None:
            done.update((job, _failed(job, mailbox, *error)) for job in mine)
            continue
        box = Box(mailbox, [])
        box.read_validities(status[mailbox])
        pairs = Counter((job.source.message_id, job.destination) for job in mine)
        for job in mine:
            ref = job.source
            fast = (
                ref.folder != job.destination
                and ref.uid.isdigit()
                and box.validity.get(ref.folder) == ref.uidvalidity
                and pairs[(ref.message_id, job.destination)] == 1
            )
            (box.jobs if fast else careful).append(job)
        if box.jobs:
            boxes.append(box)
    return boxes, careful, done


def move_fast(
    api: DoveadmApi, reads: UserReads, boxes: list[Box], chunk_size: int
) -> dict[MoveJob, MoveResult]:
    """Move (per mailbox, chunks of mailboxes in parallel), look for the new arrivals
    through masks, then look one by one where a job's copy did not arrive."""
    chunks = [boxes[i : i + chunk_size] for i in range(0, len(boxes), max(1, chunk_size))]
    for _ in reads.executor.map(lambda c: _move_chunk(api, c), chunks):
        pass
    live = [box for box in boxes if box.error is None]
    destinations = sorted({job.destination for box in live for job in box.jobs})
    with ThreadPoolExecutor(max(1, len(destinations)), "phishloop-doveadm-look") as pool:
        looks = [
            pool.submit(_look_for_arrivals, reads, [b for b in live if d in b.destinations], d)
            for d in destinations  # a restore's INBOX, Sent, …: one query names one folder
        ]
        for look in looks:
            look.result()
    created = reads.read(_validities, [box.mailbox for box in live if box.creates])
    for box in live:
        if failure(created.get(box.mailbox, [])) is None:
            box.read_validities(created.get(box.mailbox, []))
    results: dict[MoveJob, MoveResult] = {}
    unsure: list[Box] = []
    for box in boxes:
        settled = _settle(box)
        results.update(settled)
        rest = [job for job in box.jobs if job not in settled]
        if rest:
            unsure.append(Box(box.mailbox, rest, box.validity, box.uidnext))
    ids = {box.mailbox: sorted({job.source.message_id for job in box.jobs}) for box in unsure}
    found = reads.read(lambda user: _locate(user, ids[user]), list(ids), masks=False)
    for box in unsure:
        results.update(_place_all(box, found[box.mailbox]))
    return results


def _look_for_arrivals(reads: UserReads, boxes: list[Box], destination: str) -> None:
    """Rows of `destination` at or above its UIDNEXT read before (what arrived since),
    for the jobs' Message-IDs; a mask asks from the lowest of those UIDNEXTs."""
    mine = {b.mailbox: sorted({j.source.message_id for j in b.jobs}) for b in boxes}
    every = sorted({mid for mids in mine.values() for mid in mids})
    start = {b.mailbox: b.uidnext.get(destination, 1) for b in boxes}
    lowest = min(start.values(), default=1)

    def look(user: str) -> Command:
        ids = mine.get(user, every)
        query = ["mailbox", destination, "uid", f"{start.get(user, lowest)}:*"]
        fields = ["mailbox", "uid", "hdr.message-id"]
        return ("fetch", {"user": user, "field": fields, "query": query + _any(ids)})

    answers = reads.read(look, list(mine), masks=len(every) <= MAX_ORED_IDS)
    for box in boxes:
        box.arrived[destination] = answers[box.mailbox]


def _move_chunk(api: DoveadmApi, boxes: list[Box]) -> None:
    commands = [box.commands() for box in boxes]
    try:
        answers = api.call([c for group in commands for c in group])
    except MailStoreError as exc:
        for box in boxes:
            box.error = (str(exc), exc.transient)
        return
    start = 0
    for box, group in zip(boxes, commands, strict=True):
        mine = answers[start : start + len(group)]
        start += len(group)
        box.moved = dict(zip(box.jobs, mine[len(box.creates) :], strict=True))


def _settle(box: Box) -> dict[MoveJob, MoveResult]:
    """FAILED (the move or the look failed) and MOVED (a copy arrived) jobs; the others
    are looked at one by one."""
    if box.error is not None:
        return {job: _failed(job, box.mailbox, *box.error) for job in box.jobs}
    results: dict[MoveJob, MoveResult] = {}
    for job in box.jobs:
        moved = failure(box.moved.get(job))
        arrived = box.arrived.get(job.destination)
        looked = failure(arrived)
        if moved is not None:
            results[job] = _failed(job, box.mailbox, *moved)
        elif looked is not None:
            results[job] = _failed(job, box.mailbox, looked[0], True)
        else:
            threshold = box.uidnext.get(job.destination, 0)
            fresh = [uid for f, uid in locations(arrived, job.source.message_id)
                     if f == job.destination and uid >= threshold]  # fmt: skip
            if fresh:
                results[job] = _result(box, job, Outcome.MOVED, min(fresh))
    return results


def _place_all(box: Box, found: Any) -> dict[MoveJob, MoveResult]:
    looked = failure(found)
    if looked is not None:
        return {job: _failed(job, box.mailbox, looked[0], True) for job in box.jobs}
    return {job: _place(box, job, locations(found, job.source.message_id)) for job in box.jobs}


def _place(box: Box, job: MoveJob, found: list[Location]) -> MoveResult:
    """A job whose copy did not arrive: still at its source (the move had no effect), in
    the destination from an earlier run, or nowhere."""
    source, destination = job.source, job.destination
    if (source.folder, int(source.uid)) in found:
        reason = f"{box.mailbox}: move of UID {source.uid} had no effect"
        return MoveResult(source, Outcome.FAILED, reason=reason, transient=True)
    there = [uid for folder, uid in found if folder == destination]
    if not there:
        reason = f"not in {source.folder} nor {destination}"
        return MoveResult(source, Outcome.NOT_FOUND, reason=reason)
    return _result(box, job, Outcome.ALREADY, min(there))


def _result(box: Box, job: MoveJob, outcome: Outcome, uid: int) -> MoveResult:
    source, destination = job.source, job.destination
    validity = box.validity.get(destination, 0)
    target = MessageRef(box.mailbox, destination, validity, str(uid), source.message_id)
    return MoveResult(source, outcome, target)


def _validities(user: str) -> Command:
    return ("mailboxStatus", {"user": user, "field": ["uidvalidity"], "mailboxMask": ["*"]})


def _locate(user: str, message_ids: list[str]) -> Command:
    fields = ["mailbox", "uid", "hdr.message-id"]
    return ("fetch", {"user": user, "field": fields, "query": _any(message_ids)})


def _any(message_ids: list[str]) -> list[str]:
    """`header Message-ID X`, or several ORed in parentheses (doveadm refuses `mailbox`
    inside an OR: a query names one folder)."""
    if len(message_ids) == 1:
        return ["header", "Message-ID", message_ids[0]]
    out = ["("]
    for index, message_id in enumerate(message_ids):
        out += (["or"] if index else []) + ["header", "Message-ID", message_id]
    return [*out, ")"]


def _failed(job: MoveJob, mailbox: str, reason: str, transient: bool) -> MoveResult:
    return MoveResult(
        job.source, Outcome.FAILED, reason=f"{mailbox}: {reason}", transient=transient
    )
