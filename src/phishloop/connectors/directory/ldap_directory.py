"""LDAP directory (OpenLDAP, 389-DS, Active Directory) through ldap3.

Groups are `groupOfNames`/`groupOfUniqueNames`/AD `group` entries; their members come
from `member`/`uniqueMember` DNs (default) or, with `membership = "memberOf"`, from one
paged search for entries whose `memberOf` names the group. Nested groups are expanded
here in client code: `memberOf` is direct membership only on OpenLDAP 2.5, and the
expansion path ("reached via …") needs the direct links anyway.

One instance holds one connection and is not thread-safe; use one per worker thread.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException, LDAPNoSuchObjectResult
from ldap3.utils.conv import escape_filter_chars

from phishloop.connectors.directory.base import (
    DirectoryError,
    Group,
    Member,
    Person,
    Unresolved,
    dedupe,
    normalize_address,
)
from phishloop.connectors.directory.settings import LdapSettings
from phishloop.connectors.directory.shared import DirectoryBase

GROUP_CLASSES = frozenset({"groupofnames", "groupofuniquenames", "group", "groupofurls"})


class LdapDirectory(DirectoryBase):
    def __init__(self, settings: LdapSettings, **options: Any) -> None:
        super().__init__(**options)
        self.settings = settings
        self._connection: ldap3.Connection | None = None
        self._by_address: dict[str, Person | Group | None] = {}
        self._by_dn: dict[str, Member] = {}

    # -- connection ---------------------------------------------------------------------

    def connection(self) -> ldap3.Connection:
        """The bound connection, opened on first use (StartTLS before the bind)."""
        if self._connection is None:
            self._connection = self._open()
        return self._connection

    def _open(self) -> ldap3.Connection:
        s = self.settings
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED if s.verify_certificate else ssl.CERT_NONE,
            ca_certs_file=str(s.ca_file) if s.ca_file else None,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
        server = ldap3.Server(
            s.url, tls=tls, get_info=ldap3.NONE, connect_timeout=s.timeout_seconds
        )
        connection = ldap3.Connection(
            server,
            user=s.bind_dn or None,
            password=s.password or None,
            # ldap3 packs this into SO_RCVTIMEO as whole seconds
            receive_timeout=max(1, math.ceil(s.timeout_seconds)),
            raise_exceptions=True,
            auto_bind=ldap3.AUTO_BIND_NONE,
        )
        try:
            connection.open()
            if s.start_tls:
                connection.start_tls()
            connection.bind()
        except LDAPException as exc:
            raise DirectoryError(f"LDAP {s.url}: {_describe(exc)}") from None
        return connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.unbind()
            self._connection = None

    def __enter__(self) -> LdapDirectory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- primitives ---------------------------------------------------------------------

    def find(self, address: str) -> Person | Group | None:
        address = normalize_address(address)
        if address not in self._by_address:
            value = escape_filter_chars(address)
            wanted = "".join(
                f"({attr}={value})({attr}=smtp:{value})"
                for attr in (self.settings.mail_attribute, *self.settings.alias_attributes)
            )
            kinds = f"(|{self.settings.user_filter}{self.settings.group_filter})"
            query = f"(&{kinds}(|{wanted}))"
            found = [self._member(e) for e in self._paged(query, self.settings.base_dn)]
            usable = [entry for entry in found if not isinstance(entry, Unresolved)]
            self._by_address[address] = usable[0] if usable else None
        return self._by_address[address]

    def members(self, group: Group) -> Sequence[Member]:
        if self.settings.membership == "memberOf":
            kinds = f"(|{self.settings.user_filter}{self.settings.group_filter})"
            query = f"(&{kinds}(memberOf={escape_filter_chars(group.key)}))"
            return [self._member(e) for e in self._paged(query, self.settings.base_dn)]
        entry = self._read(group.key, "(objectClass=*)", self.settings.member_attributes)
        attributes = entry["attributes"] if entry else {}
        dns = dedupe(
            [dn for attr in self.settings.member_attributes for dn in _values(attributes, attr)]
        )
        return [self._resolve_dn(dn) for dn in dns]

    def people(self) -> Iterable[Person]:
        for entry in self._paged(self.settings.user_filter, self.settings.base_dn):
            person = self._member(entry)
            if isinstance(person, Person):
                yield person

    # -- helpers --------------------------------------------------------------------------

    def _resolve_dn(self, dn: str) -> Member:
        if dn not in self._by_dn:
            kinds = f"(|{self.settings.user_filter}{self.settings.group_filter})"
            entry = self._read(dn, kinds)
            self._by_dn[dn] = (
                self._member(entry) if entry else Unresolved(dn, "no such person or group")
            )
        return self._by_dn[dn]

    def _member(self, entry: Mapping[str, Any]) -> Member:
        attributes = entry["attributes"]
        dn = str(entry["dn"])
        classes = {value.lower() for value in _values(attributes, "objectClass")}
        name = next(iter(_values(attributes, self.settings.name_attribute)), "")
        mails = [_strip_smtp(v) for v in _values(attributes, self.settings.mail_attribute)]
        if classes & GROUP_CLASSES:
            return Group(key=dn, address=mails[0] if mails else None, name=name or dn)
        if not mails:
            return Unresolved(dn, "person without a mail address")
        aliases = [
            _strip_smtp(v) for a in self.settings.alias_attributes for v in _values(attributes, a)
        ]
        mailbox = next(iter(_values(attributes, self.settings.mailbox_attribute)), mails[0])
        primary = mails[0]
        return Person(
            key=dn,
            address=primary,
            mailbox=mailbox.lower() if self.settings.mailbox_attribute == "mail" else mailbox,
            name=name,
            aliases=tuple(a for a in dedupe([*mails[1:], *aliases]) if a != primary),
        )

    def _attributes(self) -> list[str]:
        s = self.settings
        names = ["objectClass", s.mail_attribute, s.name_attribute, s.mailbox_attribute]
        return list(dedupe([*names, *s.alias_attributes]))

    def _read(self, dn: str, query: str, extra: Sequence[str] = ()) -> dict[str, Any] | None:
        """The entry at `dn` when it matches `query`; None when it does not or is gone."""
        try:
            connection = self.connection()
            connection.search(
                dn, query, search_scope=ldap3.BASE, attributes=[*self._attributes(), *extra]
            )
        except LDAPNoSuchObjectResult:
            return None  # a dangling member DN: reported as unresolved, not an error
        except LDAPException as exc:
            raise DirectoryError(f"LDAP read of {dn}: {_describe(exc)}") from None
        found = [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
        return found[0] if found else None

    def _paged(self, query: str, base: str) -> Iterator[dict[str, Any]]:
        """Paged so that directories with a size limit (AD: 1,000) return everything."""
        try:
            results = self.connection().extend.standard.paged_search(
                base,
                query,
                search_scope=ldap3.SUBTREE,
                attributes=self._attributes(),
                paged_size=self.settings.page_size,
                generator=True,
            )
            for entry in results:
                if entry.get("type") == "searchResEntry":
                    yield entry
        except LDAPException as exc:
            raise DirectoryError(f"LDAP search under {base}: {_describe(exc)}") from None


def _values(attributes: Mapping[str, Any], name: str) -> list[str]:
    for key, value in attributes.items():
        if key.lower() == name.lower():
            items = value if isinstance(value, list) else [value]
            return [str(item) for item in items if item not in (None, "")]
    return []


def _strip_smtp(value: str) -> str:
    # Active Directory proxyAddresses read "SMTP:primary" and "smtp:alias".
    prefix, colon, rest = value.partition(":")
    return normalize_address(rest if colon and prefix.lower() == "smtp" else value)


def _describe(exc: LDAPException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
