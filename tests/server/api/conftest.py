"""API test fixtures: an APIClient, tokens of every role, a clean throttle cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from hashlib import sha1

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from phishloop.server.accounts.tokens import create_token

TokenFactory = Callable[..., str]


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    """Rate-limit counters live in the cache: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def make_token(db: None) -> TokenFactory:
    """`make_token("analyst")` → the secret of a new token with that role."""
    counter = iter(range(1_000_000))

    def make(role: str, name: str | None = None) -> str:
        return create_token(name or f"{role}-{next(counter)}", role).secret

    return make


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def client_for() -> Callable[[str], APIClient]:
    """`client_for(secret)` → a client sending that bearer token."""
    return bearer


@pytest.fixture
def as_role(make_token: TokenFactory) -> Callable[[str], APIClient]:
    """`as_role("viewer")` → a client authenticated with a new token of that role."""
    return lambda role: bearer(make_token(role))


@pytest.fixture
def mail() -> Callable[..., bytes]:
    """`mail(subject=..., body=...)` → a small suspicious email."""
    return suspicious_mail


def suspicious_mail(
    subject: str = "Your mailbox is full",
    body: str = "Verify now",
    sender: str = "IT Helpdesk <helpdesk@mailbox-verify.example>",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "alice@example.org"
    message["Subject"] = subject
    message["Message-ID"] = (
        f"<{sha1((subject + body).encode()).hexdigest()}@mailbox-verify.example>"
    )
    message.set_content(f"{body}: https://mailbox-verify.example/login")
    return message.as_bytes()
