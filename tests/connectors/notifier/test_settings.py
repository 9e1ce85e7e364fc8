"""The `[notifier]` table, and feedback as the configured notifier sends it."""

from __future__ import annotations

import datetime
import email
import re
import tomllib
from email.policy import default
from pathlib import Path

import pytest

from phishloop.connectors.notifier import (
    InMemoryNotifier,
    NotifierSettings,
    feedback_message,
    load_templates,
)
from phishloop.core.errors import ConfigError
from phishloop.core.feedback import FeedbackRequest, Outcome

NOW = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=datetime.UTC)


def _parse(text: str, base_dir: Path | None = None) -> NotifierSettings | None:
    return NotifierSettings.from_tables(tomllib.loads(text), base_dir)


def test_defaults_and_ports() -> None:
    assert _parse("[intel]\n") is None
    settings = _parse("[notifier]\nfrom_address = 'abuse@corp.test'\n")
    assert settings is not None
    assert (settings.host, settings.port, settings.security) == ("localhost", 587, "starttls")
    tls = _parse("[notifier]\nfrom_address = 'a@corp.test'\nsecurity = 'TLS'\n")
    assert tls is not None and (tls.port, tls.security) == (465, "tls")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[notifier]\n", "notifier.from_address is not set"),
        ("[notifier]\nfrom_address = 'not an address'\n", "notifier.from_address is not an e-mail"),
        (
            "[notifier]\nfrom_address = 'a@b.c'\nsecurity = 'ssl'\n",
            "notifier.security must be one of",
        ),
        (
            "[notifier]\nfrom_address = 'a@b.c'\nport = 0\n",
            "notifier.port must be between 1 and 65535",
        ),
        ("[notifier]\nfrom_address = 'a@b.c'\nusername = 'u'\n", "set both username and password"),
        ("[notifier]\nfrom_address = 'a@b.c'\nstarttls = true\n", "unknown key notifier.starttls"),
        (
            "[notifier]\nfrom_address = 'a@b.c'\ntype = 'sendgrid'\n",
            "notifier.type must be one of smtp",
        ),
        (
            "[notifier]\nfrom_address = 'a@b.c'\ntimeout_seconds = 0\n",
            "timeout_seconds must be at least",
        ),
    ],
)
def test_errors_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        _parse(text)


def test_password_file_and_template_folder(tmp_path: Path) -> None:
    (tmp_path / "relay.pw").write_text("pw\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "de.toml").write_text(
        '[strings]\nsignature = "CERT der Beispiel AG"\n'
    )
    settings = _parse(
        "[notifier]\nfrom_address = 'abuse@corp.test'\nfrom_name = 'Sicherheit'\n"
        "reply_to = 'soc@corp.test'\nusername = 'relay'\npassword_file = 'relay.pw'\n"
        "templates = 'templates'\nlanguage = 'de'\n",
        tmp_path,
    )
    assert settings is not None and settings.password == "pw"
    templates = load_templates(settings.templates)
    request = FeedbackRequest(Outcome.SIMULATION, settings.language, subject="Ihr Paket")
    message = feedback_message(
        settings, templates, request, "alice@corp.test", now=NOW, in_reply_to="<r1@corp.test>"
    )
    notifier = InMemoryNotifier()
    assert notifier.send(message).delivered
    parsed = email.message_from_bytes(notifier.sent[0].as_bytes(), policy=default)
    assert parsed["From"] == "Sicherheit <abuse@corp.test>"
    assert parsed["Reply-To"] == "soc@corp.test" and parsed["To"] == "alice@corp.test"
    assert parsed["Subject"] == "Gut erkannt: Ihr Paket"
    body = parsed.get_body(("plain",))
    assert body is not None and "CERT der Beispiel AG" in body.get_content()


def test_template_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        load_templates(tmp_path / "missing")
    (tmp_path / "en.toml").write_text('[spam]\ntext = "${oops}"\n')
    with pytest.raises(ConfigError, match=re.escape("en.spam.text: unknown placeholder ${oops}")):
        load_templates(tmp_path)
