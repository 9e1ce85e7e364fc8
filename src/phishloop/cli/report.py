"""`phishloop report`: hand files to the service as reports (scripts, back-fills)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from phishloop.cli.django_env import ensure_django
from phishloop.cli.inputs import InputFile, expand_paths
from phishloop.cli.progress import progress_over

if TYPE_CHECKING:  # the models load only once Django is set up
    from phishloop.server.reports.models import Report


@dataclass
class _Tally:
    report_ids: list[int] = field(default_factory=list)
    failed: int = 0


@click.command("report")
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@click.option("--reporter", required=True, metavar="ADDRESS",
              help="Who reported these messages (an e-mail address).")  # fmt: skip
@click.option("--wait", is_flag=True,
              help="Analyse the reports now, in this process, and print the verdicts.")  # fmt: skip
@click.option("--no-progress", is_flag=True, help="Never show the progress bar.")
def report_command(paths: tuple[str, ...], reporter: str, wait: bool, no_progress: bool) -> None:
    """Submit emails to the service as reports from ADDRESS (channel "cli").

    FILE may be an .eml or .msg file, a directory (walked recursively; files that do not
    look like email are skipped) or "-" for standard input. Each file is one report; the
    same file from the same reporter is stored once. Prints "report #ID  FILE" per file.
    The service's worker analyses the reports; --wait does it here instead (only for
    reports not yet taken by a worker) and prints each verdict.

    \b
    Exit status: 0 every file became a report, 1 a file could not be read or was
                 refused (empty, too large), 2 usage or configuration error.
    """
    reporter = _check_reporter(reporter)
    expansion = expand_paths(list(paths))
    for missing in expansion.missing:
        click.echo(f"phishloop: {missing}: no such file or directory", err=True)
    ensure_django()
    show_progress = not no_progress and len(expansion.inputs) > 1 and sys.stderr.isatty()
    tally = _Tally()
    for item in progress_over(expansion.inputs, enabled=show_progress, label="Reporting"):
        _submit(item, reporter, tally)
    if wait and tally.report_ids:
        _analyse_and_show(tally.report_ids)
    if tally.failed or expansion.missing:
        sys.exit(1)


def _check_reporter(address: str) -> str:
    from phishloop.connectors.intake.policy import ReporterPolicy  # noqa: PLC0415

    refusal = ReporterPolicy(allow_any=True).refusal(address)
    if refusal:
        raise click.BadParameter(f"{address!r}: {refusal}", param_hint="--reporter")
    return address.strip()


def _submit(item: InputFile, reporter: str, tally: _Tally) -> None:
    from django.conf import settings  # noqa: PLC0415
    from django.db import DatabaseError  # noqa: PLC0415

    from phishloop.server.intake.service import RejectedReport, accept_report  # noqa: PLC0415

    try:
        raw = item.read(settings.PHISHLOOP_MAX_REPORT_BYTES)
        name = "" if item.path == "-" else os.path.basename(item.path)
        accepted = accept_report(raw, channel="cli", reporter=reporter, filename=name,
                                 actor="cli")  # fmt: skip
    except (OSError, ValueError, RejectedReport, DatabaseError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        click.echo(f"phishloop: {item.path}: not reported: {reason}", err=True)
        tally.failed += 1
        return
    again = "  (reported before)" if not accepted.created else ""
    click.echo(f"report #{accepted.report.pk}  {item.path}{again}")
    tally.report_ids.append(accepted.report.pk)


def _analyse_and_show(report_ids: list[int]) -> None:
    from phishloop.server.jobs.queue import drain  # noqa: PLC0415
    from phishloop.server.reports.models import Report  # noqa: PLC0415

    click.echo("phishloop: analysing…", err=True)
    drain()
    reports = Report.objects.filter(pk__in=report_ids).prefetch_related("messages__incident")
    for report in sorted(reports, key=lambda r: r.pk):
        click.echo(_verdict_line(report))


def _verdict_line(report: Report) -> str:
    messages = list(report.messages.all())
    if not messages:
        errors = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                           for e in report.errors) or "no verdict yet"  # fmt: skip
        return f"report #{report.pk}: {report.state}: {errors}"
    parts = []
    for message in messages:
        confidence = "" if message.confidence is None else f" {message.confidence:.0%}"
        incident = f", incident #{message.incident_id}" if message.incident_id else ""
        subject = message.subject[:60] or "(no subject)"
        parts.append(f"{message.category or 'unjudged'}{confidence}{incident}: {subject}")
    return f"report #{report.pk}: " + " | ".join(parts)
