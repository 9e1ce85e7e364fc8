"""SPF, DKIM and DMARC as the organisation's own mail servers saw them.

Trust rule: a result is trusted only when its authserv-id is one of
`OrganisationConfig.authserv_ids`. The headline comes from the topmost trusted
Authentication-Results header (then the topmost trusted ARC-Authentication-Results);
SPF missing there is taken from the topmost trusted Received-SPF. Trusted and untrusted
sources are never mixed: with no trusted header at all, the headline comes from the topmost
untrusted ones the same way and `trusted` is False.

Microsoft 365 writes Authentication-Results without an authserv-id; they are trusted only
when `authserv_ids` lists the name "(none)" (`UNNAMED_AUTHSERV_ID`) — right for an
organisation whose mail arrives through Microsoft 365, whose own header is the topmost one.

Received-SPF carries no authserv-id: it counts as trusted only when its `receiver=` key, or
the host leading its comment ("pass (mx.example.org: domain of ...)"), is a trusted id.
Headers the sender wrote below ours can claim our id too; taking only the topmost header
keeps them from overriding what our server wrote, as long as our server writes one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from phishloop.core import errors
from phishloop.core.config import OrganisationConfig
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.auth_headers import KIND_BY_NAME, AuthHeader, HeaderKind, read_header
from phishloop.core.extract.headers import HeaderList, values_named
from phishloop.core.indicators import normalize_domain
from phishloop.core.model import Authentication, AuthResult

MAX_AUTH_HEADERS = 60  # topmost ones; a real trace has a handful


def parse_authentication(
    headers: HeaderList, org: OrganisationConfig, ctx: AnalysisContext | None = None
) -> Authentication:
    """Every authentication result in the headers, plus the headline SPF/DKIM/DMARC
    (see the module docstring for which header wins). Damaged headers go to `ctx.errors`."""
    trusted_ids = frozenset(authserv_id.lower() for authserv_id in org.authserv_ids)
    parsed = _read_all(headers, trusted_ids, ctx)
    trusted = [header for header in parsed if header.trusted]
    pool = trusted or parsed
    main = _topmost(pool, "ar") or _topmost(pool, "arc")
    main_results = main.results if main else ()
    spf = _first(main_results, "spf")
    if spf is None:
        received_spf = _topmost(pool, "spf")
        spf = received_spf.results[0] if received_spf else None
    dkim = [result for result in main_results if result.method == "dkim"]
    dmarc = _first(main_results, "dmarc")
    source = main or (_topmost(pool, "spf") if spf else None)
    return Authentication(
        spf=spf.result if spf else None,
        dkim=_dkim_headline(dkim),
        dmarc=dmarc.result if dmarc else None,
        trusted=bool(trusted) and source is not None,
        authserv_id=source.authserv_id if source else None,
        spf_domain=_spf_domain(spf) if spf else None,
        dkim_domains=_unique(_dkim_domain(result) for result in dkim),
        dmarc_domain=_domain(_property(dmarc, "header.from")) if dmarc else None,
        results=tuple(result for header in parsed for result in header.results),
    )


def _read_all(
    headers: HeaderList, trusted_ids: frozenset[str], ctx: AnalysisContext | None
) -> list[AuthHeader]:
    found = list(values_named(headers, *KIND_BY_NAME))
    if len(found) > MAX_AUTH_HEADERS and ctx is not None:
        ctx.errors.add(
            errors.LIMIT_HEADERS,
            f"{len(found)} authentication headers; top {MAX_AUTH_HEADERS} read",
        )
    parsed = []
    for _, name, value in found[:MAX_AUTH_HEADERS]:
        header = read_header(KIND_BY_NAME[name], value, trusted_ids)
        if not header.understood and ctx is not None:
            ctx.errors.add(errors.HEADER_PARSE, f"{name} not understood: {value[:80]!r}")
        parsed.append(header)
    return parsed


def _topmost(pool: list[AuthHeader], kind: HeaderKind) -> AuthHeader | None:
    # An understood header without results ("ourid; none") still wins: lower ones may be forged.
    return next((header for header in pool if header.kind == kind and header.understood), None)


def _first(results: tuple[AuthResult, ...], method: str) -> AuthResult | None:
    return next((result for result in results if result.method == method), None)


def _dkim_headline(results: list[AuthResult]) -> str | None:
    # One passing signature authenticates the message; others may fail after list edits.
    if any(result.result == "pass" for result in results):
        return "pass"
    return results[0].result if results else None


def _property(result: AuthResult, *keys: str) -> str:
    values = dict(result.properties)
    return next((values[key] for key in keys if values.get(key)), "")


def _spf_domain(result: AuthResult) -> str | None:
    identity = _property(result, "smtp.mailfrom", "envelope-from", "smtp.helo", "helo")
    return _domain(identity.rpartition("@")[2])


def _dkim_domain(result: AuthResult) -> str | None:
    signer = _property(result, "header.d") or _property(result, "header.i").rpartition("@")[2]
    return _domain(signer)


@lru_cache(maxsize=4096)
def _domain(value: str) -> str | None:
    return normalize_domain(value.strip().strip("<>")) if value else None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
