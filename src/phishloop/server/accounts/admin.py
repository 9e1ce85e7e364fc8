from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from phishloop.server.accounts.models import ApiToken
from phishloop.server.accounts.tokens import create_token, revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are created here or with `phishloop token create`; the secret is shown once
    and only its hash is stored (and never shown). Tokens are revoked, not deleted."""

    list_display = ("name", "role", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("name", "prefix")
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "role")
        return ("name", "role", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        issued = create_token(obj.name, obj.role, actor=f"user:{request.user}")
        for field in ("pk", "prefix", "token_sha256", "created_at"):
            setattr(obj, field, getattr(issued.token, field))
        obj._state.adding = False
        self.message_user(
            request,
            f"Token {obj.name!r} created. Copy it now, it is not shown again: {issued.secret}",
            messages.SUCCESS,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        names = list(queryset.filter(revoked_at=None).values_list("name", flat=True))
        for name in names:
            revoke_token(name, actor=f"user:{request.user}")
        self.message_user(request, f"{len(names)} token(s) revoked.", messages.SUCCESS)
