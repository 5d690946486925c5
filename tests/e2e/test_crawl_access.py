"""End to end: sources behind a proxy that wants credentials (HTTP or SOCKS5), an API key header, a
session cookie and a bearer token are crawled completely with their `request:` block, fail with a recorded
reason without it, and none of the secrets (given through the environment) is written anywhere."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.errors import NewsdeskError

pytestmark = pytest.mark.services
SITE_SIZE = 6
PROXY_USER, PROXY_PASSWORD = "e2e-crawler", "Pr0xy-pw-e2e-77"
API_KEY = "key-e2e-4d1f9a"
SESSION = "session-e2e-8c2b"
TOKEN = "bearer-e2e-51ac3e"
SECRETS = (
    PROXY_PASSWORD,
    API_KEY,
    SESSION,
    TOKEN,
    base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()),
)
HOP_BY_HOP = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}


class AuthenticatingProxy:
    """A forward HTTP proxy (GET with absolute URLs) that answers 407 without the right credentials."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.forwarded: list[str] = []
        self.refused = 0
        self.leaked_to_origin = False
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> AuthenticatingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.headers.get("Proxy-Authorization") != proxy.expected:
                    proxy.refused += 1
                    self._send(407, {"Proxy-Authenticate": 'Basic realm="e2e"'}, b"proxy credentials needed")
                    return
                target = urlsplit(self.path)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                try:
                    connection.request(
                        "GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers
                    )
                    answer = connection.getresponse()
                    body = answer.read()
                    kept = {
                        k: v
                        for k, v in answer.getheaders()
                        if k.lower() not in HOP_BY_HOP | {"content-length", "transfer-encoding"}
                    }
                finally:
                    connection.close()
                proxy.forwarded.append(self.path)
                self._send(answer.status, kept, body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Silent."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="e2e-proxy").start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()


class SocksProxy:
    """A SOCKS5 proxy (RFC 1928) that lets a connection through only with its user and password (RFC
    1929), on its own event loop in a thread; it counts what it let through and what it refused."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = (user.encode(), password.encode())
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.tunnels = 0
        self.refused = 0

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            _version, count = await reader.readexactly(2)
            if 2 not in await reader.readexactly(count):
                self.refused += 1
                writer.write(b"\x05\xff")  # no acceptable method: a password is required
                return
            writer.write(b"\x05\x02")
            await reader.readexactly(1)
            user = await reader.readexactly((await reader.readexactly(1))[0])
            password = await reader.readexactly((await reader.readexactly(1))[0])
            if (user, password) != self.expected:
                self.refused += 1
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
            _version, _command, _reserved, kind = await reader.readexactly(4)
            if kind == 1:
                host = socket.inet_ntoa(await reader.readexactly(4))
            else:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            port = int.from_bytes(await reader.readexactly(2), "big")
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
            writer.write(b"\x05\x00\x00\x01" + bytes(6))
            self.tunnels += 1
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> SocksProxy:
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True, name="e2e-socks")
        self.thread.start()
        assert ready.wait(10), "the SOCKS proxy did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        def close() -> None:
            self.server.close()
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.stop()

        self.loop.call_soon_threadsafe(close)
        self.thread.join(10)
        self.loop.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


class OriginWatch(DemoServer):
    """The demo server, noting whether a proxy credential ever reached it."""

    saw_proxy_credentials = False

    def respond(self, raw_path, headers):
        if headers.get("Proxy-Authorization"):
            self.saw_proxy_credentials = True
        return super().respond(raw_path, headers)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _source(name: str, url: str, request: dict | None = None) -> dict:
    source = {
        "name": name,
        "start_urls": [url + "/"],
        "article_pattern": "/article/",
        "language": "en",
        "allow_private": True,
        "max_pages": 500,
    }
    if request:
        source["request"] = request
    return source


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The crawler process inherits them (tasks.worker.crawls passes the environment on); nothing else does.
    monkeypatch.setenv("NEWSDESK_E2E_PROXY_AUTH", f"{PROXY_USER}:{PROXY_PASSWORD}")
    monkeypatch.setenv("NEWSDESK_E2E_API_KEY", API_KEY)
    monkeypatch.setenv("NEWSDESK_E2E_COOKIES", f"session={SESSION}")
    monkeypatch.setenv("NEWSDESK_E2E_TOKEN", TOKEN)


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, DemoServer]]:
    # Three different sites (seeds), so that no crawl's articles are copies of another's.
    plain = OriginWatch(generate_site(size=SITE_SIZE, seed=31))
    keyed = DemoServer(generate_site(size=SITE_SIZE, seed=32), required_headers={"X-Api-Key": API_KEY})
    login = DemoServer(
        generate_site(size=SITE_SIZE, seed=33),
        required_headers={"Authorization": f"Bearer {TOKEN}"},
        required_cookies={"session": SESSION},
    )
    with plain, keyed, login:
        yield {"plain": plain, "keyed": keyed, "login": login}


def _settings(clean_stores, tmp_path: Path, sources: list[dict]):
    registry = tmp_path / "sources.yaml"
    registry.write_text(json.dumps({"sources": sources}))
    return dataclasses.replace(clean_stores, sources_file=registry)


def _everything_written(settings, es_client, redis_client, services_dir: Path, runs: list[dict]) -> str:
    """Every place a secret could leak to: crawl logs, the worker's log, run records in Redis, and every
    newsdesk index (articles, raw pages, dead letters, crawl runs, crawl log)."""
    parts = [Path(run["log_file"]).read_text(errors="replace") for run in runs]
    parts.append((services_dir / "worker.log").read_text(errors="replace"))
    raw = redis.Redis.from_url(settings.redis_url)  # bytes: some records hold binary digests
    try:
        for key in raw.scan_iter(f"{settings.index_prefix}:*"):
            kind = raw.type(key)
            if kind == b"hash":
                values = [item for pair in raw.hgetall(key).items() for item in pair]
            elif kind == b"list":
                values = raw.lrange(key, 0, -1)
            elif kind == b"string":
                values = [raw.get(key) or b""]
            else:
                continue  # sets of URL digests
            parts.append(b"\n".join(values).decode("utf-8", "replace"))
    finally:
        raw.close()
    es_client.indices.refresh(index=f"{settings.index_prefix}-*")
    hits = es_client.search(index=f"{settings.index_prefix}-*", size=10_000, query={"match_all": {}})
    parts.append(json.dumps(hits["hits"]["hits"]))
    parts.append(json.dumps(runs, default=str))
    return "\n".join(parts)


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        shown = secret.decode() if isinstance(secret, bytes) else secret
        assert shown not in text, f"a secret ({shown[:4]}…) was written"


def _crawl(settings, name: str) -> dict:
    """run_crawl, with the end of the crawler's log in the failure when it did not run."""
    try:
        return run_crawl(settings, name, wait=True, timeout=300)
    except NewsdeskError as exc:
        log = Path(str(exc).rsplit("see ", 1)[-1])
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        pytest.fail(f"{name}: {exc}\n{tail}")


def _why(run: dict, settings) -> dict[str, tuple[str, str]]:
    from newsdesk.state.client import build_redis
    from newsdesk.state.runs import RunStore

    return RunStore(build_redis(settings), settings.index_prefix).url_fates(run["run_id"])


def test_a_source_behind_an_authenticating_proxy(
    sites, environment, clean_stores, worker, es_client, redis_client, services_dir, tmp_path
):
    site = sites["plain"]
    with AuthenticatingProxy(PROXY_USER, PROXY_PASSWORD) as proxy:
        down = f"http://127.0.0.1:{_closed_port()}"
        settings = _settings(
            clean_stores,
            tmp_path,
            [
                _source(
                    "via-proxy", site.url, {"proxy": proxy.url, "proxy_auth_env": "NEWSDESK_E2E_PROXY_AUTH"}
                ),
                _source("via-proxy-bare", site.url, {"proxy": proxy.url}),
                _source(
                    "via-proxy-down", site.url, {"proxy": down, "proxy_auth_env": "NEWSDESK_E2E_PROXY_AUTH"}
                ),
            ],
        )
        asked_before = site.request_count
        run = _crawl(settings, "via-proxy")

        assert run["complete"] and run["new"] == SITE_SIZE
        assert run["fates"]["fetch_error"] == run["rejected"] == run["failed"] == 0
        # Every request went through the proxy, and the proxy's credentials never reached the site.
        assert site.request_count - asked_before == len(proxy.forwarded) > SITE_SIZE
        assert not site.saw_proxy_credentials

        bare = _crawl(settings, "via-proxy-bare")
        assert bare["new"] == 0 and bare["fates"]["fetch_error"] == 1 and proxy.refused >= 2
        (start_fate,) = [why for url, why in _why(bare, settings).items() if url == site.url + "/"]
        assert start_fate[0] == "fetch_error"
        assert "answered 407: the proxy asks for credentials" in start_fate[1]

        refused = _crawl(settings, "via-proxy-down")
        assert refused["new"] == 0 and refused["fates"]["fetch_error"] == 1
        start_fate = _why(refused, settings)[site.url + "/"]
        assert start_fate[0] == "fetch_error" and start_fate[1].startswith("proxy_unreachable: the proxy")

    _assert_no_secret(
        _everything_written(settings, es_client, redis_client, services_dir, [run, bare, refused])
    )


def test_a_source_behind_a_socks_proxy(
    sites, environment, clean_stores, worker, es_client, redis_client, services_dir, tmp_path
):
    site = sites["plain"]
    with SocksProxy(PROXY_USER, PROXY_PASSWORD) as socks:
        settings = _settings(
            clean_stores,
            tmp_path,
            [
                _source(
                    "via-socks", site.url, {"proxy": socks.url, "proxy_auth_env": "NEWSDESK_E2E_PROXY_AUTH"}
                ),
                _source("via-socks-bare", site.url, {"proxy": socks.url}),
            ],
        )
        run = _crawl(settings, "via-socks")
        assert run["complete"] and run["new"] == SITE_SIZE
        assert run["fates"]["fetch_error"] == run["rejected"] == run["failed"] == 0
        assert socks.tunnels >= 1 and socks.refused == 0
        assert not site.saw_proxy_credentials

        # Without its credentials the SOCKS proxy lets nothing through: the start page's fate says so.
        bare = _crawl(settings, "via-socks-bare")
        assert bare["new"] == 0 and bare["fates"]["fetch_error"] >= 1
        fate, why = _why(bare, settings)[site.url + "/"]
        assert fate == "fetch_error" and why.startswith("proxy_"), why
        assert socks.refused >= 1

    _assert_no_secret(_everything_written(settings, es_client, redis_client, services_dir, [run, bare]))


def test_sources_behind_a_key_a_cookie_and_a_token(
    sites, environment, clean_stores, worker, es_client, redis_client, services_dir, tmp_path
):
    keyed, login = sites["keyed"], sites["login"]
    settings = _settings(
        clean_stores,
        tmp_path,
        [
            _source("with-key", keyed.url, {"headers_env": {"X-Api-Key": "NEWSDESK_E2E_API_KEY"}}),
            _source("without-key", keyed.url),
            _source(
                "with-login",
                login.url,
                {
                    "cookies": {"values_env": "NEWSDESK_E2E_COOKIES"},
                    "auth": {"type": "bearer", "token_env": "NEWSDESK_E2E_TOKEN"},
                },
            ),
            _source(
                "without-cookie", login.url, {"auth": {"type": "bearer", "token_env": "NEWSDESK_E2E_TOKEN"}}
            ),
            _source("without-token", login.url, {"cookies": {"values_env": "NEWSDESK_E2E_COOKIES"}}),
        ],
    )
    runs = {}
    for name in ("with-key", "with-login"):
        runs[name] = run = _crawl(settings, name)
        assert run["complete"] and run["new"] == SITE_SIZE, (name, run)
        assert run["fates"]["fetch_error"] == run["rejected"] == run["failed"] == 0

    expected = {
        "without-key": (keyed, "answered 403: the site refused the request"),
        "without-cookie": (login, "answered 403: the site refused the request"),
        "without-token": (login, "answered 401: the site asks for credentials"),
    }
    for name, (server, reason) in expected.items():
        runs[name] = run = _crawl(settings, name)
        assert run["new"] == 0 and run["fates"]["fetch_error"] == 1, (name, run)
        fate, why = _why(run, settings)[server.url + "/"]
        assert fate == "fetch_error" and reason in why, (name, why)

    _assert_no_secret(
        _everything_written(settings, es_client, redis_client, services_dir, list(runs.values()))
    )
