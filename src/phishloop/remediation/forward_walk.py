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
from datetime import datetime, timedelta

from phishloop.connectors.mailstore.base import SENT, FoundMessage, SearchQuery
from phishloop.remediation.forwards import header_evidence, is_forward_subject, recipients
from phishloop.remediation.model import EntryKind, Skipped
from phishloop.remediation.planner import UNKNOWN, PlanRun


@dataclass(frozen=True, slots=True)
class Holder:
    """A mailbox holding a copy (`message_id`), reached along `path`."""

    mailbox: str
    message_id: str
    path: tuple[str, ...]
    depth: int


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
        following: list[Holder] = []
        for holder, hit, raw, evidence in self._forwards_of(fresh):
            following += self._forwarded(holder, hit, raw, evidence, depth)
        return following

    # -- finding forwards in sent items ----------------------------------------------------
    def _forwards_of(self, holders: list[Holder]) -> list[tuple[Holder, FoundMessage, bytes, str]]:
        candidates = self._candidates(holders)
        by_mailbox: dict[str, list[Holder]] = defaultdict(list)
        for holder in holders:
            by_mailbox[holder.mailbox].append(holder)
        found = []
        for hit, raw in self.run.fetch_all(list(candidates.values())):
            mine = by_mailbox[hit.ref.mailbox]
            evidence = self._evidence(hit, raw, {h.message_id for h in mine})
            if evidence:
                found.append((mine[0], hit, raw, evidence))
        return found

    def _candidates(self, holders: list[Holder]) -> dict[tuple[str, str, int, str], FoundMessage]:
        run = self.run
        hits: list[FoundMessage] = []
        by_id: dict[str, list[str]] = defaultdict(list)
        for holder in holders:
            by_id[holder.message_id].append(holder.mailbox)
        for message_id, mailboxes in sorted(by_id.items()):
            query = SearchQuery(references=message_id, folders=(SENT,))
            hits += run.search(sorted(set(mailboxes)), query)
        mailboxes = sorted({h.mailbox for h in holders})
        for subject, since in self._subjects():
            hits += run.search(mailboxes, SearchQuery(subject=subject, since=since,
                                                      folders=(SENT,)))  # fmt: skip
        out: dict[tuple[str, str, int, str], FoundMessage] = {}
        for hit in hits:
            key = (hit.ref.mailbox, hit.ref.folder, hit.ref.uidvalidity, hit.ref.uid)
            if key not in self.seen_sent:
                self.seen_sent.add(key)
                out[key] = hit
        return out

    def _subjects(self) -> list[tuple[str, datetime | None]]:
        subjects: dict[str, datetime | None] = {}
        for seed in self.run.seeds:
            if seed.subject:
                since = seed.date - timedelta(days=1) if seed.date else None
                subjects.setdefault(seed.subject, since)
        return sorted(subjects.items(), key=lambda item: item[0])

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
        self, holder: Holder, hit: FoundMessage, raw: bytes, evidence: str, depth: int
    ) -> list[Holder]:
        run = self.run
        sender = run.address_of(holder.mailbox)
        path = (*holder.path, f"forwarded by {sender}")
        addresses = [a for a in recipients(raw) if not run.is_protected_address(a)]
        if not addresses:
            run.skip(hit, "a report to the abuse mailbox: not pulled, not followed")
            return []
        run.add(EntryKind.SENT_FORWARD, hit, f"forward of a copy ({evidence})", path, depth)
        targets: dict[str, tuple[str, ...]] = {}
        for address in addresses:  # external ones are listed by `expand`
            for mailbox, via in run.expand(address, (*path, "to " + address)):
                if run.is_known(mailbox):
                    targets.setdefault(mailbox, via)
                else:
                    run.plan.skipped.append(Skipped(mailbox, UNKNOWN))
        if not targets or not hit.ref.message_id:
            return []
        query = SearchQuery(message_id=hit.ref.message_id)
        following = []
        for copy in run.search(sorted(targets), query):
            reason = f"forwarded by {sender} ({evidence})"
            route = targets.get(copy.ref.mailbox, path)
            if run.add(EntryKind.FORWARD, copy, reason, route, depth) is not None:
                following.append(Holder(copy.ref.mailbox, copy.ref.message_id, route, depth))
        return following
