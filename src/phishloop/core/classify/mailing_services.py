"""The shipped catalogue of mailing services (`data/mailing_services.toml`), parsed once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from fnmatch import translate
from functools import lru_cache
from importlib import resources
from typing import Any

from phishloop.core.domains import registered_domain

DATA_FILE = "mailing_services.toml"


@dataclass(frozen=True, slots=True)
class MailingServices:
    """Lookup tables: every name lower-case, each mapped to the service's display name."""

    headers: dict[str, str]
    header_prefixes: tuple[tuple[str, str], ...]
    mailers: tuple[tuple[str, str], ...]
    domains: dict[str, str]
    domain_patterns: tuple[tuple[str, str], ...]
    generic_headers: frozenset[str]
    prefixes: tuple[str, ...] = ()  # the header prefixes alone, for one str.startswith call

    def header_service(self, name: str) -> str | None:
        """The service that writes header `name` (lower-case), if it is a known one."""
        found = self.headers.get(name)
        if found is not None or not name.startswith(self.prefixes):
            return found
        return next((svc for prefix, svc in self.header_prefixes if name.startswith(prefix)), None)

    def mailer_service(self, mailer: str) -> str | None:
        lowered = mailer[:200].lower()
        return next((svc for needle, svc in self.mailers if needle in lowered), None)

    def domain_service(self, host: str) -> str | None:
        """The service whose infrastructure `host` (a host or domain name) belongs to."""
        domain = registered_domain(host)
        if not domain:
            return None
        found = self.domains.get(domain)
        if found is not None or not self.domain_patterns:
            return found
        match = _patterns_regex(self.domain_patterns).match(domain)
        if match is None or match.lastgroup is None:
            return None
        return self.domain_patterns[int(match.lastgroup[2:])][1]


@lru_cache(maxsize=8)
def _patterns_regex(patterns: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One regex for the shell-style patterns, tried in order: the group `_p<n>` of a match
    names the first pattern that matches the whole domain, as `fnmatchcase` would."""
    return re.compile(
        "|".join(
            f"(?P<_p{number}>{translate(pattern)})" for number, (pattern, _) in enumerate(patterns)
        )
    )


@lru_cache(maxsize=1)
def mailing_services() -> MailingServices:
    text = resources.files("phishloop.core.classify").joinpath("data", DATA_FILE).read_text()
    return parse_services(tomllib.loads(text))


def parse_services(data: dict[str, Any]) -> MailingServices:
    headers: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    mailers: list[tuple[str, str]] = []
    domains: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for service in data.get("service", []):
        name = str(service["name"])
        for header in service.get("headers", []):
            if header.endswith("*"):
                prefixes.append((header[:-1].lower(), name))
            else:
                headers[header.lower()] = name
        mailers.extend((m.lower(), name) for m in service.get("mailers", []))
        for domain in service.get("domains", []):
            if "*" in domain:
                patterns.append((domain.lower(), name))
            else:
                domains[domain.lower()] = name
    generic = frozenset(h.lower() for h in data.get("generic_headers", []))
    return MailingServices(
        headers,
        tuple(prefixes),
        tuple(mailers),
        domains,
        tuple(patterns),
        generic,
        tuple(prefix for prefix, _ in prefixes),
    )
