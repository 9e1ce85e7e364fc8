"""Authentication-Results, ARC-Authentication-Results and Received-SPF headers read into
`AuthResult`s, each marked trusted or not by its authserv-id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from phishloop.core.extract.authres_syntax import ParsedResult, results_from, segments
from phishloop.core.extract.headers import unfold
from phishloop.core.model import AuthResult

HeaderKind = Literal["ar", "arc", "spf"]
KIND_BY_NAME: dict[str, HeaderKind] = {
    "authentication-results": "ar",
    "arc-authentication-results": "arc",
    "received-spf": "spf",
}
# Microsoft 365 writes Authentication-Results without an authserv-id; an organisation on it
# lists this name in `authserv_ids` to trust them (its own header is the topmost one).
UNNAMED_AUTHSERV_ID = "(none)"
SPF_RESULTS = frozenset(
    {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "error", "unknown"}
)


@dataclass(frozen=True, slots=True)
class AuthHeader:
    kind: HeaderKind
    authserv_id: str | None
    trusted: bool
    results: tuple[AuthResult, ...]
    understood: bool  # False: nothing recognisable in it (garbage, or an empty value)


def read_header(kind: HeaderKind, value: str, trusted_ids: frozenset[str]) -> AuthHeader:
    text = unfold(value)
    if kind == "spf":
        return _received_spf(text, trusted_ids)
    return _authentication_results(kind, text, trusted_ids)


def _authentication_results(kind: HeaderKind, text: str, trusted_ids: frozenset[str]) -> AuthHeader:
    parts = segments(text)
    extra: tuple[tuple[str, str], ...] = ()
    if kind == "arc" and parts and parts[0].words and parts[0].words[0].lower().startswith("i="):
        extra = (("arc.i", parts[0].words[0][2:]),)  # ARC instance: which hop's view this is
        parts = parts[1:]
    first_word = parts[0].words[0] if parts and parts[0].words else ""
    authserv_id = first_word.lower()[:253] if first_word and "=" not in first_word else None
    trusted = (authserv_id or UNNAMED_AUTHSERV_ID) in trusted_ids
    parsed = [result for part in parts for result in results_from(part)]
    results = tuple(_to_model(r, authserv_id, trusted, extra) for r in parsed)
    says_none = any(word.lower() == "none" for part in parts for word in part.words[:1])
    return AuthHeader(kind, authserv_id, trusted, results, bool(results) or says_none)


def _to_model(
    parsed: ParsedResult, authserv_id: str | None, trusted: bool, extra: tuple[tuple[str, str], ...]
) -> AuthResult:
    return AuthResult(
        method=parsed.method,
        result=parsed.result,
        authserv_id=authserv_id,
        trusted=trusted,
        properties=extra + tuple(parsed.properties),
        reason=parsed.reason or parsed.comment,
    )


def _received_spf(text: str, trusted_ids: frozenset[str]) -> AuthHeader:
    """RFC 7208 9.1: `result (host: explanation) key=value; ...`. The reporting host is the
    `receiver=` key or the comment's leading host name."""
    parts = segments(text)
    words = [word for part in parts for word in part.words]
    result = words[0].lower() if words else ""
    if result not in SPF_RESULTS:
        return AuthHeader("spf", None, False, (), False)
    comment = parts[0].comments[0][1] if parts[0].comments else ""
    properties = _key_values(words[1:])
    keys = dict(properties)
    reporter = keys.get("receiver", "").lower()[:253] or _comment_host(comment)
    trusted = reporter is not None and reporter in trusted_ids
    model = AuthResult("spf", result, reporter, trusted, tuple(properties), comment or None)
    return AuthHeader("spf", reporter, trusted, (model,), True)


def _key_values(words: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for word in words:
        key, equals, value = word.partition("=")
        if equals and key:
            pairs.append((key.lower(), value.strip('"')[:256]))
    return pairs


def _comment_host(comment: str) -> str | None:
    host, colon, _ = comment.partition(":")
    host = host.strip().lower()
    return host if colon and host and " " not in host and len(host) <= 253 else None
