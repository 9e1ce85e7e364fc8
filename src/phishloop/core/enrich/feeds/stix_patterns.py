"""Indicator values inside STIX patterns, parsed with `stix2-patterns` (the OASIS
reference grammar) rather than by hand.

Every equality (`=`, `IN`, and `ISSUBSET` for IP networks) on a supported object path is
taken, whatever joins it (OR, AND, FOLLOWEDBY): each compared value is itself a listed
indicator. Negations, MATCHES/LIKE and other comparisons are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from phishloop.core.model import IndicatorType

_PATHS: dict[tuple[str, str], IndicatorType] = {
    ("url", "value"): "url",
    ("domain-name", "value"): "domain",
    ("ipv4-addr", "value"): "ip",
    ("ipv6-addr", "value"): "ip",
    ("email-addr", "value"): "email",
    ("email-message", "from_ref.value"): "email",
    ("email-message", "sender_ref.value"): "email",
    ("network-traffic", "dst_ref.value"): "ip",
    ("file", "hashes.MD5"): "md5",
    ("file", "hashes.SHA1"): "sha1",
    ("file", "hashes.SHA256"): "sha256",
}
_OPERATORS = frozenset({"=", "IN", "ISSUBSET"})


class PatternError(ValueError):
    """The pattern is not valid STIX pattern syntax."""


def pattern_values(pattern: str, version: str = "2.1") -> list[tuple[IndicatorType, str]]:
    """(indicator type, value) for each usable comparison of a STIX pattern."""
    comparisons = _inspect(pattern, version)
    values: list[tuple[IndicatorType, str]] = []
    for object_type, entries in comparisons.items():
        for path, operator, literal in entries:
            kind = _PATHS.get((object_type, _path_key(path)))
            if kind is not None and operator in _OPERATORS:
                values.extend((kind, value) for value in string_literals(literal))
    return values


def _inspect(pattern: str, version: str) -> dict[str, list[tuple[list[object], str, str]]]:
    # Imported here: the ANTLR runtime is only needed when a STIX feed is read.
    from stix2patterns.v20.pattern import Pattern as Pattern20  # type: ignore[import-untyped]  # noqa: PLC0415
    from stix2patterns.v21.pattern import Pattern as Pattern21  # type: ignore[import-untyped]  # noqa: PLC0415

    parser = Pattern20 if version == "2.0" else Pattern21
    try:
        comparisons = parser(pattern).inspect().comparisons
    except Exception as exc:  # third-party parser on feed data: any failure is a bad pattern
        raise PatternError(str(exc)) from None
    return dict(comparisons)


def _path_key(path: list[object]) -> str:
    parts = [str(part) for part in path]
    if parts and parts[0] == "hashes" and len(parts) == 2:
        return "hashes." + parts[1].upper().replace("-", "")
    return ".".join(parts)


def string_literals(literal: str) -> Iterator[str]:
    """The string constants in a pattern literal: `'x'` or a list `('a','b')`.
    A linear scan: quotes are escaped as \\' and backslashes as \\\\."""
    value: list[str] | None = None
    escaped = False
    for char in literal:
        if value is None:
            if char == "'":
                value = []
        elif escaped:
            value.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "'":
            yield "".join(value)
            value = None
        else:
            value.append(char)
