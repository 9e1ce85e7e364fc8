"""`phishloop train`: train the message model on labelled mail."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from phishloop.cli.progress import progress_over
from phishloop.connectors.runtime.config_file import load_config
from phishloop.core.classify.learn import dump_model
from phishloop.core.errors import ConfigError
from phishloop.training.labels import LabelsError
from phishloop.training.settings import Settings

DEFAULT_OUTPUT = "phishloop-model.json"


@click.command("train")
@click.argument(
    "labels", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="LABELS.csv..."
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the CSV paths are relative to (default: each CSV's folder).",
)
@click.option(
    "--output",
    "-o",
    default=DEFAULT_OUTPUT,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file to write.",
)
@click.option(
    "--test-split",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.0, 0.9),
    help="Share of files held out (chosen by a hash of their content) to measure the model.",
)
@click.option(
    "--cv",
    type=click.IntRange(2, 20),
    help="Measure with k-fold cross-validation instead; the model is then trained on all files.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the split and the folds.")
@click.option(
    "--exclude-source",
    multiple=True,
    metavar="SET",
    help="Leave out a data set (e.g. phishing_pot); repeatable.",
)
@click.option(
    "--evaluate",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="LABELS.csv",
    help="Labels of a set used only to measure the model, never to train it; repeatable.",
)
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="SET=N",
    help="Count each message of a data set N times (e.g. your own reports); repeatable.",
)
@click.option(
    "--allow-noncommercial",
    is_flag=True,
    help="Allow training on non-commercial data (phishing_pot, CC BY-NC); the model is marked so.",
)
@click.option(
    "--regularisation",
    "-C",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=1e-6),
    help="Inverse regularisation strength (scikit-learn's C).",
)
@click.option(
    "--trained-on",
    metavar="DATE",
    help="Date recorded in the model (default: today); fixed for reproducible builds.",
)
@click.option(
    "--config",
    "config_option",
    metavar="FILE",
    help="Organisation configuration (limits used while analysing).",
)
@click.option("--no-progress", is_flag=True, help="Never show the progress bar.")
def train_command(
    labels: tuple[Path, ...],
    *,
    root: Path | None,
    output: Path,
    test_split: float,
    cv: int | None,
    seed: int,
    exclude_source: tuple[str, ...],
    evaluate: tuple[Path, ...],
    weights: tuple[str, ...],
    allow_noncommercial: bool,
    regularisation: float,
    trained_on: str | None,
    config_option: str | None,
    no_progress: bool,
) -> None:
    """Train a model from labelled mail and write it to a model file.

    LABELS.csv has the columns path,label[,source] (the corpora's labels.csv format); paths are
    relative to the CSV's folder unless --root is given. Labels phish, malware, bec, spam, scam
    and extortion are unwanted; ham and bulk are wanted; simulation and malformed are skipped.

    \b
    Use the model with `[model] path = "FILE"` in the configuration. Needs scikit-learn:
      pip install 'phishloop[train]'
    """
    try:  # scikit-learn is optional: only training needs it
        from phishloop.training.report import describe  # noqa: PLC0415
        from phishloop.training.run import LicenceError, Request, train  # noqa: PLC0415
    except ImportError as exc:
        raise click.ClickException(
            f"training needs scikit-learn ({exc}): pip install 'phishloop[train]'"
        ) from None
    try:
        config = load_config(config_option).analysis
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    request = Request(
        labels=labels,
        root=root,
        evaluate=evaluate,
        test_split=0.0 if cv else test_split,
        cv=cv,
        exclude=frozenset(exclude_source),
        allow_noncommercial=allow_noncommercial,
        settings=Settings(
            seed=seed, regularisation=regularisation, group_weights=_weights(weights)
        ),
        trained_on=trained_on or datetime.now(UTC).date().isoformat(),
        config=config,
    )
    show = not no_progress and sys.stderr.isatty()
    try:
        result = train(request, lambda items: progress_over(items, enabled=show, label="Analysing"))
    except (LabelsError, LicenceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(describe(result))
    output.write_bytes(dump_model(result.model))
    click.echo(f"wrote {output}")


def _weights(options: tuple[str, ...]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for option in options:
        name, _, value = option.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(
                f"expected SET=N, got {option!r}", param_hint="--weight"
            ) from None
        if weights[name.strip()] <= 0 or not name.strip():
            raise click.BadParameter(
                f"expected SET=N with N > 0, got {option!r}", param_hint="--weight"
            )
    return weights
