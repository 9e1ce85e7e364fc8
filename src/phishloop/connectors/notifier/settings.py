"""The `[notifier]` table: the SMTP relay feedback goes through, and how feedback reads.

`security` is "starttls" (default, port 587), "tls" (implicit TLS, port 465) or "none"
(port 25; only for a relay on the same host or a trusted network).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import Any

from phishloop.connectors.tables import TableReader, table
from phishloop.core.errors import ConfigError

SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_KEYS = frozenset(
    {
        "type", "host", "port", "security", "username", "password", "password_file",
        "password_env", "from_address", "from_name", "reply_to", "envelope_from",
        "timeout_seconds", "ca_file", "verify_certificate", "local_hostname", "language",
        "templates", "organisation_name", "acknowledge_receipt",
    }
)  # fmt: skip


@dataclass(frozen=True)
class NotifierSettings:
    from_address: str
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    from_name: str = "phishloop"
    reply_to: str = ""
    envelope_from: str = ""
    timeout_seconds: float = 30.0
    ca_file: Path | None = None
    verify_certificate: bool = True
    local_hostname: str = ""
    language: str = "en"
    templates: Path | None = None  # a folder whose files override the shipped templates
    organisation_name: str = ""
    acknowledge_receipt: bool = False

    @classmethod
    def from_tables(
        cls, tables: Mapping[str, Any], base_dir: Path | None = None
    ) -> NotifierSettings | None:
        """None when the file has no `[notifier]` table (feedback is not sent)."""
        if "notifier" not in tables:
            return None
        reader = TableReader(table(tables, "notifier", "notifier", _KEYS), "notifier", base_dir)
        reader.choice("type", "smtp", ("smtp",))
        security = reader.choice("security", "starttls", tuple(SECURITY_PORTS))
        username = reader.text("username")
        password = reader.secret("password")
        if bool(username) != bool(password):
            raise ConfigError("notifier: set both username and password (or neither)")
        return cls(
            from_address=_address(reader, "from_address", required=True),
            host=reader.text("host", "localhost"),
            port=reader.integer("port", SECURITY_PORTS[security], minimum=1, maximum=65535),
            security=security,
            username=username,
            password=password,
            from_name=reader.text("from_name", "phishloop"),
            reply_to=_address(reader, "reply_to"),
            envelope_from=_address(reader, "envelope_from"),
            timeout_seconds=reader.number("timeout_seconds", 30.0, 0.1),
            ca_file=reader.path("ca_file"),
            verify_certificate=reader.flag("verify_certificate", True),
            local_hostname=reader.text("local_hostname"),
            language=reader.text("language", "en").lower(),
            templates=reader.path("templates"),
            organisation_name=reader.text("organisation_name"),
            acknowledge_receipt=reader.flag("acknowledge_receipt", False),
        )


def _address(reader: TableReader, key: str, *, required: bool = False) -> str:
    value = reader.require(key) if required else reader.text(key)
    if not value:
        return ""
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"notifier.{key} is not an e-mail address: {exc}") from None
    return value
