"""Inline forwards: every client and language variant, reconstructed as the original."""

from __future__ import annotations

import pytest

from phishloop.core.parse.headers import message_info
from phishloop.core.parse.mime import parse_message
from phishloop.core.parse.unwrap import find_originals

PHISH_FROM = "PayPal Service <service@paypa1-secure.example>"
PHISH_URL = "https://paypa1-secure.example/login"
BODY = f"Dear customer,\nyour account is limited. Verify at {PHISH_URL}\n"


def wrapper(
    subject: str,
    text: str,
    html: str | None = None,
    sender: str = "Erika Muster <erika@corp.example>",
    to: str = "abuse@corp.example",
    extra: str = "",
) -> bytes:
    head = (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
        f"Date: Tue, 9 Jan 2024 09:00:00 +0100\nMessage-ID: <w1@corp.example>\n{extra}"
        "MIME-Version: 1.0\n"
    )
    if html is None:
        return (
            head + "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\n" + text
        ).encode()
    return (
        head + 'Content-Type: multipart/alternative; boundary="alt"\n\n--alt\n'
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        + text
        + "\n--alt\nContent-Type: text/html; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n" + html + "\n--alt--\n"
    ).encode()


CASES = {
    # client/language: (subject prefix, forward block)
    "outlook-en": (
        "FW:",
        "-----Original Message-----\nFrom: {f}\nSent: Monday, January 8, 2024 "
        "10:15 AM\nTo: Erika Muster <erika@corp.example>\nSubject: {s}\n\n",
    ),
    "outlook-de": (
        "WG:",
        "-----Ursprüngliche Nachricht-----\nVon: {f}\nGesendet: Montag, 8. "
        "Januar 2024 10:15\nAn: Erika Muster <erika@corp.example>\nBetreff: {s}\n\n",
    ),
    "outlook-fr": (
        "TR:",
        "-----Message d'origine-----\nDe : {f}\nEnvoyé : lundi 8 janvier 2024 "
        "10:15\nÀ : Erika Muster <erika@corp.example>\nObjet : {s}\n\n",
    ),
    "outlook-es": (
        "RV:",
        "-----Mensaje original-----\nDe: {f}\nEnviado el: lunes, 8 de enero de "
        "2024 10:15\nPara: Erika Muster <erika@corp.example>\nAsunto: {s}\n\n",
    ),
    "outlook-it": (
        "I:",
        "-----Messaggio originale-----\nDa: {f}\nInviato: lunedì 8 gennaio 2024 "
        "10:15\nA: Erika Muster <erika@corp.example>\nOggetto: {s}\n\n",
    ),
    "outlook-nl": (
        "Doorst:",
        "-----Oorspronkelijk bericht-----\nVan: {f}\nVerzonden: maandag 8 "
        "januari 2024 10:15\nAan: erika@corp.example\nOnderwerp: {s}\n\n",
    ),
    "outlook-pt": (
        "ENC:",
        "-----Mensagem original-----\nDe: {f}\nEnviada em: segunda-feira, 8 "
        "de janeiro de 2024 10:15\nPara: erika@corp.example\nAssunto: {s}\n\n",
    ),
    "outlook-header-en": (
        "FW:",
        "________________________________\nFrom: {f}\nSent: Monday, "
        "January 8, 2024 10:15 AM\nTo: erika@corp.example\nSubject: {s}\n\n",
    ),
    "outlook-header-de": (
        "WG:",
        "________________________________\nVon: {f}\nGesendet: Montag, "
        "8. Januar 2024 10:15\nAn: erika@corp.example\nBetreff: {s}\n\n",
    ),
    "outlook-header-fr": (
        "TR:",
        "________________________________\nDe : {f}\nEnvoyé : lundi 8 "
        "janvier 2024 10:15\nÀ : erika@corp.example\nObjet : {s}\n\n",
    ),
    "outlook-header-es": (
        "RV:",
        "________________________________\nDe: {f}\nEnviado: lunes, 8 "
        "de enero de 2024 10:15\nPara: erika@corp.example\nAsunto: {s}\n\n",
    ),
    "gmail-en": (
        "Fwd:",
        "---------- Forwarded message ---------\nFrom: {f}\nDate: Mon, Jan 8, "
        "2024 at 10:15 AM\nSubject: {s}\nTo: <erika@corp.example>\n\n",
    ),
    "gmail-de": (
        "Fwd:",
        "---------- Weitergeleitete Nachricht ---------\nVon: {f}\nDate: Mo., "
        "8. Jan. 2024 um 10:15 Uhr\nSubject: {s}\nTo: <erika@corp.example>\n\n",
    ),
    "gmail-fr": (
        "Fwd:",
        "---------- Message transféré ---------\nDe : {f}\nDate: lun. 8 janv. "
        "2024 à 10:15\nSubject: {s}\nTo: <erika@corp.example>\n\n",
    ),
    "gmail-es": (
        "Fwd:",
        "---------- Mensaje reenviado ---------\nDe: {f}\nDate: lun, 8 ene "
        "2024 a las 10:15\nSubject: {s}\nTo: <erika@corp.example>\n\n",
    ),
    "apple-en": (
        "Fwd:",
        "Begin forwarded message:\n\nFrom: {f}\nSubject: {s}\nDate: 8 January "
        "2024 at 10:15:00 CET\nTo: erika@corp.example\n\n",
    ),
    "apple-de": (
        "WG:",
        "Anfang der weitergeleiteten Nachricht:\n\nVon: {f}\nBetreff: {s}\n"
        "Datum: 8. Januar 2024 um 10:15:00 MEZ\nAn: erika@corp.example\n\n",
    ),
    "apple-fr": (
        "TR:",
        "Début du message réexpédié :\n\nDe: {f}\nObjet: {s}\nDate: 8 janvier "
        "2024 à 10:15:00 UTC+1\nÀ: erika@corp.example\n\n",
    ),
    "apple-es": (
        "RV:",
        "Inicio del mensaje reenviado:\n\nDe: {f}\nAsunto: {s}\nFecha: 8 de "
        "enero de 2024, 10:15:00 CET\nPara: erika@corp.example\n\n",
    ),
    "thunderbird-en": (
        "Fwd:",
        "-------- Forwarded Message --------\nSubject: \t{s}\nDate: \t"
        "Mon, 8 Jan 2024 10:15:00 +0100\nFrom: \t{f}\nTo: \terika@corp.example"
        "\n\n",
    ),
    "thunderbird-original-en": (
        "Fwd:",
        "-------- Original Message --------\nSubject: \t{s}\n"
        "Date: \tMon, 8 Jan 2024 10:15:00 +0100\nFrom: \t{f}\n\n",
    ),
    "thunderbird-de": (
        "WG:",
        "-------- Weitergeleitete Nachricht --------\nBetreff: \t{s}\n"
        "Datum: \tMon, 8 Jan 2024 10:15:00 +0100\nVon: \t{f}\nAn: \t"
        "erika@corp.example\n\n",
    ),
    "thunderbird-fr": (
        "TR:",
        "-------- Message transféré --------\nSujet : \t{s}\nDate : \t"
        "Mon, 8 Jan 2024 10:15:00 +0100\nDe : \t{f}\nPour : \t"
        "erika@corp.example\n\n",
    ),
    "thunderbird-es": (
        "RV:",
        "-------- Mensaje reenviado --------\nAsunto: \t{s}\nFecha: \t"
        "Mon, 8 Jan 2024 10:15:00 +0100\nDe: \t{f}\nPara: \terika@corp.example"
        "\n\n",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_inline_forward_variants(case, ctx):
    prefix, block = CASES[case]
    subject = "Ihr Konto ist eingeschränkt"
    comment = "Is this real? I did not click."
    text = f"{comment}\n\n" + block.format(f=PHISH_FROM, s=subject) + BODY
    (original,) = find_originals(parse_message(wrapper(f"{prefix} {subject}", text), ctx), ctx)
    client = case.split("-")[0]
    assert original.report.format == f"inline-forward/{client}"
    assert original.report.fidelity == "reconstructed" and original.raw is None
    assert original.report.reporter == "erika@corp.example"
    assert original.report.comment == comment
    assert original.report.subject == f"{prefix} {subject}"
    info = message_info(original.parsed.headers)
    assert info.from_ is not None and info.from_.address == "service@paypa1-secure.example"
    assert info.subject == subject
    assert info.date is not None and info.date.startswith("2024-01-08T10:15")
    assert PHISH_URL in original.parsed.text_body
    assert not original.parsed.text_body.startswith(comment)


ESCAPED_FROM = PHISH_FROM.replace("<", "&lt;").replace(">", "&gt;")
OUTLOOK_HTML = f"""<html><body><div>Please look at this one.</div>
<div>Erika | <a href="https://intranet.corp.example/me">my profile</a></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> {ESCAPED_FROM}<br>
<b>Sent:</b> Monday, January 8, 2024 10:15 AM<br><b>To:</b> erika@corp.example<br>
<b>Subject:</b> Account limited</font><div>&nbsp;</div></div>
<div><p>Dear customer, <a href="{PHISH_URL}">verify now</a></p></div></body></html>"""


def test_outlook_html_keeps_only_the_originals_links(ctx):
    text = (
        "Please look at this one.\nErika | my profile<https://intranet.corp.example/me>\n\n"
        "________________________________\nFrom: " + PHISH_FROM + "\nSent: Monday, "
        "January 8, 2024 10:15 AM\nTo: erika@corp.example\nSubject: Account limited\n\n" + BODY
    )
    data = wrapper("FW: Account limited", text, OUTLOOK_HTML)
    (original,) = find_originals(parse_message(data, ctx), ctx)
    html = original.parsed.html_body
    assert f'href="{PHISH_URL}"' in html
    assert "intranet.corp.example" not in html
    assert "Subject:" not in html  # the forwarded header block is cut off too


def test_gmail_html_only_wrapper(ctx):
    html = (
        f'<div dir="ltr">FYI<br><br><div class="gmail_quote"><div dir="ltr" '
        f'class="gmail_attr">---------- Forwarded message ---------<br>From: <strong '
        f'class="gmail_sendername">PayPal Service</strong> <span>&lt;service@paypa1-secure'
        f".example&gt;</span><br>Date: Mon, Jan 8, 2024 at 10:15 AM<br>Subject: Verify<br>"
        f'To: &lt;erika@corp.example&gt;<br></div><br><p>Please <a href="{PHISH_URL}">'
        f"log in</a></p></div></div>"
    )
    data = (
        f"From: Erika <erika@gmail.example>\nTo: abuse@corp.example\nSubject: Fwd: Verify\n"
        f"Content-Type: text/html; charset=utf-8\n\n{html}"
    ).encode()
    (original,) = find_originals(parse_message(data, ctx), ctx)
    assert original.report.format == "inline-forward/gmail"
    assert original.report.comment == "FYI"
    assert message_info(original.parsed.headers).subject == "Verify"
    assert f'href="{PHISH_URL}"' in original.parsed.html_body
    assert "Forwarded message" not in original.parsed.html_body


def test_wrapper_attachments_go_with_the_original(ctx):
    text = "see below\n\n" + CASES["gmail-en"][1].format(f=PHISH_FROM, s="Invoice") + BODY
    data = (
        "From: erika@corp.example\nTo: abuse@corp.example\nSubject: Fwd: Invoice\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="m"\n\n--m\n'
        "Content-Type: text/plain\n\n" + text + "\n--m\nContent-Type: application/pdf\n"
        'Content-Disposition: attachment; filename="invoice.pdf"\n\n%PDF-1.4\n--m--\n'
    )
    (original,) = find_originals(parse_message(data.encode(), ctx), ctx)
    assert [a.filename for a in original.parsed.attachments] == ["invoice.pdf"]


def test_quoted_inline_forward(ctx):
    block = CASES["outlook-en"][1].format(f=PHISH_FROM, s="Quoted")
    quoted = "".join(f"> {line}\n" for line in (block + BODY).splitlines())
    data = wrapper("FW: Quoted", "Report:\n\n" + quoted)
    (original,) = find_originals(parse_message(data, ctx), ctx)
    assert message_info(original.parsed.headers).subject == "Quoted"
    assert original.parsed.text_body.startswith("Dear customer")


def test_reply_chains_and_fake_forwards_are_not_reports(ctx, make_ctx):
    block = CASES["outlook-en"][1].format(f=PHISH_FROM, s="Hello")
    # A reply quoting a message is not a forward.
    assert (
        find_originals(parse_message(wrapper("RE: Hello", "ok\n\n" + block + BODY), ctx), ctx) == []
    )
    # A newsletter "forwarding" its own mail, without an address in the block.
    fake = "---------- Forwarded message ---------\nFrom: The Team\nSubject: Donate\n\nGive!\n"
    assert find_originals(parse_message(wrapper("FWD: Donate", fake), ctx), ctx) == []
    # Bulk/list traffic is not a report.
    listed = wrapper("Fwd: Hello", block + BODY, extra="List-Id: <dev.lists.example>\n")
    assert find_originals(parse_message(listed, ctx), ctx) == []
    # Self-forward: the sender "forwards" their own mail.
    own = CASES["gmail-en"][1].format(f="Erika <erika@corp.example>", s="Hello")
    assert find_originals(parse_message(wrapper("Fwd: Hello", own + BODY), ctx), ctx) == []
    # The marker far below the top: a long conversation, not a report.
    far = "blah blah\n" * 1000 + block + BODY
    assert find_originals(parse_message(wrapper("Fwd: Hello", far), ctx), ctx) == []


def test_organisation_config_rejects_external_fake_forwards(make_ctx):
    block = CASES["outlook-en"][1].format(f=PHISH_FROM, s="Invoice") + BODY
    external = wrapper("FW: Invoice", block, sender="Boss <ceo@attacker.example>")
    context = make_ctx(domains=("corp.example",))
    assert find_originals(parse_message(external, context), context) == []
    internal = wrapper("FW: Invoice", block)
    assert len(find_originals(parse_message(internal, context), context)) == 1
    # Sent to the abuse mailbox: no subject prefix needed, any sender.
    context = make_ctx(domains=("corp.example",), report_addresses=("abuse@corp.example",))
    plain_subject = wrapper("please check", block, sender="x@partner.example")
    (original,) = find_originals(parse_message(plain_subject, context), context)
    assert original.report.reporter == "x@partner.example"


def test_outlook_internal_sender_without_address(make_ctx):
    block = (
        "-----Original Message-----\nFrom: Max Mustermann\nSent: Monday, January 8, 2024 "
        "10:15 AM\nTo: Erika Muster\nSubject: Urgent transfer\n\n" + BODY
    )
    context = make_ctx(domains=("corp.example",))
    (original,) = find_originals(
        parse_message(wrapper("FW: Urgent transfer", block), context), context
    )
    info = message_info(original.parsed.headers)
    assert info.from_ is not None and info.from_.display_name == "Max Mustermann"
    unconfigured = make_ctx()
    assert (
        find_originals(parse_message(wrapper("FW: Urgent", block), unconfigured), unconfigured)
        == []
    )
