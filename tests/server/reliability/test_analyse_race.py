"""Two reporters' identical copies analysed at the same moment: the second analysis meets
the Message the first one committed after its look-up, and joins it — no unique-key
conflict, no retry, one Message with both reports."""

from __future__ import annotations

import pytest
from tests.server.pipeline_helpers import campaign_copy

from phishloop.server.intake.service import accept_report
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.pipeline import analyse
from phishloop.server.reports.models import Message, Report, ReportState

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_message_inserted_concurrently_is_joined_not_a_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = campaign_copy("alice@corp.example")
    first = accept_report(raw, channel="api", reporter="alice@corp.example").report
    second = accept_report(raw, channel="smtp", reporter="bob@corp.example").report
    [message_id] = analyse.analyse_report(first.pk)

    # The second analysis looked before the first committed: its look-up found nothing.
    looked_up = analyse._existing
    calls: list[str] = []

    def stale_first_look(content: str, message_id: str) -> Message | None:
        calls.append(content)
        return None if len(calls) == 1 else looked_up(content, message_id)

    monkeypatch.setattr(analyse, "_existing", stale_first_look)
    assert analyse.analyse_report(second.pk) == [message_id]
    assert len(calls) == 2  # the insert conflicted and the row was read again

    message = Message.objects.get()
    assert message.report_count == 2
    assert set(message.reports.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Report.objects.get(pk=second.pk).state == ReportState.ANALYSED


def test_identical_copies_through_the_queue_give_one_message_and_no_retry() -> None:
    raw = campaign_copy("alice@corp.example")
    for reporter in ("alice@corp.example", "bob@corp.example", "carol@corp.example"):
        accept_report(raw, channel="api", reporter=reporter)
    queue.drain()
    assert Message.objects.get().report_count == 3
    assert not Job.objects.exclude(state=JobState.DONE).exists()
    assert not Job.objects.filter(attempts__gt=1).exists()
