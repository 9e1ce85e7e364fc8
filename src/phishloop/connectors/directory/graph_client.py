"""A small Microsoft Graph client: app-only token (client credentials), GET with paging
through `@odata.nextLink`, and throttling handled the documented way (429/503/504 with
`Retry-After`). Uses httpx directly: the hosts are fixed by configuration, never chosen
by a reported mail, so the SSRF guard for attacker-chosen URLs does not apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from phishloop.connectors.directory.base import DirectoryError
from phishloop.connectors.directory.settings import GraphSettings

_RETRY_STATUSES = frozenset({429, 503, 504})
_TOKEN_MARGIN_SECONDS = 60.0


class GraphClient:
    def __init__(
        self,
        settings: GraphSettings,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.http = http or httpx.Client(timeout=settings.timeout_seconds, trust_env=False)
        self.sleep = sleep
        self._token = ""
        self._token_expires = 0.0
        origin = urlsplit(settings.base_url)
        self._origin = (origin.scheme, origin.netloc)
        self._scope = f"{origin.scheme}://{origin.netloc}/.default"

    def close(self) -> None:
        self.http.close()

    def token(self) -> str:
        """A cached app-only access token, renewed a minute before it expires."""
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        s = self.settings
        url = f"{s.authority}/{s.tenant_id}/oauth2/v2.0/token"
        form = {
            "client_id": s.client_id,
            "client_secret": s.client_secret,
            "scope": self._scope,
            "grant_type": "client_credentials",
        }
        response = self._send("POST", url, data=form)
        body = _json(response)
        if response.status_code != 200 or "access_token" not in body:
            reason = body.get("error_description") or body.get("error") or response.status_code
            raise DirectoryError(f"Graph token request refused: {str(reason)[:300]}")
        self._token = str(body["access_token"])
        lifetime = float(body.get("expires_in", 3599))
        self._token_expires = time.monotonic() + max(0.0, lifetime - _TOKEN_MARGIN_SECONDS)
        return self._token

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET a Graph path (or a nextLink); one token refresh on 401."""
        url = path if "://" in path else f"{self.settings.base_url}{path}"
        self._check_origin(url)
        response: httpx.Response | None = None
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self.token()}", "ConsistencyLevel": "eventual"}
            response = self._send("GET", url, params=params, headers=headers)
            if response.status_code == 401 and attempt == 0:
                self._token = ""  # expired or revoked early: fetch a new one once
                continue
            break
        assert response is not None  # the loop runs at least once
        body = _json(response)
        if response.status_code != 200:
            found = body.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            code = error.get("code", response.status_code)
            raise DirectoryError(
                f"Graph GET {urlsplit(url).path}: {code}: {error.get('message', '')}"[:300]
            )
        return body

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

    def _check_origin(self, url: str) -> None:
        # The bearer token must only ever go to the configured Graph host.
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise DirectoryError(f"Graph returned a link to another host: {parts.netloc}")

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, retried on throttling and transport errors."""
        retries = self.settings.max_retries
        for attempt in range(retries + 1):
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise DirectoryError(
                        f"Graph {urlsplit(url).netloc}: {type(exc).__name__}: {exc}"
                    ) from None
                self.sleep(min(2.0**attempt, self.settings.max_retry_after_seconds))
                continue
            if response.status_code not in _RETRY_STATUSES or attempt == retries:
                return response
            self.sleep(self._retry_after(response, attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        header = response.headers.get("Retry-After", "")
        try:
            delay = float(header)
        except ValueError:
            delay = 2.0**attempt  # no (numeric) Retry-After: exponential back-off
        return max(0.0, min(delay, self.settings.max_retry_after_seconds))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
