"""`GuardedHttpClient`: the one HTTP client for outbound requests (httpx underneath).

Every request, and so every redirect a caller chooses to follow, passes the SSRF policy
in the transport: the name is resolved and checked, then the connection goes to that
checked address with the original Host header and TLS server name (certificates are
still verified against the host name). Environment proxies are ignored (a proxy would
resolve names itself, out of the guard's sight). Responses are read up to a size cap and
a total time budget.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from phishloop import __version__
from phishloop.connectors.net.ssrf import (
    BlockedDestinationError,
    NetError,
    NetTimeoutError,
    OutboundPolicy,
    Resolver,
    ResponseTooLargeError,
    resolve_checked,
    system_resolver,
)

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body as JSON; NetError when it is not."""
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise NetError(f"response is not JSON: {exc}") from None


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that connects only to destinations the policy allows."""

    def __init__(
        self,
        policy: OutboundPolicy,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        # No connection reuse: a pooled connection is keyed by the checked IP address, and
        # must never carry a request for another host name that resolved to the same IP.
        self._inner = httpx.HTTPTransport(
            retries=0,
            trust_env=False,
            verify=verify,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in self._policy.schemes:
            raise BlockedDestinationError(f"refusing scheme {url.scheme!r}")
        port = url.port or _DEFAULT_PORTS[url.scheme]
        address = resolve_checked(url.host, port, self._policy, self._resolver)
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": url.host}
        request.url = url.copy_with(host=str(address))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class GuardedHttpClient:
    """Small synchronous HTTP client for connectors; raises NetError subclasses."""

    def __init__(
        self,
        policy: OutboundPolicy | None = None,
        *,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        """`verify` is an SSL context trusting an internal CA, when a provider needs one."""
        self.policy = policy or OutboundPolicy()
        timeout = httpx.Timeout(
            self.policy.read_timeout,
            connect=self.policy.connect_timeout,
        )
        self._client = httpx.Client(
            transport=GuardedTransport(self.policy, resolver, verify),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": f"phishloop/{__version__}"},
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json_body: object = None,
    ) -> HttpResponse:
        """Send one request and read its body within the policy's size and time limits."""
        deadline = time.monotonic() + self.policy.total_timeout
        try:
            with self._client.stream(
                method, url, headers=headers, params=params, data=data, json=json_body
            ) as response:
                content = self._read(response, deadline)
                return HttpResponse(response.status_code, dict(response.headers), content)
        except httpx.TimeoutException as exc:
            raise NetTimeoutError(
                f"{method} {_safe(url)}: timed out ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            raise NetError(f"{method} {_safe(url)}: {exc}") from None

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self.policy.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise ResponseTooLargeError(f"response of {declared} bytes exceeds the {cap}-byte cap")
        chunks, size = [], 0
        # Decoded bytes are counted, so a small gzip body cannot expand past the cap.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise ResponseTooLargeError(f"response exceeds the {cap}-byte cap")
            if time.monotonic() > deadline:
                raise NetTimeoutError(f"response not complete within {self.policy.total_timeout} s")
            chunks.append(chunk)
        return b"".join(chunks)


def _safe(url: str) -> str:
    """The URL without its query (which may carry an API key) for error messages."""
    return url.split("?", 1)[0]
