"""The `[mailstore]` keys of the hosted stores (`type = "graph"` and `type = "gmail"`) and
the functions that open them. Secrets (`client_secret`, the service-account key) are kept
out of reprs and error messages."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phishloop.connectors.cloud.api import ApiClient, RetryPolicy
from phishloop.connectors.cloud.google import DelegatedTokens, ServiceAccount
from phishloop.connectors.cloud.microsoft import ClientCredentials
from phishloop.connectors.mailstore.gmail import GMAIL_SCOPE, GmailStore, gmail_throttled
from phishloop.connectors.mailstore.graph import GraphMailStore
from phishloop.core.errors import ConfigError

HOSTED_KEYS = (
    "tenant_id",
    "client_id",
    "client_secret",
    "client_secret_env",
    "client_secret_file",
    "authority",
    "graph_base_url",
    "service_account_file",
    "service_account_env",
    "token_url",
    "gmail_base_url",
    "page_size",
    "max_retries",
    "max_retry_after_seconds",
)
SecretReader = Callable[[Mapping[str, Any], str], "str | None"]


@dataclass(frozen=True)
class HostedSettings:
    kind: str
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    authority: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    service_account: ServiceAccount | None = field(default=None, repr=False)
    token_url: str = ""
    gmail_base_url: str = "https://gmail.googleapis.com/gmail/v1"
    page_size: int = 100
    max_retries: int = 5
    max_retry_after_seconds: float = 120.0

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(self.max_retries, self.max_retry_after_seconds)


def hosted_settings(kind: str, table: Mapping[str, Any], secret: SecretReader) -> HostedSettings:
    """Read the Graph or Gmail keys; ConfigError names the missing or bad key."""
    common: dict[str, Any] = {
        "page_size": _int(table, "page_size", 100, 1, 1000),
        "max_retries": _int(table, "max_retries", 5, 0, 20),
        "max_retry_after_seconds": _number(table, "max_retry_after_seconds", 120.0),
    }
    if kind == "graph":
        client_secret = secret(table, "client_secret")
        if not client_secret:
            raise ConfigError("mailstore.client_secret (or _env, _file) is required for graph")
        return HostedSettings(
            kind,
            tenant_id=_required(table, "tenant_id", kind),
            client_id=_required(table, "client_id", kind),
            client_secret=client_secret,
            authority=_text(table, "authority", HostedSettings.authority).rstrip("/"),
            graph_base_url=_text(table, "graph_base_url", HostedSettings.graph_base_url),
            **common,
        )
    account = _service_account(table)
    return HostedSettings(
        kind,
        service_account=account,
        token_url=_text(table, "token_url", account.token_uri),
        gmail_base_url=_text(table, "gmail_base_url", HostedSettings.gmail_base_url),
        **common,
    )


def open_hosted(
    hosted: HostedSettings,
    *,
    quarantine_folder: str,
    mailboxes: Sequence[str],
    workers: int,
    timeout: float,
    sleep: Callable[[float], None],
) -> GraphMailStore | GmailStore:
    """The Graph or Gmail store these settings describe."""
    if hosted.kind == "gmail":
        return _open_gmail(
            hosted,
            quarantine_folder=quarantine_folder,
            mailboxes=mailboxes,
            workers=workers,
            timeout=timeout,
            sleep=sleep,
        )
    api = ApiClient(
        hosted.graph_base_url, name="Graph", timeout=timeout, sleep=sleep, retry=hosted.retry
    )
    tokens = ClientCredentials(
        api,
        authority=hosted.authority,
        tenant_id=hosted.tenant_id,
        client_id=hosted.client_id,
        client_secret=hosted.client_secret,
    )
    return GraphMailStore(
        api,
        tokens,
        quarantine_folder=quarantine_folder,
        mailboxes=mailboxes,
        page_size=hosted.page_size,
        workers=workers,
    )


def _open_gmail(
    hosted: HostedSettings,
    *,
    quarantine_folder: str,
    mailboxes: Sequence[str],
    workers: int,
    timeout: float,
    sleep: Callable[[float], None],
) -> GmailStore:
    assert hosted.service_account is not None
    api = ApiClient(
        hosted.gmail_base_url,
        name="Gmail",
        timeout=timeout,
        sleep=sleep,
        retry=hosted.retry,
        throttled=gmail_throttled,
    )
    tokens = DelegatedTokens(api, hosted.service_account, GMAIL_SCOPE, hosted.token_url)
    return GmailStore(
        api,
        tokens,
        quarantine_folder=quarantine_folder,
        mailboxes=mailboxes,
        page_size=hosted.page_size,
        workers=workers,
    )


def _service_account(table: Mapping[str, Any]) -> ServiceAccount:
    if "service_account_env" in table:
        name = _text(table, "service_account_env", "")
        if name not in os.environ:
            raise ConfigError(
                f"mailstore.service_account_env: environment variable {name} is not set"
            )
        text, key = os.environ[name], "service_account_env"
    elif "service_account_file" in table:
        path = Path(_text(table, "service_account_file", ""))
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise ConfigError(
                f"mailstore.service_account_file: cannot read {path} ({exc.strerror})"
            ) from None
        key = "service_account_file"
    else:
        raise ConfigError("mailstore.service_account_file (or _env) is required for gmail")
    try:
        account = ServiceAccount.from_json(text)
        account.signing_key()
    except ValueError as exc:  # the message never contains the key itself
        raise ConfigError(f"mailstore.{key}: {exc}") from None
    return account


def _text(table: Mapping[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"mailstore.{key} must be a string")
    return value


def _required(table: Mapping[str, Any], key: str, kind: str) -> str:
    value = _text(table, key, "")
    if not value:
        raise ConfigError(f"mailstore.{key} is required for type = '{kind}'")
    return value


def _int(table: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"mailstore.{key} must be a whole number from {low} to {high}")
    return value


def _number(table: Mapping[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"mailstore.{key} must be a number of seconds, at least 0")
    return float(value)
