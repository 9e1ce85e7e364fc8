"""The Microsoft Graph mail store: the real connector over HTTP against a local server
implementing the documented Graph shapes (tests/support/graph_mail.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.graph_mail import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    GraphMail,
    running_graph_mail,
)

from phishloop.connectors.mailstore.base import SENT, MailStore, MessageRef, Outcome, SearchQuery
from phishloop.connectors.mailstore.graph import GraphMailStore, graph_filter
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


def graph_store(
    fake: GraphMail, waits: list[float] | None = None, **keys: object
) -> GraphMailStore:
    table = {
        "type": "graph",
        "tenant_id": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authority": fake.base,
        "graph_base_url": fake.graph_url,
        "page_size": 2,  # small pages: paging is exercised everywhere
        **keys,
    }
    sleep = (waits if waits is not None else []).append
    store = open_mailstore(MailstoreSettings.from_mapping(table), sleep=sleep)
    assert isinstance(store, GraphMailStore)
    return store


@pytest.fixture
def fake() -> Iterator[GraphMail]:
    with running_graph_mail() as fake:
        for mailbox, messages in LAYOUT.items():
            fake.add_user(mailbox, inbox="INBOX", sent="Sent")
            for raw, folder, seen in messages:
                fake.deliver(mailbox, raw, folder, seen)
        yield fake


@pytest.fixture
def store(fake: GraphMail) -> Iterator[MailStore]:
    graph = graph_store(fake)
    yield graph
    graph.close()


def refs(store: MailStore, message_id: str) -> list[MessageRef]:
    results = store.search(store.list_mailboxes(), SearchQuery(message_id=message_id))
    return [m.ref for r in results for m in r.messages]


def test_exact_quarantine_restore_and_rerun(fake: GraphMail, store: MailStore) -> None:
    before = {box: fake.where(box) for box in LAYOUT}
    moved = store.quarantine(refs(store, PHISH_ID))
    assert [r.outcome for r in moved] == [Outcome.MOVED, Outcome.MOVED]
    assert {box: fake.where(box)[PHISH_ID] for box in ("a@corp.test", "b@corp.test")} == {
        "a@corp.test": ("Quarantine", True),
        "b@corp.test": ("Quarantine", False),
    }
    # new ids after the move, and the quarantine folder was created once per mailbox
    assert all(r.target and r.target.uid != r.source.uid for r in moved)
    assert sum(1 for m, p in fake.requests if m == "POST" and p.endswith("/mailFolders")) == 2
    rerun = store.quarantine([r.source for r in moved])
    assert [r.outcome for r in rerun] == [Outcome.ALREADY, Outcome.ALREADY]
    assert [r.target for r in rerun] == [r.target for r in moved]
    restored = store.restore([p for r in moved if (p := r.placement())])
    assert [r.outcome for r in restored] == [Outcome.MOVED, Outcome.MOVED]
    assert {box: fake.where(box) for box in LAYOUT} == before  # folders and read status
    again = store.restore([p for r in moved if (p := r.placement())])
    assert [r.outcome for r in again] == [Outcome.ALREADY, Outcome.ALREADY]


def test_server_side_filters_narrow_the_search(fake: GraphMail, store: MailStore) -> None:
    fake.requests.clear()
    refs(store, PHISH_ID)
    listed = [p for m, p in fake.requests if p.endswith("/messages")]
    assert len(listed) == len(LAYOUT)  # one request per mailbox, nothing fetched


def test_throttling_honours_retry_after(fake: GraphMail) -> None:
    waits: list[float] = []
    store = graph_store(fake, waits)
    fake.throttle_next, fake.unavailable_next = 2, 1
    assert len(refs(store, PHISH_ID)) == 2
    assert fake.throttled == 3
    assert waits == [7.0, 7.0, 4.0]  # Retry-After twice, then back-off (no header) capped


def test_throttling_gives_up_as_a_transient_mailbox_error(fake: GraphMail) -> None:
    waits: list[float] = []
    store = graph_store(fake, waits, max_retries=2, max_retry_after_seconds=1)
    fake.throttle_next = 3
    [result] = store.search(["a@corp.test"], SearchQuery(message_id=PHISH_ID))
    assert not result.ok and result.transient and "ApplicationThrottled" in result.error
    assert waits == [1.0, 1.0]


def test_token_renewed_when_expired_or_refused(fake: GraphMail) -> None:
    store = graph_store(fake)
    assert len(refs(store, PHISH_ID)) == 2
    assert fake.tokens_issued == 1  # cached across requests
    fake.revoke()  # the server no longer accepts it (expired early)
    assert len(refs(store, PHISH_ID)) == 2
    assert fake.tokens_issued == 2
    fake.expires_in = 30  # shorter than the renewal margin: every request gets a new one
    store = graph_store(fake)
    calls_before = len(fake.requests)
    store.search(["a@corp.test", "c@corp.test"], SearchQuery(message_id=PHISH_ID))
    assert fake.tokens_issued - 2 == len(fake.requests) - calls_before > 2


def test_errors_stay_with_their_mailbox(fake: GraphMail, store: MailStore) -> None:
    fake.broken["b@corp.test"] = (404, "MailboxNotEnabledForRESTAPI")
    boxes = [*store.list_mailboxes(), "ghost@corp.test"]
    results = store.search(boxes, SearchQuery(message_id=PHISH_ID))
    assert [(r.mailbox, r.ok, len(r.messages)) for r in results] == [
        ("a@corp.test", True, 1),
        ("b@corp.test", False, 0),
        ("c@corp.test", True, 0),
        ("ghost@corp.test", False, 0),
    ]
    assert "MailboxNotEnabledForRESTAPI" in results[1].error and not results[1].transient
    [ref] = refs(store, PHISH_ID)
    fake.broken["a@corp.test"] = (500, "ErrorInternalServerError")
    [result] = store.quarantine([ref])
    assert result.outcome == Outcome.FAILED and result.transient


def test_fetch_returns_the_mime_bytes(store: MailStore) -> None:
    ref = refs(store, PHISH_ID)[0]
    assert store.fetch(ref) == PHISH


def test_wrong_secret_is_a_clear_error(fake: GraphMail) -> None:
    store = graph_store(fake, client_secret="wrong")
    [result] = store.search(["a@corp.test"], SearchQuery(message_id=PHISH_ID))
    assert "Invalid client secret" in result.error and "wrong" not in result.error


def test_settings_name_missing_keys_and_hide_the_secret() -> None:
    with pytest.raises(ConfigError, match=r"mailstore\.tenant_id"):
        MailstoreSettings.from_mapping({"type": "graph", "client_id": "x", "client_secret": "y"})
    with pytest.raises(ConfigError, match=r"mailstore\.client_secret"):
        MailstoreSettings.from_mapping({"type": "graph", "tenant_id": "t", "client_id": "x"})
    settings = MailstoreSettings.from_mapping(
        {"type": "graph", "tenant_id": "t", "client_id": "x", "client_secret": "hush-123"}
    )
    assert "hush-123" not in repr(settings)
    assert settings.hosted is not None
    assert settings.hosted.graph_base_url == "https://graph.microsoft.com/v1.0"


def test_hits_carry_references_and_recipients_without_a_fetch(
    fake: GraphMail, store: MailStore
) -> None:
    fake.requests.clear()
    query = SearchQuery(references=PHISH_ID, folders=(SENT,))
    [result] = store.search(["a@corp.test"], query)
    [hit] = result.messages
    assert hit.ref.folder == "Sent" and hit.ref.message_id == "<fwd-1@corp.test>"
    assert hit.references is not None and PHISH_ID in hit.references
    assert hit.recipients == ("b@corp.test",)
    assert not [p for _, p in fake.requests if p.endswith("/$value")]
    [inbox] = store.search(["a@corp.test"], SearchQuery(message_id=PHISH_ID))
    assert inbox.messages[0].references is not None and not inbox.messages[0].references.strip()
    assert inbox.messages[0].recipients == ("a@corp.test",)


def test_moves_are_batched_and_throttled_items_retried_alone(fake: GraphMail) -> None:
    boxes = [f"user{n:02d}@corp.test" for n in range(25)]
    for box in boxes:
        fake.add_user(box, inbox="INBOX", sent="Sent")
        fake.deliver(box, PHISH, "INBOX", read=box.startswith("user1"))
    waits: list[float] = []
    store = graph_store(fake, waits)
    before = {box: fake.where(box) for box in boxes}
    found = store.search(boxes, SearchQuery(message_id=PHISH_ID))
    fake.throttle_batched = 3  # three of the first batch's moves are throttled
    moved = store.quarantine([m.ref for r in found for m in r.messages])
    assert [r.outcome for r in moved] == [Outcome.MOVED] * 25
    assert [r.source.mailbox for r in moved] == boxes  # results in the order asked
    assert sorted(fake.batches[:2]) == [5, 20] and fake.batches[2:] == [3]  # side by side
    assert waits == [7.0]  # one wait for the round, then only the throttled three again
    assert {box: fake.where(box)[PHISH_ID][0] for box in boxes} == dict.fromkeys(
        boxes, "Quarantine"
    )
    # a re-run finds the ids gone and looks the messages up (batched too)
    rerun_and_restore(store, moved, before, lambda: {box: fake.where(box) for box in boxes})
    store.close()


def test_a_batch_item_throttled_past_the_retries_fails_transiently(fake: GraphMail) -> None:
    store = graph_store(fake, [], max_retries=1)
    found = refs(store, PHISH_ID)
    fake.throttle_batched = 4  # both moves, then both again: the retries are spent
    results = store.quarantine(found)
    assert [r.outcome for r in results] == [Outcome.FAILED] * 2
    assert all(r.transient and "ApplicationThrottled" in r.reason for r in results)
    assert set(fake.where("a@corp.test")[PHISH_ID]) == {"INBOX", True}  # nothing moved
    store.close()


def test_only_a_whole_address_is_filtered_on_the_server() -> None:
    assert graph_filter(SearchQuery(sender="payroll@evil.test")) == (
        "from/emailAddress/address eq 'payroll@evil.test'"
    )
    assert graph_filter(SearchQuery(sender="@evil.test")) == ""  # a domain: decided exactly


def test_search_many_lists_in_batches_and_answers_as_search(
    fake: GraphMail, store: MailStore
) -> None:
    fake.broken["b@corp.test"] = (404, "MailboxNotEnabledForRESTAPI")
    boxes = [*store.list_mailboxes(), "ghost@corp.test"]
    queries = [
        SearchQuery(message_id=PHISH_ID),
        SearchQuery(references=PHISH_ID, folders=(SENT,)),
        SearchQuery(sender="@evil.test", folders=("Work",)),  # needs the folder tree
    ]
    fake.throttle_batched = 2
    many = store.search_many(boxes, queries)
    assert fake.batches == [8, 2]  # two queries' first pages in 4 mailboxes, the retry
    assert fake.throttled == 2
    assert [len(r.messages) for r in many[queries[0]]] == [1, 0, 0, 0]
    assert [len(r.messages) for r in many[queries[1]]] == [1, 0, 0, 0]
    assert [r.mailbox for r in many[queries[2]] if r.messages] == []  # b is broken
    for query in queries:
        assert many[query] == store.search(boxes, query)
    fake.broken.clear()
    again = store.search_many(boxes[:3], queries)
    assert [r.mailbox for r in again[queries[2]] if r.messages] == ["b@corp.test"]
    assert [(r.mailbox, r.ok) for r in again[queries[0]]] == [(b, True) for b in boxes[:3]]
