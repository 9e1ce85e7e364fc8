"""Dates as written in trace headers (the part of a Received header after ';')."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

_COMMENT = re.compile(r"\([^()]{0,200}\)")
# The usual RFC 5322 shape with a numeric zone, read directly (the stdlib parser is slower).
_COMMON = re.compile(
    r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\.\d{1,9})?\s+([+-]\d{4})\b"
)
# Seen in bulk spam: "Sep, 17 2002 11:39:32 AM +1200" (month first, 12-hour clock).
_MONTH_FIRST = re.compile(
    r"([A-Za-z]{3})[a-z]*,?\s+(\d{1,2}),?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([AaPp][Mm])?\s*([+-]\d{4})?"
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_MIN_YEAR, _MAX_YEAR = 1980, 2200


def parse_trace_date(text: str) -> datetime | None:
    """A timezone-aware datetime, or None when `text` is not a plausible date.
    Dates without a zone (RFC 5322 "-0000") are taken as UTC."""
    text = text[:300]
    parsed = _common(text)
    if parsed is None:
        parsed = _general(_COMMENT.sub(" ", text).strip())
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _common(text: str) -> datetime | None:
    match = _COMMON.match(text)
    if match is None:
        return None
    day, month_name, year, hour, minute, second, zone = match.groups()
    return _build((year, month_name, day), (int(hour), minute, second), zone)


def _general(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return _month_first(text)


def _month_first(text: str) -> datetime | None:
    match = _MONTH_FIRST.match(text)
    if match is None:
        return None
    month_name, day, year, hour, minute, second, half, zone = match.groups()
    hour_value = int(hour)
    if half:  # 12-hour clock: 12 AM is 0h, 12 PM is 12h
        hour_value = hour_value % 12 + (12 if half.lower() == "pm" else 0)
    return _build((year, month_name, day), (hour_value, minute, second), zone)


def _build(
    date: tuple[str, str, str], clock: tuple[int, str, str | None], zone: str | None
) -> datetime | None:
    """From regex groups: (year, month name, day), (hour, minute, second), numeric zone."""
    year, month_name, day = date
    hour, minute, second = clock
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    try:
        return datetime(
            int(year), month, int(day), hour, int(minute), int(second or 0), tzinfo=_zone(zone)
        )
    except ValueError:
        return None


@lru_cache(maxsize=256)
def _zone(offset: str | None) -> timezone:
    if not offset:
        return UTC
    minutes = int(offset[1:3]) * 60 + int(offset[3:5])
    if minutes >= 24 * 60:
        return UTC
    return timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
