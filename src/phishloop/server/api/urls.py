"""/api/v1/…"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from phishloop.server.api import incidents, jobs, notifications, pulls, reports, schema, views

__all__ = ["schema", "urlpatterns"]  # schema: registers the bearer-token OpenAPI scheme

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="api-root"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("reports", reports.ReportList.as_view(), name="report-list"),
    path("reports/<int:pk>", reports.ReportDetail.as_view(), name="report-detail"),
    path("incidents", incidents.IncidentList.as_view(), name="incident-list"),
    path("incidents/<int:pk>", incidents.IncidentDetail.as_view(), name="incident-detail"),
    path(
        "incidents/<int:pk>/verdict", incidents.IncidentVerdict.as_view(), name="incident-verdict"
    ),
    path("incidents/<int:pk>/merge", incidents.IncidentMerge.as_view(), name="incident-merge"),
    path("incidents/<int:pk>/split", incidents.IncidentSplit.as_view(), name="incident-split"),
    path("incidents/<int:pk>/stix", incidents.IncidentStix.as_view(), name="incident-stix"),
    path("incidents/<int:pk>/pulls", pulls.IncidentPulls.as_view(), name="incident-pulls"),
    path("pulls/<int:pk>", pulls.PullDetail.as_view(), name="pull-detail"),
    path("pulls/<int:pk>/approve", pulls.PullApprove.as_view(), name="pull-approve"),
    path("pulls/<int:pk>/retry", pulls.PullRetry.as_view(), name="pull-retry"),
    path("pulls/<int:pk>/restore", pulls.PullRestore.as_view(), name="pull-restore"),
    path("jobs", jobs.JobList.as_view(), name="job-list"),
    path("jobs/<int:pk>/retry", jobs.JobRetry.as_view(), name="job-retry"),
    path("notifications", notifications.NotificationList.as_view(), name="notification-list"),
]
