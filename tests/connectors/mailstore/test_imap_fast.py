"""The IMAP store's round-trip savings against a real Dovecot: the pipelined search pass
(LOGIN + LIST + EXAMINE/SEARCH/FETCH per folder), capabilities from the greeting, moves
by UID without re-reading (LOGIN + SELECT together), and the fallbacks when a UIDVALIDITY
changed or a server cannot pipeline."""

from __future__ import annotations

import imaplib
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.support import dovecot_store as ds

from phishloop.connectors.mailstore import imap_scan
from phishloop.connectors.mailstore.base import (
    SENT,
    MailboxSearch,
    MessageRef,
    Moved,
    Outcome,
    SearchQuery,
)
from phishloop.connectors.mailstore.imap import ImapStore
from phishloop.connectors.mailstore.imap_pool import ImapEndpoint, ImapPool, MasterLogin
from phishloop.connectors.mailstore.imap_wire import Pipeline, Reply, criteria

CAMPAIGN = "<fast-campaign@evil.test>"
SUBJECT = "Gehaltsübersicht: bitte bestätigen"
MAILBOXES = [f"fast{i:02d}@corp.test" for i in range(12)]


@dataclass
class Org:
    server: ds.DovecotServer
    copies: dict[tuple[str, str], bool]  # (mailbox, folder) → seen


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    root = Path(tempfile.mkdtemp(prefix="phishloop-dovecot-fast-"))
    copies: dict[tuple[str, str], bool] = {}
    for index, mailbox in enumerate(MAILBOXES):
        writer = ds.MaildirWriter(ds.maildir_path(root, mailbox))
        writer.folder_dir("Sent")
        writer.folder_dir("Quarantine")
        for n in range(4):
            raw = ds.make_message(f"<fill-{index}-{n}@corp.test>", "a@corp.test", mailbox, f"N{n}")
            writer.add(raw, flags="S" if n % 2 else "")
        if index % 2 == 0:
            folder = "Filed/Work" if index % 4 == 0 else "INBOX"
            raw = ds.make_message(CAMPAIGN, "HR <hr@evil.test>", mailbox, SUBJECT, "Bitte.\n")
            writer.add(raw, folder=folder, flags="S" if index % 3 == 0 else "")
            copies[(mailbox, folder)] = index % 3 == 0
            if index % 4 == 2:  # forwarded to a colleague
                forward = ds.make_message(
                    f"<fast-fwd-{index}@corp.test>", mailbox, "colleague@corp.test",
                    f"Fwd: {SUBJECT}", headers={"References": CAMPAIGN},
                )  # fmt: skip
                writer.add(forward, folder="Sent", flags="S")
        writer.subscribe(["Sent", "Filed/Work"])
    server = ds.start_dovecot(root, {m: "pw" for m in MAILBOXES})
    try:
        yield Org(server, copies)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def make_store(org: Org, connections: int = 3, **kwargs: object) -> ImapStore:
    server = org.server
    endpoint = ImapEndpoint("127.0.0.1", server.imap_port, "none", timeout=20)
    pool = ImapPool(endpoint, MasterLogin(server.master_user, server.master_password), connections)
    return ImapStore(pool, mailboxes=MAILBOXES, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def store(org: Org) -> Iterator[ImapStore]:
    made = make_store(org)
    yield made
    made.close()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every write to an IMAP server, as sent (one entry per write)."""
    writes: list[bytes] = []
    original = imaplib.IMAP4.send

    def spy(self: imaplib.IMAP4, data: bytes) -> None:
        writes.append(bytes(data))
        original(self, data)

    monkeypatch.setattr(imaplib.IMAP4, "send", spy)
    return writes


def commands(writes: list[bytes]) -> list[str]:
    """The command names written ("UID MOVE", "LOGIN" …), in order."""
    names = []
    for line in b"".join(writes).split(b"\r\n"):
        match = re.match(rb"[A-Z]+\d+ (UID [A-Z]+|[A-Z]+)", line)
        if match:
            names.append(match.group(1).decode())
    return names


def located(results: list[MailboxSearch]) -> dict[tuple[str, str], bool]:
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return {(m.ref.mailbox, m.ref.folder): m.seen for r in results for m in r.messages}


def campaign_refs(store: ImapStore) -> list[MessageRef]:
    found = store.search(MAILBOXES, SearchQuery(message_id=CAMPAIGN))
    return [m.ref for r in found for m in r.messages]


QUERIES = [
    SearchQuery(sender="@evil.test", subject=SUBJECT),  # 8-bit: a LITERAL+ literal
    SearchQuery(message_id=CAMPAIGN),
    SearchQuery(references=CAMPAIGN, folders=(SENT,)),
    SearchQuery(subject=SUBJECT, folders=(SENT,)),
]


def test_pipelined_pass_answers_as_the_classic_one_in_two_round_trips(
    org: Org, store: ImapStore, sent: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = store.search_many(MAILBOXES, QUERIES)
    names = commands(sent)
    assert "CAPABILITY" not in names  # taken from the greeting and LOGIN's reply
    assert names.count("LOGIN") == names.count("LIST") == len(MAILBOXES)
    # per mailbox: LOGIN, LIST and INBOX's three commands in one write; the other
    # folders' in a second; nothing else
    logins = [w for w in sent if b" LOGIN " in w]
    assert len(logins) == len(MAILBOXES)
    assert all(b" LIST " in w and b"UID FETCH $" in w for w in logins)
    assert len(sent) == 2 * len(MAILBOXES)

    monkeypatch.setattr(imap_scan, "can_pipeline", lambda client, queries: False)
    classic_store = make_store(org)
    try:
        classic = classic_store.search_many(MAILBOXES, QUERIES)
    finally:
        classic_store.close()
    assert fast == classic
    assert located(fast[QUERIES[0]]) == located(fast[QUERIES[1]]) == org.copies
    forwards = [m for r in fast[QUERIES[2]] for m in r.messages]
    assert {m.ref.mailbox for m in forwards} == {MAILBOXES[2], MAILBOXES[6], MAILBOXES[10]}
    assert all(m.recipients == ("colleague@corp.test",) for m in forwards)
    assert located(fast[QUERIES[3]]) == located(fast[QUERIES[2]])


def test_a_failed_pipelined_login_is_a_login_failure(org: Org) -> None:
    server = org.server
    endpoint = ImapEndpoint("127.0.0.1", server.imap_port, "none", timeout=10)
    wrong = ImapStore(ImapPool(endpoint, MasterLogin(server.master_user, "wrong"), 2))
    try:
        results = wrong.search_many(MAILBOXES[:3], QUERIES)
        for result in results[QUERIES[0]]:
            assert not result.ok and not result.transient and "login failed" in result.error
        assert wrong.pool.logins == 0
    finally:
        wrong.close()


def test_quarantine_moves_by_uid_without_reading_and_is_idempotent(
    org: Org, store: ImapStore, sent: list[bytes]
) -> None:
    refs = campaign_refs(store)
    assert len(refs) == len(org.copies)
    sent.clear()
    moved = store.quarantine(refs)
    assert {r.outcome for r in moved} == {Outcome.MOVED}
    names = commands(sent)
    # LOGIN + SELECT in one write, then UID MOVE: no SEARCH or FETCH to re-verify
    assert set(names) == {"LOGIN", "SELECT", "UID MOVE"}, names
    assert names.count("UID MOVE") == len(refs)
    assert all(b" SELECT " in w for w in sent if b" LOGIN " in w)
    targets = [r.target for r in moved]
    assert all(t is not None and t.folder == "Quarantine" for t in targets)
    assert located(store.search(MAILBOXES, SearchQuery(message_id=CAMPAIGN))) == {}

    again = store.quarantine(refs)  # a second run moves nothing, says where they are
    assert {r.outcome for r in again} == {Outcome.ALREADY}
    assert [r.target for r in again] == targets

    restored = store.restore([p for r in moved if (p := r.placement())])
    assert {r.outcome for r in restored} == {Outcome.MOVED}
    assert [r.target.folder for r in restored if r.target] == [ref.folder for ref in refs]
    back = located(store.search(MAILBOXES, SearchQuery(message_id=CAMPAIGN)))
    assert back == org.copies  # same folders, same read flags
    twice = store.restore([p for r in moved if (p := r.placement())])
    assert {r.outcome for r in twice} == {Outcome.ALREADY}


def test_a_changed_uidvalidity_finds_the_copy_again_by_message_id(
    org: Org, store: ImapStore
) -> None:
    refs = [r for r in campaign_refs(store) if r.folder == "INBOX"]
    ref = refs[0]
    org.server.doveadm(
        "mailbox", "update", "-u", ref.mailbox, "--uid-validity", str(ref.uidvalidity + 7),
        "INBOX",
    )  # fmt: skip
    now = store.search([ref.mailbox], SearchQuery(message_id=CAMPAIGN))[0].messages
    assert [m.ref.uidvalidity for m in now if m.ref.folder == "INBOX"] == [ref.uidvalidity + 7]
    moved = store.quarantine([ref])
    assert moved[0].outcome == Outcome.MOVED and moved[0].target is not None
    assert located(store.search([ref.mailbox], SearchQuery(message_id=CAMPAIGN))) == {}
    restored = store.restore([Moved(ref, moved[0].target)])
    assert restored[0].outcome == Outcome.MOVED
    assert located(store.search([ref.mailbox], SearchQuery(message_id=CAMPAIGN))) == {
        (ref.mailbox, "INBOX"): org.copies[(ref.mailbox, "INBOX")]
    }


def test_a_stale_uid_moves_nothing_else(org: Org, store: ImapStore) -> None:
    """A UID that is gone (same UIDVALIDITY) is never replaced by another message."""
    ref = campaign_refs(store)[0]
    gone = MessageRef(ref.mailbox, ref.folder, ref.uidvalidity, "999999", ref.message_id)
    result = store.quarantine([gone])
    assert result[0].outcome == Outcome.NOT_FOUND
    assert (ref.mailbox, ref.folder) in located(
        store.search([ref.mailbox], SearchQuery(message_id=CAMPAIGN))
    )


def test_fetch_logs_in_and_selects_in_one_round_trip(
    org: Org, store: ImapStore, sent: list[bytes]
) -> None:
    ref = campaign_refs(store)[0]
    fresh = make_store(org)
    try:
        sent.clear()
        assert CAMPAIGN.encode() in fresh.fetch(ref)
        assert commands(sent)[:2] == ["LOGIN", "EXAMINE"] and len(sent) == 2
        missing = MessageRef(ref.mailbox, "No/Such", 1, "1", CAMPAIGN)
        with pytest.raises(Exception, match="no folder"):
            fresh.fetch(missing)
    finally:
        fresh.close()


def test_pipeline_attributes_responses_to_their_commands(org: Org, store: ImapStore) -> None:
    def run(client: IMAPClient) -> list[Reply]:
        pipe = Pipeline(client)
        for folder in ("INBOX", "Sent"):
            pipe.add(b"EXAMINE", folder.encode())
            pipe.add(b"UID", b"SEARCH", b"RETURN", b"(SAVE)", b"ALL")
            pipe.add(b"UID", b"FETCH", b"$", b"(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        pipe.add(b"EXAMINE", b'"No-Such-Folder"')
        return list(pipe.run())

    replies = store.pool.run(MAILBOXES[2], run)
    inbox, sent_items, missing = replies[2], replies[5], replies[6]
    assert len(inbox.data("FETCH")) == 2 * 5  # (line, literal) and ")" per message
    assert len(sent_items.data("FETCH")) == 2 and b"Fwd:" in sent_items.data("FETCH")[0][1]
    assert replies[0].code("UIDVALIDITY") and not missing.ok and missing.status == "NO"


def test_criteria_words() -> None:
    words = criteria(["OR", ["FROM", "a b", "ALL"], ["SUBJECT", "é", "ALL"], "HEADER", "X", 3])
    assert words[:4] == [b"OR", b"(FROM", b'"a b"', b"ALL)"]
    assert words[4] == b"(SUBJECT" and bytes(words[5]) == "é".encode()
    assert words[6:] == [b"ALL)", b"HEADER", b'"X"', b"3"]


def test_a_server_without_searchres_is_searched_one_command_at_a_time(
    sent: list[bytes],
) -> None:
    root = Path(tempfile.mkdtemp(prefix="phishloop-dovecot-nosearchres-"))
    mailboxes = MAILBOXES[:2]
    for mailbox in mailboxes:
        writer = ds.MaildirWriter(ds.maildir_path(root, mailbox))
        writer.add(ds.make_message(CAMPAIGN, "HR <hr@evil.test>", mailbox, SUBJECT))
    # Announced from the start: a reload reaches new logins only after a while.
    capabilities = ds.CAPABILITIES_WITHOUT_MOVE.replace(" SEARCHRES", "") + " MOVE"
    server = ds.start_dovecot(root, {m: "pw" for m in mailboxes}, capabilities=capabilities)
    try:
        store = make_store(Org(server, {}))
        try:
            sent.clear()
            found = store.search_many(mailboxes, QUERIES[:2])
        finally:
            store.close()
        for query in QUERIES[:2]:
            assert located(found[query]) == {(m, "INBOX"): False for m in mailboxes}
        names = commands(sent)
        # the first write went out as usual; then one command at a time
        assert names.count("UID SEARCH") == 2 * len(mailboxes)
        assert sum(b"UID FETCH $" in w for w in sent) == len(mailboxes)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_login_needing_a_literal_is_pipelined_only_with_literal_plus() -> None:
    from types import SimpleNamespace  # noqa: PLC0415

    from phishloop.connectors.mailstore.imap_pool import pipelinable_login  # noqa: PLC0415

    def client(*capabilities: str) -> SimpleNamespace:
        return SimpleNamespace(_imap=SimpleNamespace(capabilities=capabilities))

    plain, eight_bit = ("anna*admin", "s3cret"), ("anna*admin", "pässwort")
    assert pipelinable_login(client("IMAP4REV1"), plain)
    # Without LITERAL+ the server would wait for a continuation the pipeline never reads.
    assert not pipelinable_login(client("IMAP4REV1"), eight_bit)
    assert pipelinable_login(client("IMAP4REV1", "LITERAL+"), eight_bit)
