"""The Gmail API store with domain-wide delegation: the real connector over HTTP against a
local server implementing the documented Google token and Gmail shapes
(tests/support/gmail_fake.py), with a real RS256-signed JWT per user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.support.gmail_fake import Gmail, running_gmail, service_account_key

from phishloop.connectors.mailstore.base import SENT, MailStore, MessageRef, Outcome, SearchQuery
from phishloop.connectors.mailstore.gmail import GmailStore
from phishloop.connectors.mailstore.settings import MailstoreSettings, open_mailstore
from phishloop.core.errors import ConfigError

from .hosted_checks import rerun_and_restore
from .test_local_stores import LAYOUT, PHISH
from .test_local_stores import (
    test_criteria_and_sent_folder as test_contract_criteria_and_sent_folder,
)
from .test_local_stores import (
    test_missing_messages_and_mailboxes_are_reported as test_contract_missing,
)
from .test_local_stores import (
    test_search_quarantine_restore_round_trip as test_contract_round_trip,
)

__all__ = [
    "test_contract_criteria_and_sent_folder",
    "test_contract_missing",
    "test_contract_round_trip",
]
PHISH_ID = "<phish-1@evil.test>"
ACCOUNT = "phishloop@project.iam.gserviceaccount.test"


@pytest.fixture(scope="module")
def key() -> tuple[rsa.RSAPrivateKey, str]:
    return service_account_key()


@pytest.fixture
def key_file(tmp_path: Path, key: tuple[rsa.RSAPrivateKey, str]) -> Path:
    path = tmp_path / "sa.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": ACCOUNT,
                "private_key": key[1],
                "private_key_id": "k1",
            }
        )
    )
    return path


@pytest.fixture
def fake(key: tuple[rsa.RSAPrivateKey, str]) -> Iterator[Gmail]:
    with running_gmail(key[0].public_key(), ACCOUNT) as fake:
        for mailbox, messages in LAYOUT.items():
            for raw, folder, seen in messages:
                fake.deliver(mailbox, raw, folder, seen)
        yield fake


def gmail_store(
    fake: Gmail, key_file: Path, waits: list[float] | None = None, **keys: object
) -> GmailStore:
    table = {
        "type": "gmail",
        "service_account_file": str(key_file),
        "token_url": fake.token_url,
        "gmail_base_url": fake.api_url,
        "mailboxes": sorted(LAYOUT),
        "page_size": 1,  # one message per page: paging is exercised everywhere
        **keys,
    }
    sleep = (waits if waits is not None else []).append
    store = open_mailstore(MailstoreSettings.from_mapping(table), sleep=sleep)
    assert isinstance(store, GmailStore)
    return store


@pytest.fixture
def store(fake: Gmail, key_file: Path) -> Iterator[MailStore]:
    gmail = gmail_store(fake, key_file)
    yield gmail
    gmail.close()


def refs(store: MailStore, message_id: str) -> list[MessageRef]:
    results = store.search(store.list_mailboxes(), SearchQuery(message_id=message_id))
    return [m.ref for r in results for m in r.messages]


def test_labels_swapped_and_restored_exactly(fake: Gmail, store: MailStore) -> None:
    fake.deliver("c@corp.test", PHISH, "Project X", seen=True)
    c_ref = next(r for r in refs(store, PHISH_ID) if r.mailbox == "c@corp.test")
    box = fake.boxes["c@corp.test"]
    raw, labels = box.messages[c_ref.uid]
    box.messages[c_ref.uid] = (raw, labels | {"INBOX", "STARRED", box.label("Keep")})
    before = {user: fake.where(user) for user in LAYOUT}
    assert before["c@corp.test"][PHISH_ID] == ("INBOX", "Keep", "Project X", "STARRED")
    moved = store.quarantine(refs(store, PHISH_ID))
    assert [r.outcome for r in moved] == [Outcome.MOVED] * 3
    assert fake.where("b@corp.test")[PHISH_ID] == ("Phishloop Quarantine", "UNREAD")
    assert fake.where("c@corp.test")[PHISH_ID] == ("Phishloop Quarantine",)
    assert refs(store, PHISH_ID) == []  # quarantined copies are never search hits
    rerun = store.quarantine([r.source for r in moved])
    assert [r.outcome for r in rerun] == [Outcome.ALREADY] * 3
    restored = store.restore([p for r in moved if (p := r.placement())])
    assert [r.outcome for r in restored] == [Outcome.MOVED] * 3
    assert {user: fake.where(user) for user in LAYOUT} == before
    again = store.restore([p for r in moved if (p := r.placement())])
    assert [r.outcome for r in again] == [Outcome.ALREADY] * 3


def test_quarantine_label_created_once(fake: Gmail, store: MailStore) -> None:
    store.quarantine(refs(store, PHISH_ID))
    store.quarantine(refs(store, "<ok-1@corp.test>"))
    created = [p for m, p in fake.requests if m == "POST" and p.endswith("/labels")]
    assert len(created) == 3  # a, b (phish) and c (ok-1): one per mailbox


def test_throttling_waits_as_told(fake: Gmail, key_file: Path) -> None:
    waits: list[float] = []
    store = gmail_store(fake, key_file, waits, workers=1)  # one request at a time
    fake.throttle_next, fake.rate_limited_next = 1, 2
    assert len(refs(store, PHISH_ID)) == 2
    assert fake.throttled == 3
    assert waits == [5.0, 2.0, 4.0]  # Retry-After, then exponential back-off


def test_each_user_gets_a_token_renewed_when_refused(fake: Gmail, key_file: Path) -> None:
    store = gmail_store(fake, key_file)
    refs(store, PHISH_ID)
    assert fake.tokens_issued == 3  # one per user, cached across that user's requests
    fake.revoke()
    assert len(refs(store, PHISH_ID)) == 2
    assert fake.tokens_issued == 6
    fake.expires_in = 30  # below the renewal margin: a new token for every request
    store = gmail_store(fake, key_file)
    calls = len(fake.requests)
    store.search(["a@corp.test"], SearchQuery(message_id=PHISH_ID))
    assert fake.tokens_issued - 6 == len(fake.requests) - calls > 1


def test_errors_stay_with_their_mailbox(fake: Gmail, store: MailStore) -> None:
    fake.broken["b@corp.test"] = 500
    boxes = [*store.list_mailboxes(), "ghost@corp.test"]
    results = store.search(boxes, SearchQuery(message_id=PHISH_ID))
    assert [(r.mailbox, r.ok, len(r.messages)) for r in results] == [
        ("a@corp.test", True, 1),
        ("b@corp.test", False, 0),
        ("c@corp.test", True, 0),
        ("ghost@corp.test", False, 0),
    ]
    assert results[1].transient and "backendError" in results[1].error
    assert "Invalid email or User ID" in results[3].error and not results[3].transient


def test_fetch_raw_and_sender_window_search(store: MailStore) -> None:
    [ref, _] = refs(store, PHISH_ID)
    assert store.fetch(ref) == PHISH
    query = SearchQuery(sender="payroll@evil.test", subject="salary update")
    assert {m.ref.mailbox for r in store.search(["a@corp.test"], query) for m in r.messages} == {
        "a@corp.test"
    }


def test_settings(tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"mailstore\.service_account_file"):
        MailstoreSettings.from_mapping({"type": "gmail", "mailboxes": ["a@corp.test"]})
    with pytest.raises(ConfigError, match=r"mailstore\.mailboxes"):
        MailstoreSettings.from_mapping({"type": "gmail", "service_account_file": str(key_file)})
    bad = tmp_path / "bad.json"
    bad.write_text('{"client_email": "x", "private_key": "not a key"}')
    with pytest.raises(ConfigError, match=r"service_account_file: .*not a PEM") as error:
        MailstoreSettings.from_mapping(
            {"type": "gmail", "service_account_file": str(bad), "mailboxes": ["a@corp.test"]}
        )
    assert "not a key" not in str(error.value)
    monkeypatch.setenv("SA_JSON", key_file.read_text())
    settings = MailstoreSettings.from_mapping(
        {"type": "gmail", "service_account_env": "SA_JSON", "mailboxes": ["a@corp.test"]}
    )
    assert settings.quarantine_folder == "Phishloop Quarantine"
    assert "PRIVATE KEY" not in repr(settings)


def test_hits_carry_references_and_recipients_without_a_fetch(
    fake: Gmail, store: MailStore
) -> None:
    fake.formats.clear()
    [result] = store.search(["a@corp.test"], SearchQuery(references=PHISH_ID, folders=(SENT,)))
    [hit] = result.messages
    assert hit.ref.folder == "SENT" and hit.ref.message_id == "<fwd-1@corp.test>"
    assert hit.references is not None and PHISH_ID in hit.references
    assert hit.recipients == ("b@corp.test",)
    assert "raw" not in fake.formats and "metadata" in fake.formats


def test_reads_and_label_changes_are_batched_and_throttled_calls_retried_alone(
    fake: Gmail, key_file: Path
) -> None:
    for folder in ("Project X", "Project Y", "Project Z"):
        fake.deliver("a@corp.test", PHISH, folder, seen=True)
    waits: list[float] = []
    store = gmail_store(fake, key_file, waits)
    before = {user: fake.where(user) for user in LAYOUT}
    found = store.search(["a@corp.test"], SearchQuery(message_id=PHISH_ID))
    assert fake.batches == [4]  # the four candidates' metadata in one batch
    assert len(found[0].messages) == 4
    fake.throttle_batched = 1  # one label read of the next batch is throttled
    moved = store.quarantine([m.ref for m in found[0].messages])
    assert [r.outcome for r in moved] == [Outcome.MOVED] * 4
    assert fake.batches == [4, 4, 1, 4] and waits == [5.0]  # reads, the retry, modifies
    assert set(fake.where("a@corp.test")[PHISH_ID]) == {"Phishloop Quarantine"}
    rerun_and_restore(store, moved, before, lambda: {user: fake.where(user) for user in LAYOUT})
    store.close()


def test_search_many_batches_a_mailbox_s_listings_and_answers_as_search(
    fake: Gmail, store: MailStore
) -> None:
    fake.broken["b@corp.test"] = 500
    boxes = [*store.list_mailboxes(), "ghost@corp.test"]
    queries = [
        SearchQuery(message_id=PHISH_ID),
        SearchQuery(references=PHISH_ID, folders=(SENT,)),
        SearchQuery(sender="@evil.test"),
    ]
    many = store.search_many(boxes, queries)
    # a, b, c: the three listings in one batch each; a: its two candidates' headers in one
    assert sorted(fake.batches) == [2, 3, 3, 3]
    assert [len(r.messages) for r in many[queries[0]]] == [1, 0, 0, 0]
    assert [len(r.messages) for r in many[queries[1]]] == [1, 0, 0, 0]
    assert [(r.ok, r.transient) for r in many[queries[2]]] == [
        (True, False), (False, True), (True, False), (False, False)
    ]  # fmt: skip
    for query in queries:
        assert many[query] == store.search(boxes, query)
