"""The `[directory]` table: which directory, and how to reach it.

`type = "file"` (the default) reads a YAML/CSV file; `"ldap"` and `"graph"` read their
sub-tables `[directory.ldap]` and `[directory.graph]`. The organisation's domains come
from `[directory] domains`, else `[organisation] domains`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phishloop.connectors.directory.shared import DEFAULT_MAX_DEPTH
from phishloop.connectors.tables import TableReader, table
from phishloop.core.errors import ConfigError

TYPES = ("file", "ldap", "graph")
_KEYS = frozenset(
    {"type", "file", "domains", "vip_addresses", "vip_groups", "max_depth", "ldap", "graph"}
)
_LDAP_KEYS = frozenset(
    {
        "url", "start_tls", "ca_file", "verify_certificate", "bind_dn", "password",
        "password_file", "password_env", "base_dn", "user_filter", "group_filter",
        "mail_attribute", "alias_attributes", "mailbox_attribute", "name_attribute",
        "member_attributes", "membership", "page_size", "timeout_seconds",
    }
)  # fmt: skip
_GRAPH_KEYS = frozenset(
    {
        "tenant_id", "client_id", "client_secret", "client_secret_file", "client_secret_env",
        "authority", "base_url", "mailbox_attribute", "page_size", "timeout_seconds",
        "max_retries", "max_retry_after_seconds",
    }
)  # fmt: skip
DEFAULT_USER_FILTER = "(&(|(objectClass=inetOrgPerson)(objectClass=user))(mail=*))"
DEFAULT_GROUP_FILTER = (
    "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))"
)


@dataclass(frozen=True)
class LdapSettings:
    url: str
    base_dn: str
    start_tls: bool = False
    ca_file: Path | None = None
    verify_certificate: bool = True
    bind_dn: str = ""
    password: str = field(default="", repr=False)
    user_filter: str = DEFAULT_USER_FILTER
    group_filter: str = DEFAULT_GROUP_FILTER
    mail_attribute: str = "mail"
    alias_attributes: tuple[str, ...] = ()
    mailbox_attribute: str = "mail"
    name_attribute: str = "cn"
    member_attributes: tuple[str, ...] = ("member", "uniqueMember")
    membership: str = "member"  # or "memberOf": find members by their memberOf attribute
    page_size: int = 500
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class GraphSettings:
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    authority: str = "https://login.microsoftonline.com"
    base_url: str = "https://graph.microsoft.com/v1.0"
    mailbox_attribute: str = "userPrincipalName"
    page_size: int = 999
    timeout_seconds: float = 30.0
    max_retries: int = 5
    max_retry_after_seconds: float = 120.0


@dataclass(frozen=True)
class DirectorySettings:
    type: str = "file"
    file: Path | None = None
    domains: tuple[str, ...] = ()
    vip_addresses: tuple[str, ...] = ()
    vip_groups: tuple[str, ...] = ()
    max_depth: int = DEFAULT_MAX_DEPTH
    ldap: LdapSettings | None = None
    graph: GraphSettings | None = None

    @classmethod
    def from_tables(
        cls, tables: Mapping[str, Any], base_dir: Path | None = None
    ) -> DirectorySettings | None:
        """None when the file has no `[directory]` table (no directory configured)."""
        if "directory" not in tables:
            return None
        reader = TableReader(table(tables, "directory", "directory", _KEYS), "directory", base_dir)
        kind = reader.choice("type", "file", TYPES)
        settings = cls(
            type=kind,
            file=reader.path("file"),
            domains=_lower(reader.strings("domains", _organisation_domains(tables))),
            vip_addresses=_lower(reader.strings("vip_addresses")),
            vip_groups=_lower(reader.strings("vip_groups")),
            max_depth=reader.integer("max_depth", DEFAULT_MAX_DEPTH, minimum=1, maximum=64),
            ldap=_ldap(reader) if kind == "ldap" else None,
            graph=_graph(reader) if kind == "graph" else None,
        )
        if kind == "file" and settings.file is None:
            raise ConfigError("directory.file is not set (the YAML or CSV directory file)")
        return settings

    def options(self) -> dict[str, Any]:
        """Keyword arguments every directory implementation takes."""
        return {
            "domains": self.domains,
            "vip_addresses": self.vip_addresses,
            "vip_groups": self.vip_groups,
            "max_depth": self.max_depth,
        }


def _organisation_domains(tables: Mapping[str, Any]) -> tuple[str, ...]:
    organisation = tables.get("organisation", {})
    domains = organisation.get("domains", []) if isinstance(organisation, Mapping) else []
    return tuple(d for d in domains if isinstance(d, str)) if isinstance(domains, list) else ()


def _lower(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value.lower().lstrip("@") for value in values)


def _ldap(parent: TableReader) -> LdapSettings:
    reader = TableReader(
        table(parent.table, "ldap", "directory.ldap", _LDAP_KEYS), "directory.ldap", parent.base_dir
    )
    url = reader.require("url")
    if not url.startswith(("ldap://", "ldaps://")):
        raise ConfigError("directory.ldap.url must start with ldap:// or ldaps://")
    if url.startswith("ldaps://") and reader.flag("start_tls", False):
        raise ConfigError("directory.ldap: start_tls with an ldaps:// url makes no sense")
    return LdapSettings(
        url=url,
        base_dn=reader.require("base_dn"),
        start_tls=reader.flag("start_tls", False),
        ca_file=reader.path("ca_file"),
        verify_certificate=reader.flag("verify_certificate", True),
        bind_dn=reader.text("bind_dn"),
        password=reader.secret("password"),
        user_filter=reader.text("user_filter", DEFAULT_USER_FILTER),
        group_filter=reader.text("group_filter", DEFAULT_GROUP_FILTER),
        mail_attribute=reader.text("mail_attribute", "mail"),
        alias_attributes=reader.strings("alias_attributes"),
        mailbox_attribute=reader.text("mailbox_attribute", "mail"),
        name_attribute=reader.text("name_attribute", "cn"),
        member_attributes=reader.strings("member_attributes", ("member", "uniqueMember")),
        membership=reader.choice("membership", "member", ("member", "memberOf")),
        page_size=reader.integer("page_size", 500, minimum=1, maximum=10000),
        timeout_seconds=reader.number("timeout_seconds", 10.0, 0.1),
    )


def _graph(parent: TableReader) -> GraphSettings:
    reader = TableReader(
        table(parent.table, "graph", "directory.graph", _GRAPH_KEYS),
        "directory.graph",
        parent.base_dir,
    )
    secret = reader.secret("client_secret")
    if not secret:
        raise ConfigError("directory.graph.client_secret (or _file, _env) is not set")
    return GraphSettings(
        tenant_id=reader.require("tenant_id"),
        client_id=reader.require("client_id"),
        client_secret=secret,
        authority=reader.text("authority", "https://login.microsoftonline.com").rstrip("/"),
        base_url=reader.text("base_url", "https://graph.microsoft.com/v1.0").rstrip("/"),
        mailbox_attribute=reader.choice(
            "mailbox_attribute", "userPrincipalName", ("id", "userPrincipalName", "mail")
        ),
        page_size=reader.integer("page_size", 999, minimum=1, maximum=999),
        timeout_seconds=reader.number("timeout_seconds", 30.0, 0.1),
        max_retries=reader.integer("max_retries", 5, maximum=20),
        max_retry_after_seconds=reader.number("max_retry_after_seconds", 120.0, 0.0),
    )
