"""urlscan.io: the search API (`API-Key` header) for earlier scans with a malicious
verdict, and private submissions.

A match means urlscan holds at least one scan of that URL, page domain or page IP whose
verdict is malicious; the search query adds `verdict_filter` for that. `submit_private`
never makes a public or unlisted scan: visibility is always "private".
"""

from __future__ import annotations

import time

from phishloop.connectors.intel.providers.base import (
    ProviderError,
    RetryPolicy,
    Sleep,
    expect_json,
    send,
)
from phishloop.connectors.net import GuardedHttpClient
from phishloop.core.enrich.feeds.base import to_iso
from phishloop.core.model import Indicator, IntelMatch

NAME = "urlscan"
DEFAULT_BASE_URL = "https://urlscan.io/api/v1"
DEFAULT_VERDICT_FILTER = "verdicts.malicious:true"
_FIELDS = {"url": "page.url", "domain": "page.domain", "ip": "page.ip"}


def quoted(value: str) -> str:
    """A search term as an Elasticsearch quoted phrase."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Urlscan:
    name = NAME

    def __init__(
        self,
        http: GuardedHttpClient,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        verdict_filter: str = DEFAULT_VERDICT_FILTER,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._http, self._key = http, api_key
        self._base = base_url.rstrip("/")
        self._filter = verdict_filter
        self._retry, self._sleep = retry or RetryPolicy(), sleep

    def supports(self, indicator: Indicator) -> bool:
        return indicator.type in _FIELDS

    def query(self, indicator: Indicator) -> list[IntelMatch]:
        search = f"{_FIELDS[indicator.type]}:{quoted(indicator.value)} AND {self._filter}"
        response = send(
            self._http,
            NAME,
            "GET",
            f"{self._base}/search/",
            retry=self._retry,
            sleep=self._sleep,
            headers={"API-Key": self._key},
            params={"q": search, "size": "10"},
        )
        results = expect_json(response, NAME).get("results")
        scans = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        if not scans:
            return []
        tasks = [s["task"] for s in scans if isinstance(s.get("task"), dict)]
        times = sorted(t for t in (to_iso(task.get("time")) for task in tasks) if t)
        uuid = next((str(t["uuid"]) for t in tasks if t.get("uuid")), None)
        reference = f"https://urlscan.io/result/{uuid}/" if uuid else None
        return [
            IntelMatch(
                indicator,
                indicator,
                "exact",
                NAME,
                "malicious",
                None,
                reference,
                times[0] if times else None,
            )
        ]

    def submit_private(self, url: str) -> str:
        """Submit `url` for a private scan; returns the scan's UUID."""
        response = send(
            self._http,
            NAME,
            "POST",
            f"{self._base}/scan/",
            retry=self._retry,
            sleep=self._sleep,
            headers={"API-Key": self._key},
            json_body={"url": url, "visibility": "private"},
        )
        uuid = expect_json(response, NAME).get("uuid")
        if not isinstance(uuid, str):
            raise ProviderError(f"{NAME}.response", f"{NAME}: submission answer has no uuid")
        return uuid
