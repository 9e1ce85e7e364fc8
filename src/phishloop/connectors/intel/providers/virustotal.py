"""VirusTotal API v3: URL, domain, IP and file reports (GET, `x-apikey` header).

A report is a match when at least `min_detections` engines call the object malicious
(category "malicious"), else when as many call it suspicious ("suspicious"); the
confidence is the share of engines that said malicious. 404 means VirusTotal has never
seen it: no match.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from urllib.parse import quote

from phishloop.connectors.intel.providers.base import (
    RetryPolicy,
    Sleep,
    expect_json,
    send,
)
from phishloop.connectors.net import GuardedHttpClient
from phishloop.core.enrich.feeds.base import to_iso
from phishloop.core.model import Indicator, IntelMatch

NAME = "virustotal"
DEFAULT_BASE_URL = "https://www.virustotal.com/api/v3"
_GUI = "https://www.virustotal.com/gui"
_COLLECTIONS = {
    "url": "urls",
    "domain": "domains",
    "ip": "ip_addresses",
    "md5": "files",
    "sha1": "files",
    "sha256": "files",
}
_GUI_KINDS = {"urls": "url", "domains": "domain", "ip_addresses": "ip-address", "files": "file"}


def url_id(url: str) -> str:
    """VirusTotal's identifier of a URL: unpadded URL-safe base64 of the URL."""
    return base64.urlsafe_b64encode(url.encode()).decode("ascii").rstrip("=")


class VirusTotal:
    name = NAME

    def __init__(
        self,
        http: GuardedHttpClient,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        min_detections: int = 2,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._http, self._key = http, api_key
        self._base = base_url.rstrip("/")
        self._min = min_detections
        self._retry, self._sleep = retry or RetryPolicy(), sleep

    def supports(self, indicator: Indicator) -> bool:
        return indicator.type in _COLLECTIONS

    def query(self, indicator: Indicator) -> list[IntelMatch]:
        collection = _COLLECTIONS[indicator.type]
        object_id = url_id(indicator.value) if indicator.type == "url" else indicator.value
        response = send(
            self._http,
            NAME,
            "GET",
            f"{self._base}/{collection}/{quote(object_id, safe='')}",
            retry=self._retry,
            sleep=self._sleep,
            headers={"x-apikey": self._key},
        )
        if response.status == 404:
            return []
        data = expect_json(response, NAME).get("data")
        attributes = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attributes, dict):
            return []
        return self._verdict(indicator, attributes, f"{_GUI}/{_GUI_KINDS[collection]}/{object_id}")

    def _verdict(
        self, indicator: Indicator, attributes: Mapping[str, object], reference: str
    ) -> list[IntelMatch]:
        stats = attributes.get("last_analysis_stats")
        if not isinstance(stats, dict):
            return []
        counts = {k: v for k, v in stats.items() if isinstance(v, int)}
        malicious, suspicious = counts.get("malicious", 0), counts.get("suspicious", 0)
        if malicious >= self._min:
            category = "malicious"
        elif suspicious >= self._min:
            category = "suspicious"
        else:
            return []
        total = sum(counts.get(k, 0) for k in ("malicious", "suspicious", "harmless", "undetected"))
        seen = attributes.get("first_submission_date") or attributes.get("creation_date")
        return [
            IntelMatch(
                indicator,
                indicator,
                "exact",
                NAME,
                category,
                round(malicious / total, 3) if total else None,
                reference,
                to_iso(seen),
            )
        ]
