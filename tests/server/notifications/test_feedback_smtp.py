"""Reporter feedback through a real SMTP server (aiosmtpd on 127.0.0.1): the campaign's
answers, a transient refusal then delivery, a permanent refusal visible to admins, and
an attacker's subject that tries to add header lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from tests.server.notifications.feedback_helpers import body_text, configure, parsed, report
from tests.server.pipeline_helpers import campaign_copy, isolated_runtime
from tests.support.smtp_server import RunningSmtp, running_smtp

from phishloop.server.accounts.tokens import create_token
from phishloop.server.incidents.models import Incident
from phishloop.server.incidents.service import set_analyst_verdict
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job
from phishloop.server.notifications.models import Notification, NotificationStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_runtime")]
__all__ = ["isolated_runtime"]

ALICE, BOB, CARL = "alice@corp.example", "bob@corp.example", "carl@corp.de"
HOSTILE = b"""From: Shop News <news@shop-deals.example>
To: alice@corp.example
Subject: =?utf-8?q?Sale=0D=0ABcc:_victim@evil.example=0D=0A=0D=0A<a_href=3D"https://evil.example/x">win</a>?=
Message-ID: <hostile-1@shop-deals.example>
Date: Mon, 3 Jun 2024 09:12:00 +0000
List-Unsubscribe: <https://shop-deals.example/unsubscribe?u=42>
Precedence: bulk
Content-Type: text/plain; charset=utf-8

Our spring sale starts today: 20% off everything in the shop, this week only.
"""


@pytest.fixture
def smtp(settings: Any, tmp_path: Path) -> Iterator[RunningSmtp]:
    with running_smtp() as server:
        configure(settings, tmp_path, port=server.port)
        yield server


def delivered(server: RunningSmtp) -> dict[str, Any]:
    """Recipient → parsed message, for everything the server accepted."""
    found = {}
    for envelope in server.recorder.messages:
        assert len(envelope.rcpt_tos) == 1  # one reporter per message, never more
        content = envelope.content
        assert isinstance(content, bytes)
        found[envelope.rcpt_tos[0]] = parsed(content)
    return found


def test_the_campaign_answers_arrive_once_each_in_their_language(smtp: RunningSmtp) -> None:
    for _ in range(5):
        report(campaign_copy(ALICE), ALICE)
    report(campaign_copy(BOB), BOB)
    report(campaign_copy(CARL), CARL)
    queue.drain()
    incident = Incident.objects.get()
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    queue.drain()
    answers = delivered(smtp)
    assert len(smtp.recorder.messages) == 3 and sorted(answers) == [ALICE, BOB, CARL]
    assert str(answers[CARL]["Subject"]).startswith("Gefährliche Nachricht entfernt")
    assert str(answers[ALICE]["From"]) == "IT Security <abuse@corp.example>"
    assert "malicious" in body_text(answers[BOB])

    set_analyst_verdict(incident.pk, category="clean", actor="token:soc")
    queue.drain()
    corrections = [parsed(e.content) for e in smtp.recorder.messages[3:]]
    assert sorted(str(m["Subject"]).split(":")[0] for m in corrections) == [
        "Correction", "Correction", "Korrektur"]  # fmt: skip


def test_a_transient_refusal_is_retried_then_delivered(settings: Any, smtp: RunningSmtp) -> None:
    settings.PHISHLOOP_JOB_RETRY_SECONDS = 600.0  # the retry waits; the test moves it forward
    smtp.recorder.replies[ALICE] = "451 4.3.0 mailbox busy, try later"
    report(HOSTILE, ALICE)
    queue.drain()
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1 and "451" in notification.last_error
    assert not smtp.recorder.messages

    del smtp.recorder.replies[ALICE]
    Job.objects.filter(kind="send-notification").update(not_before=timezone.now())
    queue.drain()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 2
    assert list(delivered(smtp)) == [ALICE]


def test_a_permanent_refusal_is_listed_for_admins(smtp: RunningSmtp) -> None:
    smtp.recorder.replies[ALICE] = "550 5.1.1 no such mailbox"
    report(HOSTILE, ALICE)
    queue.drain()
    failed = Notification.objects.get()
    assert failed.status == NotificationStatus.FAILED and failed.attempts == 1
    assert "550 5.1.1 no such mailbox" in failed.last_error

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token('ops', 'admin').secret}")
    listed = client.get("/api/v1/notifications?status=failed").json()
    assert [(row["reporter"], row["status"]) for row in listed["results"]] == [
        (ALICE, "failed")]  # fmt: skip
    assert client.get("/api/v1/notifications?status=sent").json()["results"] == []
    assert client.get("/api/v1/notifications?status=nonsense").status_code == 400
    viewer = APIClient()
    viewer.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token('v', 'viewer').secret}")
    assert viewer.get("/api/v1/notifications").status_code == 403


def test_a_hostile_subject_cannot_add_headers_or_links(smtp: RunningSmtp) -> None:
    report(HOSTILE, ALICE)
    queue.drain()
    [envelope] = smtp.recorder.messages
    assert envelope.rcpt_tos == [ALICE]
    message = parsed(envelope.content)
    assert message["Bcc"] is None and message["Cc"] is None
    assert "\n" not in str(message["Subject"]) and "Bcc: victim" in str(message["Subject"])
    raw_headers = envelope.content.split(b"\r\n\r\n", 1)[0].lower()
    assert b"\r\nbcc:" not in raw_headers
    text = body_text(message)
    assert "evil[.]example" in text and "https://evil.example" not in text
    html = message.get_body(("html",))
    assert html is not None
    markup = str(html.get_content())
    assert "<a " not in markup and "&lt;a href" in markup
