"""Reporter feedback: what to tell someone who reported a message, rendered from
templates (English and German shipped, admin overrides), and the e-mail carrying it.

Pure: templates are package data; an admin's override folder is read by the notifier
connector and passed in as parsed documents.
"""

from phishloop.core.feedback.compose import compose_feedback
from phishloop.core.feedback.model import (
    FeedbackRequest,
    Outcome,
    RenderedFeedback,
    outcome_for,
)
from phishloop.core.feedback.render import default_templates, render_feedback
from phishloop.core.feedback.safety import clean_text, defang, shown
from phishloop.core.feedback.templates import TemplateSet, parse_template_document
from phishloop.core.feedback.unsubscribe import UnsubscribeTarget, safe_unsubscribe

__all__ = [
    "FeedbackRequest",
    "Outcome",
    "RenderedFeedback",
    "TemplateSet",
    "UnsubscribeTarget",
    "clean_text",
    "compose_feedback",
    "defang",
    "default_templates",
    "outcome_for",
    "parse_template_document",
    "render_feedback",
    "safe_unsubscribe",
    "shown",
]
