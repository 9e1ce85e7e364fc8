"""Following internal forwards, level by level, up to `max_forward_depth` hops.

In every mailbox holding a copy, the sent items are searched for messages that name the
copy in References/In-Reply-To, or carry the campaign's subject; each candidate is read
and kept when it references the copy, attaches it, or is a `Fw:`-style forward whose
content matches the campaign. Its recipients are expanded through the directory (groups
included); internal ones are searched for the forward's Message-ID and become holders of
the next level, external ones are listed as `cannot pull — external`. A (mailbox,
Message-ID) pair is visited once, so forwarding loops end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from phishloop.connectors.mailstore.base import SENT, FoundMessage, SearchQuery
from phishloop.remediation.forwards import (
    header_evidence,
    is_forward_subject,
    normalised,
    recipients,
    references_evidence,
)
from phishloop.remediation.model import EntryKind, Skipped
from phishloop.remediation.planner import UNKNOWN, PlanRun


@dataclass(frozen=True, slots=True)
class Holder:
    """A mailbox holding a copy (`message_id`), reached along `path`."""

    mailbox: str
    message_id: str
    path: tuple[str, ...]
    depth: int


@dataclass(frozen=True, slots=True)
class Forward:
    """A sent forward of a copy and the mailboxes (with paths) it went to."""

    hit: FoundMessage
    reason: str
    path: tuple[str, ...]
    targets: dict[str, tuple[str, ...]]


class ForwardWalk:
    def __init__(self, run: PlanRun) -> None:
        self.run = run
        self.visited: set[tuple[str, str]] = set()
        self.seen_sent: set[tuple[str, str, int, str]] = set()

    def follow(self) -> None:
        level = [
            Holder(e.mailbox, e.message_id, e.path, 0)
            for e in self.run.plan.entries
            if e.kind in (EntryKind.ORIGINAL, EntryKind.SIBLING)
        ]
        depth = 0
        while level and depth < self.run.options.max_forward_depth:
            depth += 1
            level = self._step(level, depth)
            if level:
                self.run.plan.forward_depth_reached = depth
        if level:
            self.run.plan.forwards_truncated = self._any_forward(level)

    def _step(self, level: list[Holder], depth: int) -> list[Holder]:
        fresh = [h for h in level if (h.mailbox, h.message_id) not in self.visited]
        self.visited.update((h.mailbox, h.message_id) for h in fresh)
        forwards = [
            forward
            for holder, hit, raw, evidence in self._forwards_of(fresh)
            if (forward := self._forwarded(holder, hit, raw, evidence, depth)) is not None
        ]
        # every forward's recipients searched for it in one pass, and their sent items
        # with the next level's queries in the same visit (they hold copies if it found
        # any): the next level then costs no pass of its own
        wanted = [
            (SearchQuery(message_id=f.hit.ref.message_id), sorted(f.targets)) for f in forwards
        ]
        if forwards:
            wanted += [
                (query, sorted({m for f in forwards for m in f.targets}))
                for query in self._sent_queries([f.hit.ref.message_id for f in forwards])
            ]
        self.run.prefetch_for(wanted)
        following: list[Holder] = []
        for forward in forwards:
            following += self._copies(forward, depth)
        return following

    # -- finding forwards in sent items ----------------------------------------------------
    def _forwards_of(
        self, holders: list[Holder]
    ) -> list[tuple[Holder, FoundMessage, bytes | None, str]]:
        """Forwards among the holders' sent items, in candidate order. A candidate whose
        References (read with the search hit) names a copy needs no fetch; the others are
        fetched and judged on their attachments and content."""
        candidates = list(self._candidates(holders).values())
        by_mailbox: dict[str, list[Holder]] = defaultdict(list)
        for holder in holders:
            by_mailbox[holder.mailbox].append(holder)
        copy_ids = {m: {h.message_id for h in mine} for m, mine in by_mailbox.items()}
        evidence = {
            index: found
            for index, hit in enumerate(candidates)
            if (found := self._read_evidence(hit, copy_ids[hit.ref.mailbox]))
        }
        unread = [hit for index, hit in enumerate(candidates) if index not in evidence]
        raws = {id(hit): raw for hit, raw in self.run.fetch_all(unread)}
        found_forwards = []
        for index, hit in enumerate(candidates):
            raw = raws.get(id(hit))
            reason = evidence.get(index) or (
                self._evidence(hit, raw, copy_ids[hit.ref.mailbox]) if raw is not None else ""
            )
            if reason:
                found_forwards.append((by_mailbox[hit.ref.mailbox][0], hit, raw, reason))
        return found_forwards

    def _candidates(self, holders: list[Holder]) -> dict[tuple[str, str, int, str], FoundMessage]:
        run = self.run
        hits: list[FoundMessage] = []
        by_id: dict[str, list[str]] = defaultdict(list)
        for holder in holders:
            by_id[holder.message_id].append(holder.mailbox)
        mailboxes = sorted({h.mailbox for h in holders})
        by_references = [(SearchQuery(references=message_id, folders=(SENT,)), sorted(set(boxes)))
                         for message_id, boxes in sorted(by_id.items())]  # fmt: skip
        by_subject = [(q, mailboxes) for q in self._sent_queries([])]
        run.prefetch_for(by_references + by_subject)  # what the sweep did not answer: one pass
        for query, boxes in by_references + by_subject:
            hits += run.search(boxes, query)
        out: dict[tuple[str, str, int, str], FoundMessage] = {}
        for hit in hits:
            key = (hit.ref.mailbox, hit.ref.folder, hit.ref.uidvalidity, hit.ref.uid)
            if key not in self.seen_sent:
                self.seen_sent.add(key)
                out[key] = hit
        return out

    def _sent_queries(self, message_ids: list[str]) -> list[SearchQuery]:
        """Sent-item queries: References naming one of `message_ids`, and the campaign's
        subjects (as `_candidates` asks them)."""
        named = [SearchQuery(references=m, folders=(SENT,)) for m in dict.fromkeys(message_ids)]
        return named + [q for q in self.run.sent_queries() if q.subject is not None]

    def _read_evidence(self, hit: FoundMessage, copy_ids: set[str]) -> str:
        """References evidence from the headers read with the hit ("" when not read, or
        when they name no copy)."""
        if hit.references is None or hit.recipients is None:
            return ""
        return references_evidence(hit.references, copy_ids | self.run.seed_ids)

    def _evidence(self, hit: FoundMessage, raw: bytes, copy_ids: set[str]) -> str:
        evidence = header_evidence(raw, copy_ids | self.run.seed_ids)
        if evidence or not is_forward_subject(hit.subject):
            return evidence
        match = self.run.best_match(self.run.fingerprints_of(raw))
        if match is not None and match.content_agrees:
            return f"forward subject with matching content ({match.explain()})"
        return ""

    def _any_forward(self, level: list[Holder]) -> bool:
        fresh = [h for h in level if (h.mailbox, h.message_id) not in self.visited]
        return bool(fresh) and bool(self._forwards_of(fresh))

    # -- following a forward ---------------------------------------------------------------
    def _forwarded(
        self, holder: Holder, hit: FoundMessage, raw: bytes | None, evidence: str, depth: int
    ) -> Forward | None:
        """Add the sent forward to the plan; its internal recipients' mailboxes (None when
        there are none to search)."""
        run = self.run
        sender = run.address_of(holder.mailbox)
        path = (*holder.path, f"forwarded by {sender}")
        sent_to = recipients(raw) if raw is not None else normalised(hit.recipients or ())
        addresses = [a for a in sent_to if not run.is_protected_address(a)]
        if not addresses:
            run.skip(hit, "a report to the abuse mailbox: not pulled, not followed")
            return None
        run.add(EntryKind.SENT_FORWARD, hit, f"forward of a copy ({evidence})", path, depth)
        targets: dict[str, tuple[str, ...]] = {}
        for address in addresses:  # external ones are listed by `expand`
            for mailbox, via in run.expand(address, (*path, "to " + address)):
                if run.is_known(mailbox):
                    targets.setdefault(mailbox, via)
                else:
                    run.plan.skipped.append(Skipped(mailbox, UNKNOWN))
        if not targets or not hit.ref.message_id:
            return None
        return Forward(hit, f"forwarded by {sender} ({evidence})", path, targets)

    def _copies(self, forward: Forward, depth: int) -> list[Holder]:
        """The forward's copies in its recipients' mailboxes: the next level's holders."""
        run = self.run
        following = []
        for copy in run.search(
            sorted(forward.targets), SearchQuery(message_id=forward.hit.ref.message_id)
        ):
            route = forward.targets.get(copy.ref.mailbox, forward.path)
            if run.add(EntryKind.FORWARD, copy, forward.reason, route, depth) is not None:
                following.append(Holder(copy.ref.mailbox, copy.ref.message_id, route, depth))
        return following
