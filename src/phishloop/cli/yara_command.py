"""`phishloop yara check`: compile the shipped and the organisation's YARA rules and list
them as the verdict engine will use them."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from phishloop.connectors.runtime.config_file import CONFIG_ENV, config_path, read_config_table
from phishloop.connectors.runtime.yara_rules import YaraSettings, load_rules
from phishloop.core.classify.rules.yara import DEFAULT_SIGNAL, signal_of, weight_of
from phishloop.core.errors import ConfigError
from phishloop.core.scan import CompiledRules, RuleInfo, YaraRulesError


class RuleFileError(click.ClickException):
    """A rule file does not compile (exit status 2, like any configuration error)."""

    exit_code = 2


@click.group("yara")
def yara_group() -> None:
    """YARA rules run over every message, body and attachment (see docs/yara.md)."""


@yara_group.command("check")
@click.argument("directories", nargs=-1, metavar="[DIR]...", type=click.Path(path_type=Path))
@click.option(
    "--config", "config_option", metavar="FILE",
    help=f"Configuration whose [yara] directories are checked too. Default: ${CONFIG_ENV}.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def check_command(directories: tuple[Path, ...], config_option: str | None, as_json: bool) -> None:
    """Compile the shipped rules, the configured [yara] directories and DIR..., then list
    every rule with the signal and weight the verdict engine gives it.

    \b
    Exit status: 0 all rules compile, 2 a rule file or the configuration is invalid.
    """
    try:
        path = config_path(config_option)
        table = read_config_table(path).get("yara", {})
        settings = YaraSettings.from_mapping(table, path.parent if path else None)
        compiled = load_rules(settings, directories)
    except YaraRulesError as exc:
        raise RuleFileError(str(exc)) from None
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    for warning in [*compiled.warnings, *_meta_problems(compiled)]:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps([_as_dict(info) for info in compiled.rules], indent=2))
    else:
        _table(compiled)


def _as_dict(info: RuleInfo) -> dict[str, object]:
    meta = dict(info.meta)
    signal = signal_of(meta)
    return {
        "namespace": info.namespace,
        "rule": info.name,
        "signal": signal or "info",
        "weight": weight_of(meta) if signal else 0.0,
        "tags": list(info.tags),
        "description": meta.get("description", ""),
    }


def _meta_problems(compiled: CompiledRules) -> list[str]:
    problems = []
    for info in compiled.rules:
        meta = dict(info.meta)
        signal = meta.get("signal", DEFAULT_SIGNAL).strip().lower()
        if signal_of(meta) is None and signal != "info":
            problems.append(
                f"{info.namespace}.{info.name}: unknown signal {signal!r}; its matches are "
                "recorded but do not count in the verdict"
            )
        if "weight" in meta and weight_of(meta) != _number(meta["weight"]):
            problems.append(f"{info.namespace}.{info.name}: weight {meta['weight']!r} adjusted")
    return problems


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _table(compiled: CompiledRules) -> None:
    namespaces = sorted({info.namespace for info in compiled.rules})
    title = f"{len(compiled.rules)} YARA rules in {len(namespaces)} namespace(s), all compiled"
    table = Table(title=title, title_justify="left")
    for column in ("namespace", "rule", "signal", "weight"):
        table.add_column(column, no_wrap=True)
    table.add_column("description", overflow="fold")
    for info in compiled.rules:
        row = _as_dict(info)
        table.add_row(
            info.namespace, info.name, str(row["signal"]), f"{row['weight']:g}",
            str(row["description"]),
        )  # fmt: skip
    Console().print(table)
