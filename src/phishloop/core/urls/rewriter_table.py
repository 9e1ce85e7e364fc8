"""The link rewriters phishloop decodes: where each lives and where it hides the target."""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, unquote

from phishloop.core.urls import proofpoint

Decoder = Callable[[str, SplitResult], "str | None"]


def _opaque(url: str, parts: SplitResult) -> str | None:
    """Marker: the target is known only to the rewriter's server (Mimecast)."""
    return None


OPAQUE: Decoder = _opaque


@dataclass(frozen=True, slots=True)
class Rewriter:
    name: str
    domains: tuple[str, ...]  # the rewriter's hosts: exact or any subdomain of them
    paths: tuple[str, ...]  # lower-case; ending in "/" = prefix, otherwise the exact path
    decode: Decoder

    def handles(self, path: str) -> bool:
        path = path.lower() or "/"
        return any(path == p or (p.endswith("/") and path.startswith(p)) for p in self.paths)


def _param(*names: str) -> Decoder:
    """The first of query parameters `names` that is present (form-decoded once)."""

    def decode(url: str, parts: SplitResult) -> str | None:
        values = {
            key.removeprefix("amp;").lower(): value  # "&amp;" left by HTML-source copies
            for key, value in reversed(parse_qsl(parts.query, max_num_fields=256))
        }
        return next((values[name] for name in names if values.get(name)), None)

    return decode


def _base64_param(name: str, marker: str = "") -> Decoder:
    """A query parameter holding base64 (standard or URL-safe alphabet) of the target,
    after an optional `marker` prefix (Bing's "a1")."""
    read = _param(name)

    def decode(url: str, parts: SplitResult) -> str | None:
        value = read(url, parts)
        if not value or not value.startswith(marker):
            return None
        data = value[len(marker) :].strip().replace("-", "+").replace("_", "/")
        try:
            return b64decode(data + "=" * (-len(data) % 4), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None

    return decode


def _path_tail(url: str, parts: SplitResult) -> str | None:
    """Cisco Secure Email: https://secure-web.cisco.com/<token>/<percent-encoded URL>."""
    token, slash, _ = parts.path[1:].partition("/")
    if not token or not slash:
        return None
    path_start = len(parts.scheme) + 3 + len(parts.netloc)
    return unquote(url[path_start + len(token) + 2 :])


def _proofpoint(url: str, parts: SplitResult) -> str | None:
    return proofpoint.decode(url, parts.path)


def _google_amp(url: str, parts: SplitResult) -> str | None:
    """/amp/s/<host/path> is https://<host/path>; /amp/<host/path> is http."""
    rest = parts.path[len("/amp/") :]
    if rest.startswith("s/"):
        return "https://" + rest[2:]
    return "http://" + rest if rest else None


GOOGLE = "google.*"  # stands for every google.<public suffix>; see rewriters._candidates

REWRITERS: tuple[Rewriter, ...] = (
    Rewriter(
        "proofpoint",
        ("urldefense.proofpoint.com", "urldefense.com", "urldefense.us"),
        ("/v1/", "/v2/", "/v3/"),
        _proofpoint,
    ),
    Rewriter(
        "safelinks",
        (
            "safelinks.protection.outlook.com",
            "safelinks.protection.office365.us",  # GCC High / DoD
            "safelinks.protection.outlook.cn",  # operated by 21Vianet
        ),
        ("/",),
        _param("url"),
    ),
    Rewriter(
        "safelinks",
        ("statics.teams.cdn.office.net",),
        ("/evergreen-assets/safelinks/",),
        _param("url"),
    ),
    Rewriter("google", (GOOGLE,), ("/url",), _param("q", "url")),
    Rewriter("google", (GOOGLE,), ("/amp/",), _google_amp),
    Rewriter("barracuda", ("linkprotect.cudasvc.com",), ("/url",), _param("a")),
    Rewriter("mimecast", ("mimecast.com", "mimecastprotect.com"), ("/s/",), OPAQUE),
    Rewriter("cisco", ("secure-web.cisco.com",), ("/",), _path_tail),
    Rewriter(
        "trendmicro", ("trendmicro.com", "trendmicro.eu"), ("/wis/clicktime/",), _param("url")
    ),
    Rewriter("sophos", ("protection.sophos.com",), ("/",), _base64_param("u")),
    Rewriter(
        "fireeye",
        ("protect2.fireeye.com", "protect2.trellix.com"),
        ("/v1/url", "/url"),
        _param("u"),
    ),
    Rewriter("symantec", ("clicktime.symantec.com",), ("/",), _param("u")),
    Rewriter(
        "facebook",
        ("l.facebook.com", "lm.facebook.com", "l.messenger.com"),
        ("/l.php",),
        _param("u"),
    ),
    Rewriter("instagram", ("l.instagram.com",), ("/",), _param("u")),
    Rewriter(
        "linkedin",
        ("linkedin.com",),
        ("/redir/redirect", "/redir/general-malware-page"),
        _param("url"),
    ),
    Rewriter("youtube", ("youtube.com",), ("/redirect",), _param("q")),
    Rewriter("slack", ("slack-redir.net",), ("/link",), _param("url")),
    Rewriter("bing", ("bing.com",), ("/ck/a",), _base64_param("u", marker="a1")),
    Rewriter("vk", ("vk.com",), ("/away.php",), _param("to")),
    Rewriter("steam", ("steamcommunity.com",), ("/linkfilter/", "/linkfilter"), _param("url", "u")),
    Rewriter("reddit", ("out.reddit.com",), ("/",), _param("url")),
    Rewriter("duckduckgo", ("duckduckgo.com",), ("/l/",), _param("uddg")),
)
