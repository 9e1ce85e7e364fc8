"""CSV feeds: the indicator column chosen by header name or 1-based number.

Lines starting with `#` are comments. The delimiter (`,` `;` tab `|`) is taken from the
first data line. Without `--column`, a header column named like an indicator (indicator,
ioc, value, url, domain, ip, email, sha256, ...) is used, else the first column whose
first value is an indicator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from phishloop.core.enrich.feeds.base import (
    FeedError,
    FeedOptions,
    FeedReport,
    csv_rows,
    data_lines,
    make_record,
)
from phishloop.core.enrich.records import IntelRecord, parse_value

_INDICATOR_NAMES = (
    "indicator",
    "ioc",
    "value",
    "observable",
    "url",
    "domain",
    "hostname",
    "host",
    "ip",
    "ip_address",
    "email",
    "sha256",
    "sha1",
    "md5",
    "hash",
)
_DELIMITERS = ",;\t|"


@dataclass(frozen=True, slots=True)
class Columns:
    value: int
    category: int | None
    reference: int | None


def parse_csv(data: bytes, options: FeedOptions, report: FeedReport) -> Iterator[IntelRecord]:
    """Records from a CSV file (see the module docstring for the column rules)."""
    lines = data_lines(data, "CSV file")
    if not lines:
        report.require_records("CSV file")
        return
    rows = csv_rows(lines, report, delimiter=max(_DELIMITERS, key=lines[0].count))
    columns: Columns | None = None
    for number, row in rows:
        if columns is None:
            header = _looks_like_header(row)
            columns = choose_columns(row if header else None, row, options)
            if header:
                continue
        record = _record(row, columns, options)
        if record is None:
            report.skip("not an indicator", f"row {number}", _cell(row, columns.value) or "")
            continue
        report.records += 1
        yield record
    report.require_records("CSV file")


def _record(row: list[str], columns: Columns, options: FeedOptions) -> IntelRecord | None:
    if len(row) <= columns.value:
        return None
    return make_record(
        row[columns.value],
        options,
        category=_cell(row, columns.category),
        reference=_cell(row, columns.reference),
    )


def choose_columns(header: list[str] | None, first: list[str], options: FeedOptions) -> Columns:
    """Resolve the value/category/reference columns; FeedError when one is unknown."""
    if options.column is not None:
        value = _resolve(options.column, header, "--column")
    else:
        value = _guess_value_column(header, first)
    return Columns(
        value,
        _resolve_optional(options.category_column, header, "category"),
        _resolve_optional(options.reference_column, header, "reference"),
    )


def _resolve(name: str, header: list[str] | None, what: str) -> int:
    if name.isdigit():
        if int(name) < 1:
            raise FeedError(f"{what}: column numbers start at 1")
        return int(name) - 1
    names = [cell.strip().lower() for cell in header or ()]
    if name.strip().lower() not in names:
        known = ", ".join(repr(n) for n in names) if names else "none (no header row)"
        raise FeedError(f"{what}: no column named {name!r}; columns: {known}")
    return names.index(name.strip().lower())


def _resolve_optional(name: str | None, header: list[str] | None, what: str) -> int | None:
    return None if name is None else _resolve(name, header, f"{what} column")


def _guess_value_column(header: list[str] | None, first: list[str]) -> int:
    if header is not None:
        names = [cell.strip().lower() for cell in header]
        for candidate in _INDICATOR_NAMES:
            if candidate in names:
                return names.index(candidate)
        raise FeedError(
            f"no indicator column among {', '.join(map(repr, names))}; choose one with --column"
        )
    for index, cell in enumerate(first):
        if parse_value(cell) is not None:
            return index
    raise FeedError("no column of the first row holds an indicator; choose one with --column")


def _looks_like_header(row: list[str]) -> bool:
    return not any(parse_value(cell) is not None for cell in row)


def _cell(row: list[str], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    return row[index].strip() or None
