"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from phishloop.server.accounts.models import ApiToken, Role
from phishloop.server.audit.service import record

TOKEN_PREFIX = "plt_"  # noqa: S105 - a label in front of the secret, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; only its hash is stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(name: str, role: str, *, actor: str = "system") -> IssuedToken:
    """A new token; raises ValueError for an unknown role or a name already in use."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    if ApiToken.objects.filter(name=name).exists():
        raise ValueError(f"a token named {name!r} already exists")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name, role=role, prefix=secret[:12], token_sha256=digest(secret)
        )
        record("token.created", token, actor=actor, name=name, role=role)
    return IssuedToken(token, secret)


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, its last use updated; None otherwise."""
    token = ApiToken.objects.filter(token_sha256=digest(secret), revoked_at=None).first()
    if token is not None:
        now = timezone.now()
        # One write per minute at most: a report button may call many times a second.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke_token(name: str, *, actor: str = "system") -> ApiToken:
    """Revoke by name; raises ApiToken.DoesNotExist."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(name=name)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record("token.revoked", token, actor=actor, name=name)
    return token
