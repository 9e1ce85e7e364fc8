"""The `[directory]` table: defaults, every type, and errors that name the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from phishloop.connectors.directory import DirectorySettings, InMemoryDirectory, open_directory
from phishloop.connectors.directory.graph_directory import GraphDirectory
from phishloop.connectors.directory.ldap_directory import LdapDirectory
from phishloop.core.errors import ConfigError


def _parse(text: str, base_dir: Path | None = None) -> DirectorySettings | None:
    return DirectorySettings.from_tables(tomllib.loads(text), base_dir)


def test_absent_table_means_no_directory() -> None:
    assert _parse("[organisation]\ndomains = ['corp.test']\n") is None


def test_file_directory_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text("people: [{address: a@corp.test, vip: true}]\n")
    settings = _parse(
        "[organisation]\ndomains = ['corp.test']\n[directory]\nfile = 'org.yaml'\n"
        "vip_groups = ['Board@corp.test']\nmax_depth = 5\n",
        tmp_path,
    )
    assert settings is not None
    assert settings.domains == ("corp.test",)  # from [organisation]
    assert settings.vip_groups == ("board@corp.test",) and settings.max_depth == 5
    directory = open_directory(settings)
    assert isinstance(directory, InMemoryDirectory)
    assert directory.is_vip("a@corp.test") and directory.is_internal("x@corp.test")


def test_ldap_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDAP_BIND_PASSWORD", "from-env")
    settings = _parse(
        "[directory]\ntype = 'ldap'\ndomains = ['corp.test']\n[directory.ldap]\n"
        "url = 'ldap://ldap.corp.test'\nstart_tls = true\nbase_dn = 'dc=corp,dc=test'\n"
        "bind_dn = 'cn=phishloop,dc=corp,dc=test'\npassword_env = 'LDAP_BIND_PASSWORD'\n"
        "membership = 'memberof'\nalias_attributes = ['proxyAddresses']\n"
    )
    assert settings is not None and settings.ldap is not None
    assert settings.ldap.password == "from-env" and settings.ldap.membership == "memberOf"
    assert "from-env" not in repr(settings)
    assert isinstance(open_directory(settings), LdapDirectory)  # connects lazily


def test_graph_table(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s3cret\n")
    settings = _parse(
        f"[directory]\ntype = 'graph'\n[directory.graph]\ntenant_id = 't'\nclient_id = 'c'\n"
        f"client_secret_file = '{tmp_path / 'secret'}'\nmailbox_attribute = 'ID'\n"
    )
    assert settings is not None and settings.graph is not None
    assert settings.graph.client_secret == "s3cret" and settings.graph.mailbox_attribute == "id"
    assert settings.graph.base_url == "https://graph.microsoft.com/v1.0"
    assert isinstance(open_directory(settings), GraphDirectory)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[directory]\n", "directory.file is not set"),
        ("[directory]\ntype = 'ad'\n", "directory.type must be one of file, ldap, graph"),
        ("[directory]\nfile = 'x.yaml'\nfiel = 1\n", "unknown key directory.fiel"),
        ("[directory]\nfile = 'x.yaml'\nmax_depth = 0\n", "directory.max_depth must be between 1"),
        (
            "[directory]\nfile = 'x.yaml'\ndomains = 'corp.test'\n",
            "directory.domains must be a list",
        ),
        ("[directory]\ntype = 'ldap'\n", "directory.ldap.url is not set"),
        (
            "[directory]\ntype = 'ldap'\n[directory.ldap]\nurl = 'http://x'\n",
            "must start with ldap://",
        ),
        (
            "[directory]\ntype = 'ldap'\n[directory.ldap]\nurl = 'ldaps://x'\nstart_tls = true\n",
            "start_tls with an ldaps:// url",
        ),
        (
            "[directory]\ntype = 'ldap'\n[directory.ldap]\nurl = 'ldap://x'\nbase_dn = 'dc=x'\n"
            "password = 'a'\npassword_env = 'B'\n",
            "set only one of password, password_env",
        ),
        (
            "[directory]\ntype = 'ldap'\n[directory.ldap]\nurl = 'ldap://x'\nbase_dn = 'dc=x'\n"
            "verify_certificate = 'no'\n",
            "directory.ldap.verify_certificate has the wrong type",
        ),
        ("[directory]\ntype = 'graph'\n[directory.graph]\ntenant_id = 't'\n", "client_secret"),
        (
            "[directory]\ntype = 'graph'\n[directory.graph]\ntenant_id = 't'\nclient_id = 'c'\n"
            "client_secret_env = 'PHISHLOOP_TEST_UNSET_VARIABLE'\n",
            "environment variable PHISHLOOP_TEST_UNSET_VARIABLE is not set",
        ),
    ],
)
def test_errors_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        _parse(text)
