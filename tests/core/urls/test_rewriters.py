"""Link-rewriter decoding: every rewriter, look-alike hosts that must not be trusted,
nesting."""

from __future__ import annotations

import base64
import string
from urllib.parse import quote

import pytest

from phishloop.core.urls.rewriters import MAX_NESTING, unwrap

TARGET = "https://login.evil-bank.com/verify?acct=42&next=/home"


def _q(url: str) -> str:
    return quote(url, safe="")


# --- Proofpoint URL Defense -------------------------------------------------------------

_RUN_CODES = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def _urldefense_v3(url: str, replaced: str, host: str = "urldefense.com") -> str:
    """Build a v3 link with the documented encoding: every character of `replaced` found
    in `url` becomes "*" (a run of n >= 2 becomes "**" + code(n)), and the replaced
    characters go, in order, base64url-encoded after "__;"."""
    out: list[str] = []
    taken: list[str] = []
    index = 0
    while index < len(url):
        run = 0
        while index + run < len(url) and url[index + run] in replaced and run < 65:
            run += 1
        if run == 0:
            out.append(url[index])
            index += 1
            continue
        taken.append(url[index : index + run])
        out.append("*" if run == 1 else "**" + _RUN_CODES[run - 2])
        index += run
    encoded = base64.urlsafe_b64encode("".join(taken).encode()).decode().rstrip("=")
    return f"https://{host}/v3/__{''.join(out)}__;{encoded}!!AbCdEfGh!SIGNATURE$"


def test_proofpoint_v3_published_example() -> None:
    # From Proofpoint's documentation of the v3 format.
    wrapped = (
        "https://urldefense.com/v3/__https://google.com:443/search?q=a*test&gs=ps__;Kw!"
        "-612Flbf0JvQ3kNJkRi5Jg!Ue6tQudNKaShHg93trcdjqDP8se2ySE65jyCIe2K1D_uNjZ1Lnf6YLQERuj"
        "ngZv9UWf66ujQIQ$"
    )
    assert unwrap(wrapped) == ("https://google.com:443/search?q=a+test&gs=ps", ("proofpoint",))


def test_proofpoint_v3_replacement_keeps_percent_escapes() -> None:
    # Shape of the example in Proofpoint's TAP URL Decoder API documentation.
    wrapped = (
        "https://urldefense.com/v3/__https://firebasestorage.googleapis.com/v0/b/gund.appspot"
        ".com/o/owa*2Findex2gun.html?alt=media&token=02497332*vicky@example.com__;JSM!!Fjc1LP"
        "Etn8I!xxxxx$"
    )
    url, names = unwrap(wrapped)
    assert url == (
        "https://firebasestorage.googleapis.com/v0/b/gund.appspot.com/o/owa%2Findex2gun.html"
        "?alt=media&token=02497332#vicky@example.com"
    )
    assert names == ("proofpoint",)


@pytest.mark.parametrize(
    ("original", "replaced"),
    [
        (TARGET, "?&="),
        ("https://example.com/a;b;c/!!!!!/x", ";!"),  # runs of 2..5
        ("https://example.com/" + "~" * 40 + "/end", "~"),  # a long run
        ("https://example.com/café/ü?x=ä", "éüä"),  # multi-byte replacements
    ],
)
def test_proofpoint_v3_built_with_documented_encoding(original: str, replaced: str) -> None:
    wrapped = _urldefense_v3(original, replaced)
    assert "*" in wrapped
    assert unwrap(wrapped) == (original, ("proofpoint",))


def test_proofpoint_v3_with_too_few_replacement_characters_is_kept() -> None:
    wrapped = "https://urldefense.com/v3/__https://example.com/a**Bb__;Kw!!x$"  # needs 3 chars
    assert unwrap(wrapped) == (wrapped, ())


def test_proofpoint_v2() -> None:
    wrapped = (
        "https://urldefense.proofpoint.com/v2/url?u=https-3A__lists.ozlabs.org_pipermail_"
        "openbmc_2020-2DApril_021100.html&d=DwMFaQ&c=5VD0RTtNlTh3ycd41b3MUw&r=v9MU0Ki9pWnTXC"
        "&m=fAZZtmWl4g8&s=HXdHl56jq4p5&e="
    )
    assert unwrap(wrapped) == (
        "https://lists.ozlabs.org/pipermail/openbmc/2020-April/021100.html",
        ("proofpoint",),
    )


def test_proofpoint_v1() -> None:
    wrapped = (
        "https://urldefense.proofpoint.com/v1/url?u=http://www.example.com/a%20b%3Fc%3D1"
        "&k=oIvRg1%2BdGAgOoM1BIlLLqw%3D%3D%0A&r=abc&m=def&s=123"
    )
    assert unwrap(wrapped) == ("http://www.example.com/a b?c=1", ("proofpoint",))


# --- Microsoft Safe Links ------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "nam12.safelinks.protection.outlook.com",
        "eur03.safelinks.protection.outlook.com",
        "gcc02.safelinks.protection.office365.us",  # GCC High / DoD
        "usg02.safelinks.protection.office365.us",
        "can01.safelinks.protection.outlook.cn",  # 21Vianet
    ],
)
def test_safe_links(host: str) -> None:
    wrapped = (
        f"https://{host}/?url={_q(TARGET)}&data=05%7C02%7Cuser%40contoso.com%7C3d94d8a8f971"
        "%7C0%7C0%7C638303211215324281%7CUnknown&sdata=KtltZkg52K1iI84809CQTx%3D&reserved=0"
    )
    assert unwrap(wrapped) == (TARGET, ("safelinks",))


def test_safe_links_in_teams() -> None:
    wrapped = (
        "https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html"
        f"?url={_q(TARGET)}&locale=en-us&dest=https%3A%2F%2Fteams.microsoft.com"
    )
    assert unwrap(wrapped) == (TARGET, ("safelinks",))


def test_safe_links_without_target_is_not_claimed() -> None:
    wrapped = "https://nam12.safelinks.protection.outlook.com/?data=05%7C02&reserved=0"
    assert unwrap(wrapped) == (wrapped, ())


# --- The others ------------------------------------------------------------------------------

_B64 = base64.b64encode(TARGET.encode()).decode()
_B64URL = base64.urlsafe_b64encode(TARGET.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("wrapped", "name"),
    [
        (f"https://www.google.com/url?q={_q(TARGET)}&sa=D&source=editors&ust=1", "google"),
        (f"https://www.google.com/url?sa=t&rct=j&url={_q(TARGET)}&usg=AOvVaw", "google"),
        (f"https://www.google.co.uk/url?hl=en&q={_q(TARGET)}&source=gmail", "google"),
        (f"https://google.com.br/url?q={_q(TARGET)}", "google"),
        (f"https://linkprotect.cudasvc.com/url?a={_q(TARGET)}&c=E,1,abc&typo=1", "barracuda"),
        (f"https://secure-web.cisco.com/1kGw4mV6nJ-Lq2c/{_q(TARGET)}", "cisco"),
        (
            "https://imsva91-ctp.trendmicro.com:443/wis/clicktime/v1/query"
            f"?url={_q(TARGET)}&umid=8B2E6E9A-4C53&auth=6f1b2c",
            "trendmicro",
        ),
        (
            f"https://eu-central-1.protection.sophos.com/?d=evil-bank.com&u={_q(_B64)}"
            "&i=NWY1NzY4MDNh&t=QkNXVHhueXB5&h=afb31f07d9264eed&s=AVNPUEhUT0NF",
            "sophos",
        ),
        (
            "https://protect2.fireeye.com/v1/url?k=31323334-501d5122-313273af-454445555731"
            f"-6e5e1d2a8f3c1d4e&q=1&e=abc&u={_q(TARGET)}",
            "fireeye",
        ),
        (f"https://clicktime.symantec.com/3BCC63nXY1USLfHHTQnRWsw6H2?u={_q(TARGET)}", "symantec"),
        (f"https://l.facebook.com/l.php?u={_q(TARGET)}&h=AT0abc", "facebook"),
        (f"https://lm.facebook.com/l.php?u={_q(TARGET)}&h=AT0abc", "facebook"),
        (f"https://l.instagram.com/?u={_q(TARGET)}&e=ATM", "instagram"),
        (f"https://www.linkedin.com/redir/redirect?url={_q(TARGET)}&urlhash=X4aB", "linkedin"),
        (f"https://www.youtube.com/redirect?event=video_description&q={_q(TARGET)}", "youtube"),
        (f"https://slack-redir.net/link?url={_q(TARGET)}", "slack"),
        (f"https://www.bing.com/ck/a?!&&p=91e4f6&ptn=3&u=a1{_B64URL}&ntb=1", "bing"),
        (f"https://vk.com/away.php?to={_q(TARGET)}&cc_key=", "vk"),
        (f"https://steamcommunity.com/linkfilter/?url={_q(TARGET)}", "steam"),
        (f"https://out.reddit.com/t3_abc?url={_q(TARGET)}&token=x", "reddit"),
        (f"https://duckduckgo.com/l/?uddg={_q(TARGET)}&rut=abc", "duckduckgo"),
    ],
)
def test_rewriter_is_decoded(wrapped: str, name: str) -> None:
    assert unwrap(wrapped) == (TARGET, (name,))


def test_google_amp_viewer() -> None:
    assert unwrap("https://www.google.com/amp/s/evil-bank.com/page") == (
        "https://evil-bank.com/page",
        ("google",),
    )


def test_symantec_target_without_scheme_and_obfuscated_ip() -> None:
    # Seen in the wild: the target is a hex/octal IPv4 address without a scheme.
    wrapped = "https://clicktime.symantec.com/3BCC63nX?u=0x3E.0004.0x10.0256/cl/1752_md/1/13"
    assert unwrap(wrapped) == ("http://62.4.16.174/cl/1752_md/1/13", ("symantec",))


def test_mimecast_is_named_but_opaque() -> None:
    for wrapped in (
        "https://protect-us.mimecast.com/s/AbCdEfGhIjKlMn?domain=evil-bank.com",
        "https://url.uk.m.mimecastprotect.com/s/AbCdEfGhIjKlMn?domain=evil-bank.com",
    ):
        assert unwrap(wrapped) == (wrapped, ("mimecast",))


# --- Look-alikes: never trusted -----------------------------------------------------------


@pytest.mark.parametrize(
    "untrusted",
    [
        "https://urldefense.proofpoint.com.evil.example/v2/url?u=https-3A__good.example&d=x",
        _urldefense_v3(TARGET, "?&=", host="urldefense.com.evil.example"),
        _urldefense_v3(TARGET, "?&=", host="xurldefense.com"),
        f"https://nam12.safelinks-protection-outlook.com/?url={_q(TARGET)}&data=05",
        f"https://safelinks.protection.outlook.com.evil.example/?url={_q(TARGET)}",
        f"https://xsafelinks.protection.outlook.com/?url={_q(TARGET)}",
        f"https://evil.example/?url={_q('https://nam12.safelinks.protection.outlook.com/')}",
        f"https://evil.example/safelinks.protection.outlook.com/?url={_q(TARGET)}",
        f"https://evil.example/urldefense.com/v3/__{TARGET}__;!!x$",
        "https://evil.example/?next=https://urldefense.proofpoint.com/v2/url?u=x&d=y",
        # userinfo: the browser goes to evil.example
        f"https://urldefense.com@evil.example/v3/__{TARGET}__;!!x$",
        f"https://nam12.safelinks.protection.outlook.com:443@evil.example/?url={_q(TARGET)}",
        # backslash: the browser reads it as "/", so the host is evil.example
        f"https://evil.example\\@nam12.safelinks.protection.outlook.com/?url={_q(TARGET)}",
        f"https://www.google.com.evil.example/url?q={_q(TARGET)}",
        f"https://google.blogspot.com/url?q={_q(TARGET)}",
        f"https://www.google.com/search?q={_q(TARGET)}",  # the right host, not a redirect
        f"https://l.facebook.com.evil.example/l.php?u={_q(TARGET)}",
        f"https://evil.example/l.php?u={_q(TARGET)}",
        "https://protect-us.mimecast.com.evil.example/s/AbCdEf?domain=good.example",
        f"https://linkprotect.cudasvc.com.evil.example/url?a={_q(TARGET)}",
        f"https://secure-web.cisco.com.evil.example/1abc/{_q(TARGET)}",
        f"https://evil.example/wis/clicktime/v1/query?url={_q(TARGET)}",
        f"ftp://urldefense.com/v3/__{TARGET}__;!!x$",
    ],
)
def test_look_alike_is_not_decoded(untrusted: str) -> None:
    assert unwrap(untrusted) == (untrusted, ())


# --- Nesting -------------------------------------------------------------------------------


def test_safe_links_around_url_defense_around_google() -> None:
    google = f"https://www.google.com/url?q={_q(TARGET)}"
    defense = _urldefense_v3(google, "?&=%")
    safe = f"https://nam12.safelinks.protection.outlook.com/?url={_q(defense)}&data=05"
    assert unwrap(safe) == (TARGET, ("safelinks", "proofpoint", "google"))


def test_nesting_is_bounded() -> None:
    url = TARGET
    for _ in range(MAX_NESTING + 5):
        url = f"https://www.google.com/url?q={_q(url)}"
    decoded, names = unwrap(url)
    assert names == ("google",) * MAX_NESTING
    assert decoded.startswith("https://www.google.com/url?q=")


def test_decoded_garbage_keeps_the_outer_url() -> None:
    for wrapped in (
        "https://www.google.com/url?q=not%20a%20url",
        "https://www.google.com/url?q=javascript:alert(1)",
        "https://eu-central-1.protection.sophos.com/?u=%%%notbase64",
        "https://urldefense.com/v3/__https://x.example/*__;%%%!!x$",  # "*" needs a byte
    ):
        assert unwrap(wrapped) == (wrapped, ())
