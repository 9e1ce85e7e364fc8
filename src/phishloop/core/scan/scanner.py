"""Scanning one message with compiled YARA rules: the raw message, its decoded bodies and
every attachment node (archive members included), within a timeout per scan, a time
budget per message and a byte cap per target. Problems become errors, never exceptions."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import yara  # type: ignore[import-not-found, unused-ignore]  # no stubs

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.model import YaraMatch
from phishloop.core.parse.mime import ParsedMessage
from phishloop.core.scan.compile import CompiledRules, meta_text

YARA_TIMEOUT = errors.YARA_TIMEOUT
YARA_ERROR = errors.YARA_ERROR
MAX_MATCHES = 200


@dataclass(frozen=True)
class YaraScanner:
    """Compiled rules and their time limits, shared by every message. `timeout_seconds`
    bounds one scan (YARA counts whole seconds); `budget_seconds` bounds all scans of one
    message, after which the remaining targets are skipped."""

    rules: CompiledRules
    timeout_seconds: float = 5.0
    budget_seconds: float = 10.0

    def start(self, ctx: AnalysisContext) -> YaraScan:
        """A scan of one message; feed it the message, then each attachment node."""
        return YaraScan(self, ctx)


class YaraScan:
    """The YARA matches of one message, gathered target by target."""

    def __init__(self, scanner: YaraScanner, ctx: AnalysisContext) -> None:
        self._scanner = scanner
        self._ctx = ctx
        self._spent = 0.0
        self._stopped = False
        self._matches: dict[tuple[str, str, str], YaraMatch] = {}

    @property
    def matches(self) -> tuple[YaraMatch, ...]:
        return tuple(self._matches.values())

    def scan_message(self, raw: bytes | None, parsed: ParsedMessage) -> None:
        """The raw message bytes ("message") and its decoded bodies ("body:text/html")."""
        if raw:
            self.scan("message", raw)
        self.scan_bodies(parsed)

    def scan_bodies(self, parsed: ParsedMessage, within: str | None = None) -> None:
        """The decoded text and HTML bodies; `within` names the attachment holding an
        attached email ("attachment:<path>/body:text")."""
        prefix = f"attachment:{within}/" if within else ""
        for kind, body in (("body:text", parsed.text_body), ("body:html", parsed.html_body)):
            if body:
                self.scan(f"{prefix}{kind}", body.encode("utf-8", "replace"), kind=kind)

    def scan_attachment(self, data: bytes, path: str) -> None:
        """One attachment node's bytes; the hook the attachment walker calls."""
        self.scan(f"attachment:{path}", data, kind="attachment", path=path)

    def scan(self, target: str, data: bytes, *, kind: str | None = None, path: str = "") -> None:
        """Scan `data` as `target`; never raises."""
        if not data or not self._may_scan(target):
            return
        try:
            found = self._match(target, self._capped(target, data), kind or target, path)
        except Exception as exc:  # a broken rule set must not sink the analysis
            self._ctx.errors.add(YARA_ERROR, f"YARA scan of {target} failed: {exc}")
            return
        for match in found:
            self._record(target, match)

    def _may_scan(self, target: str) -> bool:
        if self._stopped:
            return False
        if self._ctx.deadline.expired():
            message = f"time limit reached: YARA skipped {target} and later targets"
            self._stop(errors.LIMIT_TIME, message)
        elif self._spent >= self._scanner.budget_seconds:
            budget = self._scanner.budget_seconds
            self._stop(
                YARA_TIMEOUT, f"YARA budget of {budget:g} s spent: {target} and later skipped"
            )
        return not self._stopped

    def _stop(self, code: str, message: str) -> None:
        self._stopped = True
        self._ctx.errors.add(code, message)

    def _capped(self, target: str, data: bytes) -> bytes:
        limit = self._ctx.limits.max_member_bytes
        if len(data) <= limit:
            return data
        self._ctx.errors.add(errors.LIMIT_TEXT, f"YARA scanned the first {limit} bytes of {target}")
        return data[:limit]

    def _match(self, target: str, data: bytes, kind: str, path: str) -> list[Any]:
        left = self._scanner.budget_seconds - self._spent
        timeout = max(1, math.ceil(min(self._scanner.timeout_seconds, left)))
        started = time.monotonic()
        try:
            result: list[Any] = self._scanner.rules.compiled.match(
                data=data, externals=_externals(kind, path), timeout=timeout
            )
        except yara.TimeoutError:
            self._ctx.errors.add(YARA_TIMEOUT, f"YARA scan of {target} stopped after {timeout} s")
            return []
        finally:
            self._spent += time.monotonic() - started
        return result

    def _record(self, target: str, match: Any) -> None:
        key = (str(match.namespace), str(match.rule), target)
        if key in self._matches:
            return
        if len(self._matches) >= MAX_MATCHES:
            self._ctx.errors.add(YARA_ERROR, f"more than {MAX_MATCHES} YARA matches; rest dropped")
            return
        meta = tuple((str(k), meta_text(v)) for k, v in match.meta.items())
        self._matches[key] = YaraMatch(key[1], key[0], target, tuple(match.tags), meta)


def _externals(kind: str, path: str) -> dict[str, str]:
    name = path.rsplit("/", 1)[-1].replace("\x00", "")
    extension = "." + name.rsplit(".", 1)[1].lower() if "." in name else ""
    return {
        "target": kind,
        "filename": name,
        "filepath": path.replace("\x00", ""),
        "extension": extension,
    }
