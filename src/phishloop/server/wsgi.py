"""WSGI entry point (`phishloop web`, or any WSGI server: phishloop.server.wsgi:application)."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIHandler

from phishloop.server.bootstrap import setup_django

setup_django()
from django.core.wsgi import get_wsgi_application  # noqa: E402

application: WSGIHandler = get_wsgi_application()
