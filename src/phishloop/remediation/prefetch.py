"""Running a plan's every-mailbox sweep ahead of the plan, in chunks on many workers.

`Planner.sweep(seeds)` names the mailboxes and the queries; each worker runs
`run_chunk` over its share and the results travel as JSON (`results_to_json`); the plan
is then made over a `PrefetchedStore`, which answers those searches from the results
and passes everything else (sent-item searches, fetches) to the real store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from phishloop.connectors.mailstore.base import (
    Folder,
    FoundMessage,
    MailboxSearch,
    MailStore,
    MessageRef,
    Moved,
    MoveResult,
    SearchQuery,
)

Results = dict[SearchQuery, dict[str, MailboxSearch]]
_DATES = ("since", "until")


def run_chunk(
    store: MailStore, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
) -> Results:
    found = store.search_many(mailboxes, queries)
    return {query: {r.mailbox: r for r in results} for query, results in found.items()}


def query_to_json(query: SearchQuery) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("message_id", "sender", "subject", "references", "url", "attachment_sha256"):
        if getattr(query, name) is not None:
            data[name] = getattr(query, name)
    for name in _DATES:
        if getattr(query, name) is not None:
            data[name] = getattr(query, name).isoformat()
    data["folders"] = list(query.folders)
    data["max_candidates"] = query.max_candidates
    return data


def query_from_json(data: Mapping[str, Any]) -> SearchQuery:
    values = dict(data)
    for name in _DATES:
        if name in values:
            values[name] = datetime.fromisoformat(values[name])
    values["folders"] = tuple(values.get("folders", ()))
    return SearchQuery(**values)


def results_to_json(results: Results) -> list[dict[str, Any]]:
    return [
        {"query": query_to_json(query), "mailboxes": [_search_json(r) for r in found.values()]}
        for query, found in results.items()
    ]


def results_from_json(chunks: Iterable[Sequence[Mapping[str, Any]]]) -> Results:
    """Merge the JSON results of many chunks."""
    merged: Results = {}
    for chunk in chunks:
        for item in chunk:
            found = merged.setdefault(query_from_json(item["query"]), {})
            for search in item["mailboxes"]:
                result = _search_from_json(search)
                found[result.mailbox] = result
    return merged


def _search_json(result: MailboxSearch) -> dict[str, Any]:
    return {
        "mailbox": result.mailbox,
        "error": result.error,
        "transient": result.transient,
        "messages": [
            {"ref": [m.ref.mailbox, m.ref.folder, m.ref.uidvalidity, m.ref.uid,
                     m.ref.message_id], "flags": sorted(m.flags), "sender": m.sender,
             "subject": m.subject, "date": m.date.isoformat() if m.date else None,
             "size": m.size, "references": m.references,
             "recipients": None if m.recipients is None else list(m.recipients)}
            for m in result.messages
        ],
    }  # fmt: skip


def _search_from_json(data: Mapping[str, Any]) -> MailboxSearch:
    messages = tuple(
        FoundMessage(
            MessageRef(*item["ref"]), frozenset(item["flags"]), item["sender"], item["subject"],
            datetime.fromisoformat(item["date"]) if item["date"] else None, item["size"],
            item.get("references"), _tuple(item.get("recipients")),
        )
        for item in data["messages"]
    )  # fmt: skip
    return MailboxSearch(data["mailbox"], messages, data["error"], data["transient"])


def _tuple(value: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


class PrefetchedStore:
    """A `MailStore` answering prefetched searches from `results`; the rest goes to `store`."""

    def __init__(self, store: MailStore, results: Results) -> None:
        self.store = store
        self.results = results
        self.quarantine_folder = store.quarantine_folder

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        known = self.results.get(query, {})
        missing = [m for m in mailboxes if m not in known]
        live = {r.mailbox: r for r in self.store.search(missing, query)} if missing else {}
        return [known.get(m) or live[m] for m in mailboxes]

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        return {query: self.search(mailboxes, query) for query in dict.fromkeys(queries)}

    def list_mailboxes(self) -> list[str]:
        return self.store.list_mailboxes()

    def list_folders(self, mailbox: str) -> list[Folder]:
        return self.store.list_folders(mailbox)

    def sent_folder(self, mailbox: str) -> str | None:
        return self.store.sent_folder(mailbox)

    def fetch(self, ref: MessageRef) -> bytes:
        return self.store.fetch(ref)

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        return self.store.quarantine(refs)

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return self.store.restore(moves)

    def close(self) -> None:
        self.store.close()
