"""`phishloop eval` end to end on a tiny labelled directory: output shape, path
restriction, grouping, targets and errors in label files.

The configuration disables every rule family and the model, so every verdict is `clean`
whatever the rule chain holds; the expected numbers follow from that.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from phishloop.cli.main import cli
from phishloop.core.classify.chain import CHAIN
from phishloop.core.evaluate import ISSUE_TARGETS

FILES = {"ham/a.eml": "ham", "ham/b.eml": "ham", "spam/c.eml": "spam", "bulk/d.eml": "bulk"}


def message(subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Alice <alice@example.org>"
    msg["To"] = "bob@example.net"
    msg["Subject"] = subject
    msg.set_content("Hello Bob, see you tomorrow.\n")
    return msg.as_bytes()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corp"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(message(name))
    rows = "".join(f"{name},{label},repo/x@abc:{name}\n" for name, label in FILES.items())
    (root / "labels.csv").write_text("path,label,source\n" + rows)
    return root


@pytest.fixture
def quiet_config(tmp_path: Path) -> Path:
    families = sorted({rule.name.split(".", 1)[0] for rule in CHAIN})
    path = tmp_path / "quiet.toml"
    disabled = ", ".join(f'"{family}.*"' for family in families)
    path.write_text(f"[rules]\ndisabled = [{disabled}]\n\n[verdict]\nuse_model = false\n")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["eval", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str | Path) -> dict[str, object]:
    code, out, err = run("--json", *args)
    assert code == 0, err
    return dict(json.loads(out))


def test_json_shape_and_numbers(corpus: Path, quiet_config: Path) -> None:
    doc = run_json("--labels", corpus / "labels.csv", "--config", quiet_config, "--errors")
    assert doc["schema"] == "phishloop.eval/1"
    assert (doc["files"], doc["messages"], doc["jobs"], doc["grouped_by"]) == (4, 4, 1, "set")
    assert doc["config"] == str(quiet_config)
    [group] = doc["groups"]  # type: ignore[misc]
    assert group["name"] == "corp"
    assert group["confusion"]["ham"]["clean"] == 2
    assert group["threat_recall"] == {"hits": 0, "total": 1, "share": 0.0}
    assert group["ham_unwanted"] == {"hits": 0, "total": 2, "share": 0.0}
    assert group["bulk_handled"]["share"] == 1.0
    assert len(doc["targets"]) == len(ISSUE_TARGETS)  # type: ignore[arg-type]
    [wrong] = doc["misclassified"]  # type: ignore[misc]
    assert wrong["path"].endswith("spam/c.eml") and wrong["verdict"] == "clean"
    assert wrong["label"] == "spam" and wrong["reasons"] == []
    assert isinstance(doc["messages_per_second"], float)


def test_paths_restrict_the_labelled_files(corpus: Path, quiet_config: Path) -> None:
    labels = corpus / "labels.csv"
    doc = run_json(corpus / "ham", "--labels", labels, "--config", quiet_config)
    assert doc["files"] == 2
    doc = run_json(corpus / "spam" / "c.eml", corpus / "bulk", "--labels", labels)
    assert doc["files"] == 2
    assert set(doc["groups"][0]["confusion"]) == {"spam", "bulk"}  # type: ignore[index]


def test_labels_default_to_the_directory_labels_csv(corpus: Path) -> None:
    assert run_json(corpus)["files"] == 4


def test_grouping_by_folder_adds_an_all_group(corpus: Path, quiet_config: Path) -> None:
    doc = run_json(corpus, "--by", "folder", "--config", quiet_config)
    names = [g["name"] for g in doc["groups"]]  # type: ignore[attr-defined]
    assert names == ["bulk", "ham", "spam", "all"]
    assert doc["groups"][-1]["files"] == 4  # type: ignore[index]
    doc = run_json(corpus, "--by", "source")
    assert [g["name"] for g in doc["groups"]] == ["repo/x"]  # type: ignore[attr-defined]


def test_worker_processes_give_the_same_numbers(corpus: Path, quiet_config: Path) -> None:
    serial = run_json(corpus, "--config", quiet_config)
    parallel = run_json(corpus, "--config", quiet_config, "--jobs", "2")
    assert parallel["jobs"] == 2
    assert parallel["groups"] == serial["groups"]


def test_tables_show_confusion_figures_and_speed(corpus: Path, quiet_config: Path) -> None:
    code, out, _ = run(corpus, "--config", quiet_config, "--errors")
    assert code == 0
    assert "corp: 4 file(s), label × verdict" in out
    assert "threat recall" in out and "0.0% (0/1)" in out
    assert "1 misclassified file(s)" in out and "c.eml" in out
    assert "messages/s" in out


def test_missed_target_fails_only_with_check_targets(tmp_path: Path, quiet_config: Path) -> None:
    root = tmp_path / "sublime_demo"  # the set of the BEC target
    root.mkdir()
    (root / "bec.eml").write_bytes(message("wire transfer"))
    (root / "labels.csv").write_text("bec.eml,bec\n")  # no header row
    assert run(root, "--config", quiet_config)[0] == 0
    code, out, _ = run(root, "--config", quiet_config, "--check-targets")
    assert code == 1
    assert "sublime_demo bec" in out and "✗" in out


def test_configuration_dependent_target_does_not_fail_the_check(
    tmp_path: Path, quiet_config: Path
) -> None:
    root = tmp_path / "phishing_pot"
    root.mkdir()
    (root / "sample-270.eml").write_bytes(message("training"))
    (root / "labels.csv").write_text("path,label\nsample-270.eml,simulation\n")
    code, out, _ = run(root, "--config", quiet_config, "--check-targets", "--json")
    assert code == 0
    [phishme] = [t for t in json.loads(out)["targets"] if t["name"].startswith("PhishMe")]
    assert (phishme["met"], phishme["conditional"]) == (False, True)


def test_missing_labelled_files_are_refused_or_skipped(corpus: Path) -> None:
    (corpus / "ham" / "b.eml").unlink()
    code, _, err = run(corpus)
    assert code == 2
    assert "1 labelled file(s) do not exist" in err and "b.eml" in err
    code, out, err = run(corpus, "--skip-missing", "--json")
    assert code == 0 and json.loads(out)["files"] == 3
    assert "skipped" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("path,label\na.eml,evil\n", "unknown label 'evil'"),
        ("path,label\na.eml\n", "line 2: expected path,label"),
        ("path,label\n", "no labelled file to evaluate"),
        (b"\xff\xfe\x00bad", "cannot read label file"),
    ],
)
def test_bad_label_files_are_usage_errors(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    labels = tmp_path / "labels.csv"
    (tmp_path / "a.eml").write_bytes(b"Subject: x\n\nhi\n")
    if isinstance(content, bytes):
        labels.write_bytes(content)
    else:
        labels.write_text(content)
    code, _, err = run("--labels", labels)
    assert code == 2
    assert message in err


def test_other_usage_errors(corpus: Path, tmp_path: Path) -> None:
    code, _, err = run("--labels", tmp_path / "nope.csv")
    assert (code, "does not exist" in err) == (2, True)
    code, _, err = run(tmp_path / "nowhere", "--labels", corpus / "labels.csv")
    assert (code, "no such file or directory" in err) == (2, True)
    code, _, err = run(tmp_path)  # no labels.csv there
    assert (code, "no --labels given" in err) == (2, True)
    other = tmp_path / "other.csv"
    other.write_text("corp/ham/a.eml,spam\n")
    code, _, err = run("--labels", corpus / "labels.csv", "--labels", other)
    assert (code, "is labelled 'ham' and 'spam'" in err) == (2, True)
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[verdict]\nnonsense = 1\n")
    code, _, err = run(corpus, "--config", bad_config)
    assert (code, "unknown key verdict.nonsense" in err) == (2, True)
