"""A small client for Dovecot's doveadm HTTP API (`POST /doveadm/v1`, JSON command lists).

One request carries many commands; each gets its own answer or error, so a batch of
mailboxes costs one round trip. Exit codes follow sysexits: 67 unknown user, 68 not
found, 75 temporary failure.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from phishloop.connectors.mailstore.base import MailStoreError

_EXIT_REASONS = {
    65: "invalid data or already exists",
    67: "unknown user",
    68: "not found",
    75: "temporary failure",
    77: "permission denied",
}


@dataclass(frozen=True, slots=True)
class CommandError:
    """A command's error answer (the rest of the batch still ran)."""

    exit_code: int
    kind: str

    @property
    def transient(self) -> bool:
        return self.exit_code == 75 or self.kind == "tempfail"

    @property
    def reason(self) -> str:
        detail = _EXIT_REASONS.get(self.exit_code, self.kind)
        return f"doveadm: {detail} (exit code {self.exit_code})"


Command = tuple[str, Mapping[str, Any]]


class DoveadmApi:
    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        token = base64.b64encode(api_key.encode()).decode()
        self._http = httpx.Client(
            headers={"Authorization": f"X-Dovecot-API {token}"},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
            # Plain http:// has nothing to verify: skip loading the CA bundle (~20 ms for
            # every store a pull batch opens). https:// verifies as usual.
            verify=not url.lower().startswith("http://"),
        )

    def call(self, commands: Sequence[Command]) -> list[Any]:
        """Run `commands` in one request; each result is the answer or a CommandError."""
        if not commands:
            return []
        body = [[name, dict(params), f"c{i}"] for i, (name, params) in enumerate(commands)]
        response = self._post(body)
        if response.status_code in (401, 403):
            raise MailStoreError(f"doveadm API at {self.url} rejected the API key")
        if response.status_code != 200:
            transient = response.status_code >= 500
            message = f"doveadm API at {self.url}: HTTP {response.status_code}"
            raise MailStoreError(message, transient=transient)
        return self._answers(response.json(), len(commands))

    def close(self) -> None:
        self._http.close()

    def _post(self, body: list[Any]) -> httpx.Response:
        """POST once more on a dropped connection (a kept-alive one the server closed);
        the commands we send are safe to repeat."""
        for attempt in range(2):
            try:
                return self._http.post(self.url, json=body)
            except httpx.TransportError as exc:
                if attempt == 1 or isinstance(exc, httpx.TimeoutException):
                    raise MailStoreError(
                        f"doveadm API at {self.url}: {exc}", transient=True
                    ) from exc
        raise AssertionError("unreachable")

    @staticmethod
    def _answers(payload: Any, count: int) -> list[Any]:
        answers: list[Any] = [CommandError(75, "no answer")] * count
        for entry in payload if isinstance(payload, list) else ():
            kind, value, tag = entry[0], entry[1], str(entry[2])
            if not tag.startswith("c") or not tag[1:].isdigit() or int(tag[1:]) >= count:
                continue
            if kind == "doveadmResponse":
                answers[int(tag[1:])] = value
            else:
                code = value.get("exitCode", 0) if isinstance(value, dict) else 0
                answers[int(tag[1:])] = CommandError(int(code), str(value.get("type", kind)))
        return answers
