"""docs/connectors.md stays true: its example loads, and every key is documented."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from phishloop.connectors.directory import DirectorySettings, load_static_directory
from phishloop.connectors.directory.settings import GraphSettings, LdapSettings
from phishloop.connectors.mailstore.settings import MailstoreSettings
from phishloop.connectors.notifier import NotifierSettings

DOC = Path(__file__).resolve().parents[3] / "docs" / "connectors.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_the_complete_example_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "directory.yaml").write_text(_blocks("yaml")[0])
    tables = tomllib.loads(_blocks("toml")[0])
    directory = DirectorySettings.from_tables(tables, tmp_path)
    (tmp_path / "smtp-password").write_text("pw\n")
    tables["notifier"]["password_file"] = str(tmp_path / "smtp-password")  # not /etc in a test
    notifier = NotifierSettings.from_tables(tables)
    assert directory is not None and notifier is not None and directory.file is not None
    org = load_static_directory(directory.file, **directory.options())
    assert sorted(org.expand("all-staff@corp.example").mailboxes) == ["alice@corp.example", "bob"]
    assert org.is_vip("a.example@corp.example")
    assert yaml.safe_load(_blocks("yaml")[0])["people"]
    monkeypatch.setenv("PHISHLOOP_IMAP_MASTER_PASSWORD", "x")
    mailstore = MailstoreSettings.from_mapping(tables["mailstore"])
    assert (mailstore.type, mailstore.master_user) == ("imap", "phishloop")


def test_every_key_is_documented() -> None:
    text = DOC.read_text()
    for kind in (DirectorySettings, LdapSettings, GraphSettings, NotifierSettings):
        for field in dataclasses.fields(kind):
            if field.name in {"ldap", "graph", "password", "client_secret"}:
                continue  # sub-tables and secrets are documented with their variants
            assert f"`{field.name}`" in text, f"{kind.__name__}.{field.name} is not documented"
