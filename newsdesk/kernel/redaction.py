"""Masking secrets (credentials, tokens, cookies) before text or headers leave a process."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
# Shorter values would mask ordinary words; a secret is refused below this length when it is resolved.
MIN_SECRET_LENGTH = 4
# Headers that carry credentials or session state, in either direction.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
# `scheme://user:password@host` in any text; the user name is kept, it tells which account was used.
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@/\s]+@")
# `Authorization: Bearer abc`, `Basic dXNlcjpwdw==` or a `Cookie:` line written into a message.
_CREDENTIAL_WORDS = re.compile(r"\b(?P<kind>Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{4,}", re.IGNORECASE)
_HEADER_LINE = re.compile(
    r"(?P<name>(?:proxy-)?authorization|set-cookie|cookie)(?P<sep>['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    """`text` with the credentials that can be recognised by their form masked: passwords in URLs,
    `Bearer`/`Basic` tokens and header lines that carry credentials or cookies."""
    if not text:
        return text
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _HEADER_LINE.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
    return _CREDENTIAL_WORDS.sub(lambda m: f"{m['kind']} {MASK}", text)


def redact_url(url: str) -> str:
    """`url` without the password of its user part (`http://user:***@proxy:3128`)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username}:{MASK}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def redact_headers(headers: Mapping[str, str], secret_names: Iterable[str] = ()) -> dict[str, str]:
    """The headers with the values of credential and cookie headers (and of `secret_names`) masked."""
    secret = SECRET_HEADERS | {name.lower() for name in secret_names}
    return {name: MASK if name.lower() in secret else value for name, value in headers.items()}


def secret_forms(value: str) -> list[str]:
    """The ways a secret can show up in text: itself, and base64 as in a Basic credential."""
    if not value:
        return []
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    return [value, encoded]


class Redactor:
    """Masks known secret values (and whatever `scrub` recognises) in text written to logs and records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = {form for secret in secrets for form in secret_forms(secret)}
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted((s for s in forms if len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return scrub(text)

    def __bool__(self) -> bool:
        return bool(self._secrets)
