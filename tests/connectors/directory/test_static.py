"""The static directory file and the shared expansion behaviour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from phishloop.connectors.directory import Directory, load_static_directory
from phishloop.core.errors import ConfigError

ORG_YAML = """
people:
  - {address: Alice@Corp.test, name: Alice, aliases: [a.smith@corp.test], vip: true}
  - {address: bob@corp.test, mailbox: bob}
  - {address: carol@corp.test}
  - {address: dave@eu.corp.test}
groups:
  - address: all-staff@corp.test
    members: [finance@corp.test, sales@corp.test, alice@corp.test]
  - address: finance@corp.test
    members: [bob@corp.test, finance-ap@corp.test, partner@supplier.example]
  - address: finance-ap@corp.test
    members: [carol@corp.test, all-staff@corp.test, ghost@corp.test]
  - address: sales@corp.test
    members: [finance-ap@corp.test, dave@eu.corp.test]
  - {address: board@corp.test, members: [dave@eu.corp.test]}
"""

ORG_CSV = """kind,address,name,mailbox,aliases,vip,members
person,alice@corp.test,Alice,,a.smith@corp.test,yes,
person,bob@corp.test,,bob,,,
person,carol@corp.test,,,,no,
group,team@corp.test,team,,,,bob@corp.test;inner@corp.test
group,inner@corp.test,,,,,carol@corp.test;team@corp.test
"""


@pytest.fixture
def org(tmp_path: Path) -> Directory:
    path = tmp_path / "org.yaml"
    path.write_text(ORG_YAML)
    return load_static_directory(path, domains=["corp.test"], vip_groups=["board@corp.test"])


def test_people_aliases_and_mailboxes(org: Directory) -> None:
    alice = org.person("<A.Smith@corp.test>")
    assert alice is not None and alice.address == "alice@corp.test"
    assert org.mailbox_of("bob@corp.test") == "bob"
    assert org.mailbox_of("carol@corp.test") == "carol@corp.test"
    assert org.mailbox_of("all-staff@corp.test") is None
    assert org.person("nobody@corp.test") is None
    assert list(org.mailboxes()) == [
        "alice@corp.test",
        "bob",
        "carol@corp.test",
        "dave@eu.corp.test",
    ]


def test_internal_and_vip(org: Directory) -> None:
    assert org.is_internal("x@corp.test") and org.is_internal("x@eu.corp.test")
    assert not org.is_internal("x@notcorp.test")
    assert org.is_vip("a.smith@corp.test")  # flagged in the file
    assert org.is_vip("dave@eu.corp.test")  # member of the VIP group board@
    assert not org.is_vip("bob@corp.test")


def test_nested_expansion_with_cycle_diamond_and_external(org: Directory) -> None:
    result = org.expand("All-Staff@corp.test")
    assert result.kind == "group"
    via = {item.person.mailbox: item.explain() for item in result.reached}
    assert via == {
        "alice@corp.test": "reached via all-staff",
        "bob": "reached via all-staff → finance",
        "dave@eu.corp.test": "reached via all-staff → sales",
        "carol@corp.test": "reached via all-staff → finance → finance-ap",
    }
    assert sorted(result.mailboxes) == sorted(via)
    # finance-ap -> all-staff closes a loop; sales -> finance-ap is only a diamond
    assert result.cycles == (("all-staff", "finance", "finance-ap", "all-staff"),)
    unresolved = {(u.ref, u.reason, path) for u, path in result.unresolved}
    assert unresolved == {
        ("partner@supplier.example", "external", ("all-staff", "finance")),
        ("ghost@corp.test", "unknown internal address", ("all-staff", "finance", "finance-ap")),
    }
    assert not result.truncated


def test_expand_person_and_unknown(org: Directory) -> None:
    assert org.expand("a.smith@corp.test").reached[0].explain() == "direct"
    assert org.expand("who@elsewhere.example").kind == "unknown"
    assert [m.key for m in org.group_members("finance-ap@corp.test")[:1]] == ["carol@corp.test"]
    assert org.group_members("bob@corp.test") == ()


def test_depth_bound_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(ORG_YAML)
    shallow = load_static_directory(path, max_depth=2)
    result = shallow.expand("all-staff@corp.test")
    assert result.truncated
    assert "carol@corp.test" not in result.mailboxes


def test_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_text(ORG_CSV)
    org = load_static_directory(path)
    assert org.is_vip("a.smith@corp.test")
    result = org.expand("team@corp.test")
    assert sorted(result.mailboxes) == ["bob", "carol@corp.test"]
    assert result.cycles == (("team", "inner", "team"),)


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".yaml", "people: [{address: nope}]", "people[0]: address must be an e-mail address"),
        (".yaml", "people: [{address: a@b.c, vip: maybe}]", "people[0]: vip must be true"),
        (".yaml", "groups: [{address: g@b.c, owner: x}]", "groups[0]: unknown key 'owner'"),
        (".yaml", "persons: []", "unknown top-level key 'persons'"),
        (".yaml", "people: [", "is not valid YAML"),
        (".yaml", "people: [{address: a@b.c}, {address: A@b.c}]", "used twice"),
        (".csv", "kind,address\nrobot,a@b.c\n", "line 2: kind must be person or group"),
        (".csv", "address\na@b.c\n", "needs the column 'kind'"),
        (".txt", "", "use a .yaml, .yml or .csv file"),
    ],
)
def test_clear_errors(tmp_path: Path, suffix: str, text: str, message: str) -> None:
    path = tmp_path / f"org{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_static_directory(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read directory file"):
        load_static_directory(tmp_path / "absent.yaml")
