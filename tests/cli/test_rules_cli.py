"""`phishloop rules` and the generated rule reference."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from phishloop.cli.main import cli
from phishloop.cli.rules import rules_markdown
from phishloop.core.classify.chain import CHAIN

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_rule_reference_is_current() -> None:
    assert (DOCS / "rules.md").read_text() == rules_markdown(), (
        "docs/rules.md is stale: run `phishloop rules --markdown > docs/rules.md`"
    )


def test_rule_names_are_unique_and_described() -> None:
    names = [rule.name for rule in CHAIN]
    assert len(names) == len(set(names))
    for rule in CHAIN:
        assert "." in rule.name and rule.description.strip(), rule.name


def test_configured_weights_and_switches_are_shown(tmp_path: Path) -> None:
    first = CHAIN[0]
    config = tmp_path / "c.toml"
    config.write_text(
        f'[rules]\ndisabled = ["{first.name}"]\n[rules.weights]\n"{first.name}" = 9.5\n'
    )
    result = CliRunner().invoke(cli, ["rules", "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows[first.name]["enabled"] is False and rows[first.name]["weight"] == 9.5
