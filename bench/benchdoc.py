"""Writing benchmark figures into docs/benchmarks.md between a section's markers.

Each benchmark owns the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`;
writing replaces exactly that text (so writing twice gives the same file) and appends the
markers at the end of the file when they are not there yet.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def command_line(script: str) -> str:
    """How this benchmark was started, for the record."""
    return shlex.join(["python", script, *sys.argv[1:]])


def write_section(name: str, text: str, command: str, doc: Path = DOC) -> None:
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    body = (
        f"{start}\nMeasured {time.strftime('%Y-%m-%d')} with `{command}`.\n\n{text.strip()}\n{end}"
    )
    content = doc.read_text()
    if start not in content or end not in content:
        doc.write_text(content.rstrip("\n") + "\n\n" + body + "\n")
        return
    before, _, rest = content.partition(start)
    _, _, after = rest.partition(end)
    doc.write_text(before + body + after)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def share(hits: int, total: int, *, digits: int = 1) -> str:
    """ "97.3 % (283/291)", or "–" when nothing was measured."""
    if not total:
        return "–"
    return f"{100 * hits / total:.{digits}f} % ({hits}/{total})"
