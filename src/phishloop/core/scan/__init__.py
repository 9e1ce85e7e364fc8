"""User rules with YARA: the shipped rule pack plus the organisation's own, compiled once
(`compile_rules`) and run over each message's raw bytes, decoded bodies and attachments
(`YaraScanner`). See docs/yara.md."""

from __future__ import annotations

from phishloop.core.scan.compile import (
    EXTERNALS,
    SHIPPED_NAMESPACE,
    CompiledRules,
    RuleInfo,
    RuleSource,
    YaraRulesError,
    compile_rules,
    shipped_sources,
)
from phishloop.core.scan.scanner import YARA_ERROR, YARA_TIMEOUT, YaraScan, YaraScanner

__all__ = [
    "EXTERNALS",
    "SHIPPED_NAMESPACE",
    "YARA_ERROR",
    "YARA_TIMEOUT",
    "CompiledRules",
    "RuleInfo",
    "RuleSource",
    "YaraRulesError",
    "YaraScan",
    "YaraScanner",
    "compile_rules",
    "shipped_sources",
]
