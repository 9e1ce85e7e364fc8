"""The [intake] tables, who may report, and the per-sender rate limit (no Django)."""

from __future__ import annotations

from pathlib import Path

import pytest

from phishloop.connectors.intake.policy import ReporterPolicy, SenderRateLimiter, header_sender
from phishloop.connectors.intake.settings import IntakeSettings
from phishloop.core.errors import ConfigError


def test_reporters_default_to_the_organisation_domains() -> None:
    intake = IntakeSettings.from_tables({"organisation": {"domains": ["Corp.Example"]}})
    assert intake.reporters == ReporterPolicy(("corp.example",), allow_any=False)
    assert intake.imap.folder == "INBOX" and intake.imap.ssl and intake.imap.port == 993


def test_intake_reporter_domains_override_the_organisation() -> None:
    tables = {
        "organisation": {"domains": ["corp.example"]},
        "intake": {"reporter_domains": ["@subsidiary.example"], "allow_any_reporter": False},
    }
    assert IntakeSettings.from_tables(tables).reporters.domains == ("subsidiary.example",)


def test_imap_settings_read_the_password_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s3cret\n")
    tables = {"intake": {"imap": {"host": "imap.corp.example", "starttls": True, "ssl": False,
                                  "username": "abuse", "password_file": "secret"}}}  # fmt: skip
    imap = IntakeSettings.from_tables(tables, tmp_path).imap
    assert (imap.login_password(), imap.port, imap.starttls) == ("s3cret", 143, True)
    assert "s3cret" not in repr(imap)
    imap.require_account()


def test_an_unreadable_password_file_is_named() -> None:
    tables = {"intake": {"imap": {"host": "h", "username": "u", "password_file": "/nope/pw"}}}
    imap = IntakeSettings.from_tables(tables).imap
    with pytest.raises(ConfigError, match="password_file: cannot read /nope/pw"):
        imap.require_account()


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"intake": {"reporter_domain": ["x"]}}, "unknown key intake.reporter_domain"),
        ({"intake": {"imap": {"hots": "x"}}}, "unknown key intake.imap.hots"),
        ({"intake": {"allow_any_reporter": "yes"}}, "intake.allow_any_reporter has the wrong"),
        ({"intake": {"sender_rate_limit": -1}}, "intake.sender_rate_limit must be at least 0"),
        ({"intake": {"imap": {"port": True}}}, "intake.imap.port has the wrong type"),
        ({"intake": {"imap": {"ssl": True, "starttls": True}}}, "either ssl or starttls"),
        (
            {"intake": {"imap": {"password": "a", "password_file": "b"}}},
            "password or password_file",
        ),
        ({"intake": {"imap": {"poll_seconds": 0}}}, "intake.imap.poll_seconds must be at least 1"),
        ({"intake": {"reporter_domains": "corp.example"}}, "must be a list of strings"),
        ({"intake": []}, "intake must be a table"),
    ],
)
def test_configuration_mistakes_name_the_key(tables: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        IntakeSettings.from_tables(tables)


def test_reporter_policy() -> None:
    policy = ReporterPolicy(("corp.example",))
    assert policy.refusal("alice@corp.example") is None
    assert policy.refusal("Alice <alice@Mail.Corp.Example>") is None
    assert (
        policy.refusal("eve@notcorp.example")
        == "notcorp.example is not one of the organisation's domains"
    )
    assert policy.refusal("eve@corp.example.evil.test") is not None
    assert policy.refusal("") == "a report needs a sender address"
    assert ReporterPolicy().refusal("alice@corp.example") is not None  # nothing configured
    assert ReporterPolicy(allow_any=True).refusal("anyone@anywhere.example") is None


def test_rate_limit_is_per_sender_over_a_sliding_window() -> None:
    now = [0.0]
    limiter = SenderRateLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.allow("a@x") and limiter.allow("A@X")
    assert not limiter.allow("a@x")
    assert limiter.allow("b@x")
    now[0] = 61.0
    assert limiter.allow("a@x")
    assert SenderRateLimiter(0, 60.0).allow("a@x")  # 0 = no limit


def test_header_sender_reads_the_from_of_a_forward() -> None:
    raw = b'Subject: Fwd: x\r\nFrom: "Alice, IT" <alice@corp.example>\r\n\r\nFrom: body@x.test\r\n'
    assert header_sender(raw) == "alice@corp.example"
    assert header_sender(b"Subject: none\r\n\r\n") == ""
