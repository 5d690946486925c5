"""How a crawl reaches a source: its `request:` block (proxy, headers, cookies, credentials) and User-Agent.

The registry names environment variables; the values are read once, when a crawl starts
(`resolve_access`), and never written back anywhere: `describe_request` shows only the names.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.redaction import MASK, MIN_SECRET_LENGTH

EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
HeaderName = Annotated[str, Field(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
# Headers the block has its own fields for, so that a credential is never written into the file.
_RESERVED_HEADERS = {
    "authorization": "use `auth` (the token or password comes from the environment)",
    "proxy-authorization": "use `proxy_auth_env`",
    "cookie": "use `cookies`",
    "user-agent": "use `politeness.user_agent`",
    "host": "the URL decides the host",
}
# User-Agents shipped as examples: they name nobody an operator could be reached at.
_PLACEHOLDER_CONTACTS = re.compile(
    r"example\.(com|org|net)|github\.com/newsdesk/newsdesk|localhost|changeme|your[-_ ]?(site|email|contact)",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"https?://[^\s;)]+|mailto:\S+|[\w.+-]+@[\w-]+\.[\w.-]+")
# What a crawler answer means when the source sets credentials: the reason a fate records.
STATUS_REASONS = {
    401: "the site asks for credentials (request.auth missing or wrong)",
    403: "the site refused the request (a header or cookie it needs missing or wrong: request.headers_env, "
    "request.cookies)",
    407: "the proxy asks for credentials (request.proxy_auth_env missing or wrong)",
}


class BasicAuth(BaseModel):
    """HTTP Basic credentials: a user name and a password, each from an environment variable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["basic"]
    user_env: EnvName
    password_env: EnvName


class BearerAuth(BaseModel):
    """A bearer token (`Authorization: Bearer …`) from an environment variable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["bearer"]
    token_env: EnvName


class CookieJar(BaseModel):
    """A cookie jar for the source's crawl, with the cookies it starts with (none by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Not secret (a consent choice, a region): shown by `sources check`.
    values: dict[str, str] = Field(default_factory=dict)
    # An environment variable holding `name=value; name2=value2` (a session cookie): never shown.
    values_env: EnvName | None = None


class SourceRequest(BaseModel):
    """The `request:` block of a source: how its pages are asked for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # An http(s) proxy every request of the crawl goes through, without credentials in it.
    proxy: str | None = None
    # The environment variable holding the proxy's `user:password`.
    proxy_auth_env: EnvName | None = None
    # Headers sent with every request, shown as they are.
    headers: dict[HeaderName, str] = Field(default_factory=dict)
    # Headers whose values are secret (an API key): header name -> environment variable. Sent only to
    # the source's own hosts, like `auth`.
    headers_env: dict[HeaderName, EnvName] = Field(default_factory=dict)
    # A cookie jar (off unless set; `cookies: true` is a jar that starts empty).
    cookies: CookieJar | None = None
    auth: Annotated[BasicAuth | BearerAuth, Field(discriminator="type")] | None = None
    # The hosts credentials, secret headers and starting cookies go to (a host or any of its subdomains).
    # Default: the hosts of the start URLs. Never a redirect's target elsewhere.
    auth_hosts: list[str] = Field(default_factory=list)

    @field_validator("proxy")
    @classmethod
    def _http_proxy(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        no_port = parts.scheme in SOCKS and not parts.port
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname or no_port:
            raise ValueError(f"{value!r} is not a proxy URL ({', '.join(f'{s}://' for s in PROXY_SCHEMES)})")
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "no credentials in the proxy URL: name their environment variable in proxy_auth_env"
            )
        return value

    @field_validator("headers", "headers_env")
    @classmethod
    def _no_reserved_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            why = _RESERVED_HEADERS.get(name.lower())
            if why:
                raise ValueError(f"header {name!r} cannot be set here: {why}")
        return value

    @field_validator("cookies", mode="before")
    @classmethod
    def _cookies_true(cls, value: object) -> object:
        if value is True:
            return {}
        if value is False:
            return None
        return value

    @field_validator("auth_hosts")
    @classmethod
    def _hostnames(cls, value: list[str]) -> list[str]:
        for host in value:
            if not re.match(r"^[A-Za-z0-9.-]+$", host) or host.startswith("."):
                raise ValueError(f"{host!r} is not a host name")
        return [host.lower() for host in value]

    @model_validator(mode="after")
    def _proxy_auth_needs_proxy(self) -> SourceRequest:
        if self.proxy_auth_env and not self.proxy:
            raise ValueError("proxy_auth_env is set but proxy is not")
        return self

    @property
    def environment_variables(self) -> dict[str, str]:
        """Every environment variable the block reads: variable -> the field that names it."""
        names: dict[str, str] = {}
        if self.proxy_auth_env:
            names[self.proxy_auth_env] = "proxy_auth_env"
        for header, var in self.headers_env.items():
            names[var] = f"headers_env.{header}"
        if self.cookies is not None and self.cookies.values_env:
            names[self.cookies.values_env] = "cookies.values_env"
        if isinstance(self.auth, BasicAuth):
            names[self.auth.user_env] = "auth.user_env"
            names[self.auth.password_env] = "auth.password_env"
        elif isinstance(self.auth, BearerAuth):
            names[self.auth.token_env] = "auth.token_env"
        return names

    @property
    def is_default(self) -> bool:
        return self == SourceRequest()


# Scrapy's downloader speaks to HTTP proxies; a SOCKS one is reached through a local bridge the crawl
# starts (crawler.socks).
SOCKS = ("socks5", "socks5h", "socks4")
PROXY_SCHEMES = ("http", "https", *SOCKS)


def is_socks(proxy: str | None) -> bool:
    return bool(proxy) and urlsplit(proxy).scheme in SOCKS


@dataclass(frozen=True)
class Access:
    """A source's request settings with the secrets read from the environment; for the crawler only.

    Its repr shows no secret: it may end up in a log line or a traceback.
    """

    proxy: str | None = field(default=None, repr=False)  # with `user:password@` when the proxy needs it
    headers: dict[str, str] = field(default_factory=dict)
    # Sent only to `auth_hosts`: Authorization and the secret headers.
    secret_headers: dict[str, str] = field(default_factory=dict, repr=False)
    cookie_jar: bool = False
    cookies: dict[str, str] = field(default_factory=dict, repr=False)
    auth_hosts: tuple[str, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def is_auth_host(self, host: str | None) -> bool:
        host = (host or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.auth_hosts)


def missing_variables(request: SourceRequest, environ: Mapping[str, str]) -> list[str]:
    """The variables the block names that are unset or empty (each with the field naming it)."""
    return [f"{var} ({why})" for var, why in request.environment_variables.items() if not environ.get(var)]


def resolve_access(
    request: SourceRequest, start_urls: list[str], environ: Mapping[str, str], source: str = ""
) -> Access:
    """Read the block's secrets from `environ`. Raises ConfigError naming (never showing) what is wrong."""
    where = f"source {source!r}, request: " if source else "request: "
    missing = missing_variables(request, environ)
    if missing:
        raise ConfigError(f"{where}environment variable not set: {', '.join(missing)}")
    short = [var for var in request.environment_variables if len(environ[var].strip()) < MIN_SECRET_LENGTH]
    if short:
        raise ConfigError(f"{where}shorter than {MIN_SECRET_LENGTH} characters: {', '.join(short)}")
    secrets: list[str] = []
    proxy = request.proxy
    if request.proxy and request.proxy_auth_env:
        credentials = environ[request.proxy_auth_env].strip()
        user, colon, password = credentials.partition(":")
        if not colon or not user:
            raise ConfigError(f"{where}{request.proxy_auth_env} must hold user:password")
        parts = urlsplit(request.proxy)
        netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}"
        proxy = parts._replace(netloc=netloc).geturl()
        secrets += [credentials, password]
    secret_headers: dict[str, str] = {}
    if isinstance(request.auth, BasicAuth):
        user, password = environ[request.auth.user_env], environ[request.auth.password_env]
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        secret_headers["Authorization"] = f"Basic {token}"
        secrets += [password, f"{user}:{password}", token]
    elif isinstance(request.auth, BearerAuth):
        token = environ[request.auth.token_env].strip()
        secret_headers["Authorization"] = f"Bearer {token}"
        secrets.append(token)
    for header, var in request.headers_env.items():
        secret_headers[header] = environ[var].strip()
        secrets.append(secret_headers[header])
    cookies: dict[str, str] = {}
    if request.cookies is not None:
        cookies.update(request.cookies.values)
        if request.cookies.values_env:
            from_env = parse_cookie_line(environ[request.cookies.values_env])
            if not from_env:
                raise ConfigError(f"{where}{request.cookies.values_env} must hold name=value; name2=value2")
            cookies.update(from_env)
            secrets += list(from_env.values())
    hosts = request.auth_hosts or sorted({(urlsplit(u).hostname or "").lower() for u in start_urls} - {""})
    return Access(
        proxy=proxy,
        headers=dict(request.headers),
        secret_headers=secret_headers,
        cookie_jar=request.cookies is not None,
        cookies=cookies,
        auth_hosts=tuple(hosts),
        secrets=tuple(s for s in secrets if s),
    )


def parse_cookie_line(line: str) -> dict[str, str]:
    """`name=value; name2=value2` as a dict (what a browser's Cookie header holds)."""
    cookies = {}
    for part in line.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name.strip():
            cookies[name.strip()] = value.strip()
    return cookies


def describe_request(request: SourceRequest, environ: Mapping[str, str]) -> dict[str, object]:
    """The block for `newsdesk sources check/list`: variables by name with whether they are set, cookie
    values masked; no secret value."""

    def var(name: str) -> str:
        return f"${name} ({'set' if environ.get(name) else 'NOT SET'})"

    shown: dict[str, object] = {}
    if request.proxy:
        shown["proxy"] = request.proxy
    if request.proxy_auth_env:
        shown["proxy_auth"] = var(request.proxy_auth_env)
    if request.headers:
        shown["headers"] = dict(request.headers)
    if request.headers_env:
        shown["headers_env"] = {header: var(name) for header, name in request.headers_env.items()}
    if request.cookies is not None:
        jar: dict[str, object] = {"jar": "on"}
        if request.cookies.values:
            jar["values"] = {name: MASK for name in request.cookies.values}
        if request.cookies.values_env:
            jar["values_env"] = var(request.cookies.values_env)
        shown["cookies"] = jar
    if isinstance(request.auth, BasicAuth):
        shown["auth"] = f"basic, user {var(request.auth.user_env)}, password {var(request.auth.password_env)}"
    elif isinstance(request.auth, BearerAuth):
        shown["auth"] = f"bearer, token {var(request.auth.token_env)}"
    if request.auth_hosts:
        shown["auth_hosts"] = list(request.auth_hosts)
    return shown


def crawl_user_agent(default: str, contact: str = "", override: str | None = None) -> str:
    """The User-Agent a crawl sends: the source's or the default, with the operator's contact added when
    it names none."""
    agent = (override or default).strip()
    if contact and not _CONTACT.search(agent):
        agent = f"{agent} (+{contact.strip()})"
    return agent


def user_agent_refusal(agent: str) -> str | None:
    """Why `agent` may not crawl in production (it names no real contact), or None."""
    placeholder = _PLACEHOLDER_CONTACTS.search(agent)
    if placeholder:
        return f"User-Agent {agent!r} names a placeholder contact ({placeholder.group(0)})"
    if not _CONTACT.search(agent):
        return (
            f"User-Agent {agent!r} names no contact: set NEWSDESK_CONTACT (a URL or an e-mail address) "
            "or a User-Agent with one"
        )
    return None


def status_reason(status: int) -> str | None:
    """What an answer means for access, or None when it is not about access."""
    return STATUS_REASONS.get(status)
