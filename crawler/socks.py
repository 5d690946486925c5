"""A local HTTP proxy in front of a source's SOCKS proxy: Scrapy's downloader speaks only to HTTP proxies.

pproxy serves HTTP on a loopback port and forwards each request or CONNECT tunnel through the SOCKS
proxy, with its credentials. It runs on its own event loop in a thread of the crawler process, so the
crawl's reactor never waits on it; it ends with the process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from urllib.parse import unquote, urlsplit

import pproxy

from newsdesk.kernel.access import Access, is_socks
from newsdesk.kernel.errors import NewsdeskError

STARTED_WITHIN_SECONDS = 10


def pproxy_uri(proxy: str) -> str:
    """A SOCKS proxy URL (`socks5://user:password@host:port`) as pproxy writes it
    (`socks5://host:port#user:password`); socks5h resolves names on the proxy, as pproxy's socks5 does."""
    parts = urlsplit(proxy)
    scheme = "socks5" if parts.scheme == "socks5h" else parts.scheme
    uri = f"{scheme}://{parts.hostname}:{parts.port}"
    if parts.username is not None:
        uri += f"#{unquote(parts.username)}:{unquote(parts.password or '')}"
    return uri


def bridged(access: Access) -> Access:
    """`access` with its SOCKS proxy replaced by a local HTTP bridge to it (started now); as it is else."""
    if not is_socks(access.proxy):
        return access
    return dataclasses.replace(access, proxy=start_bridge(access.proxy))


def start_bridge(proxy: str) -> str:
    """Start an HTTP proxy on a free loopback port that forwards through `proxy`; its URL."""
    loop = asyncio.new_event_loop()
    started: dict[str, object] = {}
    ready = threading.Event()
    upstream = pproxy.Connection(pproxy_uri(proxy))

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                pproxy.Server("http://127.0.0.1:0").start_server({"rserver": [upstream]})
            )
            started["port"] = server.sockets[0].getsockname()[1]
        except Exception as exc:  # noqa: BLE001 - handed to the caller, who reports it
            started["error"] = exc
        ready.set()
        if "port" in started:
            loop.run_forever()

    threading.Thread(target=serve, daemon=True, name="socks-bridge").start()
    if not ready.wait(STARTED_WITHIN_SECONDS) or "error" in started:
        raise NewsdeskError(f"the SOCKS bridge did not start: {started.get('error', 'timed out')}")
    return f"http://127.0.0.1:{started['port']}"
