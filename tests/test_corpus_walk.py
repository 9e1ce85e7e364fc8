"""Every file under ../shared/corpora produces a result that matches the JSON schema,
without an uncaught exception or an internal error."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from phishloop.core.pipeline import analyze
from phishloop.core.serialize import analysis_to_dict

SETS = [
    "phishing_pot",
    "spamassassin_public",
    "markup_newsletters",
    "mime_fixtures",
    "msg_files",
    "office_attachments",
    "modern_lists",
    "modern_fixtures",
    "sublime_demo",
]
NOT_MAIL = {"labels.csv", "hints.csv", "SOURCES.md"}


@cache
def validator() -> jsonschema.Draft202012Validator:
    text = resources.files("phishloop.schemas").joinpath("analysis-1.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in NOT_MAIL)


@pytest.mark.corpus
@pytest.mark.parametrize("name", SETS)
def test_every_corpus_file_yields_a_valid_result(corpora: Path, name: str) -> None:
    files = _files(corpora / name)
    assert files, f"{name} is empty"
    internal: list[str] = []
    for path in files:
        results = analyze(path.read_bytes(), path=str(path))
        assert results, path
        for result in results:
            data: dict[str, Any] = json.loads(json.dumps(analysis_to_dict(result)))
            validator().validate(data)
            internal += [
                f"{path}: {e.message}" for e in result.errors if e.code == "internal.error"
            ]
    assert not internal, "\n".join(internal[:20])
