"""The `[mailstore]` table and `open_mailstore`, which builds the configured backend.

Secrets never need to sit in the file: `*_password_env` / `api_key_env` name an environment
variable, `*_password_file` / `api_key_file` a file whose first line is the secret. Unknown
keys are an error (a typo must not silently change where mail is moved).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phishloop.connectors.mailstore.base import MailStore
from phishloop.connectors.mailstore.doveadm import DoveadmStore
from phishloop.connectors.mailstore.doveadm_api import DoveadmApi
from phishloop.connectors.mailstore.imap import ImapStore
from phishloop.connectors.mailstore.imap_pool import (
    Credentials,
    ImapEndpoint,
    ImapPool,
    MasterLogin,
    PerMailboxLogin,
)
from phishloop.connectors.mailstore.maildir import MaildirStore
from phishloop.connectors.mailstore.memory import MemoryMailStore
from phishloop.connectors.mailstore.settings_hosted import (
    HOSTED_KEYS,
    HostedSettings,
    hosted_settings,
    open_hosted,
)
from phishloop.core.errors import ConfigError

TYPES = ("maildir", "imap", "doveadm", "graph", "gmail", "memory")
_KEYS = {
    "type",
    "quarantine_folder",
    "sent_folders",
    "root",
    "layout",
    "host",
    "port",
    "security",
    "verify_tls",
    "ca_file",
    "timeout_seconds",
    "max_connections",
    "batch_size",
    "use_move",
    "master_user",
    "master_separator",
    "master_password",
    "master_password_env",
    "master_password_file",
    "credentials_file",
    "mailboxes",
    "mailboxes_file",
    "url",
    "api_key",
    "api_key_env",
    "api_key_file",
    "workers",
    "chunk_size",
    *HOSTED_KEYS,
}
DEFAULT_SENT = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Sent Mail",
    "Gesendet",
    "Gesendete Elemente",
)


@dataclass(frozen=True, slots=True)
class MailstoreSettings:
    type: str = "maildir"
    quarantine_folder: str = "Quarantine"
    sent_folders: tuple[str, ...] = DEFAULT_SENT
    root: Path | None = None
    layout: str = "{mailbox}"
    host: str = "127.0.0.1"
    port: int = 993
    security: str = "ssl"
    verify_tls: bool = True
    ca_file: str | None = None
    timeout_seconds: float = 30.0
    max_connections: int = 8
    batch_size: int = 200
    use_move: bool | None = None
    master_user: str | None = None
    master_separator: str = "*"
    master_password: str | None = field(default=None, repr=False)
    credentials: tuple[tuple[str, str], ...] = ()
    mailboxes: tuple[str, ...] = ()
    url: str = "http://127.0.0.1:8080/doveadm/v1"
    api_key: str | None = field(default=None, repr=False)
    workers: int = 4
    chunk_size: int = 25
    hosted: HostedSettings | None = None

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> MailstoreSettings:
        """Build from the parsed `[mailstore]` table; ConfigError names the bad key."""
        unknown = set(table) - _KEYS
        if unknown:
            raise ConfigError(f"unknown key mailstore.{sorted(unknown)[0]}")
        kind = _str(table, "type", "maildir")
        if kind not in TYPES:
            raise ConfigError(f"mailstore.type must be one of {', '.join(TYPES)}, not {kind!r}")
        # Gmail has no folders: quarantine is a label, named so people recognise it.
        quarantine_default = "Phishloop Quarantine" if kind == "gmail" else "Quarantine"
        security = _str(table, "security", "ssl")
        if security not in ("ssl", "starttls", "none"):
            raise ConfigError("mailstore.security must be ssl, starttls or none")
        settings = cls(
            type=kind,
            quarantine_folder=_str(table, "quarantine_folder", quarantine_default),
            sent_folders=_strings(table, "sent_folders") or DEFAULT_SENT,
            root=Path(table["root"]) if "root" in table else None,
            layout=_str(table, "layout", "{mailbox}"),
            host=_str(table, "host", "127.0.0.1"),
            port=_int(table, "port", 143 if security != "ssl" else 993),
            security=security,
            verify_tls=_typed(table, "verify_tls", bool, True),
            ca_file=_str(table, "ca_file", "") or None,
            timeout_seconds=float(_typed(table, "timeout_seconds", (int, float), 30.0)),
            max_connections=_int(table, "max_connections", 8),
            batch_size=_int(table, "batch_size", 200),
            use_move=_typed(table, "use_move", bool, None),
            master_user=_str(table, "master_user", "") or None,
            master_separator=_str(table, "master_separator", "*"),
            master_password=_secret(table, "master_password"),
            credentials=_credentials(table),
            mailboxes=_mailboxes(table),
            url=_str(table, "url", "http://127.0.0.1:8080/doveadm/v1"),
            api_key=_secret(table, "api_key"),
            workers=_int(table, "workers", 4),
            chunk_size=_int(table, "chunk_size", 25),
            hosted=hosted_settings(kind, table, _secret) if kind in ("graph", "gmail") else None,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.type == "maildir" and self.root is None:
            raise ConfigError("mailstore.root is required for type = 'maildir'")
        if self.type == "imap" and not (self.master_user or self.credentials):
            raise ConfigError("mailstore: type 'imap' needs master_user or credentials_file")
        if self.master_user and not self.master_password:
            raise ConfigError(
                "mailstore.master_password (or master_password_env/_file) is required "
                "with master_user"
            )
        if self.type == "gmail" and not self.mailboxes:
            raise ConfigError(
                "mailstore.mailboxes (or mailboxes_file) is required for type = 'gmail' "
                "(the Gmail API cannot list a domain's users)"
            )
        if self.type == "doveadm" and not self.api_key:
            raise ConfigError("mailstore.api_key (or api_key_env/_file) is required for doveadm")
        if self.quarantine_folder.upper() == "INBOX" or not self.quarantine_folder:
            raise ConfigError("mailstore.quarantine_folder must name a folder other than INBOX")


def open_mailstore(
    settings: MailstoreSettings, *, sleep: Callable[[float], None] = time.sleep
) -> MailStore:
    """The configured backend, ready to use (connections open lazily). `sleep` is how the
    hosted stores wait out throttling (tests count the waits)."""
    if settings.hosted is not None:
        return open_hosted(
            settings.hosted,
            quarantine_folder=settings.quarantine_folder,
            mailboxes=settings.mailboxes,
            workers=settings.workers,
            timeout=settings.timeout_seconds,
            sleep=sleep,
        )
    if settings.type == "maildir":
        assert settings.root is not None
        return MaildirStore(
            settings.root,
            layout=settings.layout,
            quarantine_folder=settings.quarantine_folder,
            sent_folders=settings.sent_folders,
        )
    if settings.type == "imap":
        return _open_imap(settings)
    if settings.type == "doveadm":
        assert settings.api_key is not None
        api = DoveadmApi(settings.url, settings.api_key, timeout=settings.timeout_seconds)
        return DoveadmStore(
            api,
            quarantine_folder=settings.quarantine_folder,
            sent_folders=settings.sent_folders,
            workers=settings.workers,
            chunk_size=settings.chunk_size,
        )
    return MemoryMailStore(settings.quarantine_folder)


def _open_imap(settings: MailstoreSettings) -> MailStore:
    endpoint = ImapEndpoint(
        settings.host,
        settings.port,
        settings.security,
        settings.timeout_seconds,
        settings.ca_file,
        settings.verify_tls,
    )
    credentials: Credentials
    if settings.master_user and settings.master_password:
        credentials = MasterLogin(
            settings.master_user, settings.master_password, settings.master_separator
        )
    else:
        credentials = PerMailboxLogin(dict(settings.credentials))
    mailboxes = settings.mailboxes or tuple(name for name, _ in settings.credentials)
    return ImapStore(
        ImapPool(endpoint, credentials, settings.max_connections),
        quarantine_folder=settings.quarantine_folder,
        mailboxes=mailboxes,
        batch_size=settings.batch_size,
        sent_folders=settings.sent_folders,
        use_move=settings.use_move,
    )


def _typed(table: Mapping[str, Any], key: str, kind: Any, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"mailstore.{key} has the wrong type ({type(value).__name__})")
    return value


def _str(table: Mapping[str, Any], key: str, default: str) -> str:
    return str(_typed(table, key, str, default))


def _int(table: Mapping[str, Any], key: str, default: int) -> int:
    value = int(_typed(table, key, int, default))
    if value < 1:
        raise ConfigError(f"mailstore.{key} must be at least 1")
    return value


def _strings(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"mailstore.{key} must be a list of strings")
    return tuple(value)


def _secret(table: Mapping[str, Any], key: str) -> str | None:
    """`key` itself, or the variable `key_env` names, or the first line of `key_file`."""
    if key in table:
        return _str(table, key, "")
    if f"{key}_env" in table:
        name = _str(table, f"{key}_env", "")
        if name not in os.environ:
            raise ConfigError(f"mailstore.{key}_env: environment variable {name} is not set")
        return os.environ[name]
    if f"{key}_file" in table:
        return _read_lines(table, f"{key}_file")[0]
    return None


def _read_lines(table: Mapping[str, Any], key: str) -> list[str]:
    path = Path(_str(table, key, ""))
    try:
        lines = [line.strip() for line in path.read_text().splitlines()]
    except OSError as exc:
        raise ConfigError(f"mailstore.{key}: cannot read {path} ({exc.strerror})") from exc
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise ConfigError(f"mailstore.{key}: {path} is empty")
    return lines


def _credentials(table: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """`credentials_file`: one `mailbox:password` per line (passwords may contain `:`)."""
    if "credentials_file" not in table:
        return ()
    pairs = []
    for number, line in enumerate(_read_lines(table, "credentials_file"), 1):
        mailbox, sep, password = line.partition(":")
        if not sep or not mailbox:
            raise ConfigError(
                f"mailstore.credentials_file line {number}: expected mailbox:password"
            )
        pairs.append((mailbox.strip(), password))
    return tuple(pairs)


def _mailboxes(table: Mapping[str, Any]) -> tuple[str, ...]:
    listed = _strings(table, "mailboxes") if "mailboxes" in table else ()
    if "mailboxes_file" in table:
        listed += tuple(_read_lines(table, "mailboxes_file"))
    return listed
