"""What mail clients write when they forward inline, in English, German, French, Spanish,
Italian, Dutch and Portuguese: marker lines, header-block labels, subject prefixes."""

from __future__ import annotations

import re

# "-----Original Message-----" (Outlook), "-------- Original Message --------" (Thunderbird).
ORIGINAL_PHRASES = frozenset(
    {
        "original message",
        "ursprüngliche nachricht",
        "original-nachricht",
        "originalnachricht",
        "message d'origine",
        "message original",
        "mensaje original",
        "messaggio originale",
        "oorspronkelijk bericht",
        "origineel bericht",
        "mensagem original",
        "original meddelelse",
        "ursprungligt meddelande",
        "opprinnelig melding",
    }
)
# "---------- Forwarded message ---------" (Gmail), "-------- Forwarded Message --------"
# (Thunderbird).
FORWARDED_PHRASES = frozenset(
    {
        "forwarded message",
        "weitergeleitete nachricht",
        "message transféré",
        "message transfere",
        "mensaje reenviado",
        "messaggio inoltrato",
        "doorgestuurd bericht",
        "doorgestuurde bericht",
        "mensagem encaminhada",
        "mensagem reencaminhada",
        "videresendt meddelelse",
        "vidarebefordrat meddelande",
        "videresendt melding",
    }
)
# "Begin forwarded message:" (Apple Mail).
APPLE_PHRASES = frozenset(
    {
        "begin forwarded message",
        "anfang der weitergeleiteten nachricht",
        "début du message réexpédié",
        "début du message transféré",
        "debut du message reexpedie",
        "inicio del mensaje reenviado",
        "comienzo del mensaje reenviado",
        "inizio messaggio inoltrato",
        "inizio del messaggio inoltrato",
        "begin doorgestuurd bericht",
        "início da mensagem reencaminhada",
        "início da mensagem encaminhada",
        "inicio da mensagem reencaminhada",
    }
)

# Labels of the forwarded header block -> the RFC 5322 field they stand for.
LABELS: dict[str, str] = {
    **dict.fromkeys(("from", "von", "de", "da", "van", "fra", "från", "od", "lähettäjä"), "From"),
    **dict.fromkeys(
        (
            "date",
            "sent",
            "gesendet",
            "datum",
            "envoyé",
            "envoye",
            "enviado",
            "enviado el",
            "enviada",
            "fecha",
            "inviato",
            "data",
            "verzonden",
            "sendt",
            "skickat",
            "sent on",
            "date d'envoi",
            "verzonden op",
            "gesendet am",
            "lähetetty",
            "data de envio",
            "enviada em",
            "enviado em",
        ),
        "Date",
    ),
    **dict.fromkeys(
        (
            "to",
            "an",
            "à",
            "a",
            "para",
            "aan",
            "til",
            "till",
            "pour",
            "destinataire",
            "vastaanottaja",
        ),
        "To",
    ),
    **dict.fromkeys(
        ("cc", "kopie", "copie à", "copia", "kopia", "kopio", "kopi", "cópia", "copie"), "Cc"
    ),
    **dict.fromkeys(
        (
            "subject",
            "betreff",
            "objet",
            "sujet",
            "asunto",
            "oggetto",
            "onderwerp",
            "assunto",
            "emne",
            "ämne",
            "aihe",
            "temat",
        ),
        "Subject",
    ),
    **dict.fromkeys(
        (
            "reply-to",
            "antwort an",
            "répondre à",
            "responder a",
            "rispondi a",
            "antwoord aan",
            "responder para",
        ),
        "Reply-To",
    ),
}

# Subject prefixes that say "forwarded": FW/Fwd (en), WG (de), TR (fr), RV (es), I (it),
# Doorst (nl), ENC (pt), VB (sv), VS (da, no), VL (fi), PD (pl). Gateway tags such as
# "[EXTERNAL]" may come first.
FORWARD_SUBJECT = re.compile(
    r"^\s*(?:[\[(*][^\])*\n]{0,40}[\])*]\s*)*(?:fwd?|fw|wg|tr|rv|i|doorst|enc|vb|vs|vl|pd)"
    r"\s*(?:\[\d{1,3}\])?\s*:",
    re.IGNORECASE,
)
# Words a reporter puts in a subject of their own (only used with an attached message).
REPORT_SUBJECT = re.compile(
    r"phish|\bspam\b|suspicious|\bsuspect|verdächtig|verdaechtig|sospechos|sospett|"
    r"frauduleu|betrug|\bscam\b|malicious",
    re.IGNORECASE,
)
# The documented subject prefixes of Microsoft's user-reported-message format (reporting
# mailbox): "1|"/"Junk:", "2|"/"Not junk:", "3|"/"Phishing:".
MICROSOFT_SUBJECT = re.compile(r"^\s*(?:[123]\||junk\s*:|not\s+junk\s*:|phishing\s*:)", re.I)
