"""`phishloop eval`: judge labelled mail and measure the verdicts against the labels."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from phishloop.cli.eval_labels import (
    GROUPINGS,
    LabelledFile,
    LabelsError,
    default_label_files,
    read_labels,
    restrict,
)
from phishloop.cli.eval_render import show
from phishloop.cli.eval_report import result_json
from phishloop.cli.eval_run import Job, evaluate
from phishloop.cli.eval_unseen import unseen_files
from phishloop.connectors.runtime.config_file import CONFIG_ENV
from phishloop.connectors.runtime.runtime import Runtime, RuntimeOptions, load_runtime
from phishloop.core.errors import ConfigError

SHOWN_MISSING = 10


@click.command("eval")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--labels",
    "label_files",
    multiple=True,
    metavar="CSV",
    help="Label file: path,label[,source] with paths relative to its folder "
    "(repeatable). Default: the labels.csv of each PATH directory.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
@click.option(
    "--config",
    "config_option",
    metavar="FILE",
    help=f"Organisation configuration (TOML). Default: ${CONFIG_ENV}, else built-in.",
)
@click.option("--intel-store", metavar="FILE", help="Threat-intel store (as for analyze).")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    default="set",
    show_default=True,
    help="Group by corpus set, by first folder below the CSV, or by source column.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Worker processes.",
)
@click.option(
    "--errors",
    "show_errors",
    is_flag=True,
    help="List misclassified files with their verdict and top reasons.",
)
@click.option(
    "--skip-missing",
    is_flag=True,
    help="Evaluate the rest when labelled files do not exist (default: refuse).",
)
@click.option(
    "--check-targets",
    is_flag=True,
    help="Exit 1 when a measured target is missed (except configuration-dependent ones).",
)
@click.option(
    "--unseen",
    is_flag=True,
    help="Only files the model never trained on (its held-out split and sets it never saw).",
)
@click.option(
    "--no-model", is_flag=True, help="Judge by the rules alone, without the trained model."
)
@click.option("--no-progress", is_flag=True, help="Never show the progress bar.")
def eval_command(
    paths: tuple[str, ...],
    *,
    label_files: tuple[str, ...],
    as_json: bool,
    config_option: str | None,
    intel_store: str | None,
    by: str,
    jobs: int,
    show_errors: bool,
    skip_missing: bool,
    check_targets: bool,
    unseen: bool,
    no_model: bool,
    no_progress: bool,
) -> None:
    """Judge labelled emails and measure the verdicts: per group and label a confusion
    matrix, threat recall, false positives on ham, bulk, simulation and BEC handling,
    messages/s, and the verdict engine's quality targets.

    Every labelled file is analysed exactly as `phishloop analyze` does. PATH arguments
    (files or directories) restrict the evaluation to the labelled files below them.

    \b
    Example:
      phishloop eval --labels ../shared/corpora/all_labels.csv --jobs 2 --errors
    \b
    Exit status: 0 done, 1 a target was missed (with --check-targets),
                 2 usage, configuration or label-file error.
    """
    options = RuntimeOptions(config=config_option, intel_store=intel_store, no_model=no_model)
    runtime = _runtime(options)
    files = _labelled(list(paths), list(label_files), skip_missing)
    if unseen:
        files = unseen_files(files, runtime.model)
    work = [Job(str(f.path), f.label, f.set, f.group(by)) for f in files]
    show_progress = not no_progress and len(work) > 1 and sys.stderr.isatty()
    result = evaluate(work, options, runtime, by=by, jobs=jobs, progress=show_progress)
    if as_json:
        click.echo(json.dumps(result_json(result, with_errors=show_errors), indent=2))
    else:
        show(result, Console(width=None if sys.stdout.isatty() else 160), with_errors=show_errors)
    if check_targets and any(t.met is False and not t.target.conditional for t in result.targets):
        sys.exit(1)


def _runtime(options: RuntimeOptions) -> Runtime:
    try:
        return load_runtime(options)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _labelled(paths: list[str], label_files: list[str], skip_missing: bool) -> list[LabelledFile]:
    try:
        csvs = [Path(f) for f in label_files] or default_label_files(paths)
        files = restrict(read_labels(csvs), paths)
    except LabelsError as exc:
        raise click.UsageError(str(exc)) from None
    missing = [f for f in files if not f.path.is_file()]
    if missing and not skip_missing:
        raise click.UsageError(_missing_message(missing) + " (--skip-missing evaluates the rest)")
    if missing:
        click.echo(f"phishloop: {_missing_message(missing)}; skipped", err=True)
    present = [f for f in files if f.path.is_file()]
    if not present:
        raise click.UsageError(
            "no labelled file to evaluate" + (" under " + ", ".join(paths) if paths else "")
        )
    return present


def _missing_message(missing: list[LabelledFile]) -> str:
    shown = ", ".join(str(f.path) for f in missing[:SHOWN_MISSING])
    more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
    return f"{len(missing)} labelled file(s) do not exist: {shown}{more}"
