"""Jobs of a pull that fail for good settle it, visibly: a plan that cannot be made ends
`plan_failed` with the reason (and the incident can be planned again); a batch that
cannot be moved or restored fails its copies with the reason and the pull settles."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rest_framework.test import APIClient

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.server.remediation.conftest import MemoryOrg
from tests.server.remediation.test_pull_service import quarantined
from tests.support.pull_org import EXPECTED

from phishloop.cli import pull as pull_cli
from phishloop.connectors.mailstore import MemoryMailStore
from phishloop.connectors.mailstore.base import MessageRef, Moved, MoveResult
from phishloop.core.errors import ConfigError
from phishloop.server.accounts.tokens import create_token
from phishloop.server.audit.models import AuditEvent
from phishloop.server.incidents.models import Incident
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.jobs.queue import drain
from phishloop.server.remediation import connect, service
from phishloop.server.remediation.models import ActionOutcome, PullJob, PullState
from phishloop.server.remediation.planning import live_pulls

pytestmark = pytest.mark.django_db
BROKEN = "mailstore.host: cannot resolve imap.corp.invalid"


class BrokenStore(MemoryMailStore):
    """The organisation's store whose moves raise `error` (searches still work)."""

    def __init__(self, store: MemoryMailStore, error: Exception) -> None:
        self.__dict__.update(store.__dict__)
        self.error = error

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        raise self.error

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        raise self.error


def broken_config() -> Any:
    raise ConfigError(BROKEN)


def events(pull: PullJob) -> list[str]:
    found = AuditEvent.objects.filter(object_type="pulljob", object_id=str(pull.pk))
    return list(found.order_by("id").values_list("action", flat=True))


def run_all_retries() -> None:
    """Drain, making every retry due at once, until no job is queued."""
    while drain() or Job.objects.filter(state=JobState.QUEUED).exists():
        Job.objects.filter(state=JobState.QUEUED).update(not_before="2000-01-01T00:00:00Z")


def viewer() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token('viewer-t', 'viewer').secret}")
    return api


def test_a_sweep_that_fails_for_good_ends_the_plan_and_the_incident_can_be_planned_again(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_org.configure(plan_chunk_size=5)
    pull = service.start_plan(incident.pk, actor="token:soc")
    monkeypatch.setattr(connect, "open_store", broken_config)  # the file broke meanwhile
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.PLAN_FAILED and pull.finished_at is not None
    assert BROKEN in pull.error
    assert not pull.sweeps.exists() and not pull.actions.exists()
    assert events(pull) == ["pull.planning", "pull.plan_failed"]
    failed = AuditEvent.objects.get(action="pull.plan_failed")
    assert BROKEN in failed.detail["reason"]
    assert Job.objects.filter(kind="pull-sweep", state=JobState.FAILED).exists()
    listed = viewer().get(f"/api/v1/incidents/{incident.pk}/pulls").json()["results"]
    assert [(p["state"], BROKEN in p["error"]) for p in listed] == [("plan_failed", True)]
    # It no longer stands for the incident: an analyst (or the policy) plans again.
    assert not live_pulls(incident.pk).exists()
    with pytest.raises(service.PullError, match="only planned pulls are approved"):
        service.approve_pull(pull.pk, actor="token:soc")
    with pytest.raises(service.PullError, match="approve it first"):
        service.execute_pull(pull.pk, actor="token:soc")
    monkeypatch.setattr(connect, "open_store", lambda: memory_org.store)
    again = service.start_plan(incident.pk, actor="token:soc")
    drain()
    again.refresh_from_db()
    assert again.state == PullState.AWAITING_APPROVAL and again.error == ""


def test_a_sweep_that_exhausts_its_attempts_ends_the_plan(
    memory_org: MemoryOrg, incident: Incident, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PHISHLOOP_JOB_MAX_ATTEMPTS = 2
    pull = service.start_plan(incident.pk, actor="token:soc")

    def unreachable(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("connection reset by imap.corp.test")

    monkeypatch.setattr("phishloop.server.remediation.planning.run_chunk", unreachable)
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.PLANNING  # the first failure is retried
    run_all_retries()
    pull.refresh_from_db()
    assert pull.state == PullState.PLAN_FAILED
    assert pull.error.startswith("gave up after 2 attempts: ConnectionResetError")


def test_a_plan_job_that_fails_for_good_ends_the_plan(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull = service.start_plan(incident.pk, actor="token:soc")
    for job in Job.objects.filter(kind="pull-sweep"):
        drain_one(job.pk)
    assert Job.objects.filter(kind="pull-plan-finish", state=JobState.QUEUED).exists()
    monkeypatch.setattr(connect, "open_directory", broken_config)
    drain()
    pull.refresh_from_db()
    assert (pull.state, pull.error) == (PullState.PLAN_FAILED, BROKEN)
    assert not pull.sweeps.exists()


def test_an_automatic_plan_that_fails_is_audited_on_the_incident(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phishloop.server.jobs.queue import enqueue  # noqa: PLC0415
    from phishloop.server.remediation.steps import PLAN  # noqa: PLC0415

    monkeypatch.setattr(connect, "open_store", broken_config)
    enqueue(PLAN, "pull:plan:test", {"incident_id": incident.pk})
    drain()
    event = AuditEvent.objects.get(action="pull.auto_plan_failed")
    assert (event.object_type, event.object_id) == ("incident", str(incident.pk))
    assert BROKEN in event.detail["reason"]


def test_execute_batches_that_fail_for_good_fail_their_copies_and_settle_the_pull(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_org.configure(batch_size=3)
    pull = service.plan_pull(incident.pk, actor="token:soc")
    service.approve_pull(pull.pk, actor="token:soc")
    first = Job.objects.filter(kind="pull-quarantine").order_by("id").first()
    assert first is not None
    drain_one(first.pk)  # batch 0 moves; then the mail store's configuration breaks
    monkeypatch.setattr(connect, "open_store", broken_config)
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.FAILED and pull.finished_at is not None
    assert pull.pending_batches == []
    assert BROKEN in pull.error
    moved = pull.actions.filter(outcome=ActionOutcome.MOVED)
    failed = pull.actions.filter(outcome=ActionOutcome.FAILED)
    assert set(moved.values_list("batch", flat=True)) == {0}
    assert set(failed.values_list("batch", flat=True)) == {1, 2}
    assert {a.outcome_reason for a in failed} == {f"batch job failed: {BROKEN}"}
    assert pull.counts["failed"] == failed.count() > 0
    assert events(pull).count("pull.batch_failed") == 2 and events(pull)[-1] == "pull.failed"
    # Fixed: executing again moves what is left, nothing twice.
    monkeypatch.setattr(connect, "open_store", lambda: memory_org.store)
    service.execute_pull(pull.pk, actor="token:soc")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.DONE and pull.error == ""
    assert quarantined(memory_org) == {(mb, mid) for _, mb, _, mid in EXPECTED}


def test_restore_batches_that_fail_for_good_leave_the_pull_failed_not_restoring(
    memory_org: MemoryOrg, incident: Incident, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PHISHLOOP_JOB_MAX_ATTEMPTS = 2
    pull = service.plan_pull(incident.pk, actor="token:soc")
    service.approve_pull(pull.pk, actor="token:soc")
    drain()
    broken = BrokenStore(memory_org.store, ConnectionResetError("connection reset"))
    monkeypatch.setattr(connect, "open_store", lambda: broken)
    service.restore_pull(pull.pk, actor="token:soc")
    run_all_retries()
    pull.refresh_from_db()
    assert pull.state == PullState.FAILED and pull.restored_at is not None
    assert "gave up after 2 attempts: ConnectionResetError" in pull.error
    reasons = set(pull.actions.exclude(kind="external").values_list("outcome_reason", flat=True))
    assert len(reasons) == 1 and reasons.pop().startswith("restore failed: gave up after 2")
    assert quarantined(memory_org) == {(mb, mid) for _, mb, _, mid in EXPECTED}
    # Restoring again (the server is back) puts everything back.
    monkeypatch.setattr(connect, "open_store", lambda: memory_org.store)
    service.restore_pull(pull.pk, actor="token:soc")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORED and quarantined(memory_org) == set()


def test_the_cli_shows_a_failed_batch_with_its_reason(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = BrokenStore(memory_org.store, ConfigError(BROKEN))
    opened = iter([memory_org.store])  # the plan searches; the batches find it broken
    monkeypatch.setattr(connect, "open_store", lambda: next(opened, broken))
    monkeypatch.setattr(pull_cli, "ensure_django", lambda: None)
    monkeypatch.setattr(pull_cli, "cli_actor", lambda: "cli:test")
    result = CliRunner().invoke(pull_cli.pull_command, [str(incident.pk), "--approve", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout.splitlines()[-1])
    assert document["state"] == "failed" and BROKEN in document["error"]
    copies = [a for a in document["actions"] if a["kind"] != "external"]
    assert {a["outcome"] for a in copies} == {"failed"}
    assert {a["outcome_reason"] for a in copies} == {f"batch job failed: {BROKEN}"}


def drain_one(job_id: int) -> None:
    from phishloop.server.jobs.queue import run_one  # noqa: PLC0415

    assert run_one(job_id) is not None


def test_a_failure_handler_that_raises_still_leaves_the_job_failed(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    pull = service.start_plan(incident.pk, actor="token:soc")
    monkeypatch.setattr(connect, "open_store", broken_config)

    def broken_handler(pull_id: int, reason: str) -> None:
        raise RuntimeError("the handler broke")

    monkeypatch.setattr("phishloop.server.remediation.planning.plan_failed", broken_handler)
    drain()
    job = Job.objects.get(kind="pull-sweep")
    assert job.state == JobState.FAILED and BROKEN in job.last_error
    assert "its failure handler failed" in caplog.text
    pull.refresh_from_db()
    assert pull.state == PullState.PLANNING  # what the handler would have done is not half-done


def analyst() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token('analyst-t', 'analyst').secret}")
    return api


def failed_pull(memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch,
                ) -> PullJob:  # fmt: skip
    """A pull whose every batch failed for good on a broken mail-store configuration."""
    pull = service.plan_pull(incident.pk, actor="token:soc")
    monkeypatch.setattr(connect, "open_store", broken_config)
    service.approve_pull(pull.pk, actor="token:soc")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.FAILED and quarantined(memory_org) == set()
    monkeypatch.setattr(connect, "open_store", lambda: memory_org.store)
    return pull


def test_an_analyst_retries_a_failed_pull_through_the_api(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull = failed_pull(memory_org, incident, monkeypatch)
    look, act = viewer(), analyst()
    assert look.post(f"/api/v1/pulls/{pull.pk}/retry").status_code == 403
    retried = act.post(f"/api/v1/pulls/{pull.pk}/retry")
    assert retried.status_code == 200 and retried.json()["state"] == "running"
    drain()
    done = look.get(f"/api/v1/pulls/{pull.pk}").json()
    assert done["state"] == "done" and done["counts"]["failed"] == 0
    assert quarantined(memory_org) == {(mb, mid) for _, mb, _, mid in EXPECTED}
    assert "pull.executing" in events(PullJob.objects.get(pk=pull.pk))[-3:]
    again = act.post(f"/api/v1/pulls/{pull.pk}/retry")
    assert again.status_code == 409
    assert "only failed pulls are retried" in again.json()["error"]["message"]


def test_a_restored_pull_is_not_retried(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull = failed_pull(memory_org, incident, monkeypatch)
    monkeypatch.setattr(connect, "open_store", broken_config)
    service.restore_pull(pull.pk, actor="token:soc")
    drain()
    pull.refresh_from_db()
    assert pull.restore_run == 1
    pull.state = PullState.FAILED  # as a restore that gave up on some copy leaves it
    pull.save()
    monkeypatch.setattr(connect, "open_store", lambda: memory_org.store)
    refused = analyst().post(f"/api/v1/pulls/{pull.pk}/retry")
    assert refused.status_code == 409 and "restore it again" in refused.json()["error"]["message"]
    assert quarantined(memory_org) == set()


def test_the_cli_retries_a_failed_pull_and_hints_at_it(
    memory_org: MemoryOrg,
    incident: Incident,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pull = failed_pull(memory_org, incident, monkeypatch)
    monkeypatch.setattr(pull_cli, "ensure_django", lambda: None)
    monkeypatch.setattr(pull_cli, "cli_actor", lambda: "cli:test")
    pull_cli._show(pull.pk, as_json=False)  # the failed pull's summary, with its hint
    assert f"phishloop retry-pull {pull.pk}" in capsys.readouterr().err
    retried = CliRunner().invoke(pull_cli.retry_pull_command, [str(pull.pk), "--json"])
    assert retried.exit_code == 0, retried.output
    document = json.loads(retried.stdout.splitlines()[-1])
    assert document["state"] == "done" and document["counts"]["moved"] == len(EXPECTED)
    refused = CliRunner().invoke(pull_cli.retry_pull_command, [str(pull.pk)])
    assert refused.exit_code == 1 and "only failed pulls are retried" in refused.output
