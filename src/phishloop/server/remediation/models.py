"""PullJob: one pull of an incident's copies (its plan, approval and progress).
PullAction: one message (or external recipient) of that plan and what happened to it."""

from __future__ import annotations

from django.db import models

from phishloop.connectors.mailstore.base import MessageRef
from phishloop.server.incidents.models import Incident


class PullState(models.TextChoices):
    PLANNING = "planning"  # workers are sweeping the mailboxes (a plan fanned out)
    PLAN_FAILED = "plan_failed"  # a planning job failed for good (`error`); plan again
    PLANNED = "planned"  # a dry run: nothing happens until someone approves it
    AWAITING_APPROVAL = "awaiting_approval"  # the policy did not allow it to run alone
    APPROVED = "approved"
    RUNNING = "running"  # batches are moving copies to quarantine
    DONE = "done"
    FAILED = "failed"  # some copies could not be moved (or restored); see the actions
    # and `error` (a batch job that failed for good)
    RESTORING = "restoring"
    RESTORED = "restored"


class ActionOutcome(models.TextChoices):
    FOUND = "found"  # planned, not moved yet
    MOVED = "moved"  # in quarantine
    NOT_FOUND = "not-found"  # gone when the pull came (deleted or moved by its owner)
    FAILED = "failed"
    EXTERNAL = "external"  # a recipient outside the organisation: cannot pull
    RESTORED = "restored"  # back where it was


class PullJob(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="pulls")
    state = models.CharField(
        max_length=20, choices=PullState.choices, default=PullState.PLANNED, db_index=True
    )
    plan = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    created_by = models.CharField(max_length=200)
    dry_run = models.BooleanField(default=False)
    approved_by = models.CharField(max_length=200, blank=True)
    auto_approved = models.BooleanField(default=False)
    approval_reasons = models.JSONField(default=list, blank=True)
    restore_reason = models.CharField(max_length=500, blank=True)
    # Job keys name the run, so executing or restoring again queues fresh batch jobs.
    run = models.PositiveIntegerField(default=0)
    restore_run = models.PositiveIntegerField(default=0)
    # Execute batch jobs not through yet (their job keys): a restore waits for them,
    # so a copy a running batch moves after the restore was asked for is restored too.
    pending_batches = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)  # why planning, or a batch job, failed for good
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"pull #{self.pk} of incident #{self.incident_id} ({self.state})"


class PullAction(models.Model):
    pull = models.ForeignKey(PullJob, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=16)  # original, sibling, forward, sent-forward, external
    mailbox = models.CharField(max_length=320, db_index=True)  # the address for externals
    folder = models.CharField(max_length=500, blank=True)
    uidvalidity = models.BigIntegerField(default=0)
    uid = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(max_length=998, blank=True)
    seen = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    path = models.JSONField(default=list, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField(max_length=998, blank=True)
    batch = models.PositiveIntegerField(default=0, db_index=True)
    outcome = models.CharField(max_length=10, choices=ActionOutcome.choices, db_index=True)
    outcome_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    quarantined = models.JSONField(default=dict, blank=True)  # where the copy sits now
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.mailbox} {self.folder} {self.message_id} ({self.outcome})"

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.mailbox, self.folder, self.uidvalidity, self.uid, self.message_id)

    @property
    def quarantined_ref(self) -> MessageRef | None:
        data = self.quarantined
        if not isinstance(data, dict) or not data.get("folder"):
            return None
        return MessageRef(self.mailbox, str(data["folder"]), int(data.get("uidvalidity", 0)),
                          str(data.get("uid", "")), self.message_id)  # fmt: skip


class PullSweep(models.Model):
    """One chunk of a fanned-out plan's every-mailbox sweep: its search results (JSON),
    kept until the plan is made from all chunks."""

    pull = models.ForeignKey(PullJob, on_delete=models.CASCADE, related_name="sweeps")
    chunk = models.PositiveIntegerField()
    results = models.JSONField(default=list)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("pull", "chunk"), name="pull_sweep_chunk"),)

    def __str__(self) -> str:
        return f"sweep chunk {self.chunk} of pull #{self.pull_id}"
