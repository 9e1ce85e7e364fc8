"""Pulls: plan one for an incident (a dry run first), approve it, watch it, restore it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from phishloop.server.accounts.permissions import IsAnalyst, IsViewer, actor_of
from phishloop.server.api.errors import Conflict
from phishloop.server.api.pagination import Pages
from phishloop.server.api.pull_serializers import (
    PlanRequestSerializer,
    PullDetailSerializer,
    PullSerializer,
    RestoreRequestSerializer,
)
from phishloop.server.api.schema import errors
from phishloop.server.incidents.models import Incident
from phishloop.server.remediation import service
from phishloop.server.remediation.models import PullJob


def _detail(pull_id: int, request: Request, code: int = status.HTTP_200_OK) -> Response:
    pull = PullJob.objects.get(pk=pull_id)
    data = PullDetailSerializer(pull, context={"request": request}).data
    url = reverse("pull-detail", kwargs={"pk": pull.pk}, request=request)
    return Response(data, status=code, headers={"Location": url})


def _conflict(exc: service.PullError) -> Conflict:
    return Conflict(str(exc))


class IncidentPulls(generics.ListAPIView[PullJob]):
    serializer_class = PullSerializer
    pagination_class = Pages

    def get_permissions(self) -> list[BasePermission]:
        return [IsAnalyst() if self.request.method == "POST" else IsViewer()]

    def get_queryset(self) -> QuerySet[PullJob]:
        return PullJob.objects.filter(incident_id=self.kwargs["pk"]).order_by("-id")

    @extend_schema(
        summary="List the incident's pulls, newest first",
        responses={200: PullSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not Incident.objects.filter(pk=kwargs["pk"]).exists():
            raise exceptions.NotFound(f"no incident #{kwargs['pk']}")
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Plan a pull (a dry run: every copy, who opened it, why it is included)",
        description="Answers `202` with the pull in state `planning`: workers sweep the "
        "mailboxes; follow `Location` until it is `planned` or `awaiting_approval` (or, "
        "approved by the `[remediation]` policy, `running`). Then approve it with "
        "`POST /api/v1/pulls/{id}/approve`. `dry_run: true` never lets the policy approve it.",
        request=PlanRequestSerializer,
        responses={202: PullDetailSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = PlanRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not Incident.objects.filter(pk=pk).exists():
            raise exceptions.NotFound(f"no incident #{pk}")
        try:
            pull = service.start_plan(
                pk, actor=actor_of(request.user), dry_run=body.validated_data["dry_run"]
            )
        except service.PullError as exc:
            raise _conflict(exc) from exc
        return _detail(pull.pk, request, status.HTTP_202_ACCEPTED)


class PullDetail(generics.RetrieveAPIView[PullJob]):
    serializer_class = PullDetailSerializer
    queryset = PullJob.objects.all()

    @extend_schema(
        summary="Get a pull: state, counts, plan summary and every action with its outcome",
        responses={200: PullDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PullApprove(APIView):
    permission_classes = (IsAnalyst,)

    @extend_schema(
        summary="Approve a planned pull: its copies are moved to quarantine (audited)",
        request=None,
        responses={200: PullDetailSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        return _act(pk, request, partial(service.approve_pull, actor=actor_of(request.user)))


class PullRetry(APIView):
    permission_classes = (IsAnalyst,)

    @extend_schema(
        summary="Run a failed pull again: move the copies that failed (never anything twice; "
        "audited)",
        request=None,
        responses={200: PullDetailSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        return _act(pk, request, partial(service.retry_pull, actor=actor_of(request.user)))


class PullRestore(APIView):
    permission_classes = (IsAnalyst,)

    @extend_schema(
        summary="Restore every copy the pull moved to where it was (audited)",
        request=RestoreRequestSerializer,
        responses={200: PullDetailSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = RestoreRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        restore = partial(service.restore_pull, actor=actor_of(request.user), reason=reason)
        return _act(pk, request, restore)


def _act(pk: int, request: Request, action: Callable[[int], object]) -> Response:
    """Run a service action on pull `pk`: 404 when it does not exist, 409 with the reason
    when its state does not allow it, else the pull as it is now."""
    _exists(pk)
    try:
        action(pk)
    except service.PullError as exc:
        raise _conflict(exc) from exc
    return _detail(pk, request)


def _exists(pk: int) -> None:
    if not PullJob.objects.filter(pk=pk).exists():
        raise exceptions.NotFound(f"no pull #{pk}")
