"""Feedback templates: one TOML document per language, shipped in the package and
overridable key by key (the connector reads the admin's folder; the core only gets text).

Templates use `string.Template` placeholders (`${name}`); each key may use only the
placeholders listed below, checked when the set is built, so a typo in an admin's
template is a ConfigError at start-up rather than a failed notification later.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from phishloop.core.errors import ConfigError
from phishloop.core.feedback.model import Outcome

SHIPPED_LANGUAGES = ("en", "de")
FALLBACK_LANGUAGE = "en"
_MESSAGE_VARS = frozenset(
    {"subject", "sender", "date", "reference", "organisation", "removal", "unsubscribe",
     "previous", "current"}
)  # fmt: skip
_STRING_VARS: Mapping[str, frozenset[str]] = {
    "date": frozenset({"day", "month", "year", "time", "zone"}),
    "greeting_named": frozenset({"name"}),
    "reported": frozenset({"subject", "sender", "date"}),
    "reference": frozenset({"reference"}),
    "mailboxes_many": frozenset({"count"}),
    "removed": frozenset({"mailboxes"}),
    "unsubscribe_https": frozenset({"target"}),
    "unsubscribe_mailto": frozenset({"target", "subject"}),
    "unsubscribe_mailto_plain": frozenset({"target"}),
}
_LAYOUT_VARS = frozenset(
    {"greeting", "correction", "body", "reported", "reference_line", "signature", "title"}
)
SECTIONS = ("strings", "layout", "correction", *(outcome.value for outcome in Outcome))
Document = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class LanguageTemplates:
    """The templates of one language, complete (missing keys came from English)."""

    language: str
    sections: Mapping[str, Mapping[str, Any]]

    def get(self, section: str, key: str) -> str:
        return str(self.sections[section][key])

    def months(self) -> list[str]:
        return [str(month) for month in self.sections["strings"]["months"]]


class TemplateSet:
    """Shipped templates with an admin's overrides (`{language: parsed TOML}`) on top."""

    def __init__(self, overrides: Mapping[str, Document] | None = None) -> None:
        self._languages: dict[str, LanguageTemplates] = {}
        overrides = overrides or {}
        for language in sorted({*SHIPPED_LANGUAGES, *overrides}):
            merged = _merge(_shipped(FALLBACK_LANGUAGE), _shipped_or_empty(language))
            merged = _merge(merged, overrides.get(language, {}))
            _check(language, merged)
            self._languages[language] = LanguageTemplates(language, merged)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._languages)

    def for_language(self, language: str) -> LanguageTemplates:
        """`de-CH` uses `de`; an unknown language falls back to English."""
        base = language.lower().replace("_", "-").split("-", 1)[0]
        return self._languages.get(base) or self._languages[FALLBACK_LANGUAGE]


def parse_template_document(text: str, source: str) -> Document:
    """Parse one override file (for the connector that reads the admin's folder)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"feedback template {source} is not valid TOML: {exc}") from None
    unknown = set(document) - set(SECTIONS)
    if unknown:
        raise ConfigError(f"feedback template {source}: unknown section [{sorted(unknown)[0]}]")
    return document


@cache
def _shipped(language: str) -> Document:
    text = resources.files("phishloop.core.feedback").joinpath("templates", f"{language}.toml")
    return tomllib.loads(text.read_text(encoding="utf-8"))


def _shipped_or_empty(language: str) -> Document:
    return _shipped(language) if language in SHIPPED_LANGUAGES else {}


def _merge(base: Document, top: Document) -> dict[str, dict[str, Any]]:
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in top.items():
        if not isinstance(values, Mapping):
            raise ConfigError(f"feedback template section [{section}] must be a table")
        merged.setdefault(section, {}).update(values)
    return merged


def _check(language: str, sections: Document) -> None:
    for section, values in sections.items():
        for key, value in values.items():
            where = f"feedback template {language}.{section}.{key}"
            if key == "months":
                if not (isinstance(value, list) and len(value) == 12):
                    raise ConfigError(f"{where} must list 12 month names")
                continue
            if not isinstance(value, str):
                raise ConfigError(f"{where} must be text")
            template = Template(value)
            if not template.is_valid():
                raise ConfigError(f"{where}: a $ must start ${{name}} (write $$ for a dollar)")
            unknown = set(template.get_identifiers()) - _allowed(section, key)
            if unknown:
                raise ConfigError(f"{where}: unknown placeholder ${{{sorted(unknown)[0]}}}")


def _allowed(section: str, key: str) -> frozenset[str]:
    if section == "strings":
        return _STRING_VARS.get(key, frozenset())
    if section == "layout":
        return _LAYOUT_VARS
    return _MESSAGE_VARS
