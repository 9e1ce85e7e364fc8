"""docs/server.md documents every PHISHLOOP_* variable the server reads, and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "src" / "phishloop" / "server"
READ = re.compile(r"env_(?:str|bool|int|float|list)\(\s*\"([A-Z0-9_]+)\"")
DOCUMENTED = re.compile(r"^\| `PHISHLOOP_([A-Z0-9_]+)` \|", re.MULTILINE)


def variables_read() -> set[str]:
    return {name for path in SERVER.rglob("*.py") for name in READ.findall(path.read_text("utf-8"))}


def test_every_server_variable_is_documented() -> None:
    read = variables_read()
    documented = set(DOCUMENTED.findall((ROOT / "docs" / "server.md").read_text("utf-8")))
    assert {"DATA_DIR", "DATABASE_URL", "BROKER_URL", "S3_BUCKET"} <= read  # the scan works
    assert sorted(read - documented) == [], "add these to docs/server.md"
    assert sorted(documented - read) == [], "documented but never read"
