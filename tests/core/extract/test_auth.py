"""Authentication-Results, ARC-Authentication-Results and Received-SPF, and which of them
may be trusted."""

from __future__ import annotations

import pytest

from phishloop.core import errors
from phishloop.core.config import OrganisationConfig
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.auth import MAX_AUTH_HEADERS, parse_authentication
from phishloop.core.model import AuthResult

OURS = OrganisationConfig(domains=("corp.example",), authserv_ids=("mx.corp.example",))
NOBODY = OrganisationConfig()

GMAIL = (
    "mx.google.com;\r\n"
    '       dkim=pass header.i=@sender.example header.s=s1 header.b="ab/c+d";\r\n'
    "       arc=pass (i=1 spf=pass spfdomain=sender.example dkim=pass dkdomain=sender.example);\r\n"
    "       spf=pass (google.com: domain of bob@Sender.Example designates 209.85.220.41 as"
    " permitted sender) smtp.mailfrom=bob@Sender.Example;\r\n"
    "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=sender.example"
)
MICROSOFT = (
    "spf=pass (sender IP is 52.100.166.240)\r\n smtp.mailfrom=sarah1.komaa.xyz; dkim=fail"
    " (signature did not verify)\r\n header.d=x0f8rn4.onmicrosoft.com;dmarc=bestguesspass"
    " action=none\r\n header.from=sarah1.komaa.xyz;compauth=pass reason=109"
)


def results_of(auth_results: tuple[AuthResult, ...], method: str) -> list[str]:
    return [result.result for result in auth_results if result.method == method]


def test_gmail_header_untrusted_without_configuration() -> None:
    auth = parse_authentication([("Authentication-Results", GMAIL)], NOBODY)
    assert (auth.spf, auth.dkim, auth.dmarc) == ("pass", "pass", "pass")
    assert auth.trusted is False
    assert auth.authserv_id == "mx.google.com"
    assert auth.spf_domain == "sender.example"
    assert auth.dkim_domains == ("sender.example",)  # from header.i when header.d is absent
    assert auth.dmarc_domain == "sender.example"
    assert [r.method for r in auth.results] == ["dkim", "arc", "spf", "dmarc"]
    dkim = auth.results[0]
    assert dict(dkim.properties) == {
        "header.i": "@sender.example",
        "header.s": "s1",
        "header.b": "ab/c+d",
    }
    assert (
        auth.results[1].reason is not None and "spfdomain=sender.example" in auth.results[1].reason
    )


def test_trusted_when_authserv_id_is_ours_case_insensitively() -> None:
    header = (
        "MX.Corp.Example; spf=fail smtp.mailfrom=x@evil.example; dkim=none;"
        " dmarc=fail header.from=bank.example"
    )
    auth = parse_authentication([("Authentication-Results", header)], OURS)
    assert auth.trusted is True
    assert (auth.spf, auth.dkim, auth.dmarc) == ("fail", "none", "fail")
    assert auth.dmarc_domain == "bank.example"
    assert all(result.trusted for result in auth.results)


def test_spoofed_header_below_ours_does_not_win() -> None:
    headers = [
        (
            "Received",
            "from evil.example by mx.corp.example with ESMTP; Mon, 6 Jan 2025 10:00:00 +0000",
        ),
        (
            "Authentication-Results",
            "mx.corp.example; spf=fail smtp.mailfrom=evil.example;"
            " dmarc=fail header.from=corp.example",
        ),
        # written by the sender, claiming our id and a pass
        (
            "Authentication-Results",
            "mx.corp.example; spf=pass smtp.mailfrom=corp.example;"
            " dkim=pass header.d=corp.example; dmarc=pass header.from=corp.example",
        ),
        ("Authentication-Results", "mx.google.com; dmarc=pass header.from=corp.example"),
    ]
    auth = parse_authentication(headers, OURS)
    assert (auth.spf, auth.dmarc, auth.trusted) == ("fail", "fail", True)
    assert auth.dkim is None  # our header did not check DKIM; the forged pass is not borrowed
    assert auth.dkim_domains == ()
    assert results_of(auth.results, "dmarc") == ["fail", "pass", "pass"]  # all are recorded
    assert [r.trusted for r in auth.results if r.method == "dmarc"] == [True, True, False]


def test_foreign_header_above_ours_is_not_trusted() -> None:
    headers = [
        ("Authentication-Results", "mx.google.com; dmarc=pass header.from=corp.example"),
        ("Authentication-Results", "mx.corp.example; dmarc=fail header.from=corp.example"),
    ]
    auth = parse_authentication(headers, OURS)
    assert (auth.dmarc, auth.trusted, auth.authserv_id) == ("fail", True, "mx.corp.example")


def test_ours_saying_none_still_shadows_forged_results_below() -> None:
    headers = [
        ("Authentication-Results", "mx.corp.example; none"),
        ("Authentication-Results", "mx.corp.example; dmarc=pass header.from=corp.example"),
    ]
    ctx = AnalysisContext.create()
    auth = parse_authentication(headers, OURS, ctx)
    assert auth.dmarc is None
    assert len(ctx.errors) == 0  # "none" is a valid header, not damage


def test_without_trusted_headers_the_topmost_untrusted_one_is_the_headline() -> None:
    headers = [
        ("Authentication-Results", MICROSOFT),
        ("Authentication-Results", "mx.sender.example; spf=pass; dkim=pass; dmarc=pass"),
    ]
    auth = parse_authentication(headers, OURS)
    assert (auth.spf, auth.dkim, auth.dmarc, auth.trusted) == (
        "pass",
        "fail",
        "bestguesspass",
        False,
    )
    assert auth.authserv_id is None  # Microsoft 365 writes no authserv-id
    assert auth.spf_domain == "sarah1.komaa.xyz"
    assert auth.dkim_domains == ("x0f8rn4.onmicrosoft.com",)
    compauth = next(r for r in auth.results if r.method == "compauth")
    assert compauth.reason == "109"
    dmarc = next(r for r in auth.results if r.method == "dmarc")
    assert dict(dmarc.properties)["action"] == "none"


def test_dkim_headline_passes_when_any_signature_passes() -> None:
    header = (
        "mx.corp.example; dkim=fail (body hash did not verify) header.d=lists.example;"
        " dkim=pass header.d=Sender.Example; dkim=pass header.d=esp.example"
    )
    auth = parse_authentication([("Authentication-Results", header)], OURS)
    assert auth.dkim == "pass"
    assert auth.dkim_domains == ("lists.example", "sender.example", "esp.example")
    only_fail = "mx.corp.example; dkim=fail header.d=a.example; dkim=temperror header.d=b.example"
    assert parse_authentication([("Authentication-Results", only_fail)], OURS).dkim == "fail"


def test_received_spf_trusted_only_from_our_receiver() -> None:
    ours = (
        "Pass (mx.corp.example: domain of bob@sender.example designates 192.0.2.1 as permitted"
        " sender) receiver=mx.corp.example; client-ip=192.0.2.1;"
        ' envelope-from="bob@sender.example"; helo=out.sender.example;'
    )
    auth = parse_authentication([("Received-SPF", ours)], OURS)
    assert (auth.spf, auth.trusted, auth.authserv_id) == ("pass", True, "mx.corp.example")
    assert auth.spf_domain == "sender.example"
    (result,) = auth.results
    assert dict(result.properties)["client-ip"] == "192.0.2.1"
    assert result.reason is not None and result.reason.startswith("mx.corp.example:")

    theirs = (
        "pass (mx.sender.example: domain of x@corp.example designates 1.2.3.4) client-ip=1.2.3.4"
    )
    auth = parse_authentication([("Received-SPF", theirs)], OURS)
    assert (auth.spf, auth.trusted, auth.authserv_id) == ("pass", False, "mx.sender.example")


def test_received_spf_host_from_comment_and_spf_fallback() -> None:
    headers = [
        ("Authentication-Results", "mx.corp.example; dkim=pass header.d=sender.example"),
        (
            "Received-SPF",
            "SoftFail (mx.corp.example: domain of transitioning x@sender.example)"
            " client-ip=198.51.100.1;",
        ),
    ]
    auth = parse_authentication(headers, OURS)
    assert (auth.spf, auth.dkim, auth.trusted) == ("softfail", "pass", True)
    assert auth.authserv_id == "mx.corp.example"


def test_trusted_and_untrusted_sources_are_not_mixed() -> None:
    headers = [
        (
            "Received-SPF",
            "fail (mx.corp.example: domain of x@bank.example does not designate 1.2.3.4)",
        ),
        ("Authentication-Results", "mx.other.example; spf=pass; dkim=pass; dmarc=pass"),
    ]
    auth = parse_authentication(headers, OURS)
    assert (auth.spf, auth.dkim, auth.dmarc, auth.trusted) == ("fail", None, None, True)


def test_arc_results_are_recorded_with_lower_priority() -> None:
    headers = [
        ("ARC-Authentication-Results", "i=2; mx.google.com; dmarc=pass header.from=list.example"),
        ("Authentication-Results", "mx.google.com; dmarc=fail header.from=sender.example"),
        (
            "ARC-Authentication-Results",
            "i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=sender.example;"
            " dkim=pass header.d=sender.example; arc=none",
        ),
    ]
    auth = parse_authentication(headers, NOBODY)
    assert auth.dmarc == "fail"
    arc = [r for r in auth.results if ("arc.i", "1") in r.properties]
    assert [r.method for r in arc] == ["spf", "dkim", "arc"]
    assert {r.authserv_id for r in arc} == {"mx.microsoft.com"}  # the version "1" is dropped
    only_arc = parse_authentication(headers[2:], NOBODY)
    assert (only_arc.spf, only_arc.dkim, only_arc.authserv_id) == (
        "pass",
        "pass",
        "mx.microsoft.com",
    )


@pytest.mark.parametrize(
    ("value", "method", "result", "properties"),
    [
        (
            'mx.example; dkim = pass header.d = "quoted.example"',
            "dkim",
            "pass",
            {"header.d": "quoted.example"},
        ),
        ("mx.example; dkim/1=pass header.d=v.example", "dkim", "pass", {"header.d": "v.example"}),
        (
            "mx.example; spf=pass (nested (comment; with semicolon) here)"
            " smtp.mailfrom=a@b.example",
            "spf",
            "pass",
            {"smtp.mailfrom": "a@b.example"},
        ),
        (
            'mx.example; dmarc=pass header.from="unterminated',
            "dmarc",
            "pass",
            {"header.from": "unterminated"},
        ),
        (
            "mx.example; spf=PASS smtp.mailfrom=a@b.example dkim=pass header.d=b.example",
            "dkim",
            "pass",
            {"header.d": "b.example"},
        ),
        ('mx.example; auth=pass smtp.auth="x\\"y"', "auth", "pass", {"smtp.auth": 'x"y'}),
    ],
)
def test_syntax_variants(value: str, method: str, result: str, properties: dict[str, str]) -> None:
    auth = parse_authentication([("authentication-results", value)], NOBODY)
    found = next(r for r in auth.results if r.method == method)
    assert found.result == result
    assert dict(found.properties).items() >= properties.items()


def test_missing_separator_still_yields_both_results() -> None:
    value = "mx.example; spf=PASS smtp.mailfrom=a@b.example dkim=pass header.d=b.example"
    auth = parse_authentication([("Authentication-Results", value)], NOBODY)
    assert (auth.spf, auth.dkim) == ("pass", "pass")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ";;;;",
        "((((((",
        "=?utf-8?b?////?=",
        "\x00\x01\x02 spf",
        "mx.example; " + "a" * 10_000,
        "mx.example; spf=" + "(" * 500,
        '"' * 301,
    ],
)
def test_garbage_is_recorded_not_raised(garbage: str) -> None:
    ctx = AnalysisContext.create()
    auth = parse_authentication(
        [("Authentication-Results", garbage), ("Received-SPF", garbage)], OURS, ctx
    )
    assert (auth.spf, auth.dkim, auth.dmarc, auth.trusted) == (None, None, None, False)
    assert {record.code for record in ctx.errors.records} == {errors.HEADER_PARSE}


def test_garbage_without_a_context_is_silent() -> None:
    auth = parse_authentication([("Authentication-Results", ";;;")], NOBODY)
    assert auth.results == ()


def test_header_count_is_bounded() -> None:
    headers = [
        ("Authentication-Results", f"mx{i}.example; spf=pass") for i in range(MAX_AUTH_HEADERS + 5)
    ]
    ctx = AnalysisContext.create()
    auth = parse_authentication(headers, NOBODY, ctx)
    assert len(auth.results) == MAX_AUTH_HEADERS
    assert auth.authserv_id == "mx0.example"
    assert [record.code for record in ctx.errors.records] == [errors.LIMIT_HEADERS]


def test_no_authentication_headers() -> None:
    auth = parse_authentication([("Subject", "hi")], OURS)
    assert auth == type(auth)()


def test_microsoft_365_unnamed_results_trusted_only_when_configured() -> None:
    m365 = OrganisationConfig(authserv_ids=("(none)",))
    headers = [
        ("Authentication-Results", MICROSOFT),
        (
            "Authentication-Results",
            "spf=pass smtp.mailfrom=corp.example; dmarc=pass header.from=corp.example",
        ),
        ("Authentication-Results", "mx.sender.example; dmarc=pass header.from=corp.example"),
    ]
    auth = parse_authentication(headers, m365)
    assert (auth.dmarc, auth.trusted, auth.authserv_id) == ("bestguesspass", True, None)
    assert [r.trusted for r in auth.results if r.method == "dmarc"] == [True, True, False]
    assert parse_authentication(headers, OURS).trusted is False
