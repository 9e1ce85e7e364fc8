"""The pull planner: from an incident's reported messages to every copy in the
organisation, each with the reason it is included.

1. **Originals** and 2. **siblings** — one sweep of every mailbox for messages from the
   reported sender domain with the reported subject within a time window: hits with a
   reported Message-ID are originals; the others are siblings only when their fingerprint
   joins the campaign as clustering defines it (`phishloop.core.cluster.compare`). A
   Message-ID alone is searched everywhere when a seed lacks sender, subject or date
   (or with `message_id_sweep`), and in recipients' mailboxes where the sweep found none.
3. **Distribution lists** — every recipient is expanded through the directory (nested
   groups, cycles recorded), which explains why a mailbox holds a copy and adds mailboxes
   the mail store does not list.
4. **Forwards** — see `forward_walk`.

The abuse mailbox (`[organisation] report_addresses`) is never searched or touched, and
VIPs' sent items are never included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from phishloop.connectors.directory.base import Directory, DirectoryError, normalize_address
from phishloop.connectors.mailstore.base import (
    SENT,
    FoundMessage,
    MailboxSearch,
    MailStore,
    MailStoreError,
    SearchQuery,
)
from phishloop.core.cluster import DEFAULT_MIN_SIMILARITY, ClusterMatch, compare
from phishloop.core.model import Fingerprint
from phishloop.remediation.model import (
    EntryKind,
    External,
    Plan,
    PlanEntry,
    PlanError,
    Seed,
    Skipped,
)

FingerprintFn = Callable[[bytes], Sequence[Fingerprint]]
"""Campaign fingerprints of a raw message (one per original it carries)."""

EXTERNAL = "cannot pull — external"
UNKNOWN = "an internal address that neither the directory nor the mail store knows"


@dataclass(frozen=True, slots=True)
class PlanOptions:
    protected_addresses: tuple[str, ...] = ()  # the abuse mailbox(es): never touched
    siblings: bool = True
    sibling_window: timedelta = timedelta(hours=72)
    min_similarity: float = DEFAULT_MIN_SIMILARITY
    forwards: bool = True
    max_forward_depth: int = 3
    message_id_sweep: bool = False  # also search every mailbox by Message-ID alone
    fetch_workers: int = 8


class Planner:
    """Builds a `Plan` (a dry run: nothing is moved)."""

    def __init__(
        self,
        store: MailStore,
        directory: Directory,
        fingerprint: FingerprintFn,
        options: PlanOptions | None = None,
    ) -> None:
        self.store = store
        self.directory = directory
        self.fingerprint = fingerprint
        self.options = options or PlanOptions()

    def plan(self, seeds: Sequence[Seed]) -> Plan:
        from phishloop.remediation.forward_walk import ForwardWalk  # noqa: PLC0415 - cycle

        run = PlanRun(self, list(seeds))
        run.prepare()
        run.find_copies()
        if self.options.forwards:
            ForwardWalk(run).follow()
        run.finish()
        return run.plan

    def sweep(self, seeds: Sequence[Seed]) -> Sweep:
        """The every-mailbox searches `plan` starts with, so that they can be run ahead,
        in chunks, by many workers (see `phishloop.remediation.prefetch`)."""
        run = PlanRun(self, list(seeds))
        run.prepare()
        return Sweep(run.universe, run.sweep_queries())


@dataclass(frozen=True, slots=True)
class Sweep:
    universe: list[str]  # every mailbox searched (the abuse mailbox left out)
    queries: list[SearchQuery]


@dataclass
class PlanRun:
    """The state of one planning run (shared with the forward walk)."""

    planner: Planner
    seeds: list[Seed]
    plan: Plan = field(default_factory=Plan)
    routes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # mailbox → path
    addresses: dict[str, str] = field(default_factory=dict)  # mailbox → person's address
    protected: set[str] = field(default_factory=set)
    universe: list[str] = field(default_factory=list)
    known: frozenset[str] = frozenset()  # mailboxes the store or directory lists
    taken: dict[tuple[str, str, int, str], PlanEntry] = field(default_factory=dict)
    prefetched: dict[SearchQuery, dict[str, MailboxSearch]] = field(default_factory=dict)
    _fingerprints: dict[str, tuple[Fingerprint, ...]] = field(default_factory=dict)

    @property
    def store(self) -> MailStore:
        return self.planner.store

    @property
    def directory(self) -> Directory:
        return self.planner.directory

    @property
    def options(self) -> PlanOptions:
        return self.planner.options

    @property
    def seed_ids(self) -> set[str]:
        return {seed.message_id for seed in self.seeds if seed.message_id}

    # -- set-up ----------------------------------------------------------------------------
    def prepare(self) -> None:
        self.plan.seeds = [_seed_dict(seed) for seed in self.seeds]
        self.protected = self._protected_mailboxes()
        for mailbox in sorted(self.protected):
            self.plan.skipped.append(Skipped(mailbox, "abuse mailbox: never searched or touched"))
        for recipient in dict.fromkeys(r for seed in self.seeds for r in seed.recipients):
            self._expand_recipient(recipient)
        self.universe = self._universe()
        self.plan.searched_mailboxes = len(self.universe)

    def _protected_mailboxes(self) -> set[str]:
        protected = set()
        for address in self.options.protected_addresses:
            protected.add(normalize_address(address))
            try:
                mailbox = self.directory.mailbox_of(address)
            except DirectoryError:
                mailbox = None
            if mailbox:
                protected.add(mailbox)
        return protected

    def _universe(self) -> list[str]:
        """Every mailbox the store or the directory knows; routed addresses that neither
        knows are left out (searching them would only fail), unless both lists are empty."""
        mailboxes: set[str] = set()
        try:
            mailboxes.update(self.store.list_mailboxes())
        except MailStoreError as exc:
            self.plan.errors.append(PlanError("", f"listing mailboxes: {exc}", exc.transient))
        try:
            mailboxes.update(self.directory.mailboxes())
        except DirectoryError as exc:
            self.plan.errors.append(PlanError("", f"listing directory mailboxes: {exc}"))
        self.known = frozenset(mailboxes)
        for mailbox in sorted(set(self.routes) - mailboxes):
            if self.known:
                self.plan.skipped.append(Skipped(mailbox, UNKNOWN))
                del self.routes[mailbox]
        return sorted((mailboxes | set(self.routes)) - self.protected)

    def is_known(self, mailbox: str) -> bool:
        return not self.known or mailbox in self.known

    def _expand_recipient(self, recipient: str) -> None:
        address = normalize_address(recipient)
        if address in self.protected or self.is_protected_address(address):
            return
        summary: dict[str, object] = {"recipient": address}
        reached = self.expand(address, ("to " + address,), summary)
        for mailbox, path in reached:
            if mailbox not in self.routes or len(path) < len(self.routes[mailbox]):
                self.routes[mailbox] = path
        summary["mailboxes"] = len(reached)
        self.plan.recipients.append(summary)

    def expand(
        self, address: str, path: tuple[str, ...], summary: dict[str, object] | None = None
    ) -> list[tuple[str, tuple[str, ...]]]:
        """Mailboxes `address` reaches (with their paths); externals go to the plan."""
        try:
            expansion = self.directory.expand(address)
            internal = self.directory.is_internal(address)
        except DirectoryError as exc:
            self.plan.errors.append(PlanError(address, f"directory: {exc}"))
            return []
        if summary is not None:
            summary.update(kind=expansion.kind, truncated=expansion.truncated,
                           cycles=[" → ".join(c) for c in expansion.cycles])  # fmt: skip
        if expansion.kind == "unknown" and not internal:
            self.plan.external.append(External(address, EXTERNAL, path))
            return []
        for unresolved, via in expansion.unresolved:
            reason = EXTERNAL if unresolved.reason == "external" else unresolved.reason
            if reason != EXTERNAL:
                reason = f"cannot pull — {reason}"
            self.plan.external.append(External(unresolved.ref, reason, (*path, *via)))
        reached = []
        for item in expansion.reached:
            self.addresses.setdefault(item.person.mailbox, item.person.address)
            reached.append((item.person.mailbox, (*path, *("via " + g for g in item.via))))
        if expansion.kind == "unknown":  # internal, unknown to the directory: try it as is
            reached.append((address, path))
        return reached

    def is_protected_address(self, address: str) -> bool:
        wanted = normalize_address(address)
        return any(wanted == normalize_address(a) for a in self.options.protected_addresses)

    # -- originals and siblings ------------------------------------------------------------
    def find_copies(self) -> None:
        """One sweep per campaign (sender domain + subject + date window) finds the
        originals and the sibling candidates together; a Message-ID alone is searched in
        every mailbox only for seeds without those keys (or with `message_id_sweep`), and
        in the recipients' mailboxes where the sweep found nothing (a gateway may have
        rewritten the subject there)."""
        self.prefetch(self.universe, self.sweep_queries())
        candidates: dict[tuple[str, str, int, str], FoundMessage] = {}
        for seed in self.seeds:
            query = self._campaign_query(seed)
            if query is None:
                continue
            for hit in self.search(self.universe, query):
                if hit.ref.message_id in self.seed_ids:
                    self._add_original(hit)
                elif self.options.siblings and seed.fingerprint is not None:
                    candidates.setdefault(_key(hit), hit)
        for message_id in self._message_id_sweeps():
            for hit in self.search(self.universe, SearchQuery(message_id=message_id)):
                self._add_original(hit)
        self._search_recipients_without_copy()
        self._judge_siblings([hit for key, hit in candidates.items() if key not in self.taken])

    def sweep_queries(self) -> list[SearchQuery]:
        """Every query `find_copies` runs over the whole universe, in its order, and the
        sent-item queries of the forward walk's first level: one pass of every mailbox
        answers them all (the walk reads the holders' share)."""
        queries = [q for q in (self._campaign_query(seed) for seed in self.seeds) if q]
        queries += [SearchQuery(message_id=mid) for mid in self._message_id_sweeps()]
        if self.options.forwards and self.options.max_forward_depth > 0:
            queries += self.sent_queries()
        return list(dict.fromkeys(queries))

    def sent_queries(self) -> list[SearchQuery]:
        """The forward walk's sent-item queries for the reported messages: replies and
        forwards naming a reported Message-ID, and messages with a reported subject."""
        queries = [SearchQuery(references=mid, folders=(SENT,)) for mid in sorted(self.seed_ids)]
        subjects: dict[str, datetime | None] = {}
        for seed in self.seeds:
            if seed.subject:
                subjects.setdefault(
                    seed.subject, seed.date - timedelta(days=1) if seed.date else None
                )
        for subject, since in sorted(subjects.items(), key=lambda item: item[0]):
            queries.append(SearchQuery(subject=subject, since=since, folders=(SENT,)))
        return queries

    def _message_id_sweeps(self) -> list[str]:
        if self.options.message_id_sweep:
            return sorted(self.seed_ids)
        swept = {seed.message_id for seed in self.seeds if self._campaign_query(seed)}
        return sorted(self.seed_ids - swept)

    def _campaign_query(self, seed: Seed) -> SearchQuery | None:
        if not (seed.sender_domain and seed.subject and seed.date):
            return None
        window = self.options.sibling_window
        return SearchQuery(sender="@" + seed.sender_domain, subject=seed.subject,
                           since=seed.date - window, until=seed.date + window)  # fmt: skip

    def _add_original(self, hit: FoundMessage) -> None:
        self.add(EntryKind.ORIGINAL, hit, "original Message-ID", self.route(hit.ref.mailbox))

    def _search_recipients_without_copy(self) -> None:
        holding = {entry.mailbox for entry in self.plan.entries}
        missing = sorted(m for m in self.routes if m not in holding and m in self.universe)
        for message_id in sorted(self.seed_ids) if missing else ():
            for hit in self.search(missing, SearchQuery(message_id=message_id)):
                self._add_original(hit)

    def _judge_siblings(self, candidates: list[FoundMessage]) -> None:
        for hit, fingerprints in self.fetch_fingerprints(candidates):
            match = self.best_match(fingerprints)
            if match is not None and match.joins(self.options.min_similarity):
                reason = f"campaign sibling: {match.explain()}"
                self.add(EntryKind.SIBLING, hit, reason, self.route(hit.ref.mailbox))
            else:
                score = f"{match.score:.2f}" if match else "n/a"
                self.skip(hit, f"same sender domain and subject, content differs ({score})")

    def best_match(self, fingerprints: Iterable[Fingerprint]) -> ClusterMatch | None:
        best: ClusterMatch | None = None
        for mine in fingerprints:
            for seed in self.seeds:
                if seed.fingerprint is None:
                    continue
                match = compare(mine, seed.fingerprint)
                if best is None or (match.content_agrees, match.score) > (
                    best.content_agrees, best.score):  # fmt: skip
                    best = match
        return best

    # -- shared helpers --------------------------------------------------------------------
    def prefetch(self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]) -> None:
        """Run `queries` over `mailboxes` in one pass (`MailStore.search_many`); `search`
        answers from these results afterwards."""
        allowed = [m for m in mailboxes if m not in self.protected]
        if not allowed or not queries:
            return
        for query, results in self.store.search_many(allowed, queries).items():
            self.prefetched.setdefault(query, {}).update((r.mailbox, r) for r in results)

    def prefetch_for(self, wanted: Sequence[tuple[SearchQuery, Sequence[str]]]) -> None:
        """Answer the (query, mailboxes) pairs not answered yet in one pass: every missing
        query over every mailbox missing one (a few more combinations, one login each)."""
        queries: list[SearchQuery] = []
        mailboxes: set[str] = set()
        for query, boxes in wanted:
            known = self.prefetched.get(query, {})
            gaps = [m for m in boxes if m not in known and m not in self.protected]
            if gaps:
                queries.append(query)
                mailboxes.update(gaps)
        self.prefetch(sorted(mailboxes), list(dict.fromkeys(queries)))

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[FoundMessage]:
        """Hits in `mailboxes` (never a protected one); failures recorded per mailbox."""
        allowed = [m for m in mailboxes if m not in self.protected]
        if not allowed:
            return []
        known = self.prefetched.get(query, {})
        missing = [m for m in allowed if m not in known]
        live = {r.mailbox: r for r in self.store.search(missing, query)} if missing else {}
        hits: list[FoundMessage] = []
        for mailbox in allowed:
            result = known.get(mailbox) or live[mailbox]
            self._note_error(result)
            hits.extend(result.messages)
        return hits

    def _note_error(self, result: MailboxSearch) -> None:
        if result.ok or any(e.mailbox == result.mailbox for e in self.plan.errors):
            return
        self.plan.errors.append(PlanError(result.mailbox, result.error, result.transient))

    def fetch_fingerprints(
        self, hits: Sequence[FoundMessage]
    ) -> list[tuple[FoundMessage, tuple[Fingerprint, ...]]]:
        """Fetch hits in parallel and fingerprint them (identical bytes analysed once)."""
        raws = self.fetch_all(hits)
        return [(hit, self.fingerprints_of(raw)) for hit, raw in raws]

    def fetch_all(self, hits: Sequence[FoundMessage]) -> list[tuple[FoundMessage, bytes]]:
        if not hits:
            return []
        workers = max(1, min(self.options.fetch_workers, len(hits)))
        with ThreadPoolExecutor(workers, "phishloop-plan") as pool:
            raws = list(pool.map(self._fetch_one, hits))
        return [(hit, raw) for hit, raw in zip(hits, raws, strict=True) if raw is not None]

    def _fetch_one(self, hit: FoundMessage) -> bytes | None:
        try:
            return self.store.fetch(hit.ref)
        except MailStoreError as exc:
            self.plan.errors.append(PlanError(hit.ref.mailbox, f"fetch: {exc}", exc.transient))
            return None

    def fingerprints_of(self, raw: bytes) -> tuple[Fingerprint, ...]:
        digest = hashlib.sha256(raw).hexdigest()
        if digest not in self._fingerprints:
            self._fingerprints[digest] = tuple(self.planner.fingerprint(raw))
        return self._fingerprints[digest]

    def route(self, mailbox: str) -> tuple[str, ...]:
        return self.routes.get(mailbox, ("not among the recipients (Bcc, alias or a forward)",))

    def add(
        self, kind: EntryKind, hit: FoundMessage, reason: str, path: tuple[str, ...],
        depth: int = 0,
    ) -> PlanEntry | None:  # fmt: skip
        """Add a copy unless it is already in the plan (first reason wins)."""
        if _key(hit) in self.taken or hit.ref.mailbox in self.protected:
            return None
        entry = PlanEntry.of(kind, hit, reason, path, depth)
        self.taken[_key(hit)] = entry
        self.plan.entries.append(entry)
        return entry

    def skip(self, hit: FoundMessage, reason: str) -> None:
        ref = hit.ref
        self.plan.skipped.append(Skipped(ref.mailbox, reason, ref.folder, ref.message_id, ref.uid))

    def address_of(self, mailbox: str) -> str:
        return self.addresses.get(mailbox, mailbox)

    # -- finishing -------------------------------------------------------------------------
    def finish(self) -> None:
        self._leave_vip_sent_items()
        order = {kind: index for index, kind in enumerate(EntryKind)}
        self.plan.entries.sort(key=lambda e: (order[e.kind], e.mailbox, e.folder, _uid(e.uid)))

    def _leave_vip_sent_items(self) -> None:
        kept = []
        sent_folders: dict[str, str | None] = {}
        for entry in self.plan.entries:
            if self._is_vip(entry.mailbox) and self._is_sent(entry, sent_folders):
                self.plan.skipped.append(Skipped(entry.mailbox, "a VIP's sent items: never "
                    "pulled", entry.folder, entry.message_id, entry.uid))  # fmt: skip
            else:
                kept.append(entry)
        self.plan.entries = kept

    def _is_vip(self, mailbox: str) -> bool:
        try:
            return self.directory.is_vip(self.address_of(mailbox))
        except DirectoryError:
            return True  # unknown: treat as VIP, an analyst decides

    def _is_sent(self, entry: PlanEntry, cache: dict[str, str | None]) -> bool:
        if entry.kind == EntryKind.SENT_FORWARD:
            return True
        if entry.mailbox not in cache:
            try:
                cache[entry.mailbox] = self.store.sent_folder(entry.mailbox)
            except MailStoreError:
                cache[entry.mailbox] = None
        return cache[entry.mailbox] == entry.folder


def _key(hit: FoundMessage) -> tuple[str, str, int, str]:
    return hit.ref.mailbox, hit.ref.folder, hit.ref.uidvalidity, hit.ref.uid


def _uid(uid: str) -> tuple[int, str]:
    return (int(uid), "") if uid.isdigit() else (0, uid)


def _seed_dict(seed: Seed) -> dict[str, object]:
    return {
        "message_id": seed.message_id,
        "sender": seed.sender,
        "subject": seed.subject,
        "date": seed.date.isoformat() if seed.date else "",
        "recipients": list(seed.recipients),
    }
