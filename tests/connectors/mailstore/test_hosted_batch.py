"""The batch runner shared by the Graph and Gmail stores, and Gmail's multipart answer."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, RetryPolicy
from phishloop.connectors.cloud.batch import run_batched
from phishloop.connectors.mailstore.gmail_batch import parse_batch_response


def client(waits: list[float], retries: int = 3) -> ApiClient:
    return ApiClient("https://api.test/v1", name="Test", sleep=waits.append,
                     retry=RetryPolicy(max_retries=retries))  # fmt: skip


def test_chunks_retry_only_throttled_items_and_keep_the_order() -> None:
    waits: list[float] = []
    sent: list[list[str]] = []
    throttled = {"b": 2, "e": 1}  # b throttled twice, e once

    def send(chunk: Sequence[tuple[str, str]]) -> dict[str, httpx.Response]:
        sent.append([item for _, item in chunk])
        out = {}
        for key, item in reversed(chunk):  # answers in another order
            if throttled.get(item, 0):
                throttled[item] -= 1
                out[key] = httpx.Response(429, headers={"Retry-After": "3" if item == "b" else "9"})
            else:
                out[key] = httpx.Response(200, json={"item": item})
        return out

    answers = run_batched(client(waits), list("abcde"), 2, send)
    assert [a.json()["item"] for a in answers if isinstance(a, httpx.Response)] == list("abcde")
    assert sent == [["a", "b"], ["c", "d"], ["e"], ["b", "e"], ["b"]]
    assert waits == [9.0, 3.0]  # the longest Retry-After of each round


def test_a_failed_batch_fails_its_items_and_retries_run_out() -> None:
    waits: list[float] = []

    def send(chunk: Sequence[tuple[str, int]]) -> dict[str, httpx.Response]:
        if chunk[0][1] == 0:
            raise ApiFailure("Test POST /batch: 500", status=500, transient=True)
        answers = {key: httpx.Response(503) for key, _ in chunk}
        if len(chunk) > 1:
            answers.pop(chunk[-1][0])  # the server forgot one
        return answers

    answers = run_batched(client(waits, retries=1), [0, 1, 2, 3], 2, send)
    assert [type(a).__name__ for a in answers] == ["ApiFailure", "ApiFailure", "Response",
                                                   "ApiFailure"]  # fmt: skip
    assert isinstance(answers[2], httpx.Response) and answers[2].status_code == 503
    assert "no answer" in str(answers[3]) and answers[3].transient  # type: ignore[union-attr]
    assert waits == [1.0]  # no Retry-After: back-off


def test_gmail_multipart_answer_is_paired_by_content_id() -> None:
    body = (
        b"--batch_abc\r\nContent-Type: application/http\r\nContent-ID: <response-7>\r\n\r\n"
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        b'{"error": {"code": 404}}\r\n'
        b"--batch_abc\r\nContent-Type: application/http\r\nContent-ID: <response-3>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
        b"Content-Length: 12\r\n\r\n"
        b'{"id": "m3"}\r\n--batch_abc--\r\n'
    )
    response = httpx.Response(
        200, headers={"Content-Type": "multipart/mixed; boundary=batch_abc"}, content=body
    )
    answers = parse_batch_response(response)
    assert sorted(answers) == ["3", "7"]
    assert answers["3"].status_code == 200 and answers["3"].json() == {"id": "m3"}
    assert answers["7"].status_code == 404
