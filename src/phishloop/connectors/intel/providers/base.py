"""What online intel providers share: errors, rate-limit handling, the provider interface."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

from phishloop.connectors.net import GuardedHttpClient, HttpResponse, NetError
from phishloop.core.model import Indicator, IntelMatch


class ProviderError(NetError):
    """A provider answered with an error; `code` is "<provider>.<what>"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class RateLimitedError(ProviderError):
    """The provider's quota is used up; `retry_after` seconds until it may be asked again."""

    def __init__(self, code: str, message: str, retry_after: float | None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class OnlineProvider(Protocol):
    """One online service asked about single indicators."""

    name: str

    def supports(self, indicator: Indicator) -> bool: ...

    def query(self, indicator: Indicator) -> list[IntelMatch]: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """On HTTP 429: wait `Retry-After` (at most `max_wait` seconds) and try again, up to
    `retries` times; a longer wait, or no retries left, raises RateLimitedError."""

    retries: int = 2
    max_wait: float = 30.0
    default_wait: float = 5.0


Sleep = Callable[[float], None]


def send(
    http: GuardedHttpClient,
    provider: str,
    method: str,
    url: str,
    *,
    retry: RetryPolicy,
    sleep: Sleep = time.sleep,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    json_body: object = None,
) -> HttpResponse:
    """One request with rate-limit handling; errors carry `<provider>.<what>` codes."""
    for attempt in range(retry.retries + 1):
        response = http.request(
            method, url, headers=headers, data=data, params=params, json_body=json_body
        )
        if response.status != 429:
            return response
        wait = retry_after(response.headers.get("retry-after"), retry.default_wait)
        if attempt == retry.retries or wait > retry.max_wait:
            raise RateLimitedError(
                f"{provider}.rate-limited",
                f"{provider}: rate limited (retry after {wait:.0f} s)",
                wait,
            )
        sleep(wait)
    raise AssertionError("unreachable")


def retry_after(value: str | None, default: float) -> float:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, moment.timestamp() - time.time())


def expect_json(response: HttpResponse, provider: str) -> dict[str, object]:
    """The JSON object of a successful answer; ProviderError for anything else."""
    if response.status in (401, 403):
        raise ProviderError(f"{provider}.auth", f"{provider}: API key refused ({response.status})")
    if not 200 <= response.status < 300:
        raise ProviderError(f"{provider}.http", f"{provider}: HTTP {response.status}")
    body = response.json()
    if not isinstance(body, dict):
        raise ProviderError(f"{provider}.response", f"{provider}: unexpected answer shape")
    return body
