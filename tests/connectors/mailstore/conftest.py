"""A test organisation for the mail-store tests: a real Dovecot with 300 mailboxes (and a
small one without MOVE), filled by writing Maildirs directly before start.

Every scenario plants its own campaign Message-ID, so tests that move mail never see each
other's messages. `Org.expected(name)` says where each copy sits and whether it was read.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.support.dovecot_store import (
    DovecotServer,
    MaildirWriter,
    maildir_path,
    make_message,
    start_dovecot,
)

from phishloop.connectors.mailstore.doveadm import DoveadmStore
from phishloop.connectors.mailstore.doveadm_api import DoveadmApi
from phishloop.connectors.mailstore.imap import ImapStore
from phishloop.connectors.mailstore.imap_pool import (
    ImapEndpoint,
    ImapPool,
    MasterLogin,
)

SCENARIOS = ("find", "imap", "doveadm", "copy", "idem", "cross", "maildir")
ATTACHMENT = b"%PDF-1.4 pretend invoice " + b"x" * 200
ATTACHMENT_SHA = hashlib.sha256(ATTACHMENT).hexdigest()
PHISH_URL = "https://login.evil.test/reset?u=1"
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def campaign_id(name: str) -> str:
    return f"<campaign-{name}@evil.test>"


@dataclass
class Org:
    server: DovecotServer
    mailboxes: list[str]
    # scenario → {(mailbox, folder): seen}
    copies: dict[str, dict[tuple[str, str], bool]] = field(default_factory=dict)
    forwards: dict[str, set[str]] = field(default_factory=dict)  # scenario → mailboxes

    def expected(self, name: str) -> dict[tuple[str, str], bool]:
        return self.copies[name]


def populate(
    root: Path, count: int
) -> tuple[list[str], dict[str, dict[tuple[str, str], bool]], dict[str, set[str]]]:
    mailboxes = [f"user{i:03d}@corp.test" for i in range(count)]
    copies: dict[str, dict[tuple[str, str], bool]] = {name: {} for name in SCENARIOS}
    forwards: dict[str, set[str]] = {name: set() for name in SCENARIOS}
    for index, mailbox in enumerate(mailboxes):
        writer = MaildirWriter(maildir_path(root, mailbox))
        writer.folder_dir("INBOX")
        writer.folder_dir("Sent")
        for n in range(3):
            raw = make_message(
                f"<filler-{index}-{n}@corp.test>", "colleague@corp.test", mailbox, f"Lunch {n}"
            )
            writer.add(raw, flags="S" if n else "")
        for s_index, name in enumerate(SCENARIOS):
            if (index + s_index) % 3:
                continue
            folder = "Work" if index % 5 == 0 else "INBOX"
            seen = index % 2 == 0
            raw = make_message(
                campaign_id(name),
                "Payroll <payroll@evil.test>",
                mailbox,
                f"Action required: salary update {name}",
                f"Please log in at {PHISH_URL} today.\n",
                date=WHEN,
                attachments=[("invoice.pdf", ATTACHMENT)],
            )
            writer.add(raw, folder=folder, flags="S" if seen else "")
            copies[name][(mailbox, folder)] = seen
            if index % 7 == 0:  # this person forwarded it to a colleague
                forward = make_message(
                    f"<fwd-{name}-{index}@corp.test>",
                    mailbox,
                    "colleague@corp.test",
                    f"Fwd: Action required: salary update {name}",
                    headers={"References": campaign_id(name), "In-Reply-To": campaign_id(name)},
                )
                writer.add(forward, folder="Sent", flags="S")
                forwards[name].add(mailbox)
        writer.subscribe(["Sent", "Work"])
    return mailboxes, copies, forwards


@contextlib.contextmanager
def outside_basetemp(name: str) -> Iterator[Path]:
    """A directory outside pytest's base temp: a concurrent pytest run prunes old base
    temps, which would delete a running server's mail and password files under it."""
    root = Path(tempfile.mkdtemp(prefix=f"phishloop-dovecot-{name}-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def org() -> Iterator[Org]:
    with outside_basetemp("org") as root:
        mailboxes, copies, forwards = populate(root, 300)
        server = start_dovecot(root, {m: "pw" for m in mailboxes})
        try:
            yield Org(server, mailboxes, copies, forwards)
        finally:
            server.stop()


@pytest.fixture(scope="session")
def no_move_org() -> Iterator[Org]:
    with outside_basetemp("nomove") as root:
        mailboxes, copies, forwards = populate(root, 20)
        server = start_dovecot(root, {m: "pw" for m in mailboxes}, move=False)
        try:
            yield Org(server, mailboxes, copies, forwards)
        finally:
            server.stop()


def imap_store(server: DovecotServer, connections: int = 4, **kwargs: object) -> ImapStore:
    endpoint = ImapEndpoint("127.0.0.1", server.imap_port, "none", timeout=20)
    pool = ImapPool(endpoint, MasterLogin(server.master_user, server.master_password), connections)
    return ImapStore(pool, mailboxes=sorted(server.users), **kwargs)  # type: ignore[arg-type]


def doveadm_store(server: DovecotServer) -> DoveadmStore:
    return DoveadmStore(DoveadmApi(server.doveadm_url, server.api_key), workers=2)


@pytest.fixture
def imap(org: Org) -> Iterator[ImapStore]:
    store = imap_store(org.server)
    yield store
    store.close()


@pytest.fixture
def doveadm(org: Org) -> Iterator[DoveadmStore]:
    store = doveadm_store(org.server)
    yield store
    store.close()
