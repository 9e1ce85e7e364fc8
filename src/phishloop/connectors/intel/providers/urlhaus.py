"""URLhaus API (abuse.ch): URL, host and payload look-ups, form-encoded POSTs with the
`Auth-Key` header. `query_status` "ok" is a match (URLhaus lists malware distribution),
"no_results" is none, anything else is an error."""

from __future__ import annotations

import time
from collections.abc import Mapping

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

NAME = "urlhaus-api"
DEFAULT_BASE_URL = "https://urlhaus-api.abuse.ch/v1"
_ENDPOINTS = {
    "url": ("url", "url"),
    "domain": ("host", "host"),
    "ip": ("host", "host"),
    "md5": ("payload", "md5_hash"),
    "sha256": ("payload", "sha256_hash"),
}
_THREATS = {"malware_download": "malware"}


class UrlhausApi:
    name = NAME

    def __init__(
        self,
        http: GuardedHttpClient,
        auth_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._http, self._key = http, auth_key
        self._base = base_url.rstrip("/")
        self._retry, self._sleep = retry or RetryPolicy(), sleep

    def supports(self, indicator: Indicator) -> bool:
        return indicator.type in _ENDPOINTS

    def query(self, indicator: Indicator) -> list[IntelMatch]:
        endpoint, field = _ENDPOINTS[indicator.type]
        response = send(
            self._http,
            NAME,
            "POST",
            f"{self._base}/{endpoint}/",
            retry=self._retry,
            sleep=self._sleep,
            headers={"Auth-Key": self._key},
            data={field: indicator.value},
        )
        body = expect_json(response, NAME)
        status = body.get("query_status")
        if status == "no_results":
            return []
        if status != "ok":
            raise ProviderError(f"{NAME}.query", f"{NAME}: query_status {status!r}")
        return [_match(indicator, body)]


def _match(indicator: Indicator, body: Mapping[str, object]) -> IntelMatch:
    threat = str(body.get("threat") or "malware_download")
    reference = body.get("urlhaus_reference") or body.get("urlhaus_download")
    seen = body.get("date_added") or body.get("firstseen")
    return IntelMatch(
        indicator,
        indicator,
        "exact",
        NAME,
        _THREATS.get(threat, threat),
        None,
        str(reference) if reference else None,
        to_iso(seen),
    )
