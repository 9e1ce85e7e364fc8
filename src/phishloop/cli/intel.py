"""`phishloop intel`: the local threat-intelligence store (import, lookup, sources, remove)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from phishloop.cli import intel_output as output
from phishloop.connectors.intel import SqliteIntelStore
from phishloop.connectors.intel.factory import open_store, provider_lookup, store_path
from phishloop.connectors.intel.files import open_feed
from phishloop.connectors.intel.settings import DATA_DIR_ENV, IntelSettings
from phishloop.connectors.runtime.config_file import CONFIG_ENV, config_path, read_config_table
from phishloop.core.enrich import CombinedLookup, IndicatorLookup, parse_value
from phishloop.core.enrich.feeds import FORMATS, FeedError, FeedOptions, FeedReport
from phishloop.core.errors import ConfigError
from phishloop.core.model import Indicator

F = TypeVar("F", bound=Callable[..., Any])
KINDS = ("url", "domain", "ip", "email", "md5", "sha1", "sha256")


def store_options(command: F) -> F:
    """--store and --config, shared by every intel command."""
    command = click.option(
        "--config",
        "config_option",
        metavar="FILE",
        help=f"Organisation configuration (TOML). Default: ${CONFIG_ENV}.",
    )(command)
    return click.option(
        "--store",
        "store_option",
        metavar="PATH",
        help=f"Intel store file. Default: [intel] store in the configuration, else "
        f"${DATA_DIR_ENV}/intel.sqlite3, else the per-user data directory.",
    )(command)


def _settings(config_option: str | None) -> IntelSettings:
    try:
        table = read_config_table(config_path(config_option)).get("intel", {})
        if not isinstance(table, dict):
            raise ConfigError("intel must be a table ([intel])")
        return IntelSettings.from_mapping(table)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _open(settings: IntelSettings, store_option: str | None, create: bool) -> SqliteIntelStore:
    path = store_path(settings, store_option)
    try:
        store = open_store(path, settings, create=create)
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"cannot open the intel store {path}: {exc}") from None
    if store is None:
        raise click.UsageError(
            f"no intel store at {path}; import a feed first (phishloop intel import FILE)"
        )
    return store


@click.group("intel")
def intel_group() -> None:
    """Local threat intelligence: import feeds, look indicators up.

    \b
    Examples:
      phishloop intel import csv_recent.txt --source urlhaus
      phishloop intel import misp-feed/ --format misp --source circl
      phishloop intel import blocklist.txt --category phishing --replace
      phishloop intel lookup https://login-micros0ft.com/owa 203.0.113.7
      phishloop intel sources
    """


@intel_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Feed format; auto recognises all but OpenPhish (read as a list).",
)
@click.option(
    "--source",
    metavar="NAME",
    help="Name the records are stored under. Default: the file or directory name.",
)
@click.option(
    "--category",
    metavar="C",
    help="Category for every record (phishing, malware, ...; 'allow' makes an "
    "allow-list), overriding the feed's own.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Make the source hold exactly this feed: records missing from it are removed.",
)
@click.option(
    "--column", metavar="NAME|N", help="CSV: the indicator column (header name or 1-based number)."
)
@click.option("--category-column", metavar="NAME|N", help="CSV: a column holding categories.")
@click.option("--reference-column", metavar="NAME|N", help="CSV: a column holding references.")
@click.option(
    "--type",
    "kind",
    type=click.Choice(KINDS),
    help="List/CSV: read every value as this type instead of guessing.",
)
@click.option(
    "--include-non-ids",
    is_flag=True,
    help="MISP: also import attributes whose to_ids flag is false.",
)
@click.option("--no-progress", is_flag=True, help="Never show the progress bar.")
@store_options
def import_command(
    *,
    path: Path,
    fmt: str,
    source: str | None,
    category: str | None,
    replace: bool,
    column: str | None,
    category_column: str | None,
    reference_column: str | None,
    kind: Any,
    include_non_ids: bool,
    no_progress: bool,
    store_option: str | None,
    config_option: str | None,
) -> None:
    """Import a feed FILE, or a MISP feed directory, into the store.

    Formats: plain lists (one indicator per line, # comments, hosts files), CSV,
    URLhaus CSV dumps, OpenPhish, PhishTank (JSON or CSV), MISP feeds (manifest.json and
    event files) and STIX 2.1 bundles; .gz and single-file .zip feeds are unpacked.
    Bad lines are skipped and counted; a feed without any valid indicator is refused,
    so a failed download never empties a source. Importing the same feed again changes
    nothing. Exit status: 0 imported, 1 the feed could not be read, 2 usage error.
    """
    settings = _settings(config_option)
    name = source or path.name.split(".")[0] or "feed"
    options = FeedOptions(
        source=name,
        category=category,
        column=column,
        category_column=category_column,
        reference_column=reference_column,
        kind=kind,
        include_non_ids=include_non_ids,
    )
    report = FeedReport()
    store = _open(settings, store_option, create=True)
    try:
        feed = open_feed(path, fmt, options, report)
        show = not no_progress and sys.stderr.isatty()
        with output.import_progress(feed.estimated, show) as progress:
            stats = store.import_records(
                feed.records,
                name,
                replace,
                format=feed.format,
                origin=str(path.resolve()),
                progress=progress,
            )
    except FeedError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    finally:
        store.close()
    output.import_summary(stats, report, feed.format)


@intel_group.command("lookup")
@click.argument("values", nargs=-1, required=True, metavar="VALUE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per VALUE (JSON Lines).")
@click.option(
    "--online",
    is_flag=True,
    help="Also ask the online providers configured under [intel] (cached).",
)
@store_options
def lookup_command(
    values: tuple[str, ...],
    as_json: bool,
    online: bool,
    store_option: str | None,
    config_option: str | None,
) -> None:
    """Look VALUEs up: URLs, domains, IPs, e-mail addresses or hashes (defanged forms
    such as hxxp:// and [.] are accepted). Values are normalised the way the analysis
    does, so a URL also matches its host and parent domains, an IP the listed networks
    containing it.

    \b
    Exit status: 0 at least one value is listed, 1 none is,
                 2 usage error (an unrecognisable value, no store, bad configuration).
    """
    indicators = [_indicator(value) for value in values]
    settings = _settings(config_option)
    store = _open(settings, store_option, create=False)
    lookup: IndicatorLookup = store
    if online:
        providers = _providers(settings, Path(store.path))
        lookup = CombinedLookup(store, providers)
    listed = False
    for value, indicator in zip(values, indicators, strict=True):
        matches = lookup.lookup([indicator])
        listed = listed or bool(matches)
        if as_json:
            click.echo(output.lookup_json(value, indicator, matches))
        else:
            output.lookup_table(value, indicator, matches)
    store.close()
    sys.exit(0 if listed else 1)


def _indicator(value: str) -> Indicator:
    indicator = parse_value(value)
    if indicator is None:
        raise click.UsageError(
            f"{value!r} is not a URL, domain, IP address, e-mail address or hash"
        )
    return indicator


def _providers(settings: IntelSettings, store: Path) -> IndicatorLookup:
    try:
        providers = provider_lookup(settings, store)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if providers is None:
        raise click.UsageError(
            "--online: no provider is configured ([intel.virustotal], "
            "[intel.urlhaus] or [intel.urlscan])"
        )
    return providers


@intel_group.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@store_options
def sources_command(as_json: bool, store_option: str | None, config_option: str | None) -> None:
    """List the imported sources with their record counts and import times."""
    store = _open(_settings(config_option), store_option, create=False)
    sources, stats = store.sources(), store.stats()
    store.close()
    if as_json:
        click.echo(output.sources_json(sources, stats))
    else:
        output.sources_table(sources, stats)


@intel_group.command("remove")
@click.argument("source")
@store_options
def remove_command(source: str, store_option: str | None, config_option: str | None) -> None:
    """Delete SOURCE and all its records. Exit status 1 when there is no such source."""
    store = _open(_settings(config_option), store_option, create=False)
    removed = store.remove_source(source)
    store.close()
    if removed is None:
        raise click.ClickException(f"no source named {source!r} (see phishloop intel sources)")
    click.echo(f"Removed source {source!r} ({removed:,} records).")
