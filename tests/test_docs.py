"""The documentation stays true: the example configuration loads, and every setting the
code knows is documented."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from phishloop.connectors.intake.settings import IMAP_KEYS, INTAKE_KEYS, IntakeSettings
from phishloop.connectors.intel.settings import IntelSettings
from phishloop.core import errors
from phishloop.core.config import (
    AnalysisConfig,
    Limits,
    ListsConfig,
    OrganisationConfig,
    RulesConfig,
    SimulationConfig,
    VerdictConfig,
)
from phishloop.core.policy import SEVERITY, Policy

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_example_configuration_loads() -> None:
    tables = tomllib.loads((DOCS / "phishloop.example.toml").read_text())
    config = AnalysisConfig.from_mapping(tables)
    assert config.organisation.domains == ("corp.example",)
    IntelSettings.from_mapping(tables["intel"])
    assert Policy.from_mapping(tables["policy"]).threshold("malicious") == 0.9
    intake = IntakeSettings.from_tables(tables, DOCS)
    assert intake.reporters.domains == ("corp.example",)
    assert intake.imap.host == "imap.corp.example"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for kind in (
        OrganisationConfig,
        Limits,
        VerdictConfig,
        ListsConfig,
        SimulationConfig,
        RulesConfig,
    ):
        for field in dataclasses.fields(kind):
            assert f"`{field.name}`" in text, f"{kind.__name__}.{field.name} is not documented"


def test_every_error_code_is_documented() -> None:
    text = (DOCS / "analysis-json.md").read_text()
    codes = [v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str)]
    assert len(codes) > 20
    for code in codes:
        assert f"`{code}`" in text, f"error code {code} is not documented"


def test_the_policy_table_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    section = text[text.index("## `[policy]`") :]
    for field in dataclasses.fields(Policy):
        assert f"`{field.name}`" in section, f"policy.{field.name} is not documented"
    for category in SEVERITY:
        assert f"`{category}`" in section, f"category {category} is not in the [policy] section"


def test_every_intake_key_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    text = text[text.index("## `[intake]`") :].split("\n## ")[0]
    keys = (INTAKE_KEYS - {"imap"}) | IMAP_KEYS
    assert {"reporter_domains", "host", "failed_folder"} <= keys
    for key in sorted(keys):
        assert f"| `{key}` |" in text, f"[intake] key {key} is not documented"
