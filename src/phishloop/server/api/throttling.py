"""Rate limits: per API token on intake, per client address for anonymous callers.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (PHISHLOOP_INTAKE_RATE,
PHISHLOOP_ANONYMOUS_RATE), read when a request arrives rather than at import time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from phishloop.server.accounts.permissions import actor_of


def _rate(scope: str | None) -> str | None:
    rates: Any = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    rate = rates.get(scope or "")
    return str(rate) if rate else None


class IntakeThrottle(ScopedRateThrottle):
    """The scope named by the view (`throttle_scope = "intake"`), counted per caller: a
    token (which has no user id) by its name, a logged-in user by theirs."""

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        ident = actor_of(user) if user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousThrottle(AnonRateThrottle):
    """Callers without credentials (the API root, the OpenAPI document, 401s)."""

    scope = "anonymous"

    def get_rate(self) -> str | None:
        return _rate(self.scope)
