"""Fixtures for the YARA scanning tests: compiled rules and the pipeline with the scanner
hooked in the way docs/yara.md ("Integration") describes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

import phishloop.core.attachments.analyzer as attachment_analyzer
import phishloop.core.pipeline as pipeline
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.context import AnalysisContext
from phishloop.core.model import Analysis, Attachment
from phishloop.core.parse.mime import ParsedMessage
from phishloop.core.scan import (
    CompiledRules,
    RuleSource,
    YaraScan,
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
def analyze_with_yara(monkeypatch: pytest.MonkeyPatch) -> AnalyzeWithYara:
    """`analyze(data, verdict=False)` with a YaraScanner: the message and its bodies are
    scanned before the other steps, every attachment node as the walker reaches it.
    (Stands in for `analyze(data, scanner=...)` until the pipeline takes a scanner.)"""
    active: list[YaraScan] = []
    scanner_box: list[YaraScanner] = []
    real_parsed = pipeline.analyze_parsed
    real_node = attachment_analyzer._analyze_node

    def node(walk: Walk, current: Node) -> Attachment:
        if active:
            active[-1].scan_attachment(current.data, current.path)
        return real_node(walk, current)

    def parsed(message: ParsedMessage, *, raw: bytes | None, **kwargs: Any) -> Analysis:
        ctx: AnalysisContext = kwargs["ctx"]
        scan = scanner_box[0].start(ctx)
        active.append(scan)
        try:
            scan.scan_message(raw, message)
            result = real_parsed(message, raw=raw, **kwargs)
        finally:
            active.pop()
        return replace(result, yara=scan.matches, errors=ctx.errors.records)

    monkeypatch.setattr(attachment_analyzer, "_analyze_node", node)
    monkeypatch.setattr(pipeline, "analyze_parsed", parsed)

    def run(data: bytes, scanner: YaraScanner) -> list[Analysis]:
        scanner_box[:] = [scanner]
        return pipeline.analyze(data, verdict=False)

    return run
