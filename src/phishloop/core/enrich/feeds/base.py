"""What every feed parser shares: options, the skip report, errors and time parsing."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from phishloop.core.enrich.records import IntelRecord, parse_value
from phishloop.core.model import IndicatorType

MAX_EXAMPLES = 20
MAX_LINE_CHARS = 16384


class FeedError(ValueError):
    """The input is not a feed of the requested format (or holds no indicator at all)."""


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How to read a feed. `category` overrides the feed's own; `column`,
    `category_column` and `reference_column` pick CSV columns by header name or by
    1-based number; `kind` forces the indicator type of list/CSV values;
    `include_non_ids` also imports MISP attributes whose `to_ids` is false."""

    source: str = "feed"
    category: str | None = None
    column: str | None = None
    category_column: str | None = None
    reference_column: str | None = None
    kind: IndicatorType | None = None
    include_non_ids: bool = False


@dataclass
class FeedReport:
    """Filled while a feed is read: records yielded and lines skipped, with reasons."""

    records: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def skip(self, reason: str, where: str, value: str = "") -> None:
        self.skipped += 1
        self.reasons[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            shown = value if len(value) <= 80 else value[:77] + "..."
            self.examples.append(f"{where}: {reason}" + (f": {shown!r}" if shown else ""))

    def require_records(self, what: str) -> None:
        """A feed without a single valid indicator is an error, so a failed download
        never silently empties a source."""
        if self.records:
            return
        if self.skipped:
            raise FeedError(
                f"no valid indicator in this {what}; {self.skipped} entries "
                f"skipped ({', '.join(self.examples[:3])})"
            )
        raise FeedError(f"this {what} holds no indicators")


def make_record(
    value: str,
    options: FeedOptions,
    *,
    category: str | None = None,
    reference: str | None = None,
    first_seen: str | None = None,
    expires: str | None = None,
    confidence: float | None = None,
    kind: IndicatorType | None = None,
) -> IntelRecord | None:
    indicator = parse_value(value, kind or options.kind)
    if indicator is None:
        return None
    return IntelRecord(
        indicator,
        options.source,
        options.category or category or None,
        confidence,
        reference or None,
        first_seen,
        expires,
    )


def to_iso(value: object) -> str | None:
    """ISO 8601 UTC ("2024-05-01T12:00:00Z") from the date forms feeds use: ISO strings
    with or without zone (UTC assumed), "2024-05-01 12:00:00 UTC", Unix seconds."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            moment = datetime.fromtimestamp(int(value), UTC)
        elif isinstance(value, str):
            moment = datetime.fromisoformat(value.strip().removesuffix(" UTC"))
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_text(data: bytes, what: str) -> str:
    """Feed bytes as text (UTF-8, BOM tolerated; Latin-1 as a fallback); binary → error."""
    if b"\x00" in data[:4096]:
        raise FeedError(f"this does not look like a {what} (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def data_lines(data: bytes, what: str) -> list[str]:
    """Non-empty lines that are not `#` comments."""
    return [
        line
        for line in decode_text(data, what).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def csv_rows(
    lines: list[str], report: FeedReport, delimiter: str = ","
) -> Iterator[tuple[int, list[str]]]:
    """Numbered CSV rows; unreadable and over-long rows are skipped and reported."""
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.skip(f"bad CSV ({exc})", f"row {number}")
            continue
        if sum(map(len, row)) > MAX_LINE_CHARS:
            report.skip("line too long", f"row {number}")
            continue
        yield number, row


def load_json(data: bytes, what: str) -> object:
    """Parse a JSON feed; FeedError when it is not JSON."""
    try:
        return json.loads(decode_text(data, what))
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"this {what} is not valid JSON: {exc}") from None
