"""A pull's forward walk through the Graph and Gmail stores (over their local fakes): the
test organisation's plan is exact, and forwards named by References are followed on the
References and recipients read with the search hit, never on a fetched message."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.remediation.conftest import fingerprints
from tests.support import pull_org
from tests.support.gmail_fake import running_gmail, service_account_key
from tests.support.graph_mail import CLIENT_ID, CLIENT_SECRET, TENANT, running_graph_mail

from phishloop.connectors.directory import InMemoryDirectory
from phishloop.connectors.mailstore.base import MailStore, MessageRef
from phishloop.connectors.mailstore.settings import MailstoreSettings, open_mailstore
from phishloop.core.pipeline import analyze
from phishloop.remediation import Plan, Planner, PlanOptions
from phishloop.remediation.seeds import seed_from_analysis

ACCOUNT = "phishloop@project.iam.gserviceaccount.test"
MAILBOXES = sorted(pull_org.address(name) for name in pull_org.PEOPLE)


def plan_through(store: MailStore, fetched: list[MessageRef]) -> Plan:
    """The test organisation's plan, noting every message the planner fetches."""
    fetch = store.fetch

    def noted(ref: MessageRef) -> bytes:
        fetched.append(ref)
        return fetch(ref)

    store.fetch = noted  # type: ignore[method-assign]
    directory = InMemoryDirectory.from_mapping(
        pull_org.directory_data(), domains=[pull_org.DOMAIN], vip_groups=[]
    )
    seed = seed_from_analysis(analyze(pull_org.phish(), verdict=False)[0])
    options = PlanOptions(protected_addresses=(pull_org.ABUSE,))
    return Planner(store, directory, fingerprints, options).plan([seed])


def check(plan: Plan, fetched: list[MessageRef], sent: str) -> None:
    expected = {(kind, box, sent if folder == "Sent" else folder, mid)
                for kind, box, folder, mid in pull_org.EXPECTED}  # fmt: skip
    assert {(e.kind.value, e.mailbox, e.folder, e.message_id) for e in plan.entries} == expected
    assert {x.address for x in plan.external} == pull_org.EXPECTED_EXTERNAL
    assert plan.errors == [] and plan.forward_depth_reached == 2
    by_references = {
        (e.mailbox, e.message_id)
        for e in plan.entries
        if e.kind.value == "sent-forward" and "References names" in e.reason
    }
    assert by_references  # bob's forward names the phish in References
    assert not by_references & {(ref.mailbox, ref.message_id) for ref in fetched}


def test_graph(tmp_path: Path) -> None:
    with running_graph_mail() as fake:
        for box in MAILBOXES:
            fake.add_user(box, inbox="INBOX", sent="Sent")
        for item in pull_org.deliveries():
            fake.deliver(item.mailbox, item.raw, item.folder, item.seen)
        table = {"type": "graph", "tenant_id": TENANT, "client_id": CLIENT_ID,
                 "client_secret": CLIENT_SECRET, "authority": fake.base,
                 "graph_base_url": fake.graph_url}  # fmt: skip
        store = open_mailstore(MailstoreSettings.from_mapping(table), sleep=lambda _: None)
        fetched: list[MessageRef] = []
        plan = plan_through(store, fetched)
        check(plan, fetched, "Sent")
        # every MIME download was one the planner asked for (none hidden in a search)
        assert len([p for _, p in fake.requests if p.endswith("/$value")]) == len(fetched)
        assert fake.batches and max(fake.batches) == 20  # the sweep's listings in batches
        store.close()


@pytest.fixture(scope="module")
def key() -> tuple[rsa.RSAPrivateKey, str]:
    return service_account_key()


def test_gmail(tmp_path: Path, key: tuple[rsa.RSAPrivateKey, str]) -> None:
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps({"type": "service_account", "client_email": ACCOUNT,
                                    "private_key": key[1]}))  # fmt: skip
    with running_gmail(key[0].public_key(), ACCOUNT) as fake:
        for item in pull_org.deliveries():
            fake.deliver(item.mailbox, item.raw, item.folder, item.seen)
        table = {"type": "gmail", "service_account_file": str(key_file),
                 "token_url": fake.token_url, "gmail_base_url": fake.api_url,
                 "mailboxes": MAILBOXES}  # fmt: skip
        store = open_mailstore(MailstoreSettings.from_mapping(table), sleep=lambda _: None)
        fetched: list[MessageRef] = []
        plan = plan_through(store, fetched)
        check(plan, fetched, "SENT")
        assert fake.formats.count("raw") == len(fetched)
        assert fake.batches  # sent items' headers read in batches
        store.close()
