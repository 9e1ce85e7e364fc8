"""Per-message analysis state shared by the extractors: configuration, errors, time budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from phishloop.core import errors
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig, Limits
from phishloop.core.errors import DeadlineExceeded
from phishloop.core.model import ErrorRecord


class ErrorSink:
    """Collects `ErrorRecord`s once each, in the order they happened."""

    __slots__ = ("_records", "_seen")

    def __init__(self) -> None:
        self._records: list[ErrorRecord] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, code: str, message: str) -> None:
        key = (code, message)
        if key not in self._seen and len(self._records) < 500:
            self._seen.add(key)
            self._records.append(ErrorRecord(code, message))

    def extend(self, records: list[ErrorRecord] | tuple[ErrorRecord, ...]) -> None:
        for record in records:
            self.add(record.code, record.message)

    @property
    def records(self) -> tuple[ErrorRecord, ...]:
        return tuple(self._records)

    def __len__(self) -> int:
        return len(self._records)


class Deadline:
    """A cooperative time budget: long loops call `check()`."""

    __slots__ = ("_expires",)

    def __init__(self, seconds: float) -> None:
        self._expires = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self._expires

    def check(self) -> None:
        if time.monotonic() > self._expires:
            raise DeadlineExceeded()


@dataclass
class AnalysisContext:
    """Passed to every extractor working on one message."""

    config: AnalysisConfig = DEFAULT_CONFIG
    errors: ErrorSink = field(default_factory=ErrorSink)
    deadline: Deadline = field(default_factory=lambda: Deadline(DEFAULT_CONFIG.limits.max_seconds))
    expanded_bytes: int = 0  # archive bytes expanded so far, against limits.max_expanded_bytes
    qr_images: int = 0  # images and pages scanned for QR codes so far, against limits.max_qr_images
    # Called with the bytes and path of every attachment node (archive members and embedded
    # objects included) before it is analysed: the YARA scan hooks in here.
    on_attachment_bytes: Callable[[bytes, str], None] | None = None

    @classmethod
    def create(cls, config: AnalysisConfig = DEFAULT_CONFIG) -> AnalysisContext:
        return cls(config=config, deadline=Deadline(config.limits.max_seconds))

    @property
    def limits(self) -> Limits:
        return self.config.limits


T = TypeVar("T")


def run_step(ctx: AnalysisContext, step: str, action: Callable[[], T], default: T) -> T:
    """Run one analysis step; a hit limit or a bug in it is recorded instead of propagated,
    so one damaged part of a message never costs the analysis of the rest."""
    try:
        return action()
    except DeadlineExceeded as exc:
        ctx.errors.add(exc.code, f"{exc} (during {step})")
    except errors.LimitExceeded as exc:
        ctx.errors.add(exc.code, str(exc))
    except RecursionError:
        ctx.errors.add(errors.LIMIT_DEPTH, f"{step}: structure nested too deeply")
    except Exception as exc:
        ctx.errors.add(errors.INTERNAL, f"{step} failed: {errors.describe_exception(exc)}")
    return default
