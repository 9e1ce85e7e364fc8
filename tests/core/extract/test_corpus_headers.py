"""Received and authentication headers of every message in three corpora: no exceptions,
sane coverage, and timings per message (printed, never asserted)."""

from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest

from phishloop.core.config import OrganisationConfig
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.auth import parse_authentication
from phishloop.core.extract.received import parse_received
from phishloop.core.model import Authentication, ReceivedHop

pytestmark = pytest.mark.corpus

_PARSER = BytesHeaderParser(policy=policy.compat32)
_AUTH_HEADERS = {"authentication-results", "arc-authentication-results"}
_METHOD_IN_TEXT = re.compile(r"(?<![\w.-])(spf|dkim|dmarc)\s*=\s*[a-z]", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass
class Tally:
    messages: int = 0
    with_hops: int = 0
    with_dated_hop: int = 0
    with_from_ip: int = 0
    with_dkim: int = 0
    with_any_result: int = 0
    headers_naming_methods: int = 0
    headers_methods_found: int = 0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)


def headers_of(path: Path) -> list[tuple[str, str]]:
    message = _PARSER.parsebytes(path.read_bytes())
    return [(name, str(value)) for name, value in message.items()]


def walk(folder: Path) -> Tally:
    tally = Tally()
    parse_authentication([("Received-SPF", "pass (a.example: b@c.com)")], OrganisationConfig())
    # ^ loads the public suffix list before the clock starts
    with (folder / "labels.csv").open(newline="") as labels:
        paths = [folder / row["path"] for row in csv.DictReader(labels)]
    for path in paths:
        headers = headers_of(path)
        ctx = AnalysisContext.create()
        started = time.perf_counter()
        hops = parse_received(headers, ctx)
        auth = parse_authentication(headers, OrganisationConfig(), ctx)
        tally.seconds += time.perf_counter() - started
        count(tally, headers, hops, auth, ctx)
    return tally


def count(
    tally: Tally,
    headers: list[tuple[str, str]],
    hops: tuple[ReceivedHop, ...],
    auth: Authentication,
    ctx: AnalysisContext,
) -> None:
    tally.messages += 1
    tally.with_hops += bool(hops)
    tally.with_dated_hop += any(hop.timestamp for hop in hops)
    tally.with_from_ip += any(hop.from_ip for hop in hops)
    tally.with_dkim += any(result.method == "dkim" for result in auth.results)
    tally.with_any_result += bool(auth.results)
    for record in ctx.errors.records:
        tally.errors[record.code] = tally.errors.get(record.code, 0) + 1
    # Every header whose text (comments removed) names spf=/dkim=/dmarc= must yield results.
    for name, value in headers:
        if name.lower() in _AUTH_HEADERS:
            named = {m.lower() for m in _METHOD_IN_TEXT.findall(_COMMENT.sub(" ", value))}
            if named:
                tally.headers_naming_methods += 1
                found = {r.method for r in auth.results}
                tally.headers_methods_found += named <= found


def report(name: str, tally: Tally, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(
            f"\n{name}: {tally.messages} messages, "
            f"{tally.seconds / tally.messages * 1e6:.0f} µs/message (Received + auth), "
            f"hops {tally.with_hops / tally.messages:.1%}, "
            f"dated {tally.with_dated_hop / tally.messages:.1%}, "
            f"dkim {tally.with_dkim / tally.messages:.1%}, errors {tally.errors}"
        )


@pytest.mark.parametrize(
    ("corpus", "min_dated", "min_any_result", "min_dkim", "max_errors"),
    [
        # list mail: DKIM is reported where a receiver checked it (45 %); the rest carry only
        # SPF/DMARC or no Authentication-Results at all
        ("modern_lists", 0.98, 0.6, 0.4, 0.01),
        # Microsoft 365 results without an authserv-id included
        ("phishing_pot", 0.98, 0.95, 0.95, 0.01),
        # 2002 spam: no authentication headers; dates like "22/08/2002 10:25:57", year 0102
        ("spamassassin_public", 0.95, 0.0, 0.0, 0.05),
    ],
)
def test_corpus_headers(
    corpora: Path,
    capsys: pytest.CaptureFixture[str],
    corpus: str,
    min_dated: float,
    min_any_result: float,
    min_dkim: float,
    max_errors: float,
) -> None:
    tally = walk(corpora / corpus)
    report(corpus, tally, capsys)
    assert tally.messages > 1000
    assert tally.with_dated_hop / tally.messages >= min_dated
    assert tally.with_from_ip / tally.messages >= min_dated
    assert tally.with_any_result / tally.messages >= min_any_result
    assert tally.with_dkim / tally.messages >= min_dkim
    if tally.headers_naming_methods:
        assert tally.headers_methods_found / tally.headers_naming_methods >= 0.99
    # unreadable dates and garbage headers exist, but must stay the exception
    assert sum(tally.errors.values()) <= tally.messages * max_errors
