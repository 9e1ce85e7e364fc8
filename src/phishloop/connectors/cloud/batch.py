"""Batched calls: many API requests in one HTTP round trip, throttled items retried alone.

Both hosted APIs batch (Graph `POST /$batch`, JSON, up to 20 requests; Gmail
`POST /batch/gmail/v1`, multipart/mixed, up to 100). Each request in a batch is answered
on its own, so a batch can come back partly throttled (429 with its own Retry-After). The
wire format is the caller's (`send`); this module sends the requests `size` at a time and
sends again only the throttled ones, after the longest Retry-After they asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

import httpx

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, json_object

T = TypeVar("T")
Answer = httpx.Response | ApiFailure
"""One request's answer (its status, headers and body), or why the batch carrying it failed."""
Sender = Callable[[Sequence[tuple[str, T]]], dict[str, httpx.Response]]
"""Sends (id, request) pairs in one batch; the answers by id (in any order on the wire)."""


def run_batched(
    api: ApiClient,
    requests: Sequence[T],
    size: int,
    send: Sender[T],
    executor: Executor | None = None,
) -> list[Answer]:
    """Every request's answer, in the order of `requests`; the batches of a round go out
    side by side on `executor` when one is given (never one whose workers call this).

    A request answered with a retryable status (429, 503, 504, or what `api.throttled`
    recognises) is sent again in a later batch, with the other such requests only, after
    the longest wait they asked for; after `api.retry.max_retries` rounds its last answer
    stands. A batch that fails as a whole (transport, a refused token, an error answer to
    the batch itself) gives each of its requests that ApiFailure.
    """
    pending = {str(index): request for index, request in enumerate(requests)}
    answers: dict[str, Answer] = {}
    retries = api.retry.max_retries
    for attempt in range(retries + 1):
        waits: list[float] = []
        keys = list(pending)
        chunks = [[(key, pending[key]) for key in keys[start : start + size]]
                  for start in range(0, len(keys), size)]  # fmt: skip
        sent = executor.map(_attempt(send), chunks) if executor else map(_attempt(send), chunks)
        for chunk, got in zip(chunks, sent, strict=True):
            if isinstance(got, ApiFailure):
                answers.update((key, got) for key, _ in chunk)
                continue
            for key, _ in chunk:
                answer = got.get(key)
                if answer is None:
                    answers[key] = ApiFailure(
                        f"{api.name} batch: no answer to request {key}", transient=True
                    )
                elif api.retryable(answer) and attempt < retries:
                    waits.append(api.retry_delay(answer, attempt))
                else:
                    answers[key] = answer
        pending = {key: request for key, request in pending.items() if key not in answers}
        if not pending:
            break
        api.sleep(max(waits, default=0.0))
    return [answers[str(index)] for index in range(len(requests))]


def _attempt(
    send: Sender[T],
) -> Callable[[Sequence[tuple[str, T]]], dict[str, httpx.Response] | ApiFailure]:
    def attempt(chunk: Sequence[tuple[str, T]]) -> dict[str, httpx.Response] | ApiFailure:
        try:
            return send(chunk)
        except ApiFailure as exc:
            return exc

    return attempt


def answer_json(api: ApiClient, answer: Answer, method: str, path: str) -> dict[str, Any]:
    """A batched request's JSON answer; its ApiFailure raised when it failed."""
    if isinstance(answer, ApiFailure):
        raise answer
    if not answer.is_success:
        raise api.failure(answer, method, path)
    return json_object(answer)
