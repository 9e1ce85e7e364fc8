"""The analysis core is a pure library: no Django/Celery, no network, no subprocess, no
writes. Import-linter checks direct imports (see pyproject); these tests check behaviour."""

from __future__ import annotations

import builtins
import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from phishloop.core.pipeline import analyze


def test_importing_the_core_pulls_in_no_framework() -> None:
    code = (
        "import sys, phishloop.core.pipeline, phishloop.core.serialize;"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = (
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        .stdout.strip()
        .split(",")
    )
    for framework in ("django", "celery", "kombu", "click", "rich"):
        assert framework not in loaded


class _ForbiddenIOError(AssertionError):
    pass


@pytest.fixture
def no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any network connection, process start or file write during analysis fails the test."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise _ForbiddenIOError("the analysis core tried to do I/O")

    real_open = builtins.open

    def read_only_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if any(flag in mode for flag in "wax+"):
            refuse()
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    monkeypatch.setattr(builtins, "open", read_only_open)
    monkeypatch.setattr(io, "open", read_only_open)


def _samples(corpora: Path) -> list[Path]:
    """Messages with attachments, Office documents, .msg files and HTML mail."""
    picks = sorted((corpora / "mime_fixtures" / "spamassassin_tdata").rglob("*.eml"))[:40]
    picks += sorted((corpora / "mime_fixtures" / "spamscope_mail_parser").rglob("*.eml"))
    picks += sorted((corpora / "msg_files").rglob("*.msg"))[:15]
    picks += sorted((corpora / "sublime_demo").glob("*.eml"))
    picks += sorted((corpora / "phishing_pot").rglob("*.eml"))[:40]
    return picks


def test_analysis_does_no_io(corpora: Path, no_io: None) -> None:
    samples = _samples(corpora)
    assert len(samples) > 100
    for path in samples:
        data = path.read_bytes()
        results = analyze(data, path=str(path))
        assert results, path
        assert all(r.source.size > 0 for r in results)
        assert not [e for e in results[0].errors if e.code == "internal.error"], path
