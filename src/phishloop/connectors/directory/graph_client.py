"""The Microsoft Graph client of the directory: the shared `ApiClient` with an app-only
token (client credentials), GET with paging through `@odata.nextLink`, throttling handled
the documented way (429/503/504 with `Retry-After`); failures become DirectoryError.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, RetryPolicy
from phishloop.connectors.cloud.microsoft import ClientCredentials
from phishloop.connectors.directory.base import DirectoryError
from phishloop.connectors.directory.settings import GraphSettings


class GraphClient:
    def __init__(
        self,
        settings: GraphSettings,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.api = ApiClient(
            settings.base_url,
            name="Graph",
            http=http,
            timeout=settings.timeout_seconds,
            sleep=sleep,
            retry=RetryPolicy(settings.max_retries, settings.max_retry_after_seconds),
        )
        self.tokens = ClientCredentials(
            self.api,
            authority=settings.authority,
            tenant_id=settings.tenant_id,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
        )

    def close(self) -> None:
        self.api.close()

    def token(self) -> str:
        """A cached app-only access token, renewed a minute before it expires."""
        try:
            return self.tokens.token()
        except ApiFailure as exc:
            raise DirectoryError(str(exc)) from None

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET a Graph path (or a nextLink); one token refresh on 401."""
        headers = {"ConsistencyLevel": "eventual"}
        try:
            return self.api.json("GET", path, self.tokens, params=params, headers=headers)
        except ApiFailure as exc:
            raise DirectoryError(str(exc)) from None

    def pages(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a collection, following `@odata.nextLink` (which already carries
        the query, so `params` go only with the first request)."""
        body = self.get(path, params)
        while True:
            yield from body.get("value", [])
            next_link = body.get("@odata.nextLink")
            if not next_link:
                return
            body = self.get(str(next_link))
