"""Shipped host lists (data/*.txt): free-mail providers, URL shorteners, free hosting
platforms and suspicious top-level domains. Parsed once; lookups also match parent domains
("x.y.web.app" is on web.app)."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources


@cache
def host_list(name: str) -> frozenset[str]:
    """The entries of data/<name>.txt (one a line, `#` comments), lower-case."""
    path = resources.files("phishloop.core.classify").joinpath("data", f"{name}.txt")
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text("utf-8").splitlines())
    return frozenset(line for line in lines if line)


def listed_parent(host: str, entries: frozenset[str]) -> str | None:
    """The entry `host` is, or is a subdomain of; None if none."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    for start in range(len(labels)):
        candidate = ".".join(labels[start:])
        if candidate in entries:
            return candidate
    return None


@lru_cache(maxsize=16384)
def is_freemail(domain: str | None) -> bool:
    return bool(domain) and listed_parent(domain or "", host_list("freemail")) is not None


@lru_cache(maxsize=16384)
def shortener(host: str | None) -> str | None:
    return listed_parent(host, host_list("shorteners")) if host else None


@lru_cache(maxsize=16384)
def free_hosting(host: str | None) -> str | None:
    return listed_parent(host, host_list("free_hosting")) if host else None


def suspicious_tld(host: str | None) -> str | None:
    """The listed top-level domain of `host` (e.g. "top"), or None."""
    if not host or "." not in host:
        return None
    tld = host.rstrip(".").rsplit(".", 1)[1].lower()
    return tld if tld in host_list("suspicious_tlds") else None
