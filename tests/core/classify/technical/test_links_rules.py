"""links.*: where links go and what the HTML body hides."""

from __future__ import annotations


def anchor(href: str, text: str = "Open") -> str:
    return f'<p>Hello, <a href="{href}">{text}</a></p>'


def test_text_mismatch(mail, hits) -> None:
    found = hits(mail(html=anchor("https://evil.example.net/x", "https://www.dhl.de/track")))
    assert "links.text-mismatch" in found and "links.text-brand-mismatch" in found
    assert "DHL" in found["links.text-brand-mismatch"].evidence
    plain = hits(mail(html=anchor("https://evil.example.net/x", "https://shop.example.org")))
    assert "links.text-mismatch" in plain and "links.text-brand-mismatch" not in plain
    same = hits(mail(html=anchor("https://www.dhl.de/track", "https://www.dhl.de/track")))
    assert "links.text-mismatch" not in same and "links.text-brand-mismatch" not in same


def test_text_mismatch_in_newsletters_is_weak(mail, hits) -> None:
    headers = [("List-Unsubscribe", "<https://esp.example/u>")]
    raw = mail(html=anchor("https://click.esp-mail.net/abc", "www.shop.org"), headers=headers)
    assert hits(raw)["links.text-mismatch"].weight < 0.5


def test_ip_host(mail, hits) -> None:
    assert "links.ip-host" not in hits(mail(html=anchor("http://203.0.113.9/x")))  # TEST-NET
    assert "links.ip-host" in hits(mail(html=anchor("http://8.8.8.8/login.php")))
    assert "links.ip-host" not in hits(mail(html=anchor("http://192.168.1.10/intranet")))
    assert "links.ip-host" not in hits(mail(html=anchor("https://www.example.org/")))


def test_shortener_free_hosting_and_tld(mail, hits) -> None:
    found = hits(mail(html=anchor("https://bit.ly/3xYz") + anchor("https://login-box.web.app/")))
    assert "links.shortener" in found and "links.free-hosting" in found
    assert found["links.free-hosting"].weight < 1.5
    assert "links.suspicious-tld" in hits(mail(html=anchor("https://secure-billing.top/a")))
    found = hits(mail(html=anchor("https://www.example.org/a")))
    assert not {"links.shortener", "links.free-hosting", "links.suspicious-tld"} & set(found)


def test_allowed_url_domains_are_exempt(mail, hits, cfg) -> None:
    allowed = cfg(lists={"allow_url_domains": ["bit.ly"]})
    assert "links.shortener" not in hits(mail(html=anchor("https://bit.ly/3xYz")), allowed)


def test_userinfo(mail, hits) -> None:
    found = hits(mail(text="Log in: https://www.paypal.com@evil.example.net/login\n"))
    assert "links.userinfo" in found
    assert "links.userinfo" not in hits(mail(text="Write to me: https://example.org/a@b\n"))


def test_script_and_data_links(mail, hits) -> None:
    found = hits(mail(html=anchor("javascript:alert(1)") + anchor("data:text/html;base64,PGI+")))
    assert "links.script-link" in found
    assert "links.script-link" not in hits(mail(html=anchor("https://example.org/")))


def test_meta_refresh(mail, hits) -> None:
    html = '<html><head><meta http-equiv="refresh" content="0; url=https://evil.example.net/"></head><body>x</body></html>'
    assert "links.meta-refresh" in hits(mail(html=html))
    assert "links.meta-refresh" not in hits(mail(html="<html><body>x</body></html>"))


def test_credential_form_in_body(mail, hits) -> None:
    form = (
        '<form action="https://evil.example.net/p">'
        '<input name="u"><input type="password" name="p"></form>'
    )
    assert hits(mail(html=form))["links.credential-form"].weight == 4.0
    survey = '<form action="https://survey.example.org/"><input name="rating"></form>'
    assert "links.credential-form" not in hits(mail(html=survey))


def test_hidden_text(mail, hits) -> None:
    hidden = '<div style="display:none">' + "lorem ipsum dolor " * 150 + "</div><p>Pay now</p>"
    assert "links.hidden-text" in hits(mail(html=hidden))
    preheader = '<div style="display:none">Our spring sale starts now</div><p>Sale</p>'
    assert "links.hidden-text" not in hits(mail(html=preheader))


def test_social_link_text_in_newsletters_is_weak(mail, hits) -> None:
    headers = [("List-Unsubscribe", "<https://esp.example/u>")]
    html = anchor("https://click.esp-mail.net/abc", "facebook.com/OurShop")
    assert hits(mail(html=html, headers=headers))["links.text-brand-mismatch"].weight < 1.0
