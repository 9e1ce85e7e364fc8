"""doveadm through user masks: the sweep and the looks around moves, against a real Dovecot.

A small organisation of its own (60 mailboxes, and an abuse mailbox whose name sorts among
them, so masks reach it) and a second Dovecot whose userdb cannot list its users.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.dovecot_store import (
    DovecotServer,
    MaildirWriter,
    mail_owner,
    maildir_path,
    make_message,
    start_dovecot,
)

from phishloop.connectors.mailstore.base import (
    MailboxSearch,
    MessageRef,
    Moved,
    Outcome,
    SearchQuery,
)
from phishloop.connectors.mailstore.doveadm import DoveadmStore
from phishloop.connectors.mailstore.doveadm_api import Command, CommandError, DoveadmApi
from phishloop.connectors.mailstore.doveadm_users import DENSITY, MIN_MASK, cover

from .conftest import Org, campaign_id, outside_basetemp, populate

ABUSE = "user001-abuse@corp.test"  # sorts under the prefix user00: a mask reaches it


class Recording(DoveadmApi):
    """The real API, remembering every command sent."""

    def __init__(self, server: DovecotServer) -> None:
        super().__init__(server.doveadm_url, server.api_key)
        self.sent: list[Command] = []
        self.answers: list[Any] = []

    def call(self, commands: Sequence[Command]) -> list[Any]:
        answers = super().call(commands)
        self.sent += commands
        self.answers += answers
        return answers

    def users(self, name: str) -> list[str]:
        return [str(params.get("user")) for command, params in self.sent if command == name]


def store(server: DovecotServer, **kwargs: Any) -> tuple[DoveadmStore, Recording]:
    api = Recording(server)
    return DoveadmStore(api, workers=2, chunk_size=10, **kwargs), api


def _build(name: str, count: int) -> Iterator[tuple[Org, Any]]:
    with outside_basetemp(name) as root:
        mailboxes, copies, forwards = populate(root, count)
        abuse = MaildirWriter(maildir_path(root, ABUSE))
        for scenario in copies:
            raw = make_message(campaign_id(scenario), "payroll@evil.test", ABUSE, "reported")
            abuse.add(raw)
        users = {m: "pw" for m in [*mailboxes, ABUSE]}
        yield Org(start_dovecot(root, users), mailboxes, copies, forwards), root


@pytest.fixture(scope="module")
def small() -> Iterator[Org]:
    for org, _ in _build("masks", 60):
        try:
            yield org
        finally:
            org.server.stop()


@pytest.fixture(scope="module")
def no_listing() -> Iterator[Org]:
    """A Dovecot whose userdb (static) cannot iterate: every mask fails there."""
    for org, root in _build("static", 24):
        server = org.server
        uid, gid, _ = mail_owner()
        static = (
            "userdb {\n  driver = static\n"
            f"  args = uid={uid} gid={gid} home={root}/mail/%d/%n allow_all_users=yes\n}}"
        )
        config = re.sub(r"userdb \{.*?\n\}", static, server.config.read_text(), flags=re.S)
        assert "driver = static" in config
        server.config.write_text(config)
        server.doveadm("reload")
        _until_listing_fails(server)
        try:
            yield org
        finally:
            server.stop()


def _until_listing_fails(server: Any) -> None:
    """A reload reaches doveadm's HTTP processes only as they are replaced: wait until
    the API answers with the new (static, not listable) userdb."""
    api = DoveadmApi(server.doveadm_url, server.api_key)
    try:
        for _ in range(100):
            (answer,) = api.call([("user", {"userMask": ["*"]})])
            if isinstance(answer, CommandError):
                return
            time.sleep(0.1)
    finally:
        api.close()
    pytest.fail("the reloaded doveadm still lists users")


def rewrite(path: Path, text: str) -> None:
    """Write `text` with a later mtime, and wait: passwd-file rereads on a changed mtime,
    looking at most once a second."""
    later = path.stat().st_mtime + 2
    path.write_text(text)
    os.utime(path, (later, later))
    time.sleep(1.1)


def hits(results: Sequence[MailboxSearch]) -> dict[tuple[str, str], bool]:
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return {(m.ref.mailbox, m.ref.folder): m.seen for r in results for m in r.messages}


def test_cover_masks_dense_prefixes_and_sends_the_rest_one_by_one() -> None:
    users = [f"user{i:03d}@corp.test" for i in range(60)] + [ABUSE, "odd*name@corp.test"]
    wanted = [u for u in users[:40] if u != "user006@corp.test"]
    wanted += ["user055@corp.test", "ghost@corp.test", "odd*name@corp.test"]
    plan = cover(users, wanted, max_size=20)
    reached = [u for _, chosen in plan.masks for u in chosen] + plan.singles
    assert sorted(reached) == sorted(wanted)  # each wanted mailbox exactly once
    masks = dict(plan.masks)
    assert set(masks) == {"user00*", "user01*", "user02*", "user03*"}
    for mask, chosen in plan.masks:
        under = [u for u in users if u.startswith(mask[:-1])]
        assert len(under) <= 20 and len(chosen) >= max(MIN_MASK, DENSITY * len(under))
    assert ABUSE not in reached and "user006@corp.test" not in reached
    assert {"user055@corp.test", "ghost@corp.test", "odd*name@corp.test"} <= set(plan.singles)


def test_sweep_through_masks_answers_as_one_by_one_and_only_for_the_wanted(small: Org) -> None:
    masked, api = store(small.server)
    single, single_api = store(small.server, user_masks=False)
    try:
        wanted = [m for m in small.mailboxes[:45] if m != "user006@corp.test"]
        queries = [
            SearchQuery(message_id=campaign_id("find")),
            SearchQuery(sender="payroll@evil.test", subject="salary update imap"),
        ]
        together = masked.search_many(wanted, queries)
        assert together == single.search_many(wanted, queries)
        assert [r.mailbox for r in together[queries[0]]] == wanted
        assert any(user.endswith("*") for user in api.users("fetch"))
        assert not any(user.endswith("*") for user in single_api.users("fetch"))
        expected = {k: v for k, v in small.expected("find").items() if k[0] in wanted}
        assert hits(together[queries[0]]) == expected != {}
        # the masks read the abuse mailbox and user006 (both hold the campaign): not reported
        assert ("user006@corp.test", "INBOX") in small.expected("find")
        reached = {u for u in api.users("fetch") if u.endswith("*")}
        assert any(ABUSE.startswith(mask[:-1]) for mask in reached)
        assert {r.mailbox for r in together[queries[0]]}.isdisjoint({ABUSE, "user006@corp.test"})
    finally:
        masked.close()
        single.close()


def test_a_user_failing_inside_a_mask_gets_its_own_error(small: Org) -> None:
    """doveadm leaves a failing user out of a mask's answer: it is asked again alone."""
    users_file = small.server.root / "users"
    before = users_file.read_text()
    broken = small.mailboxes[3]  # holds a copy of "find"
    line = f"{broken}:{{PLAIN}}pw::::::"
    rewrite(users_file, before.replace(line, f"{line} userdb_mail=bogus:~/x"))
    masked, api = store(small.server)
    try:
        alone = api.call([("fetch", {"user": broken, "field": ["uid"], "query": ["all"]})])
        assert isinstance(alone[0], CommandError)  # doveadm itself sees the broken user
        wanted = small.mailboxes[:30]
        results = masked.search(wanted, SearchQuery(message_id=campaign_id("find")))
        assert any(user.endswith("*") for user in api.users("fetch"))
        failed = [r for r in results if not r.ok]
        assert [r.mailbox for r in failed] == [broken] and failed[0].transient
        expected = {k: v for k, v in small.expected("find").items() if k[0] in wanted}
        del expected[(broken, "INBOX")]
        assert hits([r for r in results if r.ok]) == expected
    finally:
        rewrite(users_file, before)
        masked.close()


def test_userdb_that_cannot_list_falls_back_to_one_command_each(no_listing: Org) -> None:
    dove, api = store(no_listing.server)
    try:
        found = dove.search(no_listing.mailboxes, SearchQuery(message_id=campaign_id("doveadm")))
        assert hits(found) == no_listing.expected("doveadm")
        listing = [a for (name, _), a in zip(api.sent, api.answers, strict=True) if name == "user"]
        assert len(listing) == 1 and not isinstance(listing[0], dict)  # the listing failed
        assert not any(user.endswith("*") for user in api.users("fetch"))
        refs = [m.ref for r in found for m in r.messages]
        moved = dove.quarantine(refs)
        assert {r.outcome for r in moved} == {Outcome.MOVED}
        assert {r.outcome for r in dove.quarantine(refs)} == {Outcome.ALREADY}
        restored = dove.restore([p for r in moved if (p := r.placement())])
        assert {r.outcome for r in restored} == {Outcome.MOVED}
        again = dove.search(no_listing.mailboxes, SearchQuery(message_id=campaign_id("doveadm")))
        assert hits(again) == no_listing.expected("doveadm")
    finally:
        dove.close()


def test_moves_without_a_look_before_stay_idempotent(
    small: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per mailbox only the moves (and a create) go one by one; a second run moves
    nothing and names the same places; restore puts copies back with their flags."""
    # the holders are every third mailbox: let masks reach them (3 of 10 under a prefix)
    monkeypatch.setattr("phishloop.connectors.mailstore.doveadm_users.MIN_MASK", 2)
    monkeypatch.setattr("phishloop.connectors.mailstore.doveadm_users.DENSITY", 0.25)
    dove, api = store(small.server)
    try:
        query = SearchQuery(message_id=campaign_id("imap"))
        refs = [m.ref for r in dove.search(small.mailboxes, query) for m in r.messages]
        assert len(refs) == len(small.expected("imap")) > 10
        api.sent.clear()
        moved = dove.quarantine(refs)
        assert {r.outcome for r in moved} == {Outcome.MOVED}
        users = [(name, str(params.get("user", "*"))) for name, params in api.sent]
        assert {name for name, user in users if not user.endswith("*")} == {"move", "mailboxCreate"}
        assert {name for name, user in users if user.endswith("*")} == {"mailboxStatus", "fetch"}
        assert hits(dove.search(small.mailboxes, query)) == {}
        assert all(r.target and r.target.folder == "Quarantine" for r in moved)

        again = dove.quarantine(refs)
        assert {r.outcome for r in again} == {Outcome.ALREADY}
        assert [r.target for r in again] == [r.target for r in moved]

        placements = [p for r in moved if (p := r.placement())]
        restored = dove.restore(placements)
        assert {r.outcome for r in restored} == {Outcome.MOVED}
        assert hits(dove.search(small.mailboxes, query)) == small.expected("imap")
        assert {r.outcome for r in dove.restore(placements)} == {Outcome.ALREADY}
    finally:
        dove.close()


def test_stale_references_move_only_the_right_message(small: Org) -> None:
    """A changed UIDVALIDITY is found again by Message-ID; a UID that no longer holds the
    Message-ID moves nothing."""
    dove, _ = store(small.server)
    try:
        query = SearchQuery(message_id=campaign_id("copy"))
        found = [m.ref for r in dove.search(small.mailboxes, query) for m in r.messages]
        refs = [ref for ref in found if ref.folder == "INBOX"]
        stale = replace(refs[0], uidvalidity=refs[0].uidvalidity + 1)
        wrong_uid = replace(refs[1], uid="1")  # a filler message sits at INBOX UID 1
        results = dove.quarantine([stale, wrong_uid])
        assert [r.outcome for r in results] == [Outcome.MOVED, Outcome.NOT_FOUND]
        left = hits(dove.search(small.mailboxes, query))
        assert (refs[0].mailbox, refs[0].folder) not in left
        assert (refs[1].mailbox, refs[1].folder) in left
        target = results[0].target
        assert target is not None
        back = dove.restore([Moved(refs[0], target)])
        assert [r.outcome for r in back] == [Outcome.MOVED]
        assert hits(dove.search(small.mailboxes, query)) == small.expected("copy")
    finally:
        dove.close()


def test_a_temporary_failure_of_a_move_is_transient() -> None:
    def answer(command: str, params: dict[str, Any]) -> Any:
        if command == "move":
            return ["error", {"type": "exitCode", "exitCode": 75}]
        if command == "mailboxStatus":
            rows = [{"mailbox": f, "uidvalidity": "7", "uidnext": "9"} for f in ("INBOX", "Q")]
            return ["doveadmResponse", rows]
        return ["doveadmResponse", []]

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json=[[*answer(c, p), tag] for c, p, tag in body])

    api = DoveadmApi("http://doveadm.test/doveadm/v1", "k", transport=httpx.MockTransport(handler))
    dove = DoveadmStore(api, quarantine_folder="Q", user_masks=False)
    try:
        ref = MessageRef("user@corp.test", "INBOX", 7, "3", "<m@evil.test>")
        [result] = dove.quarantine([ref])
        assert result.outcome == Outcome.FAILED and result.transient
        assert "temporary failure" in result.reason
    finally:
        dove.close()
