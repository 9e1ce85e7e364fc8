"""Rules: dangerous attachments, from the flags the attachment analysis sets (checks in
`attachment_checks`)."""

from __future__ import annotations

from phishloop.core.classify import attachment_checks as checks
from phishloop.core.classify.types import Check, Rule, Signal


def _rule(name: str, signal: Signal, weight: float, description: str, check: Check) -> Rule:
    return Rule(f"attachments.{name}", signal, weight, description, check)


RULES: tuple[Rule, ...] = (
    _rule(
        "executable",
        "malware",
        6.0,
        "An attachment (or archive member) is a program or script.",
        checks.flagged("executable", checks.executable_strength),
    ),
    _rule(
        "double-extension",
        "malware",
        4.0,
        "An attachment hides its real extension behind another (invoice.pdf.exe).",
        checks.flagged("double-extension"),
    ),
    _rule(
        "extension-mismatch",
        "malware",
        1.5,
        "An attachment's name claims another type than "
        "its content (strong when the content is a program, archive or HTML).",
        checks.flagged("extension-mismatch", checks.mismatch_strength),
    ),
    _rule("macro", "malware", 2.5, "An Office attachment contains macros.", checks.macro),
    _rule(
        "macro-autoopen",
        "malware",
        5.5,
        "An Office attachment has macros that run when it is opened.",
        checks.macro_autoopen,
    ),
    _rule(
        "dde",
        "malware",
        4.0,
        "An Office attachment uses DDE fields to run commands.",
        checks.flagged("dde"),
    ),
    _rule(
        "ole-object",
        "malware",
        0.5,
        "An Office attachment embeds OLE objects.",
        checks.flagged("ole-object"),
    ),
    _rule(
        "remote-template",
        "malware",
        3.0,
        "An Office attachment loads external content (remote template or linked object).",
        checks.flagged("external-link"),
    ),
    _rule(
        "pdf-javascript",
        "malware",
        3.0,
        "A PDF attachment runs JavaScript or launches actions.",
        checks.flagged("pdf-javascript"),
    ),
    _rule(
        "encrypted-with-password",
        "malware",
        6.0,
        "An encrypted attachment whose password the message gives: hides malware from scanners.",
        checks.encrypted_with_password,
    ),
    _rule(
        "encrypted",
        "malware",
        2.5,
        "A password-protected archive (weaker for a protected "
        "document) that scanners cannot inspect.",
        checks.encrypted,
    ),
    _rule(
        "html-smuggling",
        "malware",
        6.0,
        "HTML (attached or the body) that assembles a file in the browser.",
        checks.smuggling,
    ),
    _rule(
        "credential-form",
        "phish",
        6.0,
        "An HTML attachment asks for a password.",
        checks.flagged("credential-form"),
    ),
    _rule(
        "html",
        "phish",
        2.0,
        "An HTML or SVG attachment, a common vehicle for phishing pages.",
        checks.html_attachment,
    ),
    _rule(
        "container",
        "malware",
        3.0,
        "A disk image, shortcut or OneNote container that smuggles files past filters.",
        checks.container,
    ),
)
