"""Line-based feeds: plain lists, OpenPhish, CSV, URLhaus and PhishTank CSV dumps."""

from __future__ import annotations

import pytest

from phishloop.core.enrich.feeds import FeedError, FeedOptions, FeedReport, parse_feed
from phishloop.core.enrich.records import IntelRecord


def read(data: bytes, fmt: str, **options: object) -> tuple[list[IntelRecord], FeedReport]:
    report = FeedReport()
    records = list(parse_feed(data, fmt, FeedOptions(**options), report))  # type: ignore[arg-type]
    return records, report


def values(records: list[IntelRecord]) -> list[tuple[str, str]]:
    return [(r.indicator.type, r.indicator.value) for r in records]


PLAIN_LIST = b"""# Local blocklist, maintained by the SOC
# format: one indicator per line

https://Login-Micros0ft.com/owa/?user=1
paypa1-secure.com   # look-alike
198.51.100.0/24 ; SBL123456
0.0.0.0 tracking-evil.net
hxxp://defanged-phish[.]net/a
fraud@paypa1-secure.com
E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855
this is not an indicator
co.uk
"""


def test_plain_list() -> None:
    records, report = read(PLAIN_LIST, "list", source="soc", category="phishing")
    assert values(records) == [
        ("url", "https://login-micros0ft.com/owa/?user=1"),
        ("domain", "paypa1-secure.com"),
        ("ip", "198.51.100.0/24"),
        ("domain", "tracking-evil.net"),
        ("url", "http://defanged-phish.net/a"),
        ("email", "fraud@paypa1-secure.com"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ]
    assert {r.source for r in records} == {"soc"}
    assert {r.category for r in records} == {"phishing"}
    assert report.records == 7
    assert report.skipped == 2
    assert report.reasons["not an indicator"] == 2
    assert report.examples[0].startswith("line 11: not an indicator: 'this'")


def test_plain_list_forced_kind_skips_other_types() -> None:
    records, report = read(b"evil-site.com\nhttps://evil-site.com/x\n", "list", kind="url")
    assert values(records) == [("url", "https://evil-site.com/x")]
    assert report.skipped == 1


def test_openphish_is_a_url_list_of_phishing() -> None:
    feed = b"https://secure-bank-login.com/verify\nhttps://x.weebly.com/\nnot a url\n"
    records, report = read(feed, "openphish", source="openphish")
    assert values(records) == [
        ("url", "https://secure-bank-login.com/verify"),
        ("url", "https://x.weebly.com/"),
    ]
    assert {r.category for r in records} == {"phishing"}
    assert report.skipped == 1


@pytest.mark.parametrize("fmt", ["list", "openphish", "csv", "urlhaus", "phishtank"])
def test_empty_feeds_are_an_error(fmt: str) -> None:
    with pytest.raises(FeedError, match="no indicators"):
        read(b"# only comments\n\n", fmt)
    with pytest.raises(FeedError):
        read(b"", fmt)


def test_a_feed_of_garbage_is_an_error_not_an_empty_import() -> None:
    with pytest.raises(FeedError, match=r"no valid indicator.*3 entries skipped"):
        read(b"<html>\n<body>Service unavailable</body>\n</html>\n", "list")


def test_binary_data_is_an_error() -> None:
    with pytest.raises(FeedError, match="binary"):
        read(b"PK\x03\x04\x00\x00\x00binary", "list")


CSV_FEED = b"""# exported from the ticket system
reported_at,indicator,kind,ticket
2024-05-01,https://invoice-portal.net/pay,phishing,https://tickets.example/1
2024-05-02,"evil-site.com",malware,https://tickets.example/2
2024-05-02,,phishing,https://tickets.example/3
2024-05-03,not-an-indicator,spam,
"""


def test_csv_by_column_name_with_category_and_reference() -> None:
    records, report = read(
        CSV_FEED, "csv", column="indicator", category_column="kind", reference_column="ticket"
    )
    assert values(records) == [
        ("url", "https://invoice-portal.net/pay"),
        ("domain", "evil-site.com"),
    ]
    assert [r.category for r in records] == ["phishing", "malware"]
    assert [r.reference for r in records] == [
        "https://tickets.example/1",
        "https://tickets.example/2",
    ]
    assert report.skipped == 2


def test_csv_guesses_the_indicator_column_from_the_header() -> None:
    records, _ = read(CSV_FEED, "csv")
    assert values(records)[0] == ("url", "https://invoice-portal.net/pay")


def test_csv_by_number_without_header_and_semicolons() -> None:
    feed = b"1;203.0.113.7;c2\n2;203.0.113.8;c2\n3;bad;c2\n"
    records, report = read(feed, "csv", column="2", category_column="3")
    assert values(records) == [("ip", "203.0.113.7"), ("ip", "203.0.113.8")]
    assert [r.category for r in records] == ["c2", "c2"]
    assert report.skipped == 1


def test_csv_guess_without_header_uses_the_first_indicator_column() -> None:
    records, _ = read(b"17,evil-site.com\n18,other-evil.net\n", "csv")
    assert values(records) == [("domain", "evil-site.com"), ("domain", "other-evil.net")]


def test_csv_unknown_column_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="no column named 'url'; columns: 'reported_at'"):
        read(CSV_FEED, "csv", column="url")
    with pytest.raises(FeedError, match="choose one with --column"):
        read(b"a,b\nx,y\n", "csv")
    with pytest.raises(FeedError, match="start at 1"):
        read(CSV_FEED, "csv", column="0")


URLHAUS = b"""################################################################
# abuse.ch URLhaus Database Dump (CSV - recent URLs)           #
# Last updated: 2024-05-01 12:00:05 (UTC)                      #
#                                                              #
# Terms Of Use: https://urlhaus.abuse.ch/api/                  #
# For questions please contact urlhaus [at] abuse.ch           #
################################################################
#
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"2825735","2024-05-01 11:58:07","http://115.55.239.150:40087/Mozi.m","online","2024-05-01 11:58:07","malware_download","32-bit,elf,mips,Mozi","https://urlhaus.abuse.ch/url/2825735/","geenensp"
"2825734","2024-05-01 11:55:03","https://invoice-docs.net/files/inv_0417.zip","offline","","malware_download","zip,Qakbot","https://urlhaus.abuse.ch/url/2825734/","abuse_ch"
"2825733","2024-05-01 11:50:00","broken row"
"2825732","2024-05-01 11:49:00","not a url","online","","malware_download","","https://urlhaus.abuse.ch/url/2825732/","x"
"""


def test_urlhaus_dump() -> None:
    records, report = read(URLHAUS, "urlhaus", source="urlhaus")
    assert values(records) == [
        ("url", "http://115.55.239.150:40087/Mozi.m"),
        ("url", "https://invoice-docs.net/files/inv_0417.zip"),
    ]
    first = records[0]
    assert first.category == "malware"
    assert first.reference == "https://urlhaus.abuse.ch/url/2825735/"
    assert first.first_seen == "2024-05-01T11:58:07Z"
    assert report.skipped == 2
    assert report.reasons["bad row"] == 2


def test_urlhaus_auto_detected() -> None:
    records, _ = read(URLHAUS, "auto")
    assert len(records) == 2


def test_urlhaus_wrong_format() -> None:
    with pytest.raises(FeedError, match="not a URLhaus CSV dump"):
        read(b"url,category\nhttps://a-evil.com/,phishing\n", "urlhaus")


PHISHTANK_CSV = (
    b"phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n"
    b"""8571234,https://secure-login-paypal.com.verify-account.info/signin,http://www.phishtank.com/phish_detail.php?phish_id=8571234,2024-05-01T10:15:22+00:00,yes,2024-05-01T10:20:01+00:00,yes,PayPal
8571235,http://[broken,http://www.phishtank.com/phish_detail.php?phish_id=8571235,2024-05-01T10:16:00+00:00,yes,2024-05-01T10:21:00+00:00,yes,Other
8571236,https://not-verified.example.org/,http://www.phishtank.com/phish_detail.php?phish_id=8571236,2024-05-01T10:17:00+00:00,no,,yes,Other
"""
)


def test_phishtank_csv() -> None:
    records, report = read(PHISHTANK_CSV, "phishtank", source="phishtank")
    assert values(records) == [
        ("url", "https://secure-login-paypal.com.verify-account.info/signin")
    ]
    assert records[0].category == "phishing"
    assert records[0].reference.endswith("phish_id=8571234")  # type: ignore[union-attr]
    assert records[0].first_seen == "2024-05-01T10:15:22Z"
    assert report.reasons == {"not a URL": 1, "not verified": 1}


def test_phishtank_csv_auto_detected_and_wrong_header() -> None:
    assert len(read(PHISHTANK_CSV, "auto")[0]) == 1
    with pytest.raises(FeedError, match="not a PhishTank CSV dump"):
        read(b"id,link\n1,https://a-evil.com/\n", "phishtank")


def test_auto_detects_plain_lists_and_csv() -> None:
    assert values(read(b"evil-site.com\n", "auto")[0]) == [("domain", "evil-site.com")]
    records, _ = read(b"indicator,category\nevil-site.com,phishing\n", "auto")
    assert records[0].category is None  # category column only when asked for
    assert values(records) == [("domain", "evil-site.com")]


def test_unknown_format() -> None:
    with pytest.raises(FeedError, match="unknown feed format 'yaml'"):
        read(b"evil-site.com\n", "yaml")


def test_report_keeps_a_bounded_number_of_examples() -> None:
    feed = b"evil-site.com\n" + b"junk\n" * 500
    records, report = read(feed, "list")
    assert len(records) == 1
    assert report.skipped == 500
    assert len(report.examples) == 20
