"""`ApiClient`: JSON-over-HTTPS calls with a bearer token, retried the documented way.

Throttling (429, 503, 504, and whatever `throttled` recognises, e.g. Gmail's 403
rateLimitExceeded) is retried after `Retry-After` seconds, else with exponential
back-off, both capped; transport errors are retried too. A 401 fetches a new token once.
Hosts come from configuration, never from a reported mail, so the SSRF guard for
attacker-chosen URLs does not apply; links a server returns must stay on its origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from phishloop.core.errors import PhishloopError

_RETRY_STATUSES = frozenset({429, 503, 504})


class ApiFailure(PhishloopError):
    """A call failed for good: `status` (0 without a response), the API's error `code`."""

    def __init__(self, message: str, *, status: int = 0, code: str = "", transient: bool = False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.transient = transient


class TokenSource(Protocol):
    def token(self) -> str:
        """A valid access token (cached until shortly before it expires)."""
        ...

    def invalidate(self) -> None:
        """Forget the cached token (the server refused it)."""
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 5
    max_retry_after_seconds: float = 120.0


def never_throttled(response: httpx.Response) -> bool:
    return False


class ApiClient:
    """Calls below `base_url`; `name` prefixes error messages (e.g. "Graph")."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy = RetryPolicy(),
        throttled: Callable[[httpx.Response], bool] = never_throttled,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.http = http or httpx.Client(timeout=timeout, trust_env=False)
        self.sleep = sleep
        self.retry = retry
        self.throttled = throttled
        origin = urlsplit(self.base_url)
        self._origin = (origin.scheme, origin.netloc)

    def close(self) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}{path}"

    def call(self, method: str, path: str, tokens: TokenSource, **kwargs: Any) -> httpx.Response:
        """One authorised request (path below base_url, or a link the API returned)."""
        url = self.url(path)
        self.check_origin(url)
        extra = dict(kwargs.pop("headers", None) or {})
        response: httpx.Response | None = None
        for attempt in range(2):
            headers = {**extra, "Authorization": f"Bearer {tokens.token()}"}
            response = self.send(method, url, headers=headers, **kwargs)
            if response.status_code == 401 and attempt == 0:
                tokens.invalidate()  # expired or revoked early: fetch a new one once
                continue
            break
        assert response is not None  # the loop runs at least once
        return response

    def json(self, method: str, path: str, tokens: TokenSource, **kwargs: Any) -> dict[str, Any]:
        """`call` that expects a 2xx JSON answer; ApiFailure otherwise."""
        response = self.call(method, path, tokens, **kwargs)
        if not response.is_success:
            raise self.failure(response, method, path)
        return json_object(response)

    def pages(
        self,
        path: str,
        tokens: TokenSource,
        params: Mapping[str, str] | None = None,
        *,
        next_link: Callable[[dict[str, Any]], str | None],
        next_params: Callable[[dict[str, Any]], Mapping[str, str] | None] = lambda body: None,
        items: str = "value",
        first: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged collection: follow `next_link(body)` (a URL) or call `path`
        again with `next_params(body)` (a page token) until neither gives one. `first` is
        the first page when it was read already (in a batch)."""
        body = first if first is not None else self.json("GET", path, tokens, params=params)
        while True:
            yield from body.get(items, []) or []
            link, more = next_link(body), next_params(body)
            if link:
                body = self.json("GET", link, tokens)
            elif more:
                body = self.json("GET", path, tokens, params={**(params or {}), **more})
            else:
                return

    def check_origin(self, url: str) -> None:
        # The bearer token must only ever go to the configured host.
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise ApiFailure(f"{self.name} returned a link to another host: {parts.netloc}")

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, retried on throttling and transport errors."""
        retries = self.retry.max_retries
        for attempt in range(retries + 1):
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt == retries:
                    where = urlsplit(url).netloc
                    message = f"{self.name} {where}: {type(exc).__name__}: {exc}"
                    raise ApiFailure(message, transient=True) from None
                self.sleep(self._cap(2.0**attempt))
                continue
            if not self.retryable(response) or attempt == retries:
                return response
            self.sleep(self.retry_delay(response, attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def failure(self, response: httpx.Response, method: str, path: str) -> ApiFailure:
        """An ApiFailure describing an error answer (Graph and Google error bodies)."""
        code, message = error_of(response)
        where = urlsplit(self.url(path)).path
        status = response.status_code
        return ApiFailure(
            f"{self.name} {method} {where}: {status} {code}: {message}"[:400],
            status=status,
            code=code,
            transient=status >= 500 or self.retryable(response),
        )

    def retryable(self, response: httpx.Response) -> bool:
        """Whether the answer says "try again later" (throttled or briefly unavailable)."""
        return response.status_code in _RETRY_STATUSES or self.throttled(response)

    def retry_delay(self, response: httpx.Response, attempt: int) -> float:
        """Seconds to wait before retry `attempt` + 1: Retry-After, else back-off; capped."""
        try:
            return self._cap(float(response.headers.get("Retry-After", "")))
        except ValueError:
            return self._cap(2.0**attempt)  # no (numeric) Retry-After: exponential back-off

    def _cap(self, delay: float) -> float:
        return max(0.0, min(delay, self.retry.max_retry_after_seconds))


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def oauth_token(
    response: httpx.Response, refused: str, default_lifetime: float
) -> tuple[str, float]:
    """(access token, lifetime in seconds) from an OAuth 2.0 token endpoint's answer, or
    ApiFailure "`refused`: reason" (transient when the endpoint is busy or failing)."""
    body = json_object(response)
    if response.status_code != 200 or "access_token" not in body:
        reason = body.get("error_description") or body.get("error") or response.status_code
        raise ApiFailure(
            f"{refused}: {str(reason)[:300]}",
            status=response.status_code,
            code=str(body.get("error", "")),
            transient=response.status_code >= 500 or response.status_code == 429,
        )
    return str(body["access_token"]), float(body.get("expires_in", default_lifetime))


def error_of(response: httpx.Response) -> tuple[str, str]:
    """(code, message) from `{"error": {"code", "message"}}` (Graph; Google puts a number in
    code and the reason in `errors[0].reason` or `status`) or an OAuth `{"error", ...}`."""
    body = json_object(response)
    error = body.get("error")
    if isinstance(error, dict):
        reasons = error.get("errors") or [{}]
        reason = reasons[0].get("reason") if isinstance(reasons[0], dict) else None
        code = reason or error.get("status") or error.get("code") or response.status_code
        return str(code), str(error.get("message", ""))
    if isinstance(error, str):
        return error, str(body.get("error_description", ""))
    return str(response.status_code), response.reason_phrase
