"""The LDAP directory against a real OpenLDAP slapd on 127.0.0.1 (StartTLS and ldaps too)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.slapd import ROOT_PASSWORD, Slapd, free_port, running_slapd
from tests.support.tls_certs import make_server_certificate

from phishloop.connectors.directory import DirectoryError, Unresolved
from phishloop.connectors.directory.ldap_directory import LdapDirectory
from phishloop.connectors.directory.settings import LdapSettings

SUFFIX = "dc=corp,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
FILLER = 30  # more people than one page holds with page_size=7


def _person(uid: str, *mails: str) -> str:
    lines = [f"dn: uid={uid},{PEOPLE}", "objectClass: inetOrgPerson", f"uid: {uid}"]
    lines += [f"cn: {uid.title()}", f"sn: {uid}", *(f"mail: {m}" for m in mails)]
    return "\n".join(lines) + "\n"


def _group(cn: str, *members: str) -> str:
    lines = [f"dn: cn={cn},{GROUPS}", "objectClass: groupOfNames", "objectClass: extensibleObject"]
    lines += [f"cn: {cn}", f"mail: {cn}@corp.test", *(f"member: {m}" for m in members)]
    return "\n".join(lines) + "\n"


def _org_ldif() -> str:
    units = [
        f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}\n"
        for ou in ("people", "groups")
    ]
    people = [
        _person("alice", "alice@corp.test", "a.smith@corp.test"),
        _person("bob", "bob@corp.test"),
        _person("carol", "carol@corp.test"),
        _person("dave", "dave@eu.corp.test"),
        *(_person(f"user{i:02}", f"user{i:02}@corp.test") for i in range(FILLER)),
    ]
    uid = lambda name: f"uid={name},{PEOPLE}"  # noqa: E731
    cn = lambda name: f"cn={name},{GROUPS}"  # noqa: E731
    # Innermost first, so the memberof overlay can record memberOf on existing entries.
    groups = [
        _group("finance-ap", uid("carol"), f"uid=ghost,{PEOPLE}"),
        _group("finance", uid("bob"), cn("finance-ap")),
        _group("sales", cn("finance-ap"), uid("dave")),
        _group("all-staff", cn("finance"), cn("sales"), uid("alice")),
        _group("board", uid("dave")),
    ]
    return "\n".join(units + people + groups)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    with running_slapd(tmp_path_factory.mktemp("slapd"), SUFFIX, tls=True) as server:
        server.add(_org_ldif())
        # Closing the loop last: finance-ap -> all-staff (a cycle through the directory).
        server.modify(
            f"dn: cn=finance-ap,{GROUPS}\nchangetype: modify\nadd: member\n"
            f"member: cn=all-staff,{GROUPS}\n"
        )
        yield server


def _settings(slapd: Slapd, **overrides: object) -> LdapSettings:
    assert slapd.certificate is not None
    base = LdapSettings(
        url=slapd.url,
        base_dn=SUFFIX,
        start_tls=True,
        ca_file=slapd.certificate.ca_file,
        bind_dn=slapd.admin_dn,
        password=ROOT_PASSWORD,
        page_size=7,
    )
    return dataclasses.replace(base, **overrides)


@pytest.fixture
def directory(slapd: Slapd) -> Iterator[LdapDirectory]:
    with LdapDirectory(
        _settings(slapd), domains=["corp.test"], vip_groups=["board@corp.test"]
    ) as d:
        yield d


EXPECTED = {
    "alice@corp.test": ("all-staff",),
    "bob@corp.test": ("all-staff", "finance"),
    "dave@eu.corp.test": ("all-staff", "sales"),
    "carol@corp.test": ("all-staff", "finance", "finance-ap"),
}


def test_nested_groups_with_cycle_and_dangling_member(directory: LdapDirectory) -> None:
    result = directory.expand("ALL-STAFF@corp.test")
    assert {item.person.mailbox: item.via for item in result.reached} == EXPECTED
    assert result.cycles == (("all-staff", "finance", "finance-ap", "all-staff"),)
    assert [(u.ref, path) for u, path in result.unresolved] == [
        (f"uid=ghost,{PEOPLE}", ("all-staff", "finance", "finance-ap"))
    ]


def test_member_of_mode_finds_the_same_mailboxes(slapd: Slapd) -> None:
    with LdapDirectory(_settings(slapd, membership="memberOf")) as directory:
        result = directory.expand("all-staff@corp.test")
    assert {item.person.mailbox: item.via for item in result.reached} == EXPECTED
    assert result.cycles == (("all-staff", "finance", "finance-ap", "all-staff"),)


def test_people_aliases_vip_and_internal(directory: LdapDirectory) -> None:
    alice = directory.person("A.Smith@corp.test")
    assert alice is not None and alice.address == "alice@corp.test"
    assert alice.aliases == ("a.smith@corp.test",) and alice.key == f"uid=alice,{PEOPLE}"
    assert directory.mailbox_of("bob@corp.test") == "bob@corp.test"
    assert directory.person("finance@corp.test") is None
    assert [m.name for m in directory.group_members("sales@corp.test")] == ["finance-ap", "Dave"]
    assert directory.is_vip("dave@eu.corp.test") and not directory.is_vip("bob@corp.test")
    assert directory.is_internal("nobody@corp.test") and not directory.is_internal("x@y.example")
    assert directory.expand("partner@supplier.example").kind == "unknown"


def test_mailbox_attribute_and_paged_listing(slapd: Slapd) -> None:
    with LdapDirectory(_settings(slapd, mailbox_attribute="uid")) as directory:
        mailboxes = sorted(directory.mailboxes())
        assert directory.mailbox_of("a.smith@corp.test") == "alice"
    assert len(mailboxes) == 4 + FILLER  # page_size 7: five pages, none lost
    assert mailboxes[:4] == ["alice", "bob", "carol", "dave"]


def test_ldaps(slapd: Slapd) -> None:
    with LdapDirectory(_settings(slapd, url=slapd.ldaps_url, start_tls=False)) as directory:
        assert directory.mailbox_of("carol@corp.test") == "carol@corp.test"


def test_untrusted_certificate_is_refused(slapd: Slapd, tmp_path: Path) -> None:
    other_ca = make_server_certificate(tmp_path / "other").ca_file
    with pytest.raises(DirectoryError, match=r"LDAP ldap://127\.0\.0\.1"):
        LdapDirectory(_settings(slapd, ca_file=other_ca)).person("bob@corp.test")


def test_wrong_password_is_a_clear_error(slapd: Slapd) -> None:
    with pytest.raises(DirectoryError, match=r"(?i)invalidCredentials"):
        LdapDirectory(_settings(slapd, password="wrong")).person("bob@corp.test")


def test_unreachable_server(slapd: Slapd) -> None:
    settings = _settings(slapd, url=f"ldap://127.0.0.1:{free_port()}", timeout_seconds=2.0)
    with pytest.raises(DirectoryError, match=r"LDAP ldap://127\.0\.0\.1"):
        LdapDirectory(settings).person("bob@corp.test")


def test_dangling_member_is_unresolved_not_an_error(directory: LdapDirectory) -> None:
    members = directory.group_members("finance-ap@corp.test")
    assert Unresolved(f"uid=ghost,{PEOPLE}", "no such person or group") in members
