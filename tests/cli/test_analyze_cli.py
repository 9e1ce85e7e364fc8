"""`phishloop analyze` end to end through click: inputs, output formats, exit codes."""

from __future__ import annotations

import json
import mailbox
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from phishloop.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIMPLE = (
    b"From: Sender <sender@example.org>\r\nTo: you@example.net\r\nSubject: Hello\r\n"
    b"Message-ID: <1@example.org>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\n"
    b"See https://example.org/page and thanks.\r\n"
)


@cache
def schema() -> dict[str, object]:
    text = resources.files("phishloop.schemas").joinpath("analysis-1.schema.json").read_text()
    return dict(json.loads(text))


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def json_lines(output: str) -> list[dict[str, object]]:
    objects = [json.loads(line) for line in output.splitlines() if line.strip()]
    for obj in objects:
        jsonschema.validate(obj, schema())
    return objects


def test_json_output_is_one_valid_object_per_message(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(SIMPLE)
    code, out, _ = run("analyze", "--json", str(path))
    assert code == 0
    [obj] = json_lines(out)
    assert obj["schema"] == "phishloop.analysis/1"
    assert obj["source"] == {
        "path": str(path),
        "sha256": obj["source"]["sha256"],  # type: ignore[index]
        "size": len(SIMPLE),
        "index": None,
    }
    assert obj["message"]["subject"] == "Hello"  # type: ignore[index]
    assert [u["url"] for u in obj["urls"]] == ["https://example.org/page"]  # type: ignore[attr-defined]


def test_stdin_is_read_with_dash() -> None:
    code, out, _ = run("analyze", "--json", "-", stdin=SIMPLE)
    assert code == 0
    [obj] = json_lines(out)
    assert obj["source"]["path"] == "-"  # type: ignore[index]


def test_directories_are_walked_and_non_mail_skipped(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.eml").write_bytes(SIMPLE)
    (tmp_path / "sub" / "00001.abcdef").write_bytes(SIMPLE)  # no mail suffix, sniffed
    (tmp_path / "labels.csv").write_text("path,label\n")
    code, out, err = run("analyze", "--json", str(tmp_path))
    assert code == 0
    assert len(json_lines(out)) == 2
    assert "skipped 1 file" in err and "labels.csv" in err


def test_mbox_yields_one_object_per_message(tmp_path: Path) -> None:
    box = mailbox.mbox(str(tmp_path / "box.mbox"))
    for number in range(3):
        box.add(SIMPLE.replace(b"Hello", f"Hello {number}".encode()))
    box.flush()
    code, out, _ = run("analyze", "--json", str(tmp_path / "box.mbox"))
    assert code == 0
    objects = json_lines(out)
    assert [o["message"]["subject"] for o in objects] == ["Hello 0", "Hello 1", "Hello 2"]  # type: ignore[index]
    assert [o["source"]["index"] for o in objects] == [0, 1, 2]  # type: ignore[index]


def test_missing_input_exits_1_but_analyses_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(SIMPLE)
    code, out, err = run("analyze", "--json", str(tmp_path / "nope.eml"), str(path))
    assert code == 1
    assert len(json_lines(out)) == 1
    assert "nope.eml: no such file or directory" in err


def test_damaged_input_still_exits_0_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    code, out, _ = run("analyze", "--json", str(path))
    assert code == 0
    [obj] = json_lines(out)
    assert any(e["code"] == "input.empty" for e in obj["errors"])  # type: ignore[attr-defined]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("analyze")[0] == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[organisation]\ndomains = 'not a list'\n")
    code, _, err = run("analyze", "--config", str(bad), "-", stdin=SIMPLE)
    assert code == 2
    assert "organisation.domains must be a list of strings" in err
    code, _, err = run("analyze", "--config", str(tmp_path / "absent.toml"), "-", stdin=SIMPLE)
    assert code == 2 and "does not exist" in err


def test_config_from_environment_marks_trusted_authentication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = (
        b"Authentication-Results: mx.corp.example; spf=pass smtp.mailfrom=example.org\r\n" + SIMPLE
    )
    config = tmp_path / "phishloop.toml"
    config.write_text('[organisation]\nauthserv_ids = ["mx.corp.example"]\n')
    _, out, _ = run("analyze", "--json", "-", stdin=message)
    assert json_lines(out)[0]["authentication"]["trusted"] is False  # type: ignore[index]
    monkeypatch.setenv("PHISHLOOP_CONFIG", str(config))
    _, out, _ = run("analyze", "--json", "-", stdin=message)
    auth = json_lines(out)[0]["authentication"]
    assert auth["trusted"] is True and auth["spf"] == "pass"  # type: ignore[index]


def test_readable_summary_defangs_urls_and_escapes_markup(tmp_path: Path) -> None:
    message = SIMPLE.replace(b"Subject: Hello", b"Subject: [bold]Win[/bold] \x1b[31mnow")
    code, out, _ = run("analyze", "-", stdin=message)
    assert code == 0
    assert "hxxps://example[.]org/page" in out
    assert "https://example.org" not in out
    assert "[bold]Win[/bold]" in out  # shown literally, not interpreted
    assert "\x1b[31m" not in out


def test_shipped_examples_are_reports_that_unwrap() -> None:
    code, out, _ = run("analyze", "--json", str(EXAMPLES))
    assert code == 0
    objects = json_lines(out)
    reports = {Path(str(o["source"]["path"])).name: o["report"] for o in objects}  # type: ignore[index]
    assert reports["report-forward-as-attachment.eml"]["fidelity"] == "full"  # type: ignore[index]
    assert reports["report-inline-forward-de.eml"]["fidelity"] == "reconstructed"  # type: ignore[index]
    assert reports["direct-bec.eml"] is None


def test_indicators_are_looked_up_in_the_intel_store(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("# phishing domains\nevil-login.com\n")
    store = tmp_path / "intel.sqlite3"
    code, _, err = run(
        "intel",
        "import",
        str(feed),
        "--format",
        "list",
        "--source",
        "local",
        "--category",
        "phishing",
        "--store",
        str(store),
    )
    assert code == 0, err
    message = SIMPLE.replace(b"https://example.org/page", b"https://portal.evil-login.com/x?id=1")
    code, out, _ = run("analyze", "--json", "--intel-store", str(store), "-", stdin=message)
    assert code == 0
    [obj] = json_lines(out)
    [match] = obj["intel"]  # type: ignore[misc]
    assert match["source"] == "local" and match["category"] == "phishing"
    assert match["matched"] == {"type": "domain", "value": "evil-login.com"}
    code, out, _ = run("analyze", "--json", "--intel-store", str(store), "-", stdin=SIMPLE)
    assert json_lines(out)[0]["intel"] == []


def test_readable_summary_leads_with_the_verdict_and_its_reasons() -> None:
    code, out, _ = run("analyze", str(EXAMPLES / "report-inline-forward-de.eml"))
    assert code == 0
    first_lines = out.splitlines()[1:4]
    assert first_lines[0].startswith("MALICIOUS (malware) confidence")
    assert any("attachments.executable" in line for line in first_lines)
    assert "1 malicious" in out.splitlines()[-1]


def test_no_verdict_gives_facts_only() -> None:
    code, out, _ = run("analyze", "--json", "--no-verdict", "-", stdin=SIMPLE)
    assert code == 0
    assert json_lines(out)[0]["verdict"] is None
    code, out, _ = run("analyze", "--json", "-", stdin=SIMPLE)
    assert json_lines(out)[0]["verdict"]["category"] in ("clean", "bulk")  # type: ignore[index]
