"""NEWSDESK_ES_URL naming several nodes: the client gets them all and moves past one it cannot reach."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from index.client import build_client, node_urls, translated_errors
from newsdesk.kernel.errors import ConfigError, TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.localstack.services import free_port


@pytest.mark.parametrize(
    ("es_url", "expected"),
    [
        ("http://127.0.0.1:9200", ["http://127.0.0.1:9200"]),
        ("https://es.internal:9243/", ["https://es.internal:9243/"]),
        (
            "http://a:9200,http://b:9200,http://c:9200",
            ["http://a:9200", "http://b:9200", "http://c:9200"],
        ),
        (" http://a:9200 ,\thttp://b:9200\n", ["http://a:9200", "http://b:9200"]),
        ("http://a:9200,", ["http://a:9200"]),
        ("http://a:9200,, ,http://b:9200,", ["http://a:9200", "http://b:9200"]),
    ],
)
def test_node_urls_are_split_on_commas_and_trimmed(es_url: str, expected: list[str]) -> None:
    assert node_urls(es_url) == expected


@pytest.mark.parametrize("es_url", ["", " ", ",", " , ,"])
def test_a_url_naming_no_node_is_a_configuration_error(es_url: str) -> None:
    with pytest.raises(ConfigError, match="NEWSDESK_ES_URL"):
        node_urls(es_url)


def test_one_url_makes_a_client_of_one_node() -> None:
    client = build_client(Settings(es_url="http://127.0.0.1:9200,"))
    assert [node.base_url for node in client.transport.node_pool.all()] == ["http://127.0.0.1:9200"]
    client.close()


def test_several_urls_give_the_client_every_node() -> None:
    client = build_client(
        Settings(es_url="http://127.0.0.1:9201, http://127.0.0.1:9202,http://127.0.0.1:9203")
    )
    assert sorted(node.base_url for node in client.transport.node_pool.all()) == [
        "http://127.0.0.1:9201",
        "http://127.0.0.1:9202",
        "http://127.0.0.1:9203",
    ]
    client.close()


class _Health(BaseHTTPRequestHandler):
    """Answers cluster health as a node would, with the header the client checks for; counts requests."""

    status = 200
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.requests.append(self.path)
        body = json.dumps({"cluster_name": "newsdesk", "status": "green", "number_of_nodes": 2}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A node on a free loopback port; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def live_node() -> Iterator[str]:
    with _serving(type("Live", (_Health,), {"requests": []})) as url:
        yield url


@pytest.fixture
def unavailable_nodes() -> Iterator[tuple[list[str], list[str]]]:
    """Two nodes that answer 503, and the requests they were sent."""
    handler = type("Unavailable", (_Health,), {"status": 503, "requests": []})
    with _serving(handler) as first, _serving(handler) as second:
        yield [first, second], handler.requests


def test_a_node_that_refuses_connections_is_passed_over(live_node: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    client = build_client(Settings(es_url=f"{dead},{live_node}"))
    # Round robin from either node: every request is answered, by the live one.
    for _ in range(6):
        with translated_errors("cluster health"):
            assert client.cluster.health()["status"] == "green"
    client.close()


def test_with_one_url_an_unreachable_node_is_ours_to_retry() -> None:
    client = build_client(Settings(es_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(TransientError, match="unreachable"), translated_errors("cluster health"):
        client.cluster.health()
    client.close()


def test_an_answer_of_the_cluster_is_not_retried_on_another_node(unavailable_nodes) -> None:
    urls, requests = unavailable_nodes
    client = build_client(Settings(es_url=",".join(urls)))
    for _ in range(3):
        with pytest.raises(TransientError, match="503"), translated_errors("cluster health"):
            client.cluster.health()
    # One request per call: a 503 is Celery's to back off from, not the client's to send elsewhere.
    assert len(requests) == 3
    client.close()
