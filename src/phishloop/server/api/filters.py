"""Validating list filters: an unknown value is a 400 that names the valid ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import exceptions


def choice(name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise exceptions.ValidationError({name: [f"{value!r} is not one of {', '.join(allowed)}"]})
    return value


def since(value: str) -> datetime:
    """An ISO 8601 date or date-time; without a zone, UTC."""
    try:
        moment = parse_datetime(value)
        day = parse_date(value) if moment is None else None
    except ValueError:  # well-formed but impossible, like 2025-02-30
        moment = day = None
    if day is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise exceptions.ValidationError(
            {"since": [f"{value!r} is not an ISO 8601 date or date-time (2025-01-31T08:00Z)"]}
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)
