"""Delivering one webhook: a signed JSON POST. Retries with back-off come from the job
table; the delivery row shows every outcome, and the last one when it gave up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils import timezone

from phishloop import __version__
from phishloop.server.events.models import DeliveryStatus, WebhookDelivery
from phishloop.server.events.service import DELIVER_WEBHOOK, job_key
from phishloop.server.events.signing import SIGNATURE_HEADER, sign
from phishloop.server.jobs.models import Job
from phishloop.server.jobs.queue import PermanentError, register

ALLOWED_SCHEMES = frozenset({"http", "https"})
# The receiver is reachable but refuses this request; retrying the same bytes won't help.
# 408 and 429 are "try again later", so they are retried like 5xx and network errors.
_RETRYABLE_4XX = frozenset({408, 425, 429})


class DeliveryFailed(Exception):
    """A delivery attempt failed in a way a later attempt may not."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        code = self.status_code
        return code is None or code >= 500 or code in _RETRYABLE_4XX


@register(DELIVER_WEBHOOK)
def deliver_step(payload: dict[str, Any]) -> None:
    deliver(int(payload["delivery_id"]))


def deliver(delivery_id: int) -> None:
    """Send delivery `delivery_id` unless it was delivered already; raises to retry."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.status == DeliveryStatus.DELIVERED:
        return
    endpoint = delivery.endpoint
    if not endpoint.active:
        _record(delivery, Outcome(None, "endpoint is inactive"), DeliveryStatus.FAILED)
        raise PermanentError(f"webhook endpoint {endpoint.name!r} is inactive")
    body = encode(delivery.payload)
    outcome = post(endpoint.url, endpoint.secret, body, _event_headers(delivery))
    if outcome.delivered:
        _record(delivery, outcome, DeliveryStatus.DELIVERED)
        return
    final = not outcome.retryable or _last_attempt(delivery.pk)
    _record(delivery, outcome, DeliveryStatus.FAILED if final else DeliveryStatus.PENDING)
    if not outcome.retryable:
        raise PermanentError(f"webhook {endpoint.name!r}: {outcome.error}")
    raise DeliveryFailed(f"webhook {endpoint.name!r}: {outcome.error}")


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def post(url: str, secret: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` signed with `secret`; never raises for network or HTTP errors."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return Outcome(0, f"refused: {scheme or 'no'} scheme (only http and https)")
    signed = {
        **headers,
        "Content-Type": "application/json",
        "User-Agent": f"phishloop/{__version__}",
        SIGNATURE_HEADER: sign(secret, body),
    }
    timeout = httpx.Timeout(settings.PHISHLOOP_WEBHOOK_TIMEOUT)
    try:
        # Redirects are not followed: a moved endpoint should be reconfigured, not guessed.
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=signed)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, "")
    return Outcome(response.status_code, f"HTTP {response.status_code}: {response.text[:300]}")


def _event_headers(delivery: WebhookDelivery) -> dict[str, str]:
    return {"X-Phishloop-Event": delivery.event, "X-Phishloop-Delivery": str(delivery.event_id)}


def _last_attempt(delivery_id: int) -> bool:
    job = Job.objects.filter(key=job_key(delivery_id)).only("attempts", "max_attempts").first()
    return job is None or job.attempts >= job.max_attempts


def _record(delivery: WebhookDelivery, outcome: Outcome, status: str) -> None:
    now = timezone.now()
    delivery.status = status
    delivery.attempts += 1
    delivery.response_code = outcome.status_code or None
    delivery.last_error = outcome.error[:4000]
    delivery.last_attempt_at = now
    if status == DeliveryStatus.DELIVERED:
        delivery.delivered_at = now
    delivery.save()
