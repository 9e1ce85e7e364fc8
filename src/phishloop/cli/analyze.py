"""`phishloop analyze`: analyse emails, reports, .msg files and mboxes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import partial

import click

from phishloop.cli.inputs import InputFile, expand_paths
from phishloop.cli.progress import progress_over
from phishloop.cli.render import Renderer
from phishloop.connectors.runtime.config_file import CONFIG_ENV
from phishloop.connectors.runtime.runtime import Runtime, RuntimeOptions, load_runtime
from phishloop.core.errors import ConfigError
from phishloop.core.model import Analysis
from phishloop.core.serialize import analysis_to_json

MAX_INPUT_BYTES = 2 * 1024**3  # mboxes may be large; a single message is cut by the core's limit


@click.command("analyze")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per analysed message (JSON Lines).",
)
@click.option(
    "--config",
    "config_option",
    metavar="FILE",
    help=f"Organisation configuration (TOML). Default: ${CONFIG_ENV}, else built-in defaults.",
)
@click.option(
    "--intel-store",
    metavar="FILE",
    help="Threat-intel store to look indicators up in (see `phishloop intel`). Default: "
    "[intel] store in the configuration, else the data directory's store when it exists.",
)
@click.option(
    "--no-model", is_flag=True, help="Judge by the rules alone, without the trained model."
)
@click.option(
    "--no-verdict",
    is_flag=True,
    help='Facts only: skip the verdict engine ("verdict" is null). Faster for bulk IOC extraction.',
)
@click.option("--no-progress", is_flag=True, help="Never show the progress bar.")
def analyze_command(
    paths: tuple[str, ...],
    as_json: bool,
    config_option: str | None,
    intel_store: str | None,
    no_model: bool,
    no_verdict: bool,
    no_progress: bool,
) -> None:
    """Analyse emails and print what an analyst needs to know about each.

    PATH may be an .eml file, an Outlook .msg file, an mbox, a directory (walked
    recursively; files that do not look like email are skipped) or "-" for standard input.
    A report (an employee's forward) is unwrapped: the output describes the reported
    original, with the reporter under "report".

    \b
    Exit status: 0 every input produced a result (damaged emails included, with "errors"),
                 1 an input could not be read, 2 usage or configuration error.
    """
    options = RuntimeOptions(config=config_option, intel_store=intel_store, no_model=no_model)
    try:
        runtime = load_runtime(options)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    analyse = partial(_analyse, runtime=runtime, verdict=not no_verdict)
    expansion = expand_paths(list(paths))
    for missing in expansion.missing:
        click.echo(f"phishloop: {missing}: no such file or directory", err=True)
    if expansion.skipped:
        _report_skipped(expansion.skipped)
    renderer = None if as_json else Renderer()
    unreadable = 0
    show_progress = not no_progress and len(expansion.inputs) > 1 and sys.stderr.isatty()
    for item in progress_over(expansion.inputs, enabled=show_progress):
        for result in analyse(item):
            if result is None:
                unreadable += 1
            elif renderer is None:
                _write_line(analysis_to_json(result))
            else:
                renderer.show(result)
    if renderer is not None:
        renderer.summary()
    if unreadable or expansion.missing:
        sys.exit(1)


def _analyse(item: InputFile, *, runtime: Runtime, verdict: bool) -> Iterator[Analysis | None]:
    try:
        data = item.read(MAX_INPUT_BYTES)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        click.echo(f"phishloop: {item.path}: cannot read: {reason}", err=True)
        yield None
        return
    yield from runtime.analyze(data, item.path, verdict=verdict)


def _report_skipped(skipped: list[str]) -> None:
    shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
    click.echo(
        f"phishloop: skipped {len(skipped)} file(s) that do not look like email: {shown}", err=True
    )


def _write_line(data: bytes) -> None:
    sys.stdout.flush()  # keep ordering with anything written as text
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()
