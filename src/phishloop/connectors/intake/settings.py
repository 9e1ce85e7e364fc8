"""The `[intake]` and `[intake.imap]` tables of the configuration file.

Every key is optional (IMAP needs `host` and `username` only when `phishloop intake imap`
runs); unknown keys and wrong types are a ConfigError naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phishloop.connectors.intake.policy import ReporterPolicy
from phishloop.connectors.tables import TableReader, table
from phishloop.core.errors import ConfigError

INTAKE_KEYS = frozenset(
    {
        "reporter_domains",
        "allow_any_reporter",
        "sender_rate_limit",
        "sender_rate_window_seconds",
        "imap",
    }
)
IMAP_KEYS = frozenset(
    {
        "host",
        "port",
        "ssl",
        "starttls",
        "ca_file",
        "username",
        "password",
        "password_file",
        "folder",
        "processed_folder",
        "failed_folder",
        "poll_seconds",
        "timeout_seconds",
        "max_backoff_seconds",
    }
)


@dataclass(frozen=True)
class ImapSettings:
    """Where the abuse mailbox is and how to read it."""

    host: str = ""
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    ca_file: Path | None = None
    username: str = ""
    password: str = field(default="", repr=False)
    password_file: Path | None = None
    folder: str = "INBOX"
    processed_folder: str = "phishloop-processed"
    failed_folder: str = "phishloop-failed"
    poll_seconds: float = 60.0
    timeout_seconds: float = 30.0
    max_backoff_seconds: float = 300.0

    def login_password(self) -> str:
        """The password, read from `password_file` when one is set (at each login, so a
        rotated secret is picked up on the next reconnection)."""
        if self.password_file is None:
            return self.password
        try:
            return self.password_file.read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"intake.imap.password_file: cannot read {self.password_file}: {exc.strerror}"
            ) from None

    def require_account(self) -> None:
        """ConfigError unless the settings name a mailbox to log in to (and its password
        file can be read)."""
        for key in ("host", "username"):
            if not getattr(self, key):
                raise ConfigError(
                    f"intake.imap.{key} is not set: name the abuse mailbox to read in the "
                    "[intake.imap] table of the configuration file (PHISHLOOP_CONFIG)"
                )
        self.login_password()


@dataclass(frozen=True)
class IntakeSettings:
    reporters: ReporterPolicy = field(default_factory=ReporterPolicy)
    sender_rate_limit: int = 60  # reports per sender per window; 0 = unlimited
    sender_rate_window_seconds: float = 3600.0
    imap: ImapSettings = field(default_factory=ImapSettings)

    @classmethod
    def from_tables(cls, tables: Mapping[str, Any], base_dir: Path | None = None) -> IntakeSettings:
        """Build from the whole parsed configuration file. Reporters default to
        `[organisation] domains`; relative paths are relative to `base_dir`."""
        intake = table(tables, "intake", "intake", INTAKE_KEYS)
        reader = TableReader(intake, "intake")
        organisation = tables.get("organisation", {})
        own = organisation.get("domains", []) if isinstance(organisation, Mapping) else []
        listed = reader.strings("reporter_domains", tuple(own) if isinstance(own, list) else ())
        domains = tuple(domain.lower().lstrip("@") for domain in listed)
        return cls(
            reporters=ReporterPolicy(domains, reader.flag("allow_any_reporter", False)),
            sender_rate_limit=reader.integer("sender_rate_limit", 60),
            sender_rate_window_seconds=reader.number("sender_rate_window_seconds", 3600.0, 1.0),
            imap=_imap(table(intake, "imap", "intake.imap", IMAP_KEYS), base_dir),
        )


def _imap(section: Mapping[str, Any], base_dir: Path | None) -> ImapSettings:
    reader = TableReader(section, "intake.imap", base_dir)
    use_ssl = reader.flag("ssl", True)
    starttls = reader.flag("starttls", False)
    if use_ssl and starttls:
        raise ConfigError("intake.imap: set either ssl or starttls, not both")
    password = reader.text("password", "")
    password_file = reader.path("password_file")
    if password and password_file:
        raise ConfigError("intake.imap: set either password or password_file, not both")
    return ImapSettings(
        host=reader.text("host", ""),
        port=reader.integer("port", 993 if use_ssl else 143, minimum=1),
        ssl=use_ssl,
        starttls=starttls,
        ca_file=reader.path("ca_file"),
        username=reader.text("username", ""),
        password=password,
        password_file=password_file,
        folder=reader.text("folder", "INBOX"),
        processed_folder=reader.text("processed_folder", "phishloop-processed"),
        failed_folder=reader.text("failed_folder", "phishloop-failed"),
        poll_seconds=reader.number("poll_seconds", 60.0, 1.0),
        timeout_seconds=reader.number("timeout_seconds", 30.0, 1.0),
        max_backoff_seconds=reader.number("max_backoff_seconds", 300.0, 1.0),
    )
