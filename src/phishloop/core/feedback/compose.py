"""The feedback e-mail itself: headers built with `email.headerregistry`, so a hostile
subject can neither add header lines nor break the encoding."""

from __future__ import annotations

import datetime
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from phishloop.core.feedback.model import RenderedFeedback
from phishloop.core.feedback.safety import clean_text

_MESSAGE_ID = re.compile(r"^<[\x21-\x3b\x3d\x3f-\x7e]{1,250}@[\x21-\x3b\x3d\x3f-\x7e]{1,250}>$")


def compose_feedback(
    rendered: RenderedFeedback,
    *,
    sender: Address,
    recipient: Address,
    now: datetime.datetime,
    reply_to: Address | None = None,
    in_reply_to: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text + HTML), quoted-printable so any relay
    takes it. `in_reply_to` is the reporter's report Message-ID; it is used only when it
    is a well-formed id (it threads the answer under the report in the reporter's client)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = recipient
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Subject"] = clean_text(rendered.subject, 998)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id or make_msgid("phishloop", sender.domain or None)
    references = (in_reply_to or "").strip()
    if _MESSAGE_ID.match(references):
        message["In-Reply-To"] = references
        message["References"] = references
    # RFC 3834: an automatic answer; keeps out-of-office replies from looping back.
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = rendered.language  # after set_content, which drops Content-*
    return message
