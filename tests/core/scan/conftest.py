"""Fixtures for the YARA scanning tests: compiled rules and the pipeline with the scanner
hooked in the way docs/yara.md ("Integration") describes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import phishloop.core.pipeline as pipeline
from phishloop.core.model import Analysis
from phishloop.core.scan import (
    CompiledRules,
    RuleSource,
    YaraScanner,
    compile_rules,
    shipped_sources,
)

AnalyzeWithYara = Callable[[bytes, YaraScanner], list[Analysis]]


@pytest.fixture(scope="session")
def compile_text() -> Callable[[str], CompiledRules]:
    """Compile one rule file's text (namespace "test")."""

    def compile_one(text: str) -> CompiledRules:
        return compile_rules([RuleSource("test", "test.yar", text)])

    return compile_one


@pytest.fixture(scope="session")
def shipped() -> CompiledRules:
    return compile_rules(shipped_sources())


@pytest.fixture
def analyze_with_yara() -> AnalyzeWithYara:
    """`analyze(data, scanner=..., verdict=False)`: the real pipeline with the scanner."""

    def run(data: bytes, scanner: YaraScanner) -> list[Analysis]:
        return pipeline.analyze(data, scanner=scanner, verdict=False)

    return run
