"""Role checks: reporter < viewer < analyst < admin. Django staff users (admin login,
session) count as admin; other logged-in users as viewers."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from phishloop.server.accounts.models import ROLE_RANK, Role


def role_of(user: Any) -> str | None:
    """The caller's role, or None when anonymous."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    token_role = getattr(user, "role", None)
    if isinstance(token_role, str):
        return token_role
    return Role.ADMIN if getattr(user, "is_staff", False) else Role.VIEWER


def actor_of(user: Any) -> str:
    """How the audit trail names the caller."""
    actor = getattr(user, "actor", None)
    if isinstance(actor, str):
        return actor
    return f"user:{getattr(user, 'username', 'anonymous')}"


def at_least(role: str) -> type[BasePermission]:
    """A permission class admitting `role` and the roles above it."""

    class AtLeast(BasePermission):
        message = f"this needs the {role} role"

        def has_permission(self, request: Request, view: Any) -> bool:
            current = role_of(request.user)
            return current is not None and ROLE_RANK[Role(current)] >= ROLE_RANK[Role(role)]

    AtLeast.__name__ = f"Is{role.capitalize()}"
    return AtLeast


IsReporter = at_least(Role.REPORTER)
IsViewer = at_least(Role.VIEWER)
IsAnalyst = at_least(Role.ANALYST)
IsAdmin = at_least(Role.ADMIN)
