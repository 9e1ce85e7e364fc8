"""Microsoft Graph JSON batching (`POST /$batch`): up to 20 requests in one round trip.

Each request carries an `id`, `method`, `url` (below the version root, query included)
and, for a JSON body, the body and its Content-Type header. The answer lists one response
per request — `id`, `status`, `headers`, `body` — in any order; a throttled request is
answered 429 with its own Retry-After and sent again alone (`run_batched`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from phishloop.connectors.cloud.api import ApiClient, TokenSource
from phishloop.connectors.cloud.batch import Answer, run_batched

GRAPH_BATCH_SIZE = 20  # Graph's limit per batch


@dataclass(frozen=True, slots=True)
class SubRequest:
    method: str
    path: str  # below the version root, e.g. /users/{id}/messages/{id}/move
    params: Mapping[str, str] | None = None
    body: dict[str, Any] | None = None

    @property
    def url(self) -> str:
        if not self.params:
            return self.path
        return f"{self.path}?{urlencode(dict(self.params), quote_via=quote, safe='$')}"


def graph_batch(
    api: ApiClient,
    tokens: TokenSource,
    requests: Sequence[SubRequest],
    executor: Executor | None = None,
) -> list[Answer]:
    """Every request's answer, in order (see `run_batched`)."""

    def send(chunk: Sequence[tuple[str, SubRequest]]) -> dict[str, httpx.Response]:
        payload = {"requests": [_request(key, request) for key, request in chunk]}
        body = api.json("POST", "/$batch", tokens, json=payload)
        answers = {}
        for item in body.get("responses") or []:
            if isinstance(item, dict) and "id" in item:
                answers[str(item["id"])] = _response(item)
        return answers

    return run_batched(api, requests, GRAPH_BATCH_SIZE, send, executor)


def _request(key: str, request: SubRequest) -> dict[str, Any]:
    item: dict[str, Any] = {"id": key, "method": request.method, "url": request.url}
    if request.body is not None:
        item["body"] = request.body
        item["headers"] = {"Content-Type": "application/json"}
    return item


def _response(item: dict[str, Any]) -> httpx.Response:
    headers = item.get("headers") if isinstance(item.get("headers"), dict) else {}
    body = item.get("body")
    try:
        status = int(item.get("status", 500))
    except (TypeError, ValueError):
        status = 500
    if isinstance(body, dict | list):
        return httpx.Response(status, headers=headers, json=body)
    return httpx.Response(status, headers=headers)
