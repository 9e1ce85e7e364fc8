"""One mailbox's search pass in few round trips (see `imap_wire.Pipeline`).

Per folder: EXAMINE, `UID SEARCH RETURN (SAVE)` and `UID FETCH $` (SEARCHRES, RFC 5182:
the fetch reads what the search found without waiting for it), written together with
the LOGIN and the LIST in the first round trip, and every other folder in a second.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from imapclient.response_parser import parse_fetch_response

from phishloop.connectors.mailstore import imap_ops as ops
from phishloop.connectors.mailstore import imap_wire as wire
from phishloop.connectors.mailstore.base import SearchQuery

FETCH_ITEMS = ("FLAGS", "RFC822.SIZE", ops.HEADER_ITEM)
_FETCH = ("(" + " ".join(FETCH_ITEMS) + ")").encode("ascii")

Fetched = list[tuple[int, dict[bytes, Any]]]


def can_pipeline(client: IMAPClient, queries: Sequence[SearchQuery]) -> bool:
    """Content checks fetch bodies folder by folder; 8-bit criteria need LITERAL+."""
    if any(query.needs_content for query in queries):
        return False
    literal_plus = "LITERAL+" in client._imap.capabilities
    return literal_plus or all(ops.ascii_terms(ops.criteria(query)) for query in queries)


def supported(client: IMAPClient) -> bool:
    """SEARCHRES, asked after login (Dovecot names it in LOGIN's reply: no round trip)."""
    return bool(client.has_capability("SEARCHRES"))


class Batch:
    """Commands for one round trip: an optional LOGIN and LIST, then folders' searches."""

    def __init__(
        self, client: IMAPClient, login: tuple[str, str] | None = None, *, listing: bool = False
    ) -> None:
        self.client = client
        self.pipe = wire.Pipeline(client)
        self._login = self.pipe.login(*login) if login else None
        self._list = self.pipe.add(b"LIST", b'""', b'"*"') if listing else None
        self._folders: dict[str, tuple[int, int, int]] = {}
        self.results: dict[str, tuple[int, Fetched] | None] = {}
        self.logged_in = False

    def folder(self, name: str, queries: Sequence[SearchQuery]) -> None:
        """Search folder `name` for whatever any of `queries` matches."""
        self._folders[name] = (
            self.pipe.add(b"EXAMINE", wire.mailbox_name(name)),
            self.pipe.add(b"UID", b"SEARCH", b"RETURN", b"(SAVE)", *_search_words(tuple(queries))),
            self.pipe.add(b"UID", b"FETCH", b"$", _FETCH),
        )

    def run(self) -> list[tuple[Any, Any, Any]]:
        """Send and read; the LIST as IMAPClient parses it ([] without one). Each queued
        folder's (UIDVALIDITY, fetched hits) lands in `results`, None if it is gone."""
        replies = self.pipe.run()
        if self._login is not None:
            wire.logged_in(self.client, replies[self._login])
            self.logged_in = True
        listing: list[tuple[Any, Any, Any]] = []
        if self._list is not None:
            reply = replies[self._list]
            if not reply.ok:
                raise IMAPClientError(f"LIST command error: {reply.failure()}")
            listing = self.client._proc_folder_list(reply.data("LIST"))
        for name, (examine, search, fetch) in self._folders.items():
            self.results[name] = self._result(replies[examine], replies[search], replies[fetch])
        return listing

    def _result(
        self, examine: wire.Reply, search: wire.Reply, fetch: wire.Reply
    ) -> tuple[int, Fetched] | None:
        if not examine.ok:
            return None
        wire.selected(self.client, examine, readonly=True)
        if not search.ok and not supported(self.client):
            return None  # the caller searches the classic way
        for reply in (search, fetch):
            if not reply.ok:
                raise IMAPClientError(f"search: {reply.failure()}")
        parsed = parse_fetch_response(fetch.data("FETCH"), self.client.normalise_times, True)
        return wire.uidvalidity(examine), sorted((int(uid), data) for uid, data in parsed.items())


@functools.lru_cache(maxsize=256)
def _search_words(queries: tuple[SearchQuery, ...]) -> tuple[bytes | wire.Literal, ...]:
    """SEARCH's words for `queries` ORed (the same for every mailbox of a pass)."""
    words = wire.criteria(ops.any_of(queries))
    charset = [b"CHARSET", b"UTF-8"] if wire.has_literal(words) else []
    return (*charset, *words)
