"""The abuse mailbox over IMAP: each message is handed to the service and only then moved
to the processed (or failed) folder — never deleted. IDLE when the server offers it,
polling otherwise; lost connections are re-established with exponential back-off.

A message's delivery id is `host/folder:UIDVALIDITY:UID`, so a crash between the
service's commit and the move gives the same report again, not a second one."""

from __future__ import annotations

import logging
import random
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from phishloop.connectors.intake.base import AcceptResult, Outcome
from phishloop.connectors.intake.settings import ImapSettings

log = logging.getLogger(__name__)
MAX_IDLE_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
_CONNECTION_ERRORS = (IMAPClientError, OSError)


@dataclass(frozen=True)
class MailboxItem:
    """One message of the abuse mailbox; `raw` is empty when it was too large to fetch."""

    delivery_id: str
    uid: int
    size: int
    raw: bytes
    too_large: bool = False


# handle(item) -> AcceptResult: ACCEPTED → processed folder, REJECTED → failed folder,
# RETRY → left in place and tried again after a back-off.
Handle = Callable[[MailboxItem], AcceptResult]


class RetryLater(Exception):
    """The service cannot take reports now; the message stays where it is."""


class AbuseMailbox:
    """Reads one IMAP folder and hands each message to `handle`."""

    def __init__(self, settings: ImapSettings, handle: Handle, *, max_bytes: int) -> None:
        settings.require_account()
        self.settings = settings
        self._handle = handle
        self._max_bytes = max_bytes

    def run_once(self) -> int:
        """Process what is in the folder now; return how many messages were moved."""
        client = self._connect()
        try:
            self._prepare(client)
            return self._drain(client, threading.Event())
        finally:
            _logout(client)

    def run(self, stop: threading.Event) -> None:
        """Process messages as they arrive until `stop` is set, reconnecting after errors.
        A rejected login on the very first connection is raised (a configuration mistake)."""
        failures = 0
        connected_once = False
        while not stop.is_set():
            try:
                client = self._connect()
            except LoginError:
                if not connected_once:
                    raise
                failures = self._back_off(failures, stop, "login rejected")
                continue
            except _CONNECTION_ERRORS as exc:
                failures = self._back_off(failures, stop, f"cannot connect: {exc}")
                continue
            connected_once = True
            try:
                self._prepare(client)
                failures = 0
                self._serve(client, stop)
            except (*_CONNECTION_ERRORS, RetryLater) as exc:
                failures = self._back_off(failures, stop, str(exc) or type(exc).__name__)
            finally:
                _logout(client)

    def _back_off(self, failures: int, stop: threading.Event, reason: str) -> int:
        delay = min(self.settings.max_backoff_seconds, 2.0**failures)
        delay *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
        log.warning("IMAP intake %s: %s; retrying in %.1f s", self.settings.host, reason, delay)
        stop.wait(delay)
        return failures + 1

    def _connect(self) -> IMAPClient:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        client = IMAPClient(s.host, port=s.port, ssl=s.ssl, ssl_context=context,
                            timeout=s.timeout_seconds)  # fmt: skip
        try:
            if s.starttls:
                client.starttls(context)
            client.login(s.username, s.login_password())
        except BaseException:
            _logout(client)
            raise
        log.info("IMAP intake connected to %s:%d as %s", s.host, s.port, s.username)
        return client

    def _prepare(self, client: IMAPClient) -> None:
        for folder in (self.settings.processed_folder, self.settings.failed_folder):
            if not client.folder_exists(folder):
                client.create_folder(folder)
                log.info("IMAP intake created folder %r", folder)

    def _serve(self, client: IMAPClient, stop: threading.Event) -> None:
        idle = b"IDLE" in client.capabilities()
        while not stop.is_set():
            self._drain(client, stop)
            if idle:
                self._idle(client, stop)
            else:
                stop.wait(self.settings.poll_seconds)
                client.noop()  # a dead connection shows here, not in the next batch

    def _idle(self, client: IMAPClient, stop: threading.Event) -> None:
        """Wait for news (or the poll interval, the fallback for missed notifications)."""
        remaining = min(self.settings.poll_seconds, MAX_IDLE_SECONDS)
        client.idle()
        try:
            while remaining > 0 and not stop.is_set():
                # Short checks keep `stop` responsive; any untagged response means news.
                if client.idle_check(timeout=min(1.0, remaining)):
                    break
                remaining -= 1.0
        finally:
            client.idle_done()

    def _drain(self, client: IMAPClient, stop: threading.Event) -> int:
        info = client.select_folder(self.settings.folder)
        validity = int(info[b"UIDVALIDITY"])
        uids = sorted(client.search("ALL"))
        if not uids:
            return 0
        sizes = client.fetch(uids, ["RFC822.SIZE"])
        moved = 0
        for uid in uids:
            if stop.is_set():
                break
            if uid not in sizes:  # expunged meanwhile by someone else
                continue
            item = self._item(client, validity, uid, int(sizes[uid][b"RFC822.SIZE"]))
            if item is not None:
                self._dispose(client, item, self._handle(item))
                moved += 1
        return moved

    def _item(self, client: IMAPClient, validity: int, uid: int, size: int) -> MailboxItem | None:
        s = self.settings
        delivery_id = f"{s.host}/{s.folder}:{validity}:{uid}"
        if size > self._max_bytes:
            return MailboxItem(delivery_id, uid, size, b"", too_large=True)
        fetched = client.fetch([uid], ["BODY.PEEK[]"])  # PEEK: leave \Seen alone
        if uid not in fetched:
            return None
        raw: bytes = fetched[uid].get(b"BODY[]") or b""
        return MailboxItem(delivery_id, uid, size, raw)

    def _dispose(self, client: IMAPClient, item: MailboxItem, result: AcceptResult) -> None:
        if result.outcome is Outcome.RETRY:
            raise RetryLater(f"message {item.delivery_id} not stored: {result.detail}")
        target = (
            self.settings.processed_folder
            if result.outcome is Outcome.ACCEPTED
            else self.settings.failed_folder
        )
        _move(client, item.uid, target)
        log.info("IMAP intake: %s → %s (%s)", item.delivery_id, target, result.detail)


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    # Without MOVE: copy first, so the message is never only in neither folder.
    client.copy([uid], folder)
    client.add_flags([uid], [b"\\Deleted"])
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()


def _logout(client: Any) -> None:
    try:
        client.logout()
    except (*_CONNECTION_ERRORS, AttributeError):
        try:
            client.shutdown()
        except (*_CONNECTION_ERRORS, AttributeError):
            pass
