"""Google service-account tokens with domain-wide delegation (RFC 7523 JWT bearer grant).

The JWT is signed RS256 with the service account's private key (`cryptography`) and names
the user to act for in `sub`; Google answers with that user's access token. One cached
token per user, renewed a minute before it expires or when the API refuses it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from phishloop.connectors.cloud.api import ApiClient, oauth_token

TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint, not a secret
_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_LIFETIME = 3600
_TOKEN_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class ServiceAccount:
    """The fields phishloop uses from a service-account key file (JSON)."""

    client_email: str
    private_key: str = field(repr=False)
    private_key_id: str = ""
    token_uri: str = TOKEN_URL

    @classmethod
    def from_json(cls, text: str) -> ServiceAccount:
        """Parse a key file; ValueError names what is missing (never the key itself)."""
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("not a JSON service-account key") from None
        if not isinstance(data, dict):
            raise ValueError("not a JSON service-account key")
        for key in ("client_email", "private_key"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ValueError(f"the service-account key has no {key}")
        return cls(
            data["client_email"],
            data["private_key"],
            str(data.get("private_key_id", "")),
            str(data.get("token_uri") or TOKEN_URL),
        )

    def signing_key(self) -> rsa.RSAPrivateKey:
        try:
            key = serialization.load_pem_private_key(self.private_key.encode(), password=None)
        except (ValueError, TypeError):
            raise ValueError("the service-account private_key is not a PEM RSA key") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the service-account private_key is not an RSA key")
        return key


def signed_assertion(
    account: ServiceAccount, key: rsa.RSAPrivateKey, subject: str, scopes: str, audience: str
) -> str:
    """The RS256 JWT asserting `account` acts for `subject` with `scopes`."""
    now = int(time.time())
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if account.private_key_id:
        header["kid"] = account.private_key_id
    claims = {
        "iss": account.client_email,
        "sub": subject,
        "scope": scopes,
        "aud": audience,
        "iat": now,
        "exp": now + _LIFETIME,
    }
    signing_input = f"{_b64(header)}.{_b64(claims)}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode('ascii')}.{_b64url(signature)}"


class DelegatedTokens:
    """Access tokens for each user of the domain; `for_user(address)` is a TokenSource."""

    def __init__(
        self, client: ApiClient, account: ServiceAccount, scopes: str, token_url: str = ""
    ) -> None:
        self.client = client
        self.account = account
        self.scopes = scopes
        self.token_url = token_url or account.token_uri
        self._key = account.signing_key()
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def for_user(self, subject: str) -> UserTokens:
        return UserTokens(self, subject)

    def token(self, subject: str) -> str:
        with self._lock:
            cached = self._cache.get(subject)
        if cached and time.monotonic() < cached[1]:
            return cached[0]
        token, lifetime = self._exchange(subject)
        with self._lock:
            self._cache[subject] = (token, time.monotonic() + lifetime - _TOKEN_MARGIN_SECONDS)
        return token

    def invalidate(self, subject: str) -> None:
        with self._lock:
            self._cache.pop(subject, None)

    def _exchange(self, subject: str) -> tuple[str, float]:
        assertion = signed_assertion(self.account, self._key, subject, self.scopes, self.token_url)
        form = {"grant_type": _GRANT, "assertion": assertion}
        response = self.client.send("POST", self.token_url, data=form)
        refused = f"{self.client.name} token for {subject} refused"
        token, lifetime = oauth_token(response, refused, _LIFETIME)
        return token, max(_TOKEN_MARGIN_SECONDS, lifetime)


@dataclass(frozen=True, slots=True)
class UserTokens:
    tokens: DelegatedTokens
    subject: str

    def token(self) -> str:
        return self.tokens.token(self.subject)

    def invalidate(self) -> None:
        self.tokens.invalidate(self.subject)


def _b64(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
