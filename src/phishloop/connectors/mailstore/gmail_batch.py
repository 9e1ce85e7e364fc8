"""Gmail batching (`POST /batch/gmail/v1`): many Gmail calls in one multipart/mixed request.

Each part is `Content-Type: application/http` with a `Content-ID`, its body one whole HTTP
request (request line with the path only, headers, body). The answer is multipart/mixed
too: one `application/http` part per call, `Content-ID: <response-{id}>`, holding the whole
HTTP response; calls run in any order, so the id is what pairs them. The outer request's
Authorization applies to every call, so a batch holds one user's calls only. Google allows
100 calls a batch and advises at most 50; each call counts against the quota on its own,
and a throttled call (429, 403 rate limit) is sent again alone (`run_batched`).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from phishloop.connectors.cloud.api import ApiClient, TokenSource
from phishloop.connectors.cloud.batch import Answer, run_batched

GMAIL_BATCH_SIZE = 50  # Google's advice (the limit is 100)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_LINE = re.compile(rb"\r?\n")


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str  # below the API root, e.g. /users/{user}/messages/{id}
    params: Sequence[tuple[str, str]] = ()
    body: Mapping[str, Any] | None = None


def gmail_batch(api: ApiClient, tokens: TokenSource, calls: Sequence[Call]) -> list[Answer]:
    """Every call's answer, in order (see `run_batched`)."""
    root = urlsplit(api.base_url)
    batch_url = f"{root.scheme}://{root.netloc}/batch{root.path}"

    def send(chunk: Sequence[tuple[str, Call]]) -> dict[str, httpx.Response]:
        boundary = f"phishloop_{secrets.token_hex(12)}"
        content = b"".join(_part(boundary, root.path, key, call) for key, call in chunk)
        content += f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/mixed; boundary={boundary}"}
        response = api.call("POST", batch_url, tokens, content=content, headers=headers)
        if not response.is_success:
            raise api.failure(response, "POST", batch_url)
        return parse_batch_response(response)

    return run_batched(api, calls, GMAIL_BATCH_SIZE, send)


def _part(boundary: str, root: str, key: str, call: Call) -> bytes:
    target = f"{root}{call.path}"
    if call.params:
        target += "?" + urlencode(list(call.params))
    lines = [f"--{boundary}", "Content-Type: application/http", f"Content-ID: <{key}>", "",
             f"{call.method} {target} HTTP/1.1"]  # fmt: skip
    body = b""
    if call.body is not None:
        body = json.dumps(dict(call.body)).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body + b"\r\n"


def parse_batch_response(response: httpx.Response) -> dict[str, httpx.Response]:
    """The HTTP responses inside a multipart/mixed batch answer, by the id of their call."""
    match = re.search(r'boundary="?([^";]+)"?', response.headers.get("Content-Type", ""))
    if match is None:
        return {}
    answers = {}
    for part in response.content.split(b"--" + match.group(1).encode()):
        if part.strip() in (b"", b"--"):
            continue
        part_head, http = _split(part.lstrip(b"\r\n"))
        content_id = _headers(part_head).get("content-id", "").strip("<> ")
        key = content_id.removeprefix("response-")
        head, body = _split(http)
        status_line, *header_lines = _LINE.split(head)
        fields = status_line.split(b" ", 2)
        if not key or len(fields) < 2 or not fields[1].isdigit():
            continue
        headers = _headers(b"\n".join(header_lines))
        headers.pop("content-length", None)  # the body is re-framed here
        answers[key] = httpx.Response(int(fields[1]), headers=headers, content=body.rstrip(b"\r\n"))
    return answers


def _split(data: bytes) -> tuple[bytes, bytes]:
    """(head, body) of an HTTP message or a MIME part."""
    head, *body = _BLANK_LINE.split(data, 1)
    return head, body[0] if body else b""


def _headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in _LINE.split(block):
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers
