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
    """`access` with its SOCKS proxy replaced by a local HTTP bridge to it (started now, kept for the
    crawler process's life); as it is else."""
    if not is_socks(access.proxy):
        return access
    bridge = SocksBridge(access.proxy)
    _RUNNING.append(bridge)
    return dataclasses.replace(access, proxy=bridge.start())


class SocksBridge:
    """An HTTP proxy on a free loopback port that forwards through a SOCKS proxy, on its own event loop in
    a thread; `stop` closes the server and the loop."""

    def __init__(self, proxy: str) -> None:
        self.upstream = pproxy.Connection(pproxy_uri(proxy))
        self.loop = asyncio.new_event_loop()
        self.thread: threading.Thread | None = None
        self.server: asyncio.AbstractServer | None = None

    def start(self) -> str:
        started: dict[str, object] = {}
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            try:
                self.server = self.loop.run_until_complete(
                    pproxy.Server("http://127.0.0.1:0").start_server({"rserver": [self.upstream]})
                )
                started["port"] = self.server.sockets[0].getsockname()[1]
            except Exception as exc:  # noqa: BLE001 - handed to the caller, who reports it
                started["error"] = exc
            ready.set()
            if "port" in started:
                self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True, name="socks-bridge")
        self.thread.start()
        if not ready.wait(STARTED_WITHIN_SECONDS) or "error" in started:
            raise NewsdeskError(f"the SOCKS bridge did not start: {started.get('error', 'timed out')}")
        return f"http://127.0.0.1:{started['port']}"

    def stop(self) -> None:
        if self.thread is None:
            return

        def close() -> None:
            if self.server is not None:
                self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(close)
        self.thread.join(STARTED_WITHIN_SECONDS)
        self.loop.close()
        self.thread = None


# Bridges a crawl started: they live as long as its process.
_RUNNING: list[SocksBridge] = []
