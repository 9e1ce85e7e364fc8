"""`Authorization: Bearer <token>` for the REST API."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from phishloop.server.accounts.models import ApiToken
from phishloop.server.accounts.tokens import authenticate


@dataclass(frozen=True)
class TokenUser:
    """The caller behind an API token (DRF's `request.user`)."""

    token: ApiToken

    is_authenticated = True
    is_active = True
    is_staff = False

    @property
    def role(self) -> str:
        return self.token.role

    @property
    def actor(self) -> str:
        return f"token:{self.token.name}"

    def __str__(self) -> str:
        return self.actor


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[TokenUser, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        if not secret:
            raise exceptions.AuthenticationFailed("Authorization: Bearer needs a token")
        token = authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("unknown or revoked API token")
        return TokenUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="phishloop"'
