"""`phishloop train` end to end on a tiny labelled set."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from phishloop.cli.main import cli
from phishloop.connectors.runtime.model_file import configured_model
from phishloop.core.classify.learn import dump_model, load_model
from phishloop.core.errors import ConfigError
from phishloop.core.pipeline import analyze

pytest.importorskip("sklearn")

UNWANTED = [
    "Your mailbox is full. Verify your account today to avoid suspension: click here",
    "Congratulations, you won a free prize. Click here to claim your reward today",
    "Your password expires today. Sign in to keep your account: click here",
    "Urgent: confirm your bank details to release the payment, click here now",
    "Limited offer: cheap medication, no prescription, click here to order",
    "Your parcel is on hold. Pay the delivery fee to release it, click here",
]
WANTED = [
    "Hi Anna, the minutes of Thursday's design review are attached. Thanks, Tom",
    "Hi team, lunch moves to 12:30 on Friday because of the fire drill. Thanks",
    "Hi Priya, I merged the patch for the build agents. Let me know if it breaks",
    "Thanks for the draft, I added two comments on the staffing section. Tom",
    "Hi all, the kitchen on the 3rd floor is closed on Wednesday for cleaning",
    "Hi Ravi, the sample results are fine except sample 7; can we rerun it?",
]


def _mail(body: str, number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Person {number} <p{number}@example.org>"
    message["To"] = "you@example.com"
    message["Subject"] = body.split(".", maxsplit=1)[0][:40]
    message.set_content(body)
    return bytes(message)


def _labelled_set(folder: Path, name: str = "reports") -> Path:
    root = folder / name
    (root / "mail").mkdir(parents=True)
    rows = ["path,label,source"]
    for number, (body, label) in enumerate(
        [(b, "phish") for b in UNWANTED] + [(b, "ham") for b in WANTED] + [("x", "simulation")]
    ):
        (root / "mail" / f"{number}.eml").write_bytes(_mail(body, number))
        rows.append(f"mail/{number}.eml,{label},ours")
    (root / "labels.csv").write_text("\n".join(rows) + "\n")
    return root / "labels.csv"


def test_train_writes_a_model_that_works(tmp_path: Path) -> None:
    labels = _labelled_set(tmp_path)
    output = tmp_path / "model.json"
    args = ["train", str(labels), "-o", str(output), "--test-split", "0.3", "--seed", "3"]
    result = CliRunner().invoke(cli, [*args, "--trained-on", "2026-02-01", "-C", "10"])
    assert result.exit_code == 0, result.output
    assert "Held-out quality" in result.output
    assert "Not used: 1 simulation" in result.output
    model = load_model(output.read_bytes())
    assert model.metadata["trained_on"] == "2026-02-01"
    assert sum(model.metadata["counts"]["reports"].values()) == 12
    [phish] = analyze(_mail("Verify your account today, click here", 99), verdict=False)
    [ham] = analyze(_mail("Hi Tom, thanks for the minutes of the review", 98), verdict=False)
    assert model.predict(phish).probability > 0.5 > model.predict(ham).probability


def test_cross_validation_trains_on_everything(tmp_path: Path) -> None:
    labels = _labelled_set(tmp_path)
    output = tmp_path / "model.json"
    result = CliRunner().invoke(cli, ["train", str(labels), "-o", str(output), "--cv", "3"])
    assert result.exit_code == 0, result.output
    metadata = json.loads(output.read_bytes())["metadata"]
    assert metadata["validation"]["method"] == "stratified-k-fold"
    assert metadata["held_out"][0]["messages"] == 12


def test_noncommercial_data_is_refused_unless_allowed(tmp_path: Path) -> None:
    labels = _labelled_set(tmp_path, "phishing_pot")
    output = tmp_path / "model.json"
    refused = CliRunner().invoke(cli, ["train", str(labels), "-o", str(output)])
    assert refused.exit_code != 0
    assert "CC BY-NC" in refused.output
    assert not output.exists()
    allowed = CliRunner().invoke(
        cli, ["train", str(labels), "-o", str(output), "--allow-noncommercial"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert "CC BY-NC" in load_model(output.read_bytes()).metadata["licence"]


def test_excluded_sources_and_bad_labels(tmp_path: Path) -> None:
    labels = _labelled_set(tmp_path, "phishing_pot")
    excluded = CliRunner().invoke(
        cli, ["train", str(labels), "--exclude-source", "phishing_pot", "-o", str(tmp_path / "m")]
    )
    assert excluded.exit_code != 0
    assert "both wanted and unwanted" in excluded.output
    bad = tmp_path / "bad.csv"
    bad.write_text("file,kind\nx.eml,ham\n")
    result = CliRunner().invoke(cli, ["train", str(bad)])
    assert result.exit_code != 0
    assert "path,label" in result.output


def test_configured_model_default_path_and_errors(tmp_path: Path) -> None:
    assert configured_model({}) is load_model()
    assert configured_model({}, disabled=True) is None
    model_file = tmp_path / "ours.json"
    model_file.write_bytes(dump_model(load_model()))
    config = tmp_path / "phishloop.toml"
    ours = configured_model({"model": {"path": "ours.json"}}, config_path=config)
    assert ours == load_model()
    model_file.write_text("{}")
    with pytest.raises(ConfigError, match=r"ours\.json: unsupported model format"):
        configured_model({"model": {"path": str(model_file)}})
    with pytest.raises(ConfigError, match=r"unknown key model\.file"):
        configured_model({"model": {"file": "x"}})
    with pytest.raises(ConfigError, match="cannot read model file"):
        configured_model({"model": {"path": str(tmp_path / "missing.json")}})
