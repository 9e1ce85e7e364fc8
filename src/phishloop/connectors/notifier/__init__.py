"""Notifier connectors: hand reporter feedback to the organisation's SMTP relay.

`Notifier` is the interface, `InMemoryNotifier` the fake, `SmtpNotifier` the real one,
configured by `[notifier]` (`NotifierSettings`).
"""

from phishloop.connectors.notifier.base import DeliveryResult, DeliveryStatus, Notifier
from phishloop.connectors.notifier.feedback import feedback_message, load_templates, open_notifier
from phishloop.connectors.notifier.memory import InMemoryNotifier
from phishloop.connectors.notifier.settings import NotifierSettings
from phishloop.connectors.notifier.smtp import SmtpNotifier

__all__ = [
    "DeliveryResult",
    "DeliveryStatus",
    "InMemoryNotifier",
    "Notifier",
    "NotifierSettings",
    "SmtpNotifier",
    "feedback_message",
    "load_templates",
    "open_notifier",
]
