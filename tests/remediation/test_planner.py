"""The planner on the in-memory fakes: every copy of the test organisation found, with
the right reasons and read status, and nothing else."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.remediation.conftest import fingerprints
from tests.support import pull_org
from tests.support.pull_org import ABUSE, EXPECTED, EXPECTED_EXTERNAL, address

from phishloop.connectors.directory import InMemoryDirectory
from phishloop.connectors.mailstore import MailboxSearch, MemoryMailStore, SearchQuery
from phishloop.connectors.mailstore.base import MessageRef
from phishloop.remediation import Plan, Planner, PlanOptions, Seed


def make_plan(store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed,
              **options: object) -> Plan:  # fmt: skip
    opts = PlanOptions(protected_addresses=(ABUSE,), **options)  # type: ignore[arg-type]
    return Planner(store, directory, fingerprints, opts).plan([seed])


def found(plan: Plan) -> set[tuple[str, str, str, str]]:
    return {(e.kind.value, e.mailbox, e.folder, e.message_id) for e in plan.entries}


def test_every_copy_and_nothing_else(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    plan = make_plan(store, directory, seed)
    assert found(plan) == EXPECTED
    assert {x.address for x in plan.external} == EXPECTED_EXTERNAL
    assert all(x.reason == "cannot pull — external" for x in plan.external)
    assert plan.errors == []
    assert plan.forward_depth_reached == 2
    assert not plan.forwards_truncated


def test_read_status_and_reasons(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    plan = make_plan(store, directory, seed)
    seen = {(e.mailbox, e.message_id) for e in plan.entries if e.seen}
    assert seen == pull_org.EXPECTED_SEEN
    by_box = {(e.mailbox, e.message_id): e for e in plan.entries}
    dave = by_box[(address("dave"), pull_org.PHISH_ID)]
    assert dave.path == ("to all-staff@corp.test", "via all-staff", "via finance", "via treasury")
    assert by_box[(address("alice"), pull_org.PHISH_ID)].path == ("to all-staff@corp.test",
                                                                  "via all-staff")  # fmt: skip
    gina = by_box[(address("gina"), pull_org.SIBLING_ID)]
    assert gina.reason.startswith("campaign sibling: ") and "same URL" in gina.reason
    erin = by_box[(address("erin"), "<fwd-hank@corp.test>")]
    assert erin.depth == 2
    assert erin.reason.startswith("forwarded by hank@corp.test (carries <fwd-bob@corp.test>")
    assert erin.path[-2:] == ("to sales@corp.test", "via sales")
    assert "forwarded by bob@corp.test" in erin.path
    ivan = by_box[(address("ivan"), "<fwd-alice@corp.test>")]
    assert "matching content" in ivan.reason
    hank = by_box[(address("hank"), "<fwd-bob@corp.test>")]
    assert "References names <phish-1@evil.test>" in hank.reason


def test_leaves_abuse_mailbox_vip_sent_items_reports_and_lookalikes(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    plan = make_plan(store, directory, seed)
    assert ABUSE not in {e.mailbox for e in plan.entries}
    skipped = {(s.mailbox, s.message_id): s.reason for s in plan.skipped}
    assert skipped[(ABUSE, "")].startswith("abuse mailbox")
    assert skipped[(address("alice"), "<fwd-alice@corp.test>")].startswith("a VIP's sent items")
    assert skipped[(address("carol"), "<report-carol@corp.test>")].startswith("a report")
    assert "content differs" in skipped[(address("hank"), pull_org.LOOKALIKE_ID)]
    assert (address("judy"), "<fwd-old@corp.test>") not in {
        (e.mailbox, e.message_id) for e in plan.entries
    }


def test_groups_with_a_cycle_are_expanded_once(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    plan = make_plan(store, directory, seed)
    (summary,) = plan.recipients
    assert summary["recipient"] == "all-staff@corp.test"
    assert summary["mailboxes"] == 6
    assert summary["cycles"] == ["all-staff → finance → treasury → finance"]


def test_depth_bound(store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed) -> None:
    plan = make_plan(store, directory, seed, max_forward_depth=1)
    assert {e for e in found(plan) if e[3] == "<fwd-hank@corp.test>"} == set()
    assert ("forward", address("hank"), "INBOX", "<fwd-bob@corp.test>") in found(plan)
    assert plan.forwards_truncated


def test_nothing_moves_and_failures_are_listed(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    before = {name: store.messages(address(name), "INBOX") for name in pull_org.PEOPLE}
    store.transient_failures[address("frank")] = "server busy"
    plan = make_plan(store, directory, seed)
    assert [(e.mailbox, e.transient) for e in plan.errors] == [(address("frank"), True)]
    assert address("frank") not in {e.mailbox for e in plan.entries}
    del store.transient_failures[address("frank")]
    assert {name: store.messages(address(name), "INBOX") for name in pull_org.PEOPLE} == before


def test_plan_is_json(store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed) -> None:
    import json  # noqa: PLC0415

    data = json.loads(json.dumps(make_plan(store, directory, seed).to_dict()))
    assert data["counts"]["mailboxes"] == 9
    assert data["counts"]["messages"] == len(EXPECTED)
    assert data["counts"]["sibling"] == 1
    assert data["seeds"][0]["message_id"] == pull_org.PHISH_ID


def test_message_id_sweep_finds_copies_a_gateway_rewrote(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    rewritten = pull_org.phish().replace(
        f"Subject: {pull_org.SUBJECT}".encode(), b"Subject: [quarantined by gateway]"
    )
    store.deliver(address("kate"), rewritten)
    where = ("original", address("kate"), "INBOX", pull_org.PHISH_ID)
    assert where not in found(make_plan(store, directory, seed))  # one sweep: not addressed
    assert found(make_plan(store, directory, seed, message_id_sweep=True)) == {*EXPECTED, where}


def test_every_remediation_key_is_documented() -> None:
    from phishloop.remediation.settings import _KEYS  # noqa: PLC0415

    text = (Path(__file__).resolve().parents[2] / "docs" / "remediation.md").read_text()
    section = text[text.index("## `[remediation]`") :]
    for key in _KEYS:
        assert f"| `{key}` |" in section, key


def test_a_sweep_run_ahead_in_chunks_gives_the_same_plan(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    import json  # noqa: PLC0415

    from phishloop.remediation.prefetch import (  # noqa: PLC0415
        PrefetchedStore,
        results_from_json,
        results_to_json,
        run_chunk,
    )

    options = PlanOptions(protected_addresses=(ABUSE,))
    sweep = Planner(store, directory, fingerprints, options).sweep([seed])
    assert ABUSE not in sweep.universe
    # the campaign sweep, and the forward walk's sent-item queries (References, subject)
    assert [bool(q.folders) for q in sweep.queries] == [False, True, True]
    chunks = [sweep.universe[i : i + 4] for i in range(0, len(sweep.universe), 4)]
    stored = [json.loads(json.dumps(results_to_json(run_chunk(store, c, sweep.queries))))
              for c in chunks]  # fmt: skip
    prefetched = PrefetchedStore(store, results_from_json(stored))
    searched: list[int] = []

    class Counting(PrefetchedStore):  # passes everything on, counting searches
        def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
            searched.append(len(mailboxes))
            return super().search(mailboxes, query)

    prefetched.store = Counting(store, {})
    plan = Planner(prefetched, directory, fingerprints, options).plan([seed])
    assert found(plan) == EXPECTED
    assert max(searched) < len(sweep.universe)  # the universe was not searched again


def test_unknown_internal_addresses_are_listed_not_searched(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed
) -> None:
    from dataclasses import replace  # noqa: PLC0415

    recipients = (*seed.recipients, "left-2019@corp.test")
    plan = make_plan(store, directory, replace(seed, recipients=recipients))
    assert found(plan) == EXPECTED and plan.errors == []
    assert ("left-2019@corp.test", "an internal address that neither the directory nor the "
            "mail store knows") in {(s.mailbox, s.reason) for s in plan.skipped}  # fmt: skip


def test_one_pass_of_every_mailbox_and_no_fetch_for_forwards_named_by_references(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    passes: list[int] = []
    fetched: list[MessageRef] = []
    search_many, fetch = store.search_many, store.fetch
    monkeypatch.setattr(
        store, "search_many", lambda m, q: passes.append(len(m)) or search_many(m, q)
    )
    monkeypatch.setattr(store, "fetch", lambda ref: fetched.append(ref) or fetch(ref))
    plan = make_plan(store, directory, seed)
    assert found(plan) == EXPECTED
    assert passes[0] == plan.searched_mailboxes  # one pass of every mailbox, then
    assert all(count < passes[0] for count in passes[1:])  # only the forward walk's few
    by_references = {
        (e.mailbox, e.message_id)
        for e in plan.entries
        if e.kind.value == "sent-forward" and "References names" in e.reason
    }
    assert by_references  # the test organisation has such forwards
    assert not by_references & {(ref.mailbox, ref.message_id) for ref in fetched}


def test_each_forward_level_costs_one_pass(
    store: MemoryMailStore, directory: InMemoryDirectory, seed: Seed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A level's copies are searched together with the sent items of the next level (the
    mailboxes are the same): no separate pass for the next level's candidates."""
    passes: list[int] = []
    search_many = store.search_many
    monkeypatch.setattr(
        store, "search_many", lambda m, q: passes.append(len(m)) or search_many(m, q)
    )
    plan = make_plan(store, directory, seed)
    assert found(plan) == EXPECTED and plan.forward_depth_reached == 2
    # the sweep, the recipients without a copy, then one pass per forward level
    assert len(passes) == 2 + plan.forward_depth_reached
