"""Checks on attachments for the `attachments` rule family (see rules/attachments.py)."""

from __future__ import annotations

from collections.abc import Callable

from phishloop.core.classify import attachment_kinds as kinds
from phishloop.core.classify.archive_passwords import password_in_text
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Check, Finding
from phishloop.core.model import Attachment

ENCRYPTED_DOCUMENT_STRENGTH = 0.5  # statements and payslips come as protected PDFs too


def flagged(flag: str, strength: Callable[[Attachment], float] | None = None) -> Check:
    def check(facts: Facts) -> Finding | None:
        node = kinds.first(facts, lambda n: flag in n.flags)
        if node is None:
            return None
        value = strength(node) if strength else 1.0
        return Finding(f"{kinds.path_of(node)}: {kinds.detail(node, flag)}", value)

    return check


def executable_strength(node: Attachment) -> float:
    return 0.4 if kinds.extension(node) in kinds.WEAK_EXECUTABLES else 1.0


def mismatch_strength(node: Attachment) -> float:
    return 1.0 if kinds.dangerous_content(node) else 0.3


def macro(facts: Facts) -> Finding | None:
    node = kinds.first(facts, lambda n: "macro" in n.flags and "autoopen" not in n.flags)
    return Finding(f"{kinds.path_of(node)} contains macros") if node else None


def macro_autoopen(facts: Facts) -> Finding | None:
    node = kinds.first(facts, lambda n: "macro" in n.flags and "autoopen" in n.flags)
    if node is None:
        return None
    return Finding(
        f"{kinds.path_of(node)}: macros that run on open ({kinds.detail(node, 'autoopen')})"
    )


def _encrypted(facts: Facts) -> Attachment | None:
    """The first encrypted archive, else the first encrypted document."""
    nodes = [n for n in facts.attachments if "encrypted" in n.flags]
    return next((n for n in nodes if kinds.is_archive(n)), nodes[0] if nodes else None)


def _password(facts: Facts) -> str | None:
    if "password-in-name" in facts.attachment_flags:
        return "(in the file name)"
    return password_in_text(facts.subject_and_text)


def encrypted_with_password(facts: Facts) -> Finding | None:
    node = _encrypted(facts)
    password = _password(facts) if node is not None else None
    if node is None or password is None:
        return None
    strength = 1.0 if kinds.is_archive(node) else ENCRYPTED_DOCUMENT_STRENGTH
    return Finding(
        f"{kinds.path_of(node)} is encrypted; the message gives the password {password}", strength
    )


def encrypted(facts: Facts) -> Finding | None:
    node = _encrypted(facts)
    if node is None or _password(facts) is not None:
        return None
    strength = 1.0 if kinds.is_archive(node) else ENCRYPTED_DOCUMENT_STRENGTH
    return Finding(
        f"{kinds.path_of(node)} is password-protected (scanners cannot look inside)", strength
    )


def smuggling(facts: Facts) -> Finding | None:
    node = kinds.first(facts, lambda n: "html-smuggling" in n.flags)
    if node is not None:
        return Finding(f"{kinds.path_of(node)}: {kinds.detail(node, 'html-smuggling')}")
    if facts.analysis.body.html.smuggling:
        return Finding("the HTML body assembles a file in the browser")
    return None


def html_attachment(facts: Facts) -> Finding | None:
    node = kinds.first(facts, kinds.is_html)
    return (
        Finding(f"HTML attachment {kinds.path_of(node)} ({node.detected_type})") if node else None
    )


def container(facts: Facts) -> Finding | None:
    node = kinds.first(
        facts, lambda n: kinds.container_kind(n) is not None and "executable" not in n.flags
    )
    if node is None:
        return None
    return Finding(f"{kinds.path_of(node)} is a {kinds.container_kind(node)} container")
