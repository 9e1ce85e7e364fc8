"""Find the password of an encrypted attachment written in the message ("Password: 1234",
"Passwort: Rechnung2024", "mot de passe : abc", "contraseña: 123", "senha 4567")."""

from __future__ import annotations

import re

_WORD = (
    r"(?:password|passwort|kennwort|pass(?:code|phrase)?|pwd|pw|mot de passe|mdp|"
    r"contrase(?:ñ|n)a|clave|senha|palavra-passe|wachtwoord|parola(?: d'ordine)?|"
    r"has(?:ł|l)o|heslo|l(?:ö|o)senord|adgangskode|passord|salasana|şifre|sifre|"
    r"пароль|密码|密碼|パスワード|archive code|zip code|pin)"
)
_JOIN = r"\s*(?:(?:is|ist|est|es|é|e|-|–|—)\s*){0,2}"
_VALUE = (
    r"(?:[:=]\s*[\"'“‘«]?(\S{3,40})"  # after a colon or equals sign: anything
    r"|[\"'“‘«]([^\"'”’»\s]{3,40})"  # in quotes: anything
    r"|((?=\S{0,39}\d)\S{3,40}))"  # otherwise it must contain a digit
)
_PASSWORD = re.compile(rf"(?<![\w-]){_WORD}\b(?:\s+[^\W\d]{{1,12}}){{0,4}}?{_JOIN}{_VALUE}")
_TRAILING = re.compile(r"[\"'”’».,;)\]]+$")


def password_in_text(text: str) -> str | None:
    """A password that `text` (lower-case) gives for an attachment, or None. A value counts
    when written after ':'/'=' or when it contains a digit (not "password is required")."""
    for found in _PASSWORD.finditer(text[:50_000]):
        value = _TRAILING.sub("", next(g for g in found.groups() if g))
        if len(value) >= 3 and not value.startswith(("http", "www.")):
            return value
    return None
