"""The in-memory fake and the Maildir store honour the same contract as the servers."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.dovecot_store import MaildirWriter, make_message

from phishloop.connectors.mailstore import settings as module
from phishloop.connectors.mailstore.base import SENT, MailStore, Outcome, SearchQuery
from phishloop.connectors.mailstore.maildir import MaildirStore
from phishloop.connectors.mailstore.memory import MemoryMailStore
from phishloop.connectors.mailstore.settings import MailstoreSettings, open_mailstore
from phishloop.core.errors import ConfigError

from .conftest import ATTACHMENT, ATTACHMENT_SHA, PHISH_URL, WHEN

PHISH = make_message(
    "<phish-1@evil.test>",
    "Payroll <payroll@evil.test>",
    "a@corp.test",
    "Salary update",
    f"Log in at {PHISH_URL}\n",
    date=WHEN,
    attachments=[("invoice.pdf", ATTACHMENT)],
)
FORWARD = make_message(
    "<fwd-1@corp.test>",
    "a@corp.test",
    "b@corp.test",
    "Fwd: Salary update",
    headers={"References": "<phish-1@evil.test>"},
)
OTHER = make_message("<ok-1@corp.test>", "boss@corp.test", "a@corp.test", "Lunch")
# mailbox → [(raw, folder, seen)]
LAYOUT = {
    "a@corp.test": [(PHISH, "INBOX", True), (OTHER, "INBOX", False), (FORWARD, "Sent", True)],
    "b@corp.test": [(PHISH, "Work", False)],
    "c@corp.test": [(OTHER, "INBOX", True)],
}


@pytest.fixture(params=["memory", "maildir"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailStore]:
    if request.param == "memory":
        memory = MemoryMailStore()
        for mailbox, messages in LAYOUT.items():
            memory.add_mailbox(mailbox, ["Sent"])
            for raw, folder, seen in messages:
                memory.deliver(mailbox, raw, folder, ["\\Seen"] if seen else [])
        yield memory
        return
    for mailbox, messages in LAYOUT.items():
        writer = MaildirWriter(tmp_path / mailbox)
        writer.folder_dir("Sent")
        for raw, folder, seen in messages:
            writer.add(raw, folder, "S" if seen else "")
    yield MaildirStore(tmp_path)


def where(store: MailStore, message_id: str, folders: tuple[str, ...] = ()) -> dict:
    results = store.search(
        store.list_mailboxes(), SearchQuery(message_id=message_id, folders=folders)
    )
    return {(m.ref.mailbox, m.ref.folder): m.seen for r in results for m in r.messages}


def test_search_quarantine_restore_round_trip(store: MailStore) -> None:
    assert store.list_mailboxes() == sorted(LAYOUT)
    before = where(store, "phish-1@evil.test")
    assert before == {("a@corp.test", "INBOX"): True, ("b@corp.test", "Work"): False}
    refs = [
        m.ref
        for r in store.search(store.list_mailboxes(), SearchQuery(message_id="<phish-1@evil.test>"))
        for m in r.messages
    ]
    moved = store.quarantine(refs)
    assert [r.outcome for r in moved] == [Outcome.MOVED, Outcome.MOVED]
    assert where(store, "<phish-1@evil.test>") == {}
    assert store.fetch(moved[0].target) == PHISH  # type: ignore[arg-type]
    assert [r.outcome for r in store.quarantine(refs)] == [Outcome.ALREADY, Outcome.ALREADY]
    placements = [p for r in moved if (p := r.placement())]
    assert [r.outcome for r in store.restore(placements)] == [Outcome.MOVED, Outcome.MOVED]
    assert where(store, "<phish-1@evil.test>") == before
    assert [r.outcome for r in store.restore(placements)] == [Outcome.ALREADY, Outcome.ALREADY]
    assert where(store, "<ok-1@corp.test>") == {
        ("a@corp.test", "INBOX"): False,
        ("c@corp.test", "INBOX"): True,
    }


def test_criteria_and_sent_folder(store: MailStore) -> None:
    boxes = store.list_mailboxes()

    def hits(query: SearchQuery) -> set[str]:
        return {m.ref.mailbox for r in store.search(boxes, query) for m in r.messages}

    assert hits(
        SearchQuery(sender="payroll@evil.test", subject="salary", since=WHEN, until=WHEN)
    ) == {"a@corp.test", "b@corp.test"}
    assert hits(SearchQuery(sender="payroll@evil.test", until=WHEN.replace(hour=8))) == set()
    assert hits(SearchQuery(url=PHISH_URL)) == {"a@corp.test", "b@corp.test"}
    assert hits(SearchQuery(attachment_sha256=ATTACHMENT_SHA)) == {"a@corp.test", "b@corp.test"}
    forward_folders = {folder for _, folder in where(store, "<fwd-1@corp.test>")}
    assert forward_folders == {store.sent_folder("a@corp.test")}
    assert hits(SearchQuery(references="<phish-1@evil.test>", folders=(SENT,))) == {"a@corp.test"}


def test_missing_messages_and_mailboxes_are_reported(store: MailStore) -> None:
    result = store.search(["nobody@corp.test"], SearchQuery(message_id="<x@y>"))
    assert not result[0].ok
    ref = (
        store.search(["c@corp.test"], SearchQuery(message_id="<ok-1@corp.test>"))[0].messages[0].ref
    )
    gone = ref.__class__(ref.mailbox, ref.folder, ref.uidvalidity, ref.uid + "9", ref.message_id)
    assert store.quarantine([gone])[0].outcome == Outcome.NOT_FOUND
    with pytest.raises(ValueError, match="at least one criterion"):
        SearchQuery()


def test_memory_fake_reports_failures_per_mailbox() -> None:
    fake = MemoryMailStore()
    ref = fake.deliver("a@corp.test", PHISH)
    fake.transient_failures["a@corp.test"] = "server busy"
    [result] = fake.quarantine([ref])
    assert result.outcome == Outcome.FAILED and result.transient


def test_settings_parse_and_name_bad_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTER_PW", "secret")
    table = tomllib.loads(
        '[mailstore]\ntype = "imap"\nhost = "mail.corp.test"\nsecurity = "starttls"\n'
        'master_user = "admin"\nmaster_password_env = "MASTER_PW"\nmax_connections = 8\n'
    )["mailstore"]
    settings = MailstoreSettings.from_mapping(table)
    assert settings.port == 143 and settings.master_password == "secret"
    with pytest.raises(ConfigError, match=r"mailstore\.hots"):
        MailstoreSettings.from_mapping({"hots": "x"})
    with pytest.raises(ConfigError, match=r"mailstore\.root"):
        MailstoreSettings.from_mapping({"type": "maildir"})
    with pytest.raises(ConfigError, match="api_key"):
        MailstoreSettings.from_mapping({"type": "doveadm"})
    creds = tmp_path / "creds"
    creds.write_text("a@corp.test:pw:with:colons\n")
    per_box = MailstoreSettings.from_mapping({"type": "imap", "credentials_file": str(creds)})
    assert per_box.credentials == (("a@corp.test", "pw:with:colons"),)
    store = open_mailstore(
        MailstoreSettings.from_mapping({"type": "maildir", "root": str(tmp_path)})
    )
    assert isinstance(store, MaildirStore)


def test_every_mailstore_key_is_documented() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "connectors.md").read_text()
    section = text.split("## Mail store")[1].split("\n## ")[0]
    for key in module._KEYS:
        assert f"`{key}`" in section, f"mailstore.{key} is not documented"
