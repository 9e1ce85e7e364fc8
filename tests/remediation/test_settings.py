"""`[remediation]`: defaults, values, clear errors naming the key and the file;
auto-approval decisions."""

from __future__ import annotations

import pytest

from phishloop.core.errors import ConfigError
from phishloop.remediation import RemediationSettings, auto_approval


def test_defaults_wait_for_an_analyst() -> None:
    settings = RemediationSettings.from_tables({})
    assert settings == RemediationSettings()
    decision = auto_approval(settings, category="malicious", confidence=1.0, mailboxes=1,
                             internal_sender=False, errors=0)  # fmt: skip
    assert not decision.approved
    assert decision.reasons == ("auto-approval is off ([remediation] auto_approve)",)


def test_values_and_plan_options() -> None:
    settings = RemediationSettings.from_tables({"remediation": {
        "auto_approve": True, "categories": ["malicious", "suspicious"], "min_confidence": 0.8,
        "max_mailboxes": 500, "batch_size": 25, "max_forward_depth": 5,
        "sibling_window_hours": 12, "message_id_sweep": True}})  # fmt: skip
    assert settings.categories == ("malicious", "suspicious") and settings.batch_size == 25
    options = settings.plan_options(("abuse@corp.test",))
    assert options.max_forward_depth == 5 and options.message_id_sweep
    assert options.sibling_window.total_seconds() == 12 * 3600
    ok = auto_approval(settings, category="suspicious", confidence=0.85, mailboxes=500,
                       internal_sender=False, errors=0)  # fmt: skip
    assert ok.approved
    refused = auto_approval(settings, category="malicious", confidence=0.9, mailboxes=3,
                            internal_sender=True, errors=2)  # fmt: skip
    assert refused.reasons == ("the sender is internal", "2 mailbox(es) could not be searched")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"auto_aprove": True}, "unknown key remediation.auto_aprove in org.toml"),
        ({"auto_approve": "yes"}, "remediation.auto_approve must be true or false in org.toml"),
        ({"categories": ["evil"]}, "remediation.categories: unknown category 'evil'"),
        ({"categories": "malicious"}, "remediation.categories must be a list of strings"),
        ({"min_confidence": 1.5}, "remediation.min_confidence must be between 0 and 1"),
        ({"max_mailboxes": 2.5}, "remediation.max_mailboxes must be a whole number"),
        ({"batch_size": 0}, "remediation.batch_size must be between 1 and 10000"),
        ({"max_forward_depth": True}, "remediation.max_forward_depth must be a whole number"),
    ],
)
def test_errors_name_the_key_and_file(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        RemediationSettings.from_tables({"remediation": table}, "org.toml")


def test_not_a_table() -> None:
    with pytest.raises(ConfigError, match="remediation must be a table"):
        RemediationSettings.from_tables({"remediation": 3})
