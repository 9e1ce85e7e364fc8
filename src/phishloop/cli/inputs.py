"""Turning command-line PATH arguments into the inputs to analyse."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STDIN = "-"
MAIL_SUFFIXES = frozenset({".eml", ".msg", ".mbox", ".mbx", ".mail", ".emlx"})
_SNIFF_BYTES = 2048
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,76}:", re.MULTILINE)
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class InputFile:
    """One input: a path on disk, or standard input when `path` is "-"."""

    path: str

    def read(self, max_bytes: int) -> bytes:
        """Read the input; raises OSError (or ValueError when it is larger than max_bytes)."""
        if self.path == STDIN:
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(self.path, "rb") as handle:
                data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"larger than {max_bytes // (1024 * 1024)} MiB")
        return data


@dataclass(frozen=True)
class Expansion:
    inputs: list[InputFile]
    missing: list[str]  # arguments that do not exist
    skipped: list[str]  # files in directories that do not look like email


def expand_paths(arguments: list[str]) -> Expansion:
    """Files as given; directories walked recursively (hidden entries skipped), keeping
    files that look like email by name or content, in a stable order."""
    inputs: list[InputFile] = []
    missing: list[str] = []
    skipped: list[str] = []
    for argument in arguments:
        if argument == STDIN or os.path.isfile(argument):
            inputs.append(InputFile(argument))
        elif os.path.isdir(argument):
            for path in _walk(Path(argument)):
                (
                    inputs.append(InputFile(str(path)))
                    if _looks_like_mail(path)
                    else skipped.append(str(path))
                )
        else:
            missing.append(argument)
    return Expansion(inputs, missing, skipped)


def _walk(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(directory) / name


def _looks_like_mail(path: Path) -> bool:
    if path.suffix.lower() in MAIL_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return True  # let the analysis report why it cannot be read
    return head.startswith((CFB_MAGIC, b"From ")) or bool(_HEADER_LINE.match(head.lstrip()))
