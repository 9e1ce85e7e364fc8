"""Pipeline jobs for administrators: failures are visible and can be retried."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from phishloop.server.accounts.permissions import IsAdmin, actor_of
from phishloop.server.api import filters
from phishloop.server.api.errors import Conflict
from phishloop.server.api.pagination import Pages
from phishloop.server.api.schema import errors
from phishloop.server.audit.service import record
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.jobs.queue import retry_failed


class JobSerializer(serializers.ModelSerializer[Job]):
    class Meta:
        model = Job
        fields = (
            "id",
            "kind",
            "key",
            "payload",
            "state",
            "attempts",
            "max_attempts",
            "not_before",
            "last_error",
            "created_at",
            "finished_at",
        )


class JobList(generics.ListAPIView[Job]):
    serializer_class = JobSerializer
    pagination_class = Pages
    permission_classes = (IsAdmin,)

    def get_queryset(self) -> QuerySet[Job]:
        jobs = Job.objects.order_by("-id")
        params = self.request.query_params
        if state := params.get("state"):
            jobs = jobs.filter(state=filters.choice("state", state, JobState.values))
        if kind := params.get("kind"):
            jobs = jobs.filter(kind=kind)
        return jobs

    @extend_schema(
        summary="List pipeline jobs, newest first (`?state=failed`: what needs attention)",
        parameters=[
            OpenApiParameter("state", enum=JobState.values, description="only this state"),
            OpenApiParameter("kind", description="only this job kind, e.g. analyse-report"),
        ],
        responses={200: JobSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class JobRetry(APIView):
    permission_classes = (IsAdmin,)

    @extend_schema(
        summary="Queue a failed job again (after fixing its cause)",
        request=None,
        responses={200: JobSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk).first()
            if job is None:
                raise exceptions.NotFound(f"no job #{pk}")
            if job.state != JobState.FAILED:
                raise Conflict(f"job #{pk} is {job.state}; only failed jobs can be retried")
            job = retry_failed(pk)
            record("job.retried", job, actor=actor_of(request.user), kind=job.kind, key=job.key)
        return Response(JobSerializer(job).data)
