"""IMAP and doveadm mail stores against a real Dovecot with 300 mailboxes."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from tests.support.dovecot_store import DovecotServer

from phishloop.connectors.mailstore.base import (
    SENT,
    MailboxSearch,
    MailStore,
    MailStoreError,
    MessageNotFound,
    Moved,
    Outcome,
    SearchQuery,
)
from phishloop.connectors.mailstore.doveadm import DoveadmStore
from phishloop.connectors.mailstore.doveadm_api import DoveadmApi
from phishloop.connectors.mailstore.imap import ImapStore
from phishloop.connectors.mailstore.imap_pool import ImapEndpoint, ImapPool, MasterLogin

from .conftest import (
    ATTACHMENT_SHA,
    PHISH_URL,
    WHEN,
    Org,
    campaign_id,
    doveadm_store,
    imap_store,
)


def located(results: Sequence[MailboxSearch]) -> dict[tuple[str, str], bool]:
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return {(m.ref.mailbox, m.ref.folder): m.seen for r in results for m in r.messages}


def where(store: MailStore, org: Org, name: str, folders: tuple[str, ...] = ()) -> dict:
    query = SearchQuery(message_id=campaign_id(name), folders=folders)
    return located(store.search(org.mailboxes, query))


def round_trip(store: MailStore, org: Org, name: str) -> None:
    """Quarantine every copy, check, re-run, restore, check, restore again."""
    expected = org.expected(name)
    found = store.search(org.mailboxes, SearchQuery(message_id=campaign_id(name)))
    refs = [m.ref for r in found for m in r.messages]
    assert len(refs) == len(expected) > 50

    moved = store.quarantine(refs)
    assert {r.outcome for r in moved} == {Outcome.MOVED}
    assert where(store, org, name) == {}
    in_quarantine = where(store, org, name, ("Quarantine",))
    assert in_quarantine == {(m, "Quarantine"): seen for (m, _), seen in expected.items()}

    again = store.quarantine(refs)  # idempotent: nothing moves twice
    assert {r.outcome for r in again} == {Outcome.ALREADY}
    assert [r.target for r in again] == [r.target for r in moved]

    placements = [r.placement() for r in moved]
    restored = store.restore([p for p in placements if p is not None])
    assert {r.outcome for r in restored} == {Outcome.MOVED}
    assert where(store, org, name) == expected  # same folders, same read flags
    assert where(store, org, name, ("Quarantine",)) == {}
    assert {r.outcome for r in store.restore([p for p in placements if p])} == {Outcome.ALREADY}


def test_imap_finds_a_message_id_in_every_mailbox_with_read_status(org: Org, imap) -> None:
    assert where(imap, org, "find") == org.expected("find")


def test_imap_quarantine_and_restore_with_move(org: Org, imap) -> None:
    assert imap.pool.run(org.mailboxes[0], lambda c: c.has_capability("MOVE"))
    round_trip(imap, org, "imap")


def test_copy_expunge_path_when_server_lacks_move(no_move_org: Org) -> None:
    server = no_move_org.server
    store = imap_store(server, 2)
    try:
        assert not store.pool.run(no_move_org.mailboxes[0], lambda c: c.has_capability("MOVE"))
        # A message the user flagged \Deleted must survive our UID EXPUNGE.
        mailbox = no_move_org.mailboxes[0]
        store.pool.run(
            mailbox, lambda c: (c.select_folder("INBOX"), c.add_flags([1], [b"\\Deleted"]))
        )
        expected = no_move_org.expected("copy")
        found = store.search(no_move_org.mailboxes, SearchQuery(message_id=campaign_id("copy")))
        refs = [m.ref for r in found for m in r.messages]
        moved = store.quarantine(refs)
        assert {r.outcome for r in moved} == {Outcome.MOVED}
        assert all(r.target is not None for r in moved)
        assert where(store, no_move_org, "copy") == {}
        restored = store.restore([p for r in moved if (p := r.placement())])
        assert {r.outcome for r in restored} == {Outcome.MOVED}
        assert where(store, no_move_org, "copy") == expected
        flags = store.pool.run(mailbox, lambda c: (c.select_folder("INBOX"), c.get_flags([1]))[1])
        assert b"\\Deleted" in flags[1]
    finally:
        store.close()


def test_doveadm_gives_the_same_references_as_imap(org: Org, imap, doveadm) -> None:
    query = SearchQuery(message_id=campaign_id("find"))
    by_imap = imap.search(org.mailboxes, query)
    by_doveadm = doveadm.search(org.mailboxes, query)
    assert [sorted(m.ref for m in r.messages) for r in by_doveadm] == [
        sorted(m.ref for m in r.messages) for r in by_imap
    ]
    assert located(by_doveadm) == org.expected("find")
    assert sorted(doveadm.list_mailboxes()) == org.mailboxes


def test_doveadm_quarantine_and_restore(org: Org, doveadm) -> None:
    round_trip(doveadm, org, "doveadm")


def test_imap_restores_what_doveadm_quarantined(org: Org, imap, doveadm) -> None:
    found = doveadm.search(org.mailboxes, SearchQuery(message_id=campaign_id("cross")))
    moved = doveadm.quarantine([m.ref for r in found for m in r.messages])
    restored = imap.restore([p for r in moved if (p := r.placement())])
    assert {r.outcome for r in restored} == {Outcome.MOVED}
    assert where(imap, org, "cross") == org.expected("cross")


def test_sent_folder_and_forwards(org: Org, imap, doveadm) -> None:
    assert imap.sent_folder(org.mailboxes[0]) == "Sent"
    assert doveadm.sent_folder(org.mailboxes[0]) == "Sent"
    query = SearchQuery(references=campaign_id("idem"), folders=(SENT,))
    for store in (imap, doveadm):
        results = store.search(org.mailboxes, query)
        assert {m for (m, folder) in located(results)} == org.forwards["idem"]
        assert {folder for (_, folder) in located(results)} == {"Sent"}


@pytest.mark.parametrize("backend", ["imap", "doveadm"])
def test_search_by_sender_subject_window_url_and_attachment(org: Org, backend, request) -> None:
    store = request.getfixturevalue(backend)
    sample = org.mailboxes[:30]
    expected = {k: v for k, v in org.expected("find").items() if k[0] in sample}
    by_headers = SearchQuery(
        sender="payroll@evil.test",
        subject="salary update find",
        since=WHEN.replace(hour=9),
        until=WHEN.replace(hour=10),
    )
    assert located(store.search(sample, by_headers)) == expected
    outside = SearchQuery(sender="payroll@evil.test", since=WHEN.replace(hour=10))
    assert located(store.search(sample, outside)) == {}
    by_url = SearchQuery(url=PHISH_URL, subject="update find")
    assert located(store.search(sample, by_url)) == expected
    by_hash = SearchQuery(attachment_sha256=ATTACHMENT_SHA.upper(), sender="payroll@evil.test")
    hits = located(store.search(sample, by_hash))
    assert set(hits) >= set(expected)  # every scenario's campaign carries the attachment
    too_many = SearchQuery(attachment_sha256=ATTACHMENT_SHA, max_candidates=1)
    assert all(
        not r.ok for r in store.search(sample, too_many) if r.mailbox in {m for m, _ in expected}
    )


def test_fetch_reads_raw_bytes_without_marking_read(org: Org, imap, doveadm) -> None:
    found = imap.search(org.mailboxes[:10], SearchQuery(message_id=campaign_id("find")))
    unread = next(m for r in found for m in r.messages if not m.seen)
    for store in (imap, doveadm):
        raw = store.fetch(unread.ref)
        assert campaign_id("find").encode() in raw and PHISH_URL.encode() in raw
    again = imap.search([unread.ref.mailbox], SearchQuery(message_id=campaign_id("find")))
    assert not again[0].messages[0].seen


def test_pool_stays_bounded_and_reuses_logins(org: Org) -> None:
    store = imap_store(org.server, 3)
    try:
        sample = org.mailboxes[:12]
        store.search(sample, SearchQuery(message_id=campaign_id("find")))
        assert store.pool.logins == 12
        assert store.pool._open <= 3
        store.search(sample[-2:], SearchQuery(message_id=campaign_id("find")))
        assert store.pool.logins == 12  # idle connections of the last mailboxes reused
    finally:
        store.close()


def test_dropped_connection_is_replaced(org: Org) -> None:
    store = imap_store(org.server, 1)
    try:
        mailbox = org.mailboxes[0]
        query = SearchQuery(message_id=campaign_id("find"))
        first = store.search([mailbox], query)
        store.pool._idle[mailbox][0]._imap.sock.shutdown(2)  # the server or network drops it
        second = store.search([mailbox], query)
        assert second[0].ok and second == first
        assert store.pool.logins == 2
    finally:
        store.close()


def test_errors_are_per_mailbox_and_classified(org: Org, tmp_path) -> None:
    server: DovecotServer = org.server
    endpoint = ImapEndpoint("127.0.0.1", server.imap_port, "none", timeout=10)
    wrong = ImapPool(endpoint, MasterLogin(server.master_user, "wrong"), 2)
    store = ImapStore(wrong)
    result = store.search(org.mailboxes[:2], SearchQuery(message_id=campaign_id("find")))
    assert [r.ok for r in result] == [False, False]
    assert not result[0].transient and "login failed" in result[0].error
    store.close()

    closed = ImapPool(ImapEndpoint("127.0.0.1", 1, "none", timeout=5), wrong.credentials, 1)
    down = ImapStore(closed).search(org.mailboxes[:1], SearchQuery(message_id="<x@y>"))
    assert down[0].transient and "connecting" in down[0].error

    bad_key = DoveadmStore(DoveadmApi(server.doveadm_url, "nope"))
    with pytest.raises(MailStoreError, match="rejected the API key"):
        bad_key.list_mailboxes()
    bad_key.close()
    unknown = doveadm_store(server).search(["nobody@corp.test"], SearchQuery(message_id="<x@y>"))
    assert not unknown[0].ok and "unknown user" in unknown[0].error


def test_fetch_of_a_moved_message_says_not_found(org: Org, imap) -> None:
    found = imap.search(org.mailboxes, SearchQuery(message_id=campaign_id("idem")))
    ref = found[[bool(r.messages) for r in found].index(True)].messages[0].ref
    moved = imap.quarantine([ref])
    with pytest.raises(MessageNotFound):
        imap.fetch(ref)
    assert imap.fetch(moved[0].target)
    imap.restore([moved[0].placement()])


@pytest.mark.parametrize("backend", ["imap", "doveadm"])
def test_search_many_answers_each_query_as_search_does(org: Org, backend, request) -> None:
    """One pass (one login / request per mailbox, the queries ORed per folder) splits its
    hits exactly: each query gets what its own search gets, 8-bit criteria included."""
    store = request.getfixturevalue(backend)
    sample = org.mailboxes[:60]
    window = {"since": WHEN.replace(hour=9), "until": WHEN.replace(hour=10)}
    queries = [
        SearchQuery(sender="@evil.test", subject="salary update find", **window),
        SearchQuery(message_id=campaign_id("imap")),
        SearchQuery(references=campaign_id("idem"), folders=(SENT,)),
        SearchQuery(subject="salary update idem", folders=(SENT,)),
        SearchQuery(subject="Gehaltsübersicht für Sie", folders=(SENT,)),
        SearchQuery(url=PHISH_URL, subject="update copy"),
    ]
    together = store.search_many(sample, queries)
    assert list(together) == queries
    for query in queries:
        assert all(r.ok for r in together[query])
        assert together[query] == store.search(sample, query)
    assert located(together[queries[0]]) == {
        k: v for k, v in org.expected("find").items() if k[0] in sample
    }
    forwards = [m for r in together[queries[2]] for m in r.messages]
    assert {m.ref.mailbox for m in forwards} == org.forwards["idem"] & set(sample) != set()
    for forward in forwards:  # read with the hit: no fetch needed to follow it
        assert forward.references is not None and campaign_id("idem") in forward.references
        assert forward.recipients == ("colleague@corp.test",)


def test_imap_moves_create_missing_folders_and_skip_missing_ones(org: Org) -> None:
    """Moves learn that a folder is missing from the failed command (no LIST up front):
    a missing destination is created, a missing source means "not there any more"."""
    held_a, held_b = (
        imap_store(org.server, 4, quarantine_folder="HeldA"),
        imap_store(org.server, 4, quarantine_folder="HeldB"),
    )
    try:
        found = held_a.search(org.mailboxes, SearchQuery(message_id=campaign_id("maildir")))
        first = held_a.quarantine([m.ref for r in found for m in r.messages])
        assert {r.outcome for r in first} == {Outcome.MOVED}  # HeldA created on demand
        second = held_b.quarantine([r.target for r in first if r.target])
        assert {r.outcome for r in second} == {Outcome.MOVED}
        mailboxes = sorted({r.source.mailbox for r in second})
        for mailbox in mailboxes:  # HeldA is empty now: the user deletes it
            held_a.pool.run(mailbox, lambda c: c.delete_folder("HeldA"))
        back = [Moved(b.source, b.target) for b in second if b.target]
        restored = held_b.restore(back)
        assert {r.outcome for r in restored} == {Outcome.MOVED}  # HeldA created again
        for mailbox in mailboxes:
            held_b.pool.run(mailbox, lambda c: c.delete_folder("HeldB"))
        again = held_b.restore(back)  # the source folder is gone: found where it went
        assert {r.outcome for r in again} == {Outcome.ALREADY}
        pairs = zip(first, restored, strict=True)
        home = held_a.restore([Moved(a.source, r.target) for a, r in pairs if r.target])
        assert {r.outcome for r in home} == {Outcome.MOVED}
        assert where(held_a, org, "maildir") == org.expected("maildir")
    finally:
        held_a.close()
        held_b.close()
