"""IMAP connections for the mail store: logins, a bounded pool, retries, error classes.

With a master user (Dovecot `user*master`, or another server's impersonation login) every
mailbox is opened with one admin secret; otherwise each mailbox has its own password. A
login binds a connection to one mailbox, so the pool keeps idle connections *per mailbox*
and never has more than `max_connections` open in total.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from phishloop.connectors.mailstore.base import MailStoreError
from phishloop.connectors.mailstore.imap_wire import Client, Literal, quote

T = TypeVar("T")
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]", "[OVERQUOTA]")


@dataclass(frozen=True, slots=True)
class ImapEndpoint:
    host: str
    port: int = 993
    security: str = "ssl"  # "ssl", "starttls" or "none"
    timeout: float = 30.0
    ca_file: str | None = None
    verify_tls: bool = True

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file)
        if not self.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


class Credentials(Protocol):
    def login_for(self, mailbox: str) -> tuple[str, str]:
        """(login name, password) that opens `mailbox`."""
        ...


@dataclass(frozen=True, slots=True)
class MasterLogin:
    """One admin login for every mailbox: `{mailbox}{separator}{master_user}`."""

    master_user: str
    password: str
    separator: str = "*"

    def login_for(self, mailbox: str) -> tuple[str, str]:
        return f"{mailbox}{self.separator}{self.master_user}", self.password


@dataclass(frozen=True, slots=True)
class PerMailboxLogin:
    passwords: Mapping[str, str]

    def login_for(self, mailbox: str) -> tuple[str, str]:
        if mailbox not in self.passwords:
            raise MailStoreError(f"no IMAP credentials for mailbox {mailbox}")
        return mailbox, self.passwords[mailbox]


def classify(exc: BaseException, context: str) -> MailStoreError:
    """Turn a library exception into a MailStoreError that says whether to retry."""
    if isinstance(exc, MailStoreError):
        return exc
    text = " ".join(str(exc).split())[:300]
    if isinstance(exc, (imaplib.IMAP4.abort, OSError, EOFError)):
        detail = text or type(exc).__name__
        return MailStoreError(f"{context}: connection lost ({detail})", transient=True)
    transient = any(code in text for code in _TRANSIENT_CODES)
    if isinstance(exc, LoginError):
        return MailStoreError(f"{context}: login failed ({text})", transient=transient)
    return MailStoreError(f"{context}: {text}", transient=transient)


def _is_connection_error(exc: BaseException) -> bool:
    return isinstance(exc, (imaplib.IMAP4.abort, OSError, EOFError))


class ImapPool:
    """At most `max_connections` logged-in connections; idle ones are reused per mailbox."""

    def __init__(
        self, endpoint: ImapEndpoint, credentials: Credentials, max_connections: int = 4
    ) -> None:
        self.endpoint = endpoint
        self.credentials = credentials
        self.max_connections = max(1, max_connections)
        self._idle: OrderedDict[str, list[IMAPClient]] = OrderedDict()
        self._open = 0
        self._cond = threading.Condition()
        self.logins = 0  # how many logins were made (tests check reuse)
        # connections opened for an action that logs in itself (pipelined with its
        # first commands): the login it still has to send
        self._pending: weakref.WeakKeyDictionary[IMAPClient, tuple[str, str]] = (
            weakref.WeakKeyDictionary()
        )

    def run(
        self,
        mailbox: str,
        action: Callable[[IMAPClient], T],
        *,
        attempts: int = 2,
        defer_login: bool = False,
    ) -> T:
        """Run `action` on a connection for `mailbox`; a dropped connection is replaced and
        the action retried (actions are idempotent); errors come out as MailStoreError.
        With `defer_login` a new connection comes unauthenticated: the action sends
        `pending_login(client)` itself (with its first commands) and calls `logged_in`."""
        for attempt in range(attempts):
            try:
                with self.session(mailbox, defer_login=defer_login) as client:
                    return action(client)
            except MailStoreError:
                raise
            except (IMAPClientError, OSError, EOFError) as exc:
                if not _is_connection_error(exc) or attempt == attempts - 1:
                    raise classify(exc, mailbox) from exc
        raise AssertionError("unreachable")

    def pending_login(self, client: IMAPClient) -> tuple[str, str] | None:
        """(login name, password) `client` still has to log in with, or None."""
        with self._cond:
            return self._pending.get(client)

    def logged_in(self, client: IMAPClient) -> None:
        """The action logged `client` in (see `run`'s `defer_login`)."""
        with self._cond:
            if self._pending.pop(client, None) is not None:
                self.logins += 1

    def ensure_login(self, client: IMAPClient, mailbox: str) -> None:
        """Log `client` in now if its login is still pending."""
        login = self.pending_login(client)
        if login is not None:
            _login(client, login, mailbox)
            self.logged_in(client)

    @contextlib.contextmanager
    def session(self, mailbox: str, *, defer_login: bool = False) -> Iterator[IMAPClient]:
        client = self._acquire(mailbox, defer_login)
        healthy = False
        try:
            if not defer_login:
                self.ensure_login(client, mailbox)
            yield client
            healthy = True
        except (IMAPClientError, OSError, EOFError) as exc:
            healthy = not _is_connection_error(exc)
            raise
        finally:
            self._release(mailbox, client, healthy)

    def close(self) -> None:
        with self._cond:
            clients = [c for group in self._idle.values() for c in group]
            self._idle.clear()
            self._open -= len(clients)
            self._cond.notify_all()
        for client in clients:
            _quit(client)

    def _acquire(self, mailbox: str, defer_login: bool = False) -> IMAPClient:
        evicted: IMAPClient | None = None
        with self._cond:
            while True:
                if self._idle.get(mailbox):
                    client = self._idle[mailbox].pop()
                    if not self._idle[mailbox]:
                        del self._idle[mailbox]
                    return client
                if self._open < self.max_connections:
                    break
                if self._idle:  # full, but someone else's idle connection can go
                    owner, group = self._idle.popitem(last=False)
                    evicted = group.pop()
                    if group:
                        self._idle[owner] = group
                    break
                self._cond.wait()
            if evicted is None:
                self._open += 1
        if evicted is not None:
            _drop(evicted)
        try:
            return self._connect(mailbox, defer_login)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _release(self, mailbox: str, client: IMAPClient, healthy: bool) -> None:
        with self._cond:
            if healthy:
                self._idle.setdefault(mailbox, []).append(client)
                self._idle.move_to_end(mailbox)
            else:
                self._open -= 1
            self._cond.notify()
        if not healthy:
            _logout(client)

    def _connect(self, mailbox: str, defer_login: bool = False) -> IMAPClient:
        endpoint = self.endpoint
        try:
            client = Client(
                endpoint.host,
                port=endpoint.port,
                ssl=endpoint.security == "ssl",
                ssl_context=endpoint.tls_context() if endpoint.security == "ssl" else None,
                timeout=endpoint.timeout,
            )
        except (IMAPClientError, OSError) as exc:
            raise classify(exc, f"connecting to {endpoint.host}:{endpoint.port}") from exc
        try:
            if endpoint.security == "starttls":
                client.starttls(endpoint.tls_context())
            login = self.credentials.login_for(mailbox)
        except BaseException as exc:
            _logout(client)
            raise classify(exc, mailbox) from exc
        with self._cond:
            self._pending[client] = login
        if not defer_login or not pipelinable_login(client, login):
            self.ensure_login(client, mailbox)
        return client


def pipelinable_login(client: IMAPClient, login: tuple[str, str]) -> bool:
    """A LOGIN can go out with other commands unless it needs a literal (8-bit or CR/LF
    in the name or password) that the server cannot take without a continuation."""
    if "LITERAL+" in client._imap.capabilities:
        return True
    return not any(isinstance(quote(part), Literal) for part in login)


def _login(client: IMAPClient, login: tuple[str, str], mailbox: str) -> None:
    try:
        client.login(*login)
    except BaseException as exc:
        _logout(client)
        raise classify(exc, mailbox) from exc


def _drop(client: IMAPClient) -> None:
    """Close an idle connection to make room for another mailbox: closing the socket ends
    the session as LOGOUT would, without waiting a round trip for the server's BYE."""
    imap: Any = client._imap  # IMAPClient.shutdown logs each close at INFO: one per mailbox
    with contextlib.suppress(Exception):
        imap.shutdown()


def _quit(client: IMAPClient) -> None:
    """LOGOUT without waiting for the server's BYE (a round trip per connection), then
    close: the server ends the session either way."""
    imap: Any = client._imap
    with contextlib.suppress(Exception):
        imap.send(imap._new_tag() + b" LOGOUT\r\n")
    _drop(client)


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):  # the connection may already be gone
        client.logout()
    with contextlib.suppress(Exception):
        client.shutdown()
