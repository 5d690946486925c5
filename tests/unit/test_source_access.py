"""The `request:` block: its validation, the secrets read from the environment, how the crawler applies
them, and the redaction that keeps the secrets out of logs, records and command output."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from pathlib import Path

import pytest
import scrapy
from pydantic import ValidationError
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure
from typer.testing import CliRunner

from crawler.access import RedactingFilter, SourceAccessMiddleware, slot_name
from crawler.run import crawl_access, scrapy_settings
from crawler.spiders.news import NewsSpider, classify_failure
from newsdesk.cli import app
from newsdesk.kernel.access import (
    SourceRequest,
    crawl_user_agent,
    describe_request,
    resolve_access,
    user_agent_refusal,
)
from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.redaction import MASK, Redactor, redact_headers, redact_url, scrub
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import Source, load_sources

PROXY_SECRET = "crawler:pr0xy-pass"
TOKEN = "t0ken-abc-123"
API_KEY = "k3y-for-the-api"
SESSION = "s3ssion-value"
ENV = {
    "NEWSDESK_TEST_PROXY": PROXY_SECRET,
    "NEWSDESK_TEST_TOKEN": TOKEN,
    "NEWSDESK_TEST_KEY": API_KEY,
    "NEWSDESK_TEST_COOKIES": f"session={SESSION}; theme=dark",
}
BLOCK = {
    "proxy": "http://proxy.internal:3128",
    "proxy_auth_env": "NEWSDESK_TEST_PROXY",
    "headers": {"Accept-Language": "ko"},
    "headers_env": {"X-Api-Key": "NEWSDESK_TEST_KEY"},
    "cookies": {"values": {"consent": "yes"}, "values_env": "NEWSDESK_TEST_COOKIES"},
    "auth": {"type": "bearer", "token_env": "NEWSDESK_TEST_TOKEN"},
}


def _source(**request) -> Source:
    return Source(
        name="guarded",
        start_urls=["http://news.example/news/"],
        allowed_domains=["news.example", "cdn.example"],
        request=request or BLOCK,
    )


# --- the model


def test_a_full_block_loads_and_names_only_environment_variables() -> None:
    request = _source().request
    assert request.proxy == "http://proxy.internal:3128"
    assert request.cookies is not None and request.cookies.values == {"consent": "yes"}
    assert set(request.environment_variables) == set(ENV)
    assert Source(name="plain", start_urls=["http://a.example/"]).request.is_default


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"proxy": "socks5://127.0.0.1"}, "is not a proxy URL"),
        ({"proxy": "http://user:secret@proxy:3128"}, "no credentials in the proxy URL"),
        ({"proxy": "ftp://proxy:21"}, "is not a proxy URL"),
        ({"proxy_auth_env": "NEWSDESK_X"}, "proxy_auth_env is set but proxy is not"),
        ({"headers": {"Authorization": "Bearer abc"}}, "use `auth`"),
        ({"headers": {"Cookie": "a=b"}}, "use `cookies`"),
        ({"headers_env": {"Proxy-Authorization": "NEWSDESK_X"}}, "use `proxy_auth_env`"),
        ({"auth": {"type": "basic", "user_env": "lower_case", "password_env": "P"}}, "pattern"),
        ({"auth": {"type": "digest"}}, "does not match any of the expected tags"),
        ({"cookie": True}, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_block_is_refused_with_the_reason(block: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SourceRequest.model_validate(block)


def test_cookies_true_is_an_empty_jar_and_false_none() -> None:
    assert SourceRequest.model_validate({"cookies": True}).cookies is not None
    assert SourceRequest.model_validate({"cookies": False}).cookies is None


def test_the_registry_error_names_the_source_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - name: behind\n    start_urls: ['http://a.example/']\n"
        "    request: {proxy: 'socks5h://127.0.0.1'}\n"
    )
    with pytest.raises(ConfigError, match=r"source 'behind', field request.proxy: .*socks5h"):
        load_sources(path)


def test_credentials_in_a_start_url_are_refused() -> None:
    with pytest.raises(ValidationError, match="no credentials in start URLs"):
        Source(name="x", start_urls=["http://user:pw@a.example/"])


# --- secrets from the environment


def test_resolving_reads_each_secret_and_puts_the_proxy_credentials_in_its_url() -> None:
    access = resolve_access(_source().request, ["http://news.example/news/"], ENV, "guarded")
    assert access.proxy == "http://crawler:pr0xy-pass@proxy.internal:3128"
    assert access.secret_headers == {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": API_KEY}
    assert access.headers == {"Accept-Language": "ko"}
    assert access.cookie_jar and access.cookies == {"consent": "yes", "session": SESSION, "theme": "dark"}
    assert access.auth_hosts == ("news.example",)
    assert {PROXY_SECRET, TOKEN, API_KEY, SESSION} <= set(access.secrets)
    for secret in (PROXY_SECRET, "pr0xy-pass", TOKEN, API_KEY, SESSION):
        assert secret not in repr(access)


def test_basic_auth_is_one_header_and_its_parts_are_secrets() -> None:
    request = SourceRequest.model_validate(
        {"auth": {"type": "basic", "user_env": "U", "password_env": "P"}, "auth_hosts": ["Site.Example"]}
    )
    access = resolve_access(request, [], {"U": "reader", "P": "hunter22"})
    token = base64.b64encode(b"reader:hunter22").decode()
    assert access.secret_headers == {"Authorization": f"Basic {token}"}
    assert access.auth_hosts == ("site.example",)
    assert access.is_auth_host("www.site.example") and not access.is_auth_host("evil.example")
    assert {"hunter22", token} <= set(access.secrets)


def test_a_missing_variable_is_named_and_no_value_is_shown() -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_access(_source().request, [], {**ENV, "NEWSDESK_TEST_TOKEN": ""}, "guarded")
    message = str(raised.value)
    assert "NEWSDESK_TEST_TOKEN (auth.token_env)" in message and "source 'guarded'" in message
    assert not any(value in message for value in ENV.values())


def test_proxy_credentials_must_be_user_colon_password() -> None:
    request = SourceRequest.model_validate({"proxy": "http://p:1", "proxy_auth_env": "V"})
    with pytest.raises(ConfigError, match="V must hold user:password"):
        resolve_access(request, [], {"V": "no-colon-here"})


def test_describe_shows_variable_names_and_whether_they_are_set_never_values() -> None:
    shown = describe_request(_source().request, {"NEWSDESK_TEST_TOKEN": TOKEN})
    text = json.dumps(shown)
    assert "$NEWSDESK_TEST_TOKEN (set)" in text and "$NEWSDESK_TEST_PROXY (NOT SET)" in text
    assert shown["cookies"] == {"jar": "on", "values": {"consent": MASK}, "values_env": ANY_VAR}
    assert TOKEN not in text and "yes" not in text


class _AnyVar(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith("$NEWSDESK_TEST_COOKIES")

    __hash__ = str.__hash__


ANY_VAR = _AnyVar()


# --- the User-Agent and its contact


def test_the_default_user_agent_names_the_project_and_no_made_up_url() -> None:
    agent = Settings().user_agent
    assert agent.startswith("newsdesk/") and "http" not in agent
    assert user_agent_refusal(agent) is not None
    with_contact = crawl_user_agent(agent, "https://newsroom.org/crawler")
    assert with_contact == f"{agent} (+https://newsroom.org/crawler)"
    assert user_agent_refusal(with_contact) is None
    # A source's own User-Agent with a contact is sent as it is.
    assert crawl_user_agent(agent, "ops@x.org", "bot/2 (+mailto:me@y.org)") == "bot/2 (+mailto:me@y.org)"


@pytest.mark.parametrize(
    "agent",
    [
        "newsdesk/0.1 (+https://github.com/newsdesk/newsdesk)",
        "bot/1 (+https://example.com/bot)",
        "bot/1 (contact: your-email)",
        "bot/1",
    ],
)
def test_a_placeholder_contact_is_refused(agent: str) -> None:
    assert user_agent_refusal(agent)


def test_production_refuses_to_crawl_without_a_contact() -> None:
    source = Source(name="plain", start_urls=["http://a.example/"])
    with pytest.raises(ConfigError, match="NEWSDESK_PRODUCTION is on: User-Agent"):
        crawl_access(Settings(production=True), source, {})
    settings = Settings(production=True, contact="ops@newsroom.org")
    assert crawl_access(settings, source, {}).proxy is None
    assert Settings.from_env({"NEWSDESK_PRODUCTION": "yes", "NEWSDESK_HOME": "/tmp/x"}).production
    with pytest.raises(ConfigError, match="NEWSDESK_PRODUCTION"):
        Settings.from_env({"NEWSDESK_PRODUCTION": "maybe", "NEWSDESK_HOME": "/tmp/x"})


# --- the crawler


def _spider(source: Source, environ: dict[str, str] = ENV) -> NewsSpider:
    access = resolve_access(source.request, source.start_urls, environ, source.name)
    crawler = get_crawler(NewsSpider)
    spider = NewsSpider.from_crawler(crawler, source=source, access=access)
    crawler.spider = spider
    return spider


def test_the_middleware_sets_proxy_headers_jar_and_slot_and_credentials_only_on_own_hosts() -> None:
    spider = _spider(_source())
    middleware = SourceAccessMiddleware(spider.crawler)

    own = scrapy.Request("http://news.example/news/")
    middleware.process_request(own)
    assert own.meta["proxy"] == "http://crawler:pr0xy-pass@proxy.internal:3128"
    assert own.meta["download_slot"] == slot_name("guarded")
    assert own.meta["cookiejar"] == "guarded"
    assert own.headers["Authorization"] == f"Bearer {TOKEN}".encode()
    assert own.headers["X-Api-Key"] == API_KEY.encode()
    assert own.headers["Accept-Language"] == b"ko"
    assert own.cookies == {"consent": "yes", "session": SESSION, "theme": "dark"}

    # Another host of the source (or a redirect's copy of the request to it) gets no credential.
    other = scrapy.Request("http://cdn.example/x", headers={"Authorization": f"Bearer {TOKEN}"})
    middleware.process_request(other)
    assert "Authorization" not in other.headers and "X-Api-Key" not in other.headers
    assert not other.cookies and other.headers["Accept-Language"] == b"ko"

    # The starting cookies go once per host: the jar keeps them from then on.
    again = scrapy.Request("http://news.example/news/2")
    middleware.process_request(again)
    assert not again.cookies


def test_scrapy_settings_turn_cookies_on_and_give_the_source_its_slot() -> None:
    source = _source()
    access = resolve_access(source.request, source.start_urls, ENV)
    values = scrapy_settings(Settings(), 10, source, access)
    assert values.getbool("COOKIES_ENABLED")
    assert values.getdict("DOWNLOAD_SLOTS") == {"source:guarded": {"concurrency": 4, "delay": 0.0}}
    plain = Source(name="plain", start_urls=["http://a.example/"])
    assert not scrapy_settings(Settings(), 10, plain, resolve_access(plain.request, [], {})).getbool(
        "COOKIES_ENABLED"
    )


def test_proxy_failures_are_named() -> None:
    request = scrapy.Request("https://news.example/", meta={"proxy": "http://proxy.internal:3128"})
    tunnel = Failure(
        TunnelError("Could not open CONNECT tunnel with proxy proxy.internal:3128 [{'status': 407}]")
    )
    tunnel.request = request
    kind, detail = classify_failure(tunnel)
    assert kind == "proxy_auth_required" and "proxy_auth_env" in detail

    refused = Failure(ConnectionRefusedError("Connection was refused by other side"))
    refused.request = request
    assert classify_failure(refused)[0] == "proxy_unreachable"
    direct = Failure(ConnectionRefusedError("Connection was refused by other side"))
    direct.request = scrapy.Request("https://news.example/")
    assert classify_failure(direct)[0] == "connection_error"


def test_the_spider_records_no_secret() -> None:
    spider = _spider(_source())
    spider.record_problem("http://news.example/", "odd", f"echoed {TOKEN} and {SESSION}")
    spider.note_url_fate("http://news.example/a", "fetch_error", f"proxy said {PROXY_SECRET}")
    page = spider._page("http://news.example/b", "http://news.example/b", 0, {}, "", error=f"x {API_KEY}")
    recorded = json.dumps([spider.problems, spider.fates, page.error])
    assert not any(secret in recorded for secret in (TOKEN, SESSION, PROXY_SECRET, API_KEY))
    assert MASK in recorded


# --- redaction


def test_scrub_masks_what_looks_like_a_credential() -> None:
    assert scrub("via http://bob:s3cret@proxy:3128/ ok") == f"via http://bob:{MASK}@proxy:3128/ ok"
    assert scrub("Authorization: Bearer abcdef123") == f"Authorization: {MASK}"
    assert scrub("sent Basic dXNlcjpwYXNz to it") == f"sent Basic {MASK} to it"
    assert scrub("{'Cookie': 'session=abc'}") == f"{{'Cookie': '{MASK}'}}"
    assert scrub("http://site.example/cookie-policy?page=2") == "http://site.example/cookie-policy?page=2"


def test_redact_url_and_headers() -> None:
    assert redact_url("http://bob:s3cret@proxy:3128") == f"http://bob:{MASK}@proxy:3128"
    assert redact_url("http://proxy:3128") == "http://proxy:3128"
    headers = {"Content-Type": "text/html", "Set-Cookie": "a=b", "Authorization": "x", "X-Key": "k"}
    assert redact_headers(headers, ["x-key"]) == {
        "Content-Type": "text/html",
        "Set-Cookie": MASK,
        "Authorization": MASK,
        "X-Key": MASK,
    }


def test_the_redactor_masks_known_values_and_their_base64() -> None:
    redact = Redactor(["pw-of-proxy", "ab"])
    encoded = base64.b64encode(b"pw-of-proxy").decode()
    assert redact(f"a pw-of-proxy b {encoded}") == f"a {MASK} b {MASK}"
    # Two characters would mask ordinary text: too short to be a secret.
    assert redact("about") == "about"


def test_the_log_filter_masks_secrets_in_messages_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
    RedactingFilter(Redactor([TOKEN])).filter(record)
    assert record.getMessage() == f"token {MASK}"
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        import sys

        failing = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    RedactingFilter(Redactor([TOKEN])).filter(failing)
    assert TOKEN not in (failing.exc_text or "") and MASK in (failing.exc_text or "")


# --- the commands


def _registry(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    source = {"name": "guarded", "start_urls": ["http://news.example/news/"], "request": BLOCK}
    path.write_text(json.dumps({"sources": [source]}))
    return path


def test_sources_check_and_list_show_names_not_secrets(tmp_path: Path) -> None:
    env = {"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_SOURCES_FILE": str(_registry(tmp_path)), **ENV}
    runner = CliRunner()
    check = runner.invoke(app, ["sources", "check", "guarded"], env=env)
    listed = runner.invoke(app, ["sources", "list"], env=env)
    as_json = runner.invoke(app, ["sources", "list", "--json"], env=env)
    for result in (check, listed, as_json):
        assert result.exit_code == 0, result.output
        assert not any(value in result.output for value in (PROXY_SECRET, TOKEN, API_KEY, SESSION, "pr0xy"))
    assert "$NEWSDESK_TEST_PROXY (set)" in check.output
    assert "names no contact" in check.output
    assert "[request: proxy,proxy_auth,headers,headers_env,cookies,auth]" in listed.output


def test_sources_check_fails_in_production_and_on_a_proxy_without_a_port(tmp_path: Path) -> None:
    env = {"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_SOURCES_FILE": str(_registry(tmp_path))}
    runner = CliRunner()
    production = runner.invoke(app, ["sources", "check", "guarded"], env={**env, "NEWSDESK_PRODUCTION": "1"})
    assert production.exit_code == 2
    assert "NEWSDESK_PRODUCTION is on" in production.output
    assert "NEWSDESK_TEST_TOKEN (auth.token_env)" in production.output  # not set in this environment
    ok = runner.invoke(
        app,
        ["sources", "check", "guarded"],
        env={**env, **ENV, "NEWSDESK_PRODUCTION": "1", "NEWSDESK_CONTACT": "https://newsroom.org/bot"},
    )
    assert ok.exit_code == 0, ok.output
    assert "(+https://newsroom.org/bot)" in ok.output

    socks = tmp_path / "socks.yaml"
    socks.write_text(
        json.dumps(
            {
                "sources": [
                    {"name": "s", "start_urls": ["http://a.example/"], "request": {"proxy": "socks5://h"}}
                ]
            }
        )
    )
    refused = runner.invoke(app, ["sources", "check", "s"], env={**env, "NEWSDESK_SOURCES_FILE": str(socks)})
    assert refused.exit_code == 2
    assert "is not a proxy URL" in refused.output


def test_stage_edges_mask_headers_and_details() -> None:
    from newsdesk.kernel.messages import FetchedPage
    from tasks.parse.page import raw_page

    page = FetchedPage(
        url="http://a.example/",
        final_url="http://a.example/",
        crawl_source="s",
        fetched_at="2026-01-01T00:00:00+00:00",
        status=200,
        headers={"content-type": "text/html", "set-cookie": "session=abc"},
        html="<p>x</p>",
    )
    assert raw_page(dataclasses.replace(page))["headers"] == {"content-type": "text/html", "set-cookie": MASK}


def test_a_socks_proxy_is_accepted_and_read_by_its_bridge_with_its_credentials() -> None:
    from crawler.socks import pproxy_uri
    from newsdesk.kernel.access import is_socks

    request = SourceRequest.model_validate(
        {"proxy": "socks5h://tor.internal:9050", "proxy_auth_env": "NEWSDESK_X"}
    )
    access = resolve_access(request, ["http://a.example/"], {"NEWSDESK_X": "alice:s3cret-w0rd!"}, "s")
    assert is_socks(access.proxy) and "s3cret" not in repr(access)
    assert pproxy_uri(access.proxy) == "socks5://tor.internal:9050#alice:s3cret-w0rd!"
    assert pproxy_uri("socks4://10.0.0.1:1080") == "socks4://10.0.0.1:1080"


def test_the_socks_bridge_listens_on_loopback() -> None:
    import socket

    from crawler.socks import SocksBridge

    bridge = SocksBridge("socks5://127.0.0.1:9")
    try:
        host, port = bridge.start().rsplit(":", 1)
        assert host == "http://127.0.0.1"
        # Listening: binding its port again fails (a connection would leave a transport to the GC).
        with socket.socket() as probe, pytest.raises(OSError):
            probe.bind(("127.0.0.1", int(port)))
    finally:
        bridge.stop()
    assert bridge.loop.is_closed()
