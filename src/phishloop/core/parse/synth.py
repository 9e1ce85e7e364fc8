"""ParsedMessages that were not parsed from bytes: originals reconstructed from inline
forwards, and placeholders for input that could not be read at all."""

from __future__ import annotations

from email.message import Message
from email.policy import compat32

from phishloop.core.parse.parts import MimePart, ParsedMessage


def synthesised_message(
    headers: list[tuple[str, str]],
    text_body: str,
    html_body: str = "",
    attachments: list[MimePart] | None = None,
) -> ParsedMessage:
    """A ParsedMessage with `raw=None` built from header fields and decoded bodies."""
    message = Message(policy=compat32)
    for name, value in headers:
        message[name] = value
    message.set_payload(text_body)
    return ParsedMessage(
        message=message,
        raw=None,
        headers=list(headers),
        text_body=text_body,
        html_body=html_body,
        attachments=list(attachments or []),
    )
