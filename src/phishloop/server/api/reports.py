"""POST /api/v1/reports (intake) and reading reports back."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from phishloop.server.accounts.models import Role
from phishloop.server.accounts.permissions import (
    IsReporter,
    IsViewer,
    actor_of,
    role_of,
)
from phishloop.server.api import filters
from phishloop.server.api.errors import Conflict, Unavailable
from phishloop.server.api.pagination import Pages
from phishloop.server.api.parsers import RAW_PARSERS
from phishloop.server.api.report_serializers import (
    ReportAcceptedSerializer,
    ReportDetailSerializer,
    ReportSerializer,
)
from phishloop.server.api.schema import errors
from phishloop.server.api.throttling import IntakeThrottle
from phishloop.server.api.uploads import REPORTER_HEADER, Submission, read_submission
from phishloop.server.audit.models import AuditEvent
from phishloop.server.audit.service import record
from phishloop.server.intake.service import Accepted, RejectedReport, accept_report
from phishloop.server.reports.models import Channel, Report, ReportState

log = logging.getLogger(__name__)
SUBMITTED = ("report.received", "report.resubmitted")
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 200

UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "the .eml or .msg file"},
        "reporter": {"type": "string", "format": "email"},
    },
    "required": ["file"],
}
BINARY = {"type": "string", "format": "binary"}


class ReportList(generics.ListAPIView[Report]):
    """List reports (viewer) or submit one (reporter)."""

    serializer_class = ReportSerializer
    pagination_class = Pages
    parser_classes = (*RAW_PARSERS, MultiPartParser)
    throttle_scope = "intake"

    def get_permissions(self) -> list[BasePermission]:
        return [IsReporter() if self.request.method == "POST" else IsViewer()]

    def get_throttles(self) -> list[Any]:
        return [IntakeThrottle()] if self.request.method == "POST" else super().get_throttles()

    def get_queryset(self) -> QuerySet[Report]:
        reports = Report.objects.all()
        params = self.request.query_params
        if state := params.get("state"):
            reports = reports.filter(state=filters.choice("state", state, ReportState.values))
        if reporter := params.get("reporter"):
            reports = reports.filter(reporter=reporter.strip().lower())
        if channel := params.get("channel"):
            reports = reports.filter(channel=filters.choice("channel", channel, Channel.values))
        return reports

    @extend_schema(
        summary="List reports, newest first",
        description="Needs the viewer role. Filters combine.",
        parameters=[
            OpenApiParameter("state", enum=ReportState.values, description="only this state"),
            OpenApiParameter("reporter", description="only this reporter's address"),
            OpenApiParameter("channel", enum=Channel.values, description="only this channel"),
        ],
        responses={200: ReportSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Submit a reported email",
        description=(
            "Send the reported email as the raw request body (`message/rfc822`, "
            "`application/octet-stream`, or `application/vnd.ms-outlook` for .msg), or as a "
            "multipart upload in the `file` field. The reporter's address comes from the "
            f"`{REPORTER_HEADER}` header, the `reporter` query parameter or form field. The "
            "report is stored before the answer: 202 means it is safe and queued. Repeating a "
            f"request with the same `{IDEMPOTENCY_HEADER}` returns the same report (200)."
        ),
        request={
            "message/rfc822": BINARY,
            "application/octet-stream": BINARY,
            "application/vnd.ms-outlook": BINARY,
            "multipart/form-data": UPLOAD_SCHEMA,
        },
        parameters=[
            OpenApiParameter(
                REPORTER_HEADER,
                location=OpenApiParameter.HEADER,
                description="the reporter's email address",
            ),
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                location=OpenApiParameter.HEADER,
                description="a client-chosen id of this delivery; a retry with "
                "the same key gives the same report",
            ),
            OpenApiParameter("reporter", description="the reporter's email address"),
            OpenApiParameter("filename", description="the file's name (raw body uploads)"),
        ],
        responses={
            202: OpenApiResponse(ReportAcceptedSerializer, description="stored and queued"),
            200: OpenApiResponse(ReportAcceptedSerializer, description="already accepted"),
            **errors(400, 409, 413, 415, 429, 503),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        submission = read_submission(request)
        actor = actor_of(request.user)
        delivery_id = _delivery_id(request, actor)
        accepted = _accept(submission, actor, delivery_id)
        report = accepted.report
        if not accepted.created:
            _check_same_body(report, submission, delivery_id)
            record("report.resubmitted", report, actor=actor, channel="api")
        url = reverse("report-detail", kwargs={"pk": report.pk}, request=request)
        body = {"id": report.pk, "state": report.state, "url": url}
        code = status.HTTP_202_ACCEPTED if accepted.created else status.HTTP_200_OK
        return Response(body, status=code, headers={"Location": url})


def _delivery_id(request: Request, actor: str) -> str:
    """The Idempotency-Key, scoped to the caller: two tokens never share a key space."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return ""
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: [f"at most {MAX_IDEMPOTENCY_KEY} characters"]}
        )
    return f"{actor}:{key}"


def _accept(submission: Submission, actor: str, delivery_id: str) -> Accepted:
    try:
        return accept_report(
            submission.raw,
            channel="api",
            reporter=submission.reporter,
            filename=submission.filename,
            delivery_id=delivery_id,
            actor=actor,
        )
    except RejectedReport as exc:
        raise exceptions.ValidationError({"file": [str(exc)]}, code="rejected") from exc
    except (OSError, DatabaseError) as exc:
        log.exception("could not accept an API report")
        raise Unavailable() from exc


def _check_same_body(report: Report, submission: Submission, delivery_id: str) -> None:
    if delivery_id and report.raw_sha256 != hashlib.sha256(submission.raw).hexdigest():
        raise Conflict(
            f"this {IDEMPOTENCY_HEADER} was used for a different report (#{report.pk}); "
            "use a new key for a new report"
        )


class IsViewerOrSubmitter(BasePermission):
    """Viewers see every report; a reporter token sees the reports it submitted."""

    message = "this report was submitted by someone else; reading it needs the viewer role"

    def has_permission(self, request: Request, view: Any) -> bool:
        return IsReporter().has_permission(request, view)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if role_of(request.user) != Role.REPORTER:
            return True
        events = AuditEvent.objects.filter(object_type="report", object_id=str(obj.pk))
        return events.filter(action__in=SUBMITTED, actor=actor_of(request.user)).exists()


class ReportDetail(generics.RetrieveAPIView[Report]):
    """One report: its state, fidelity, errors, the messages found in it with their
    verdicts, and the incidents they belong to."""

    serializer_class = ReportDetailSerializer
    permission_classes = (IsViewerOrSubmitter,)
    queryset = Report.objects.prefetch_related("messages__incident")

    @extend_schema(summary="Get a report", responses={200: ReportDetailSerializer, **errors(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
