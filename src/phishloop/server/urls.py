"""Root URLs: the API under /api/v1/, the admin under /admin/, and a start page."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("phishloop.server.api.urls")),
]

# JSON errors under /api/ (Django's pages elsewhere): clients never parse HTML.
handler400 = "phishloop.server.api.errors.json_or_default_400"
handler403 = "phishloop.server.api.errors.json_or_default_403"
handler404 = "phishloop.server.api.errors.json_or_default_404"
handler500 = "phishloop.server.api.errors.json_or_default_500"
