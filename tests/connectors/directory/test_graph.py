"""The Microsoft Graph directory, the real connector code over HTTP against a local
server implementing the documented Graph shapes (tests/support/graph_fake.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.graph_fake import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    GraphData,
    GraphFake,
    running_graph,
)

from phishloop.connectors.directory import DirectoryError, Unresolved
from phishloop.connectors.directory.graph_directory import GraphDirectory
from phishloop.connectors.directory.settings import GraphSettings

FILLER = 10


def _org() -> GraphData:
    data = GraphData()
    data.add_user("u-alice", "alice@corp.test", "Alice", "a.smith@corp.test")
    data.add_user("u-bob", "bob@corp.test", "Bob")
    data.add_user("u-carol", "carol@corp.test", "Carol")
    data.add_user("u-dave", "dave@eu.corp.test", "Dave")
    data.add_user("u-room", None, "Meeting room")  # no mailbox
    for i in range(FILLER):
        data.add_user(f"u-{i:02}", f"user{i:02}@corp.test")
    data.contacts["c-partner"] = {
        "id": "c-partner",
        "displayName": "Partner",
        "mail": "partner@supplier.example",
    }
    data.add_group("g-all", "all-staff@corp.test", "all-staff", ["g-fin", "g-sales", "u-alice"])
    data.add_group(
        "g-fin", "finance@corp.test", "finance", ["u-bob", "g-ap", "c-partner", "u-room"]
    )
    data.add_group("g-ap", "finance-ap@corp.test", "finance-ap", ["u-carol", "g-all"])
    data.add_group("g-sales", "sales@corp.test", "sales", ["g-ap", "u-dave"])
    data.add_group("g-board", "board@corp.test", "board", ["g-exec"])
    data.add_group("g-exec", None, "executives", ["u-dave"])
    return data


@pytest.fixture
def graph() -> Iterator[GraphFake]:
    with running_graph(_org()) as fake:
        yield fake


def _directory(
    fake: GraphFake, waits: list[float] | None = None, **settings: object
) -> GraphDirectory:
    config = GraphSettings(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=str(settings.pop("client_secret", CLIENT_SECRET)),
        authority=fake.base,
        base_url=fake.graph_url,
        page_size=3,
        **settings,  # type: ignore[arg-type]
    )
    sleep = (waits if waits is not None else []).append
    return GraphDirectory(
        config, sleep=sleep, domains=["corp.test"], vip_groups=["board@corp.test"]
    )


def test_nested_expansion_over_paged_members(graph: GraphFake) -> None:
    with _directory(graph) as directory:
        result = directory.expand("all-staff@corp.test")
    assert {item.person.address: item.explain() for item in result.reached} == {
        "alice@corp.test": "reached via all-staff",
        "bob@corp.test": "reached via all-staff → finance",
        "dave@eu.corp.test": "reached via all-staff → sales",
        "carol@corp.test": "reached via all-staff → finance → finance-ap",
    }
    assert result.cycles == (("all-staff", "finance", "finance-ap", "all-staff"),)
    assert {(u.ref, u.reason) for u, _ in result.unresolved} == {
        ("partner@supplier.example", "external contact"),
        ("u-room@tenant.onmicrosoft.test", "user without a mailbox"),
    }
    # finance has 4 members and pages of 3: the second page came through @odata.nextLink
    pages = [
        query for method, path, query in graph.requests if path == "/v1.0/groups/g-fin/members"
    ]
    assert [q.get("$skiptoken") for q in pages] == [None, "3"]
    tokens = [path for method, path, _ in graph.requests if method == "POST"]
    assert tokens == [f"/{TENANT}/oauth2/v2.0/token"]  # one token, reused


def test_people_mailboxes_aliases_and_vips(graph: GraphFake) -> None:
    with _directory(graph) as directory:
        alice = directory.person("A.Smith@corp.test")
        assert alice is not None and alice.key == "u-alice"
        assert alice.mailbox == "u-alice@tenant.onmicrosoft.test"  # userPrincipalName by default
        assert directory.mailbox_of("it's@corp.test") is None  # quotes are escaped, not injected
        assert directory.is_vip("dave@eu.corp.test")  # via board -> executives (transitive)
        assert not directory.is_vip("bob@corp.test")
        mailboxes = list(directory.mailboxes())
    assert len(mailboxes) == 4 + FILLER  # the room without mail is no mailbox
    transitive = [p for _, p, _ in graph.requests if p.endswith("/transitiveMembers")]
    assert transitive == ["/v1.0/groups/g-board/transitiveMembers"]
    with _directory(graph, mailbox_attribute="id") as by_id:
        assert by_id.mailbox_of("carol@corp.test") == "u-carol"


def test_throttling_honours_retry_after(graph: GraphFake) -> None:
    waits: list[float] = []
    graph.throttle_next = 2
    with _directory(graph, waits) as directory:
        assert directory.mailbox_of("bob@corp.test") == "u-bob@tenant.onmicrosoft.test"
    assert waits == [3.0, 3.0]  # the server's Retry-After, not a guess


def test_throttling_gives_up_after_max_retries(graph: GraphFake) -> None:
    waits: list[float] = []
    graph.throttle_next = 10
    graph.retry_after = "500"
    with (
        _directory(graph, waits, max_retries=2, max_retry_after_seconds=30.0) as directory,
        pytest.raises(DirectoryError, match="TooManyRequests"),
    ):
        directory.person("bob@corp.test")
    assert waits == [30.0, 30.0]  # capped


def test_expired_token_is_renewed_once(graph: GraphFake) -> None:
    with _directory(graph) as directory:
        assert directory.person("bob@corp.test") is not None
        graph.revoke()
        assert directory.person("carol@corp.test") is not None
    assert graph.tokens_issued == 2


def test_wrong_secret_is_a_clear_error(graph: GraphFake) -> None:
    with (
        _directory(graph, client_secret="wrong") as directory,
        pytest.raises(DirectoryError, match="Graph token request refused: AADSTS7000215"),
    ):
        directory.person("bob@corp.test")


def test_unknown_group_member_types_and_missing_groups(graph: GraphFake) -> None:
    with _directory(graph) as directory:
        members = directory.group_members("finance@corp.test")
        assert Unresolved("partner@supplier.example", "external contact") in members
        assert directory.expand("nobody@corp.test").kind == "unknown"
        with pytest.raises(DirectoryError, match="Request_ResourceNotFound"):
            directory.client.get("/groups/g-missing/members")


def test_next_link_to_another_host_is_refused(graph: GraphFake) -> None:
    with _directory(graph) as directory, pytest.raises(DirectoryError, match="another host"):
        directory.client.get("https://attacker.example/v1.0/users")
