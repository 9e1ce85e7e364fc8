"""Incidents: the analyst's queue, each incident's verdict and evidence, the analyst
actions (verdict, merge, split) and the STIX export."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from phishloop.server.accounts.permissions import IsAnalyst, actor_of
from phishloop.server.api import filters
from phishloop.server.api.errors import Conflict
from phishloop.server.api.incident_serializers import (
    AnalystVerdictSerializer,
    IncidentDetailSerializer,
    IncidentSerializer,
    MergeSerializer,
    SplitSerializer,
)
from phishloop.server.api.pagination import Pages
from phishloop.server.api.schema import errors
from phishloop.server.incidents import service
from phishloop.server.incidents.models import Category, Incident, IncidentState
from phishloop.server.incidents.stix import incident_bundle


class IncidentList(generics.ListAPIView[Incident]):
    serializer_class = IncidentSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Incident]:
        incidents = Incident.objects.all()
        params = self.request.query_params
        if state := params.get("state"):
            incidents = incidents.filter(state=filters.choice("state", state, IncidentState.values))
        if category := params.get("category"):
            allowed = Category.values
            incidents = incidents.filter(category=filters.choice("category", category, allowed))
        if since := params.get("since"):
            incidents = incidents.filter(last_seen__gte=filters.since(since))
        return incidents

    @extend_schema(
        summary="List incidents, most recently active first",
        parameters=[
            OpenApiParameter("state", enum=IncidentState.values, description="only this state"),
            OpenApiParameter("category", enum=Category.values, description="only this verdict"),
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="only incidents active since (ISO 8601)"
            ),
        ],
        responses={200: IncidentSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class IncidentDetail(generics.RetrieveAPIView[Incident]):
    serializer_class = IncidentDetailSerializer
    queryset = Incident.objects.prefetch_related("messages", "indicators", "merged_incidents")

    @extend_schema(
        summary="Get an incident: verdict and reasons, messages, reporters, indicators, audit",
        responses={200: IncidentDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _detail(incident_id: int, request: Request, code: int = status.HTTP_200_OK) -> Response:
    incident = IncidentDetail.queryset.get(pk=incident_id)
    data = IncidentDetailSerializer(incident, context={"request": request}).data
    url = reverse("incident-detail", kwargs={"pk": incident.pk}, request=request)
    return Response(data, status=code, headers={"Location": url})


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _live(pk: int) -> None:
    """404 for an unknown incident, 409 for one merged into another."""
    incident = Incident.objects.filter(pk=pk).first()
    if incident is None:
        raise exceptions.NotFound(f"no incident #{pk}")
    if incident.state == IncidentState.MERGED:
        raise Conflict(
            f"incident #{pk} was merged into #{incident.merged_into_id}; act on that one"
        )


def _refused(exc: service.IncidentError) -> exceptions.ValidationError:
    """A request the service cannot apply (bad subtype, messages of another incident…)."""
    return exceptions.ValidationError({"request": [str(exc)]}, code="refused")


class IncidentVerdict(APIView):
    permission_classes = (IsAnalyst,)

    @extend_schema(
        summary="Set the analyst's verdict (overrides the automatic one; audited)",
        request=AnalystVerdictSerializer,
        responses={200: IncidentDetailSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = _valid(AnalystVerdictSerializer, request)
        _live(pk)
        try:
            service.set_analyst_verdict(pk, actor=actor_of(request.user), **body)
        except service.IncidentError as exc:
            raise _refused(exc) from exc
        return _detail(pk, request)


class IncidentMerge(APIView):
    permission_classes = (IsAnalyst,)

    @extend_schema(
        summary="Merge other incidents into this one",
        request=MergeSerializer,
        responses={200: IncidentDetailSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        sources = _valid(MergeSerializer, request)["incidents"]
        for source in (pk, *sources):
            _live(source)
        try:
            target = service.merge_incidents(pk, sources, actor=actor_of(request.user))
        except service.IncidentError as exc:
            raise _refused(exc) from exc
        return _detail(target.pk, request)


class IncidentSplit(APIView):
    permission_classes = (IsAnalyst,)

    @extend_schema(
        summary="Split messages off into a new incident",
        request=SplitSerializer,
        responses={
            201: OpenApiResponse(IncidentDetailSerializer, description="the new incident"),
            **errors(400, 404, 409),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        messages = _valid(SplitSerializer, request)["messages"]
        _live(pk)
        try:
            new = service.split_incident(pk, messages, actor=actor_of(request.user))
        except service.IncidentError as exc:
            raise _refused(exc) from exc
        return _detail(new.pk, request, status.HTTP_201_CREATED)


class StixRenderer(JSONRenderer):
    media_type = "application/stix+json"
    format = "stix"


class IncidentStix(APIView):
    renderer_classes = (JSONRenderer, StixRenderer)

    @extend_schema(
        summary="The incident's indicators as a STIX 2.1 bundle",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="a STIX 2.1 bundle"),
            **errors(404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            incident = Incident.objects.get(pk=pk)
        except Incident.DoesNotExist:
            raise exceptions.NotFound(f"no incident #{pk}") from None
        filename = f"phishloop-incident-{incident.pk}.stix.json"
        headers = {"Content-Disposition": f'inline; filename="{filename}"'}
        return Response(incident_bundle(incident), headers=headers)
