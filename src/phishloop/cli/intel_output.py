"""How `phishloop intel` shows its results: tables for people, JSON for scripts,
progress on standard error."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from phishloop.connectors.intel import ImportStats, SourceStats, StoreStats
from phishloop.core.enrich.feeds import FeedReport
from phishloop.core.model import Indicator, IntelMatch

SHOWN_EXAMPLES = 5


@contextmanager
def import_progress(total: int | None, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar (or a counter when the total is unknown) fed with record counts."""
    if not enabled:
        yield lambda _done: None
        return
    columns = (
        [TextColumn("[bold]Importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        if total
        else [
            SpinnerColumn(),
            TextColumn("[bold]Importing {task.completed:,} records"),
            TimeElapsedColumn(),
        ]
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("import", total=total)
        yield lambda done: progress.update(task, completed=done)


def import_summary(stats: ImportStats, report: FeedReport, fmt: str) -> None:
    click.echo(
        f"Imported {stats.read:,} records from a {fmt} feed into source {stats.source!r} in "
        f"{stats.seconds:.1f} s: {stats.added:,} new, {stats.duplicates:,} already known or "
        f"repeated"
        + (f", {stats.removed:,} removed (--replace)" if stats.removed else "")
        + f"; the source now holds {stats.stored:,}."
    )
    if report.skipped:
        reasons = ", ".join(
            f"{reason} ({count:,})" for reason, count in report.reasons.most_common()
        )
        click.echo(f"Skipped {report.skipped:,} entries: {reasons}.")
        for example in report.examples[:SHOWN_EXAMPLES]:
            click.echo(f"  {example}")


def match_to_dict(match: IntelMatch) -> dict[str, object]:
    return {
        "matched": {"type": match.matched.type, "value": match.matched.value},
        "match": match.match,
        "source": match.source,
        "category": match.category,
        "confidence": match.confidence,
        "reference": match.reference,
        "first_seen": match.first_seen,
    }


def lookup_json(query: str, indicator: Indicator, matches: list[IntelMatch]) -> str:
    return json.dumps(
        {
            "query": query,
            "indicator": {"type": indicator.type, "value": indicator.value},
            "listed": bool(matches),
            "matches": [match_to_dict(m) for m in matches],
        }
    )


def lookup_table(query: str, indicator: Indicator, matches: list[IntelMatch]) -> None:
    console = Console()
    title = f"{indicator.value} ({indicator.type})"
    if not matches:
        console.print(f"[green]not listed[/green]  {title}", highlight=False)
        return
    table = Table(title=f"[red]listed[/red]  {title}", title_justify="left", expand=False)
    for column in ("match", "listed value", "source", "category", "first seen", "reference"):
        table.add_column(column, overflow="fold")
    for match in matches:
        table.add_row(
            match.match,
            match.matched.value,
            match.source,
            match.category or "",
            match.first_seen or "",
            match.reference or "",
        )
    console.print(table)


def sources_table(sources: list[SourceStats], stats: StoreStats) -> None:
    console = Console()
    table = Table(title=f"Intel store {stats.path}", title_justify="left")
    for column in ("source", "records", "format", "imported (UTC)", "from"):
        table.add_column(
            column, justify="right" if column == "records" else "left", overflow="fold"
        )
    for source in sources:
        table.add_row(
            source.name,
            f"{source.records:,}",
            source.format or "",
            source.imported_at or "",
            source.origin or "",
        )
    console.print(table)
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(stats.by_type.items()))
    console.print(
        f"{stats.records:,} records in {stats.sources} sources"
        + (f" ({kinds})" if kinds else "")
        + f"; {stats.size_bytes / 1e6:.1f} MB",
        highlight=False,
    )


def sources_json(sources: list[SourceStats], stats: StoreStats) -> str:
    return json.dumps(
        {
            "store": stats.path,
            "records": stats.records,
            "by_type": stats.by_type,
            "size_bytes": stats.size_bytes,
            "sources": [
                {
                    "name": s.name,
                    "records": s.records,
                    "format": s.format,
                    "origin": s.origin,
                    "imported_at": s.imported_at,
                }
                for s in sources
            ],
        }
    )
