"""Compiling YARA rule sources once: the shipped pack plus the user's, with errors that
name the file and line. The core compiles text it is given; reading user directories is
the caller's job (`phishloop.connectors.runtime.yara_rules`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yara  # type: ignore[import-not-found, unused-ignore]  # no stubs

from phishloop.core.errors import ConfigError

SHIPPED_NAMESPACE = "phishloop"
# Variables every rule may use: which target is scanned and, for attachments, its name.
# `filename`, `filepath`, `extension` and `filetype` follow the LOKI/THOR convention, so
# rule sets written for those tools compile (`filetype` is always "").
EXTERNALS: dict[str, str] = {
    "target": "",
    "filename": "",
    "filepath": "",
    "extension": "",
    "filetype": "",
}
_LINE = re.compile(r"^line (\d+): ")


class YaraRulesError(ConfigError):
    """A rule file does not compile; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class RuleSource:
    """The text of one rule file, the namespace its rules live in and where it came from
    (shown in errors)."""

    namespace: str
    origin: str
    text: str


@dataclass(frozen=True, slots=True)
class RuleInfo:
    namespace: str
    name: str
    tags: tuple[str, ...]
    meta: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CompiledRules:
    """Rules compiled once, ready for any number of scans; `rules` lists them and
    `warnings` are the compiler's performance warnings, with file and line."""

    compiled: Any  # yara.Rules
    rules: tuple[RuleInfo, ...]
    warnings: tuple[str, ...] = ()


def compile_rules(sources: Sequence[RuleSource]) -> CompiledRules:
    """Compile all `sources` together (one namespace per distinct `namespace`). Raises
    YaraRulesError naming the file and line of the first error in each namespace."""
    grouped: dict[str, list[RuleSource]] = {}
    for source in sources:
        grouped.setdefault(source.namespace, []).append(source)
    infos: list[RuleInfo] = []
    warnings: list[str] = []
    failures: list[str] = []
    for namespace, members in grouped.items():
        try:
            namespace_rules = _compile_namespace(namespace, members, warnings)
        except YaraRulesError as exc:
            failures.append(str(exc))
            continue
        infos.extend(_infos(namespace, namespace_rules))
    if failures:
        raise YaraRulesError("\n".join(failures))
    texts = {namespace: _joined(members)[0] for namespace, members in grouped.items()}
    try:
        compiled = yara.compile(sources=texts, externals=EXTERNALS, includes=False)
    except (yara.Error, ValueError) as exc:  # pragma: no cover - each namespace compiled
        raise YaraRulesError(f"YARA rules do not compile together: {exc}") from None
    return CompiledRules(compiled, tuple(infos), tuple(warnings))


def _compile_namespace(namespace: str, members: list[RuleSource], warnings: list[str]) -> Any:
    text, starts = _joined(members)
    try:
        compiled = yara.compile(source=text, externals=EXTERNALS, includes=False)
    except (yara.Error, ValueError) as exc:  # ValueError: a NUL character in the text
        raise YaraRulesError(_locate(str(exc), members, starts)) from None
    warnings.extend(_locate(str(w), members, starts) for w in compiled.warnings)
    return compiled


def _joined(members: list[RuleSource]) -> tuple[str, list[int]]:
    """One namespace's files as one text, and the first line of each file in it."""
    starts: list[int] = []
    line = 1
    for member in members:
        starts.append(line)
        line += member.text.count("\n") + 1
    return "\n".join(member.text for member in members), starts


def _locate(message: str, members: list[RuleSource], starts: list[int]) -> str:
    """'line 12: …' in the joined text → '<file> line 3: …'."""
    found = _LINE.match(message)
    if not found:
        return f"{members[0].origin}: {message}"
    line = int(found.group(1))
    index = max(i for i, start in enumerate(starts) if start <= line)
    return f"{members[index].origin} line {line - starts[index] + 1}: {message[found.end() :]}"


def _infos(namespace: str, compiled: Any) -> Iterable[RuleInfo]:
    for rule in compiled:
        meta = tuple((str(k), meta_text(v)) for k, v in rule.meta.items())
        yield RuleInfo(namespace, rule.identifier, tuple(rule.tags), meta)


def meta_text(value: object) -> str:
    """A YARA meta value (string, integer or boolean) as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@cache
def shipped_sources() -> tuple[RuleSource, ...]:
    """The rule pack shipped with phishloop (package data, namespace `phishloop`)."""
    folder = resources.files("phishloop.core.scan") / "rules"
    files = sorted(
        (f for f in folder.iterdir() if f.name.endswith((".yar", ".yara"))), key=lambda f: f.name
    )
    return tuple(
        RuleSource(SHIPPED_NAMESPACE, f"{SHIPPED_NAMESPACE}:{f.name}", f.read_text("utf-8"))
        for f in files
    )
