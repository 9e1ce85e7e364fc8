"""`phishloop yara check` and the CLI's loading of user YARA rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from phishloop.cli.main import cli
from phishloop.connectors.runtime.yara_rules import YaraSettings, load_scanner, read_sources
from phishloop.core.errors import ConfigError
from phishloop.core.scan import shipped_sources

GOOD = """rule Fake_Invoice_Portal : invoice {
    meta:
        description = "Our own invoice-portal lure"
        signal = "phish"
        weight = "4.5"
    strings:
        $a = "invoice-portal-login"
    condition:
        $a
}
"""


def _check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["yara", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_check_lists_the_shipped_rules() -> None:
    code, out, err = _check("--json")
    assert code == 0, err
    rows = json.loads(out)
    assert {row["namespace"] for row in rows} == {"phishloop"}
    eicar = next(row for row in rows if row["rule"] == "EICAR_Test_File")
    assert eicar["signal"] == "malware" and eicar["weight"] == 7


def test_user_rules_get_their_file_name_as_namespace(tmp_path: Path) -> None:
    (tmp_path / "lures.yar").write_text(GOOD)
    code, out, _ = _check(str(tmp_path), "--json")
    assert code == 0
    [row] = [row for row in json.loads(out) if row["namespace"] == "lures"]
    assert row == {
        "namespace": "lures",
        "rule": "Fake_Invoice_Portal",
        "signal": "phish",
        "weight": 4.5,
        "tags": ["invoice"],
        "description": "Our own invoice-portal lure",
    }


def test_table_output_names_each_rule(tmp_path: Path) -> None:
    (tmp_path / "lures.yara").write_text(GOOD)
    code, out, _ = _check(str(tmp_path))
    assert code == 0
    count = len(load_scanner({}).rules.rules) + 1  # type: ignore[union-attr]
    assert f"{count} YARA rules in 2 namespace(s), all compiled" in out
    assert "lures" in out and "EICAR_Test_File" in out


def test_a_bad_rule_file_is_exit_2_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "good.yar").write_text(GOOD)
    bad = tmp_path / "sub" / "broken.yar"
    bad.parent.mkdir()
    bad.write_text('// comment\nrule Broken { strings: $a = "x" condition: $a and }\n')
    code, out, err = _check(str(tmp_path))
    assert code == 2
    assert f"{bad} line 2: syntax error" in err
    assert "Traceback" not in out + err


def test_configured_directories_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "org.yar").write_text(GOOD)
    (tmp_path / "rules" / ".hidden").mkdir()
    (tmp_path / "rules" / ".hidden" / "old.yar").write_text("not yara at all")
    (tmp_path / "rules" / "notes.txt").write_text("not a rule file")
    config = tmp_path / "phishloop.toml"
    config.write_text('[yara]\ndirectories = ["rules"]\n')
    code, out, err = _check("--config", str(config), "--json")
    assert code == 0, err
    assert "org" in {row["namespace"] for row in json.loads(out)}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[yara]\ndirectory = ['x']\n", "unknown key yara.directory"),
        ("[yara]\ndirectories = ['missing']\n", "does not exist"),
        ("[yara]\ntimeout_seconds = 0\n", "yara.timeout_seconds must be"),
        ("[yara]\nenabled = 'yes'\n", "yara.enabled must be true or false"),
        ("yara = 3\n", "[yara] must be a table"),
    ],
)
def test_configuration_mistakes_are_usage_errors(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(table)
    code, _, err = _check("--config", str(config))
    assert code == 2 and message in err


def test_the_shipped_namespace_is_reserved(tmp_path: Path) -> None:
    (tmp_path / "phishloop.yar").write_text(GOOD)
    code, _, err = _check(str(tmp_path))
    assert code == 2 and "reserved" in err


def test_non_utf8_rule_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "latin.yar").write_bytes(b'rule R { strings: $a = "caf\xe9" condition: $a }')
    code, _, err = _check(str(tmp_path))
    assert code == 2 and "latin.yar: not UTF-8 text" in err


def test_meta_problems_are_warned_about(tmp_path: Path) -> None:
    (tmp_path / "odd.yar").write_text(
        'rule Typo { meta: signal = "malwre" condition: false }\n'
        "rule Heavy { meta: weight = 50 condition: false }\n"
        'rule Quiet { meta: signal = "info" condition: false }\n'
    )
    code, out, err = _check(str(tmp_path), "--json")
    assert code == 0
    assert "odd.Typo: unknown signal 'malwre'" in err
    assert "odd.Heavy: weight '50' adjusted" in err
    assert "Quiet" not in err
    rows = {row["rule"]: row for row in json.loads(out)}
    assert rows["Quiet"]["signal"] == "info" and rows["Quiet"]["weight"] == 0


def test_load_scanner_defaults_to_the_shipped_pack() -> None:
    scanner = load_scanner({})
    assert scanner is not None
    assert len(scanner.rules.rules) == len(load_scanner({}).rules.rules)  # type: ignore[union-attr]
    assert scanner.timeout_seconds == 5 and scanner.budget_seconds == 10
    assert {info.namespace for info in scanner.rules.rules} == {"phishloop"}
    assert shipped_sources()


def test_load_scanner_reads_the_table(tmp_path: Path) -> None:
    (tmp_path / "own.yar").write_text(GOOD)
    table = {"yara": {"shipped": False, "directories": ["."], "timeout_seconds": 2}}
    scanner = load_scanner(table, tmp_path / "phishloop.toml")
    assert scanner is not None and scanner.timeout_seconds == 2
    assert [info.name for info in scanner.rules.rules] == ["Fake_Invoice_Portal"]


def test_scanning_can_be_switched_off_or_left_without_rules() -> None:
    assert load_scanner({"yara": {"enabled": False}}) is None
    assert load_scanner({"yara": {"shipped": False}}) is None


def test_read_sources_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_sources([tmp_path / "nope"])
    assert YaraSettings().enabled
