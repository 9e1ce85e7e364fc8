"""`[feedback]`: parsing, fallbacks to `[notifier]`, clear errors, reporters' languages,
and its documentation."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from phishloop.connectors.runtime.config_file import LoadedConfig
from phishloop.core.config import AnalysisConfig
from phishloop.core.errors import ConfigError
from phishloop.server.notifications.config import FeedbackSettings, load_feedback_config

DOCS = Path(__file__).resolve().parents[3] / "docs"
NOTIFIER = '[notifier]\nfrom_address = "abuse@corp.example"\nlanguage = "de"\n'


def loaded(text: str, tmp_path: Path) -> LoadedConfig:
    path = tmp_path / "phishloop.toml"
    path.write_text('[organisation]\ndomains = ["corp.example"]\n' + text)
    tables = tomllib.loads(path.read_text())
    return LoadedConfig(path, AnalysisConfig.from_mapping(tables), tables)


def test_defaults_follow_the_notifier_and_the_organisation(tmp_path: Path) -> None:
    config = load_feedback_config(loaded(NOTIFIER, tmp_path))
    assert config.sending and not config.recovering
    settings = config.feedback
    assert settings.language == "de" and settings.domains == ("corp.example",)
    assert settings.is_internal("a@corp.example") and settings.is_internal("b@eu.corp.example")
    assert not settings.is_internal("a@corp.example.evil.example")
    assert not settings.notify_simulations and settings.under_review_after_minutes == 0


def test_languages_by_address_then_domain_then_default(tmp_path: Path) -> None:
    text = NOTIFIER + (
        '[feedback]\nlanguage = "en"\n'
        'languages = {"corp.de" = "de", "fr.corp.example" = "fr", "boss@corp.example" = "de"}\n'
    )
    settings = load_feedback_config(loaded(text, tmp_path)).feedback
    assert settings.language_for("Carl@Corp.DE") == "de"
    assert settings.language_for("x@paris.fr.corp.example") == "fr"
    assert settings.language_for("boss@corp.example") == "de"
    assert settings.language_for("alice@corp.example") == "en"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("langauge = 'de'", "unknown key feedback.langauge"),
        ("languages = ['de']", "feedback.languages must be a table"),
        ("languages = {'corp.de' = ''}", "feedback.languages.corp.de must be a language"),
        ("timezone = 'Mars/Olympus'", "feedback.timezone: unknown time zone"),
        ("under_review_after_minutes = -5", "feedback.under_review_after_minutes must be at least"),
        ("acknowledge_receipt = 'yes'", "feedback.acknowledge_receipt has the wrong type"),
        ("template_dir = 'missing'", "is not a folder"),
    ],
)
def test_mistakes_name_the_key_and_the_file(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_feedback_config(loaded(NOTIFIER + "[feedback]\n" + table + "\n", tmp_path))
    assert str(tmp_path / "phishloop.toml") in str(caught.value)


def test_a_template_folder_overrides_shipped_text(tmp_path: Path) -> None:
    folder = tmp_path / "feedback-templates"
    folder.mkdir()
    (folder / "en.toml").write_text('[malicious]\nsubject = "Phishing removed: ${subject}"\n')
    config = load_feedback_config(
        loaded(NOTIFIER + '[feedback]\ntemplate_dir = "feedback-templates"\n', tmp_path)
    )
    assert config.templates.for_language("en").get("malicious", "subject").startswith("Phishing")
    (folder / "en.toml").write_text('[malicious]\nsubject = "${subjcet}"\n')
    with pytest.raises(ConfigError, match="unknown placeholder"):
        load_feedback_config(
            loaded(NOTIFIER + '[feedback]\ntemplate_dir = "feedback-templates"\n', tmp_path)
        )


def test_every_feedback_key_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    section = text[text.index("## `[feedback]`") :]
    for field in dataclasses.fields(FeedbackSettings):
        assert f"`{field.name}`" in section, f"feedback.{field.name} is not documented"
    assert "feedback.md" in (DOCS / "server.md").read_text()
    guide = (DOCS / "feedback.md").read_text()
    for kind in ("plan-feedback", "plan-review-note", "acknowledge-report",
                 "send-notification", "recover-report"):  # fmt: skip
        assert f"`{kind}`" in guide
