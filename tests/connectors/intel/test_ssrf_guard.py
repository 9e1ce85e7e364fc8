"""The SSRF guard and the guarded HTTP client, against a real local server."""

from __future__ import annotations

import gzip
import ipaddress
import ssl
from typing import TYPE_CHECKING

import httpx
import pytest

from phishloop.connectors.net import (
    BlockedDestinationError,
    GuardedHttpClient,
    NetTimeoutError,
    OutboundPolicy,
    ResponseTooLargeError,
)
from phishloop.connectors.net.http import GuardedTransport
from phishloop.connectors.net.ssrf import NetError, is_public, resolve_checked

if TYPE_CHECKING:
    from conftest import LocalServer


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("192.0.2.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:0a00:0001::1", False),  # 6to4 of 10.0.0.1
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_every_resolved_address_must_pass() -> None:
    policy = OutboundPolicy()
    answers = {
        "intel.example.com": ["93.184.216.34"],
        "rebind.example.com": ["93.184.216.34", "10.0.0.5"],
        "metadata.example.com": ["169.254.169.254"],
    }

    def resolver(host: str, _port: int) -> list[str]:
        return answers[host]

    assert str(resolve_checked("intel.example.com", 443, policy, resolver)) == "93.184.216.34"
    for host in ("rebind.example.com", "metadata.example.com"):
        with pytest.raises(BlockedDestinationError):
            resolve_checked(host, 443, policy, resolver)
    with pytest.raises(BlockedDestinationError):
        resolve_checked("2130706433", 80, policy, lambda _h, _p: ["127.0.0.1"])
    allowed = OutboundPolicy.allowing("10.0.0.0/8")
    assert str(resolve_checked("rebind.example.com", 443, allowed, resolver)) == "93.184.216.34"


def test_loopback_is_refused_without_the_allow_list(server: LocalServer) -> None:
    server.answer("GET", "/ok", server.reply(200, b"hello"))
    client = GuardedHttpClient(OutboundPolicy())
    with pytest.raises(BlockedDestinationError, match=r"non-public address 127\.0\.0\.1"):
        client.request("GET", f"{server.url}/ok")
    with pytest.raises(BlockedDestinationError):
        client.request("GET", f"http://[::ffff:127.0.0.1]:{server.port}/ok")
    assert server.requests == []


def test_allowed_loopback_works_and_keeps_the_host_header(server: LocalServer) -> None:
    server.answer("GET", "/ok", server.reply(200, b"hello", {"X-Test": "1"}))
    client = GuardedHttpClient(
        OutboundPolicy.allowing("127.0.0.0/8"), resolver=lambda _h, _p: ["127.0.0.1"]
    )
    response = client.request("GET", f"http://intel.test:{server.port}/ok?a=1")
    assert (response.status, response.content, response.headers["x-test"]) == (200, b"hello", "1")
    seen = server.requests[0]
    assert seen.headers["host"] == f"intel.test:{server.port}"
    assert seen.query == {"a": ["1"]}
    assert seen.headers["user-agent"].startswith("phishloop/")


def test_other_schemes_are_refused() -> None:
    transport = GuardedTransport(OutboundPolicy.allowing("127.0.0.0/8"))
    with pytest.raises(BlockedDestinationError, match="scheme"):
        transport.handle_request(httpx.Request("GET", "ftp://127.0.0.1/file"))


def test_redirects_are_not_followed(server: LocalServer, http: GuardedHttpClient) -> None:
    server.answer(
        "GET", "/r", server.reply(302, b"", {"Location": "http://169.254.169.254/latest"})
    )
    assert http.request("GET", f"{server.url}/r").status == 302
    assert len(server.requests) == 1


def test_followed_redirects_still_pass_the_guard(server: LocalServer) -> None:
    server.answer("GET", "/r", server.reply(302, b"", {"Location": "http://10.0.0.1/internal"}))
    transport = GuardedTransport(OutboundPolicy.allowing("127.0.0.1/32"))
    with (
        httpx.Client(transport=transport, follow_redirects=True) as client,
        pytest.raises(BlockedDestinationError, match=r"10\.0\.0\.1"),
    ):
        client.get(f"{server.url}/r")


def test_timeout(server: LocalServer) -> None:
    server.answer("GET", "/slow", server.reply(200, b"late", delay=1.0))
    client = GuardedHttpClient(OutboundPolicy.allowing("127.0.0.1/32", read_timeout=0.2))
    with pytest.raises(NetTimeoutError):
        client.request("GET", f"{server.url}/slow")


def test_size_cap_with_and_without_content_length(server: LocalServer) -> None:
    big = b"x" * 300_000
    server.answer("GET", "/big", server.reply(200, big))
    server.answer("GET", "/stream", server.reply(200, big, chunked_without_length=True))
    server.answer(
        "GET",
        "/bomb",
        server.reply(200, gzip.compress(b"\0" * 2_000_000), {"Content-Encoding": "gzip"}),
    )
    server.answer("GET", "/fits", server.reply(200, b"y" * 1000))
    client = GuardedHttpClient(OutboundPolicy.allowing("127.0.0.1/32", max_response_bytes=100_000))
    for path in ("/big", "/stream", "/bomb"):
        with pytest.raises(ResponseTooLargeError):
            client.request("GET", f"{server.url}{path}")
    assert client.request("GET", f"{server.url}/fits").content == b"y" * 1000


def test_connection_refused_is_a_net_error(http: GuardedHttpClient) -> None:
    with pytest.raises(NetError):
        http.request("GET", "http://127.0.0.1:9/")  # discard port: nothing listens


def test_json_helper_reports_bad_json(server: LocalServer, http: GuardedHttpClient) -> None:
    server.answer("GET", "/text", server.reply(200, b"<html>"))
    with pytest.raises(NetError, match="not JSON"):
        http.request("GET", f"{server.url}/text").json()


def test_https_connects_to_the_checked_address_but_verifies_the_name(
    tls_server: tuple[LocalServer, ssl.SSLContext],
) -> None:
    server, trust = tls_server
    server.answer("GET", "/ok", server.reply(200, b"secure"))
    resolver = {"intel.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    client = GuardedHttpClient(
        OutboundPolicy.allowing("127.0.0.1/32"),
        verify=trust,
        resolver=lambda host, _port: resolver[host],
    )
    response = client.request("GET", f"https://intel.test:{server.port}/ok")
    assert response.content == b"secure"
    assert server.sni == ["intel.test"]
    assert server.requests[0].headers["host"] == f"intel.test:{server.port}"
    # the certificate names intel.test: another name on the same address must fail
    with pytest.raises(NetError, match=r"certificate|hostname"):
        client.request("GET", f"https://other.test:{server.port}/ok")
    assert len(server.requests) == 1
