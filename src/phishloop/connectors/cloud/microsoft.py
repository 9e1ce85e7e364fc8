"""App-only tokens from the Microsoft identity platform (OAuth 2.0 client credentials)."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from phishloop.connectors.cloud.api import ApiClient, oauth_token

_TOKEN_MARGIN_SECONDS = 60.0


class ClientCredentials:
    """A cached token for `scope` (default: `{graph origin}/.default`), renewed a minute
    before it expires or when the API refuses it. The secret is never part of a message."""

    def __init__(
        self,
        client: ApiClient,
        *,
        authority: str,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        scope: str = "",
    ) -> None:
        self.client = client
        self.url = f"{authority.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self.client_id = client_id
        self._secret = client_secret
        origin = urlsplit(client.base_url)
        self.scope = scope or f"{origin.scheme}://{origin.netloc}/.default"
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()  # the store's workers share one token: fetch it once

    def token(self) -> str:
        with self._lock:
            return self._current()

    def _current(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        form = {
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": self.scope,
            "grant_type": "client_credentials",
        }
        response = self.client.send("POST", self.url, data=form)
        refused = f"{self.client.name} token request refused"
        self._token, lifetime = oauth_token(response, refused, 3599)
        self._expires = time.monotonic() + max(0.0, lifetime - _TOKEN_MARGIN_SECONDS)
        return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = ""
