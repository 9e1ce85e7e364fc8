"""Signals about incidents, sent inside the transaction of the change, so a receiver that
queues a job (a webhook delivery, a notification) commits with the change or not at all.

Each is sent with `incident=<Incident>` and `actor=<str>`; `verdict_changed` also with
`previous` (the former category, "" when there was none)."""

from __future__ import annotations

from django.dispatch import Signal

incident_created = Signal()
verdict_changed = Signal()
