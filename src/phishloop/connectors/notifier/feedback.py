"""Reporter feedback as the configured notifier sends it: templates (shipped plus the
admin's folder), rendering and composition from the core, the sender from `[notifier]`."""

from __future__ import annotations

import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from phishloop.connectors.notifier.settings import NotifierSettings
from phishloop.connectors.notifier.smtp import SmtpNotifier
from phishloop.core.errors import ConfigError
from phishloop.core.feedback import (
    FeedbackRequest,
    TemplateSet,
    compose_feedback,
    parse_template_document,
    render_feedback,
)


def load_templates(folder: Path | None) -> TemplateSet:
    """Shipped templates with `<language>.toml` files from `folder` on top."""
    if folder is None:
        return TemplateSet()
    if not folder.is_dir():
        raise ConfigError(f"notifier.templates: {folder} is not a folder")
    overrides = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"notifier.templates: cannot read {path}: {exc}") from None
        overrides[path.stem.lower()] = parse_template_document(text, str(path))
    return TemplateSet(overrides)


def open_notifier(settings: NotifierSettings) -> SmtpNotifier:
    return SmtpNotifier(settings)


def feedback_message(
    settings: NotifierSettings,
    templates: TemplateSet,
    request: FeedbackRequest,
    reporter: str,
    *,
    now: datetime.datetime,
    in_reply_to: str | None = None,
) -> EmailMessage:
    """The finished e-mail for one reporter (address checked; ConfigError never, a
    malformed reporter address raises ValueError for the caller to record)."""
    rendered = render_feedback(request, templates)
    return compose_feedback(
        rendered,
        sender=Address(settings.from_name, addr_spec=settings.from_address),
        recipient=Address(request.reporter_name, addr_spec=reporter),
        reply_to=Address(addr_spec=settings.reply_to) if settings.reply_to else None,
        now=now,
        in_reply_to=in_reply_to,
    )
