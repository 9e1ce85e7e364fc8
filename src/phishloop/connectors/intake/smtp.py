"""SMTP intake at the protocol level: an aiosmtpd handler that checks the reporter, the
rate and the size, hands the exact bytes to an `accept` callable (run in a worker thread)
and answers 250 only after it returned — otherwise 4xx, so the sending MTA retries, or
5xx with the reason."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from phishloop.connectors.intake.base import AcceptResult, Outcome
from phishloop.connectors.intake.policy import ReporterPolicy, SenderRateLimiter

log = logging.getLogger(__name__)
# aiosmtpd logs every command at INFO; its warnings are still worth seeing.
logging.getLogger("mail.log").setLevel(logging.WARNING)


# accept(raw, mail_from, rcpt_tos) -> AcceptResult; blocking, called in a worker thread.
Accept = Callable[[bytes, str, list[str]], AcceptResult]


def one_line(text: str, limit: int = 200) -> str:
    """A reason fit for an SMTP reply line."""
    return " ".join(text.split())[:limit]


class ReportHandler:
    """aiosmtpd handler: one transaction = one report from the envelope sender."""

    def __init__(
        self,
        accept: Accept,
        *,
        reporters: ReporterPolicy,
        max_bytes: int,
        rate: SenderRateLimiter | None = None,
        max_recipients: int = 100,
        workers: int = 4,
        release: Callable[[], None] | None = None,
    ) -> None:
        """`release` runs once in every worker thread at `close` (the server closes its
        per-thread database connections there)."""
        self._accept = accept
        self._release = release
        self._workers = workers
        self._reporters = reporters
        self._rate = rate
        self._max_bytes = max_bytes
        self._max_recipients = max_recipients
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="smtp-accept")

    async def handle_MAIL(  # noqa: N802 - aiosmtpd hook name
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        refusal = self._reporters.refusal(address)
        if refusal:
            log.warning("SMTP intake: refused %r from %s: %s", address, session.peer, refusal)
            return f"550 5.7.1 Not accepted as a reporter: {one_line(refusal)}"
        if self._rate is not None and not self._rate.allow(address):
            log.warning("SMTP intake: rate limit for %r from %s", address, session.peer)
            return f"451 4.7.1 Too many reports from {one_line(address)}; try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= self._max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw: bytes = envelope.original_content or b""
        if len(raw) > self._max_bytes:  # aiosmtpd's own SIZE check normally answers first
            return f"552 5.3.4 The report is larger than {self._max_bytes:,} bytes"
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self._executor, self._accept, raw, envelope.mail_from, list(envelope.rcpt_tos)
            )
        except Exception:  # an unknown failure must not lose the report: let the MTA retry
            log.exception("SMTP intake: accepting a report from %r failed", envelope.mail_from)
            return "451 4.3.0 The report could not be stored; try again later"
        return _reply(result)

    def close(self) -> None:
        if self._release is not None:
            self._in_every_worker(self._release)
        self._executor.shutdown(wait=True)

    def _in_every_worker(self, release: Callable[[], None]) -> None:
        # Tasks that wait for each other occupy every worker thread at once, so each
        # thread runs exactly one (best effort: a busy thread breaks the barrier).
        barrier = threading.Barrier(self._workers)

        def task() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            release()

        for future in [self._executor.submit(task) for _ in range(self._workers)]:
            future.result()


def _reply(result: AcceptResult) -> str:
    detail = one_line(result.detail)
    if result.outcome is Outcome.ACCEPTED:
        return f"250 2.0.0 Report accepted{f' ({detail})' if detail else ''}"
    if result.outcome is Outcome.REJECTED:
        return f"554 5.6.0 Report refused: {detail}"
    return f"451 4.3.0 The report could not be stored; try again later ({detail})"


class _LenientSMTP(SMTP):
    # Hostile and broken mail ignores RFC 5321's 1000-byte lines; refusing it would lose
    # exactly the reports that matter. The size limit still bounds the whole message.
    line_length_limit = 64 * 1024

    def __init__(self, handler: Any, *, data_size_limit: int | None = None, **kwargs: Any) -> None:
        # Phishing mail carries lines far over 64 KB (a corpus sample: 78 KB of HTML on one
        # line), and a line refused is a report bounced. The size limit bounds any line
        # anyway. Set before SMTP.__init__, which sizes its stream reader with it.
        if data_size_limit:
            self.line_length_limit = max(self.line_length_limit, data_size_limit + 2)
        super().__init__(handler, data_size_limit=data_size_limit, **kwargs)


class _Controller(Controller):
    """aiosmtpd's threaded controller, able to listen on port 0 (any free port)."""

    def factory(self) -> SMTP:
        return _LenientSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpListener:
    """An SMTP server in a background thread serving `handler`."""

    def __init__(self, handler: ReportHandler, host: str, port: int, *, max_bytes: int) -> None:
        self.handler = handler
        self._controller = _Controller(
            handler,
            hostname=host,
            port=port,
            server_hostname=socket.gethostname(),  # no DNS lookup for the banner
            data_size_limit=max_bytes,  # advertised as SIZE; larger data gets 552
            enable_SMTPUTF8=True,
            ident="phishloop intake",
        )

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
        self.handler.close()
