"""/api/v1/…"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from phishloop.server.api import views

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="api-root"),
    path("openapi.json", SpectacularAPIView.as_view(), name="openapi"),
]
