"""How pulls look in the API: the job, its plan summary and its per-message actions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from phishloop.server.remediation.models import PullAction, PullJob

MAX_ACTIONS = 5000  # listed in the detail; `counts` has the full numbers


class PullActionSerializer(serializers.ModelSerializer[PullAction]):
    class Meta:
        model = PullAction
        fields = ("id", "kind", "mailbox", "folder", "message_id", "subject", "seen", "reason",
                  "path", "depth", "batch", "outcome", "outcome_reason", "attempts",
                  "quarantined", "updated_at")  # fmt: skip


class PullSerializer(serializers.ModelSerializer[PullJob]):
    url = serializers.HyperlinkedIdentityField(view_name="pull-detail")

    class Meta:
        model = PullJob
        fields: tuple[str, ...] = (
            "id", "url", "incident", "state", "error", "counts", "created_by", "approved_by",
            "auto_approved", "approval_reasons", "restore_reason", "created_at",
            "approved_at", "finished_at", "restored_at",
        )  # fmt: skip


class PullDetailSerializer(PullSerializer):
    plan = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(PullSerializer.Meta):
        fields = (*PullSerializer.Meta.fields, "plan", "actions")

    def get_plan(self, pull: PullJob) -> dict[str, Any]:
        plan = pull.plan if isinstance(pull.plan, dict) else {}
        keys = ("seeds", "recipients", "skipped", "errors")
        summary: dict[str, Any] = {key: plan.get(key, []) for key in keys}
        summary["forward_depth_reached"] = plan.get("forward_depth_reached", 0)
        summary["forwards_truncated"] = plan.get("forwards_truncated", False)
        return summary

    def get_actions(self, pull: PullJob) -> list[dict[str, Any]]:
        rows = pull.actions.order_by("id")[:MAX_ACTIONS]
        return [dict(item) for item in PullActionSerializer(rows, many=True).data]


class PlanRequestSerializer(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField(
        default=False, help_text="only plan: do not let the policy approve it"
    )


class RestoreRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
