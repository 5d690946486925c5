"""Unit-test helpers: stand-in Elasticsearch nodes on loopback, answering what each test tells them to."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# (method, path with query, parsed JSON body or None) -> (status, JSON answer)
Answer = Callable[[str, str, Any], tuple[int, Any]]


@dataclass
class StubNode:
    """A node's URL and every request it was sent, as (method, path, body)."""

    url: str
    requests: list[tuple[str, str, Any]] = field(default_factory=list)


def _handler(answer: Answer, node_requests: list) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            lines = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
            body = None if not lines else lines[0] if len(lines) == 1 else lines
            node_requests.append((self.command, self.path, body))
            status, reply = answer(self.command, self.path, body)
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            # The client refuses a server that does not say it is Elasticsearch.
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 - the names http.server calls

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def stub_node() -> Iterator[Callable[[Answer], StubNode]]:
    """Start stand-in nodes: `stub_node(answer)` returns one, stopped after the test."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(answer: Answer) -> StubNode:
        requests: list[tuple[str, str, Any]] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer, requests))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return StubNode(f"http://127.0.0.1:{server.server_address[1]}", requests)

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()
