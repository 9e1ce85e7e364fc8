"""Received headers as written by real MTAs, read into hops in travel order."""

from __future__ import annotations

import pytest

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.received import MAX_HOPS, origin, parse_received
from phishloop.core.extract.received_clauses import _read, read_clauses
from phishloop.core.model import ReceivedHop

GMAIL_INBOUND = (
    "from mail-ed1-f48.google.com (mail-ed1-f48.google.com [209.85.208.48])\r\n"
    "\t(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits))\r\n"
    "\t(No client certificate requested)\r\n"
    "\tby smtp.subspace.kernel.org (Postfix) with ESMTPS id DA46219B3CB\r\n"
    "\tfor <linux-cifs@vger.kernel.org>; Thu, 12 Jun 2025 17:29:06 +0000 (UTC)"
)
GMAIL_SUBMISSION = (
    "from [192.168.2.29] (smflon1825w-lp140-01-174-95-14-20.dsl.bell.ca.\r\n"
    " [174.95.14.20])\r\n by smtp.gmail.com with ESMTPSA\r\n"
    " id s8sm11938525qkg.64.2019.07.18.10.24.22\r\n"
    " for <usrp-users@lists.ettus.com>\r\n"
    " (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);\r\n"
    " Thu, 18 Jul 2019 10:24:22 -0700 (PDT)"
)
M365_FRONTEND = (
    "from NAM12-DM6-obe.outbound.protection.outlook.com (52.100.166.240)\r\n"
    " by MW2NAM12FT014.mail.protection.outlook.com (10.13.180.81) with Microsoft\r\n"
    " SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    " 15.20.7386.18 via Frontend Transport; Tue, 12 Mar 2024 16:20:30 +0000"
)
M365_IPV6 = (
    "from MW2NAM12FT014.eop-nam12.prod.protection.outlook.com\r\n"
    " (2603:10b6:303:80:cafe::50) by MW4P223CA0017.outlook.office365.com\r\n"
    " (2603:10b6:303:80::22) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7362.36 via Frontend\r\n"
    " Transport; Tue, 12 Mar 2024 16:20:35 +0000"
)
POSTFIX_IPV6 = (
    "from ny.mirrors.kernel.org (ny.mirrors.kernel.org [IPv6:2604:1380:45d1:ec00::1])\r\n"
    "\tby mail.lfdr.de (Postfix) with ESMTPS id C9CF6AD7901\r\n"
    "\tfor <lists+linux-cifs@lfdr.de>; Thu, 12 Jun 2025 19:29:57 +0200 (CEST)"
)
EXIM = (
    "from mail-vk1-f180.google.com ([209.85.221.180]:44090)\r\n"
    " by mm2.emwd.com with esmtps (TLSv1.2:ECDHE-RSA-AES128-GCM-SHA256:128)\r\n"
    " (Exim 4.92) (envelope-from <ejkreinar@gmail.com>) id 1hvipn-0005WY-MR\r\n"
    " for usrp-users@lists.ettus.com; Thu, 08 Aug 2019 09:52:03 -0400"
)
EXIM_LOCAL = (
    "from [::1] (port=37514 helo=mm2.emwd.com)\r\n\tby mm2.emwd.com with esmtp (Exim 4.92)\r\n"
    "\t(envelope-from <usrp-users-bounces@lists.ettus.com>)\r\n"
    "\tid 1hvipr-0005bW-2t; Thu, 08 Aug 2019 09:52:07 -0400"
)
QMAIL = (
    "from unknown (HELO bignet.net.bignet.mail1.psmtp.com) (216.78.29.166)\r\n"
    "  by mail.todays-tech.com with SMTP; 30 Aug 2002 19:37:02 -0000"
)
QMAIL_INVOKED = "(qmail 12986 invoked from network); 30 Aug 2002 19:37:02 -0000"
SENDMAIL = (
    "from lugh.tuatha.org (root@lugh.tuatha.org [194.125.145.45])\r\n"
    "\tby dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id g7NFDnZ29206\r\n"
    "\tfor <zzzz-ilug@jmason.org>; Fri, 23 Aug 2002 16:13:49 +0100"
)
SENDMAIL_FORGED_HELO = (
    "from yahoo.com (host42-176.pool21757.interbusiness.it [217.57.176.42])\r\n"
    "\tby rack3.easydns.com (Postfix) with SMTP id 402744AB48;\r\n"
    "\tWed, 25 Sep 2002 23:57:28 -0400 (EDT)"
)


def hop_of(value: str) -> ReceivedHop:
    ctx = AnalysisContext.create()
    (hop,) = parse_received([("Received", value)], ctx)
    return hop


@pytest.mark.parametrize(
    ("value", "from_host", "from_ip", "by_host", "protocol", "timestamp"),
    [
        (
            GMAIL_INBOUND,
            "mail-ed1-f48.google.com",
            "209.85.208.48",
            "smtp.subspace.kernel.org",
            "ESMTPS",
            "2025-06-12T17:29:06+00:00",
        ),
        (
            GMAIL_SUBMISSION,
            "smflon1825w-lp140-01-174-95-14-20.dsl.bell.ca",
            "174.95.14.20",
            "smtp.gmail.com",
            "ESMTPSA",
            "2019-07-18T10:24:22-07:00",
        ),
        (
            M365_FRONTEND,
            "nam12-dm6-obe.outbound.protection.outlook.com",
            "52.100.166.240",
            "mw2nam12ft014.mail.protection.outlook.com",
            "Microsoft SMTP Server",
            "2024-03-12T16:20:30+00:00",
        ),
        (
            M365_IPV6,
            "mw2nam12ft014.eop-nam12.prod.protection.outlook.com",
            "2603:10b6:303:80:cafe::50",
            "mw4p223ca0017.outlook.office365.com",
            "Microsoft SMTP Server",
            "2024-03-12T16:20:35+00:00",
        ),
        (
            POSTFIX_IPV6,
            "ny.mirrors.kernel.org",
            "2604:1380:45d1:ec00::1",
            "mail.lfdr.de",
            "ESMTPS",
            "2025-06-12T19:29:57+02:00",
        ),
        (
            EXIM,
            "mail-vk1-f180.google.com",
            "209.85.221.180",
            "mm2.emwd.com",
            "ESMTPS",
            "2019-08-08T09:52:03-04:00",
        ),
        (EXIM_LOCAL, "mm2.emwd.com", "::1", "mm2.emwd.com", "ESMTP", "2019-08-08T09:52:07-04:00"),
        (
            QMAIL,
            "bignet.net.bignet.mail1.psmtp.com",
            "216.78.29.166",
            "mail.todays-tech.com",
            "SMTP",
            "2002-08-30T19:37:02+00:00",
        ),
        (QMAIL_INVOKED, None, None, None, None, "2002-08-30T19:37:02+00:00"),
        (
            SENDMAIL,
            "lugh.tuatha.org",
            "194.125.145.45",
            "dogma.slashnull.org",
            "ESMTP",
            "2002-08-23T16:13:49+01:00",
        ),
    ],
)
def test_real_world_formats(
    value: str,
    from_host: str | None,
    from_ip: str | None,
    by_host: str | None,
    protocol: str | None,
    timestamp: str | None,
) -> None:
    hop = hop_of(value)
    assert (hop.from_host, hop.from_ip, hop.by_host, hop.protocol, hop.timestamp) == (
        from_host,
        from_ip,
        by_host,
        protocol,
        timestamp,
    )
    assert "\n" not in hop.raw and "\t" not in hop.raw
    assert hop.raw.startswith(value.split(maxsplit=1)[0])


def test_connecting_ip_comes_from_tcp_info_not_the_helo_claim() -> None:
    hop = hop_of(
        "from [245.6.41.19] (183.78.101.34.bc.googleusercontent.com. [34.101.78.183])"
        " by smtp.gmail.com with ESMTPSA id 3-2023sm1.57; Sun, 17 Dec 2023 05:41:35 -0800 (PST)"
    )
    assert hop.from_ip == "34.101.78.183"
    assert hop.from_host == "183.78.101.34.bc.googleusercontent.com"


def test_reverse_dns_name_is_preferred_to_a_forged_helo() -> None:
    hop = hop_of(SENDMAIL_FORGED_HELO)
    assert hop.from_host == "host42-176.pool21757.interbusiness.it"
    assert hop.from_ip == "217.57.176.42"


def test_keywords_inside_comments_do_not_start_clauses() -> None:
    hop = hop_of(
        "from mail.example.org (mail.example.org [198.51.100.7]) (authenticated bits=0 by x)"
        " by mx.example.net (8.15.2/8.15.2) with ESMTPSA id 4Abc (version=TLSv1.3 with y);"
        " Mon, 6 Jan 2025 10:00:00 +0000"
    )
    assert hop.by_host == "mx.example.net"
    assert hop.protocol == "ESMTPSA"


def test_travel_order_and_delays() -> None:
    headers = [
        ("Received", M365_IPV6),  # top: last hop, 5 s after the frontend
        ("X-Other", "ignored"),
        ("received", M365_FRONTEND),  # names in any case
        ("RECEIVED", "by mail-oo1 with SMTP id 006d; Tue, 12 Mar 2024 16:19:30 +0000"),
    ]
    hops = parse_received(headers, AnalysisContext.create())
    assert [hop.index for hop in hops] == [0, 1, 2]
    assert hops[0].by_host == "mail-oo1"
    assert hops[0].delay_seconds is None
    assert hops[1].delay_seconds == 60.0
    assert hops[2].delay_seconds == 5.0


def test_delay_needs_both_hops_dated() -> None:
    headers = [
        ("Received", "by c.example with SMTP; Tue, 12 Mar 2024 16:20:30 +0000"),
        ("Received", "from a.example by b.example with SMTP"),  # no date at all
        ("Received", "by a.example with SMTP; Tue, 12 Mar 2024 16:00:00 +0000"),
    ]
    hops = parse_received(headers, AnalysisContext.create())
    assert [hop.timestamp is not None for hop in hops] == [True, False, True]
    assert [hop.delay_seconds for hop in hops] == [None, None, None]


def test_negative_delay_from_skewed_clocks_is_kept() -> None:
    headers = [
        ("Received", "by b.example with SMTP; Tue, 12 Mar 2024 16:00:00 +0000"),
        ("Received", "by a.example with SMTP; Tue, 12 Mar 2024 16:00:30 +0000"),
    ]
    hops = parse_received(headers, AnalysisContext.create())
    assert hops[1].delay_seconds == -30.0


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Sep, 17 2002 11:39:32 AM +1200", "2002-09-17T11:39:32+12:00"),  # bulk-mailer style
        ("Sep, 20 2002 7:09:49 PM -0300", "2002-09-20T19:09:49-03:00"),
        ("Thu, 5 Sep 2002 01:00:10 +0100", "2002-09-05T01:00:10+01:00"),
        ("Thu, 1 Jan 2015 10:00:00 GMT", "2015-01-01T10:00:00+00:00"),
        ("Thu, 12 Jun 2025 19:29:57.123 +0200 (CEST)", "2025-06-12T19:29:57+02:00"),
    ],
)
def test_date_shapes(date: str, expected: str) -> None:
    assert hop_of(f"by mx.example.com with SMTP; {date}").timestamp == expected


@pytest.mark.parametrize(
    "date",
    [
        "30 Aug 0102 08:57:23 -0300",  # forged year
        "Thu, 32 Jan 2020 10:00:00 +0000",
        "Thu, 1 Jan 99999999999 10:00:00 +0000",
        "yesterday-ish",
    ],
)
def test_unreadable_dates_are_recorded_not_raised(date: str) -> None:
    ctx = AnalysisContext.create()
    (hop,) = parse_received([("Received", f"from a by b with SMTP; {date}")], ctx)
    assert hop.timestamp is None
    assert hop.by_host == "b"
    assert [record.code for record in ctx.errors.records] == [errors.HEADER_PARSE]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ";",
        "(((((((((",
        ")))) from by with id for ;;;",
        "from " + "x" * 10_000,
        "from a (b [999.1.1.1]) by [::::] with ; \x00\x01",
        "from \udcff\udcfe by \u00e9t\u00e9.example with SMTP; Mon, 1 Jan 2024 00:00:00 +0000",
        "=?utf-8?b?ZnJvbSBhIGJ5IGI=?=",
    ],
)
def test_garbage_never_raises(garbage: str) -> None:
    hops = parse_received([("Received", garbage)], AnalysisContext.create())
    assert len(hops) == 1
    assert len(hops[0].raw) <= 4096


def test_encoded_words_are_decoded() -> None:
    hop = hop_of("=?utf-8?q?from_a.example_by_b.example_with_SMTP?=")
    assert hop.by_host == "b.example"


def test_hop_count_is_bounded_keeping_the_top() -> None:
    headers = [("Received", f"by hop{i}.example with SMTP") for i in range(MAX_HOPS + 50)]
    ctx = AnalysisContext.create()
    hops = parse_received(headers, ctx)
    assert len(hops) == MAX_HOPS
    assert hops[-1].by_host == "hop0.example"  # the topmost header is the last hop
    assert [record.code for record in ctx.errors.records] == [errors.LIMIT_HEADERS]


def test_no_received_headers() -> None:
    assert parse_received([("From", "a@example.com")], AnalysisContext.create()) == ()


def hop(index: int, ip: str | None, host: str | None) -> ReceivedHop:
    return ReceivedHop(index=index, from_ip=ip, from_host=host)


def test_origin_skips_private_loopback_and_own_hosts() -> None:
    hops = (
        hop(0, "127.0.0.1", "localhost"),
        hop(1, "10.1.2.3", "internal.example"),
        hop(2, None, None),
        hop(3, "203.0.113.9", "relay.corp.example"),  # documentation range: not public
        hop(4, "8.8.4.4", "mail.corp.example"),  # the organisation's own relay
        hop(5, "198.51.100.77", None),
        hop(6, "1.1.1.1", "outbound.sender.example"),
        hop(7, "9.9.9.9", "mx.corp.example"),
    )
    assert origin(hops, ("corp.example",)) == ("1.1.1.1", "outbound.sender.example")
    assert origin(hops, ()) == ("8.8.4.4", "mail.corp.example")


def test_origin_of_ipv6_and_nothing_public() -> None:
    v6 = (hop(0, "::1", "localhost"), hop(1, "2607:f8b0:4864:20::c39", "mail-oo1.google.com"))
    assert origin(v6, ()) == ("2607:f8b0:4864:20::c39", "mail-oo1.google.com")
    assert origin((hop(0, "192.168.1.1", "nas"),), ()) == (None, None)
    assert origin((), ("corp.example",)) == (None, None)


def test_origin_from_parsed_trace() -> None:
    headers = [("Received", M365_IPV6), ("Received", M365_FRONTEND), ("Received", GMAIL_SUBMISSION)]
    hops = parse_received(headers, AnalysisContext.create())
    assert origin(hops, ("outlook.com",)) == (
        "174.95.14.20",
        "smflon1825w-lp140-01-174-95-14-20.dsl.bell.ca",
    )


def test_repeated_relays_read_from_the_clause_cache_as_computed() -> None:
    route = "from mail.example.com (mail.example.com [192.0.2.8]) by mx.example.org with ESMTPS"
    first = read_clauses(f"{route} id 1 for <a@example.org>")
    again = read_clauses(f"{route} id 2 for <b@example.org>")
    assert again is first  # the id and for clauses do not change what is read
    assert first == _read(
        "mail.example.com (mail.example.com [192.0.2.8])", "mx.example.org", "ESMTPS"
    )
    assert (first.from_host, first.from_ip, first.by_host, first.protocol) == (
        "mail.example.com",
        "192.0.2.8",
        "mx.example.org",
        "ESMTPS",
    )
    long_route = "from " + "x" * 2000 + " ([192.0.2.9]) by relay.example.net with SMTP"
    assert read_clauses(long_route) == read_clauses(long_route)  # computed, not cached
    assert read_clauses(long_route).from_ip == "192.0.2.9"
