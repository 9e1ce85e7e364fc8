"""Dates as mail clients print them in forwarded header blocks, in several languages:
"Monday, January 8, 2024 10:15 AM", "Mo., 8. Jan. 2024 um 10:15 Uhr",
"lundi 8 janvier 2024 10:15", "lunes, 8 de enero de 2024 10:15", "08.01.24 10:15".
The zone is rarely printed, so results carry "-0000" (RFC 5322: zone unknown)."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime, parsedate_tz

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janvier janv enero ene gennaio gen januari janeiro",
        "february feb februar février févr fevrier fev febrero febbraio februari fevereiro",
        "march mar märz mär maerz mrz mars marzo maart março marco",
        "april apr avril avr abril abr aprile",
        "may mai mayo mei maggio mag maio",
        "june jun juni juin junio giugno giu junho",
        "july jul juli juillet juil julio luglio lug julho",
        "august aug août aout agosto ago augustus",
        "september sep sept septembre septiembre settembre set setembro",
        "october oct oktober octobre octubre ottobre ott okt outubro out",
        "november nov novembre noviembre novembro",
        "december dec dezember dez décembre déc decembre diciembre dic dicembre december dezembro",
    ),
    1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

_TIME = re.compile(r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?", re.I)
_NUMERIC = re.compile(r"\b(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\b")
_WORD = re.compile(r"[^\W\d_]{3,12}")
_NUMBER = re.compile(r"\b\d{1,4}\b")
_RFC5322 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")


def forwarded_date(text: str) -> str | None:
    """An RFC 5322 date for a forwarded header block's date, or None."""
    text = text.strip()[:200]
    if not text:
        return None
    if _RFC5322.match(text) and parsedate_tz(text) is not None:
        return text
    found = _human_date(text.lower())
    return format_datetime(found) if found else None


def _human_date(text: str) -> datetime | None:
    hour = minute = second = 0
    time_match = _TIME.search(text)
    if time_match:
        hour, minute = int(time_match.group(1)), int(time_match.group(2))
        second = int(time_match.group(3) or 0)
        meridiem = (time_match.group(4) or "").replace(".", "").replace(" ", "")
        hour = hour % 12 + (12 if meridiem == "pm" else 0) if meridiem else hour
        text = text[: time_match.start()] + " " + text[time_match.end() :]
    day_month_year = _numeric_date(text) or _named_date(text)
    if day_month_year is None:
        return None
    day, month, year = day_month_year
    try:
        return datetime(year, month, day, hour, minute, second)  # naive: the zone is unknown
    except ValueError:
        return None


def _numeric_date(text: str) -> tuple[int, int, int] | None:
    match = _NUMERIC.search(text)
    if not match:
        return None
    first, second, third = (int(g) for g in match.groups())
    if first > 31:  # 2024-01-08
        return third, second, first
    year = third + 2000 if third < 100 else third
    if "/" in match.group(0) and second <= 12 < first:  # 13/01/2024: day first
        return first, second, year
    if "/" in match.group(0):  # 1/8/2024: US order
        return second, first, year
    return first, second, year  # 08.01.2024 and 08-01-2024: day first


def _named_date(text: str) -> tuple[int, int, int] | None:
    # The last month word wins: weekday abbreviations come first and can look like months
    # ("mar" is Tuesday in Spanish Gmail dates).
    months = [_MONTHS[word] for word in _WORD.findall(text) if word in _MONTHS]
    month = months[-1] if months else None
    numbers = [int(n) for n in _NUMBER.findall(text)]
    years = [n for n in numbers if n >= 1900]
    days = [n for n in numbers if 1 <= n <= 31]
    if month is None or not years or not days:
        return None
    return days[0], month, years[0]
