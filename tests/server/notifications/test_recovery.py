"""Recovering the original of an inline-forwarded report from the reporter's mailbox:
found (once, even with copies in two folders), not found, ambiguous, mailbox
unreachable; through the in-memory store and a Maildir tree on disk."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.server.notifications.feedback_helpers import configure, report
from tests.server.pipeline_helpers import isolated_runtime

from phishloop.connectors.mailstore import MemoryMailStore
from phishloop.server.audit.models import AuditEvent
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.notifications.recovery import use_mailstore
from phishloop.server.reports.models import Fidelity, Recovery, Report

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_runtime")]
__all__ = ["isolated_runtime"]

ALICE = "alice@corp.example"
SUBJECT = "Action required: verify your mailbox"
FORWARD = f"""From: Alice <{ALICE}>
To: abuse@corp.example
Subject: Fwd: {SUBJECT}
Message-ID: <fwd1@corp.example>
Date: Mon, 3 Jun 2024 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Is this real?

---------- Forwarded message ---------
From: IT Service Desk <support@mailbox-verify.example>
Date: Mon, 3 Jun 2024 09:12:00 +0000
Subject: {SUBJECT}
To: Alice <{ALICE}>

Dear Alice, please verify your password now: https://login.mailbox-verify.example/verify
""".encode()


def original(message_id: str = "<orig-1@mailbox-verify.example>", *, day: int = 3,
             sender: str = "support@mailbox-verify.example") -> bytes:  # fmt: skip
    return f"""From: IT Service Desk <{sender}>
To: Alice <{ALICE}>
Subject: {SUBJECT}
Message-ID: {message_id}
Date: Mon, {day} Jun 2024 09:12:00 +0000
Received: from mx.mailbox-verify.example by mx.corp.example; Mon, {day} Jun 2024 09:12:01 +0000
Content-Type: text/plain; charset=utf-8

Dear Alice, please verify your password now: https://login.mailbox-verify.example/verify
""".encode()


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Iterator[MemoryMailStore]:
    configure(settings, tmp_path, extra='[mailstore]\ntype = "memory"\n')
    memory = MemoryMailStore()
    memory.add_mailbox(ALICE, ["Sent", "Archive"])
    memory.deliver(ALICE, FORWARD, folder="Sent")  # the forward itself: never a candidate
    with use_mailstore(memory):
        yield memory


def forwarded() -> Report:
    accepted = report(FORWARD, ALICE, channel="imap")
    queue.drain()
    accepted.refresh_from_db()
    return accepted


def test_the_original_is_found_fetched_and_reanalysed(store: MemoryMailStore) -> None:
    store.deliver(ALICE, original())
    store.deliver(ALICE, original(), folder="Archive")  # a copy: the same message
    store.deliver(ALICE, original("<other@x.example>", day=20))  # outside the window
    store.deliver(ALICE, original("<spoof@x.example>", sender="other@else.example"))
    result = forwarded()
    assert (result.fidelity, result.recovery) == (Fidelity.RECOVERED, Recovery.RECOVERED)
    assert result.messages.filter(message_id="<orig-1@mailbox-verify.example>").exists()
    event = AuditEvent.objects.get(action="report.recovered")
    assert event.actor == "recovery:mailstore"


def test_not_found_is_recorded_with_the_reason(store: MemoryMailStore) -> None:
    result = forwarded()
    assert result.recovery == Recovery.UNAVAILABLE
    event = AuditEvent.objects.get(action="report.recovery_unavailable")
    assert event.detail["reason"].startswith("no message from support@mailbox-verify.example")
    assert result.fidelity == Fidelity.RECONSTRUCTED


def test_two_different_candidates_are_ambiguous(store: MemoryMailStore) -> None:
    store.deliver(ALICE, original("<a@mailbox-verify.example>"))
    store.deliver(ALICE, original("<b@mailbox-verify.example>"), folder="Archive")
    result = forwarded()
    assert result.recovery == Recovery.UNAVAILABLE
    reason = AuditEvent.objects.get(action="report.recovery_unavailable").detail["reason"]
    assert reason.startswith("ambiguous: 2 different messages") and "Archive" in reason


def test_an_unreachable_mailbox_is_retried_not_given_up(
    settings: Any, store: MemoryMailStore
) -> None:
    settings.PHISHLOOP_JOB_MAX_ATTEMPTS = 2
    store.deliver(ALICE, original())
    store.transient_failures[ALICE] = "server busy"
    result = forwarded()
    assert result.recovery == Recovery.PENDING
    job = Job.objects.get(kind="recover-report")
    assert job.state == JobState.FAILED and "server busy" in job.last_error

    del store.transient_failures[ALICE]
    queue.retry_failed(job.pk)
    queue.drain()
    result.refresh_from_db()
    assert result.recovery == Recovery.RECOVERED


def test_recovery_from_a_maildir_tree(settings: Any, tmp_path: Path) -> None:
    root = tmp_path / "mail"
    root.mkdir()
    tree = mailbox.Maildir(root / ALICE, create=True)
    tree.add(original())
    tree.add_folder("Sent").add(FORWARD)
    configure(settings, tmp_path, extra=f'[mailstore]\ntype = "maildir"\nroot = "{root}"\n')
    result = forwarded()
    assert (result.fidelity, result.recovery) == (Fidelity.RECOVERED, Recovery.RECOVERED)
    # Recovery only reads: nothing was moved or removed.
    assert len(tree) == 1 and len(tree.get_folder("Sent")) == 1


def test_without_a_mail_store_the_report_stays_pending(settings: Any, tmp_path: Path) -> None:
    configure(settings, tmp_path)
    result = forwarded()
    assert result.recovery == Recovery.PENDING
    assert not Job.objects.filter(kind="recover-report").exists()
