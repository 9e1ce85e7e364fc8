"""`phishloop pull`, `retry-pull` and `restore`: remediation from the command line."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from phishloop.cli.django_env import ensure_django
from phishloop.cli.token import cli_actor

FINAL = ("planned", "awaiting_approval", "done", "failed", "restored", "plan_failed")
F = TypeVar("F", bound=Callable[..., Any])


def _follow_options(command: F) -> F:
    """--json, --wait/--no-wait and --timeout: how a pull command follows its pull."""
    options = (
        click.option("--json", "as_json", is_flag=True, help="Print the pull as one JSON object."),
        click.option("--wait/--no-wait", default=True, show_default=True,
                     help="Run the pull's batches here until it is finished (else workers do)."),
        click.option("--timeout", default=600.0, show_default=True,
                     help="Seconds to wait at most."),
    )  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@click.command("pull")
@click.argument("incident", type=int)
@click.option("--dry-run", is_flag=True, help="Only plan: show every copy, move nothing.")
@click.option("--approve", is_flag=True, help="Approve the plan at once and move the copies.")
@_follow_options
def pull_command(incident: int, dry_run: bool, approve: bool, as_json: bool, wait: bool,
                 timeout: float) -> None:  # fmt: skip
    """Plan (and with --approve, execute) a pull of INCIDENT's copies from every mailbox.

    \b
    The plan finds the reported Message-IDs in every mailbox, campaign siblings, the
    members of distribution lists and internal forwards; it lists who read each copy
    and why it is included. Nothing moves until the pull is approved: by --approve, by
    an analyst (POST /api/v1/pulls/ID/approve) or by the [remediation] policy.
    Copies go to the quarantine folder, never deleted; `phishloop restore PULL` undoes.

    \b
    Examples:
      phishloop pull 42 --dry-run        # look first
      phishloop pull 42 --approve        # plan and move
      phishloop restore 7                # put everything back
    """
    if dry_run and approve:
        raise click.UsageError("--dry-run and --approve exclude each other")
    ensure_django()
    from phishloop.server.remediation import service  # noqa: PLC0415

    actor = cli_actor()
    try:
        pull = service.plan_pull(incident, actor=actor, dry_run=dry_run)
        if approve and pull.state in service.APPROVABLE:
            pull = service.approve_pull(pull.pk, actor=actor)
    except service.PullError as exc:
        raise click.ClickException(str(exc)) from None
    if wait:
        _wait(pull.pk, timeout)
    _show(pull.pk, as_json)


@click.command("restore")
@click.argument("pull_id", metavar="PULL", type=int)
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@_follow_options
def restore_command(pull_id: int, reason: str, as_json: bool, wait: bool, timeout: float) -> None:
    """Put every copy PULL moved to quarantine back into its original folder."""
    ensure_django()
    from phishloop.server.remediation import service  # noqa: PLC0415

    try:
        service.restore_pull(pull_id, actor=cli_actor(), reason=reason)
    except service.PullError as exc:
        raise click.ClickException(str(exc)) from None
    if wait:
        _wait(pull_id, timeout)
    _show(pull_id, as_json)


@click.command("retry-pull")
@click.argument("pull_id", metavar="PULL", type=int)
@_follow_options
def retry_pull_command(pull_id: int, as_json: bool, wait: bool, timeout: float) -> None:
    """Run a failed PULL again, once the cause is fixed: move the copies that failed after
    their retries. Copies already in quarantine are never moved twice.

    \b
    Example, once the mail server is back:
      phishloop retry-pull 7
    """
    ensure_django()
    from phishloop.server.remediation import service  # noqa: PLC0415

    try:
        service.retry_pull(pull_id, actor=cli_actor())
    except service.PullError as exc:
        raise click.ClickException(str(exc)) from None
    if wait:
        _wait(pull_id, timeout)
    _show(pull_id, as_json)


def _wait(pull_id: int, timeout: float) -> None:
    """Run the pull's due jobs in this process until it reaches a resting state."""
    from phishloop.server.jobs.models import Job, JobState  # noqa: PLC0415
    from phishloop.server.jobs.queue import run_one  # noqa: PLC0415
    from phishloop.server.remediation.models import PullJob  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if PullJob.objects.get(pk=pull_id).state in FINAL:
            return
        jobs = Job.objects.filter(key__startswith=f"pull:{pull_id}:", state=JobState.QUEUED)
        ran = [run_one(pk) for pk in jobs.values_list("pk", flat=True)]
        if not any(ran):
            time.sleep(0.5)  # retries wait for their back-off; other workers may run them
    click.echo(f"pull #{pull_id} is still running; follow it with GET /api/v1/pulls/{pull_id}",
               err=True)  # fmt: skip


def _show(pull_id: int, as_json: bool) -> None:
    from phishloop.server.remediation.models import PullJob  # noqa: PLC0415

    pull = PullJob.objects.get(pk=pull_id)
    actions = list(pull.actions.order_by("id"))
    if as_json:
        click.echo(json.dumps(_document(pull, actions), default=str))
        return
    click.echo(f"Pull #{pull.pk} of incident #{pull.incident_id}: {pull.state}")
    if pull.error:
        click.echo(f"  error: {pull.error}")
    for action in actions:
        if action.kind == "external":
            click.echo(f"  {action.mailbox:<34} {action.reason}  ({' → '.join(action.path)})")
            continue
        seen = "read  " if action.seen else "unread"
        click.echo(f"  {action.mailbox:<34} {action.folder:<12} {seen} {action.outcome:<9} "
                   f"{action.kind}: {action.reason}")  # fmt: skip
    plan = pull.plan if isinstance(pull.plan, dict) else {}
    for skipped in plan.get("skipped", []):
        click.echo(f"  left alone: {skipped.get('mailbox')} {skipped.get('message_id', '')} "
                   f"— {skipped.get('reason')}")  # fmt: skip
    for error in plan.get("errors", []):
        click.echo(f"  not searched: {error.get('mailbox')} — {error.get('error')}")
    click.echo(_counts(pull.counts))
    _hint(pull)


def _counts(counts: dict[str, Any]) -> str:
    keys = ("mailboxes", "messages", "seen", "moved", "not-found", "failed", "external",
            "restored")  # fmt: skip
    return "  " + ", ".join(f"{key} {counts.get(key, 0)}" for key in keys)


def _hint(pull: Any) -> None:
    if pull.state in ("planned", "awaiting_approval"):
        reasons = "; ".join(pull.approval_reasons) if pull.approval_reasons else ""
        click.echo(f"Waiting for approval{f' ({reasons})' if reasons else ''}: "
                   f"POST /api/v1/pulls/{pull.pk}/approve, or "
                   f"phishloop pull {pull.incident_id} --approve", err=True)  # fmt: skip
    elif pull.state == "failed" and pull.counts.get("failed"):
        click.echo(f"Fix the cause, then move the failed copies: phishloop retry-pull {pull.pk}"
                   f" (or undo with: phishloop restore {pull.pk})", err=True)  # fmt: skip
    elif pull.state in ("done", "failed"):
        click.echo(f"Undo with: phishloop restore {pull.pk}", err=True)
    elif pull.state == "plan_failed":
        click.echo(f"Fix the cause, then plan again: phishloop pull {pull.incident_id}", err=True)


def _document(pull: Any, actions: list[Any]) -> dict[str, Any]:
    plan = pull.plan if isinstance(pull.plan, dict) else {}
    fields = ("kind", "mailbox", "folder", "message_id", "subject", "seen", "reason", "path",
              "depth", "outcome", "outcome_reason", "attempts", "quarantined")  # fmt: skip
    return {
        "id": pull.pk, "incident": pull.incident_id, "state": pull.state, "error": pull.error,
        "counts": pull.counts, "approved_by": pull.approved_by,
        "auto_approved": pull.auto_approved, "approval_reasons": pull.approval_reasons,
        "plan": {k: plan.get(k) for k in ("seeds", "recipients", "skipped", "errors",
                                          "forwards_truncated")},
        "actions": [{f: getattr(a, f) for f in fields} for a in actions],
    }  # fmt: skip
