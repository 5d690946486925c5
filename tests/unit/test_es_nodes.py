"""NEWSDESK_ES_URL naming several nodes: the client gets them all and moves past one it cannot reach."""

from __future__ import annotations

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


HEALTH = {"cluster_name": "newsdesk", "status": "green", "number_of_nodes": 2}


def test_a_node_that_refuses_connections_is_passed_over(stub_node) -> None:
    live = stub_node(lambda method, path, body: (200, HEALTH))
    dead = f"http://127.0.0.1:{free_port()}"
    client = build_client(Settings(es_url=f"{dead},{live.url}"))
    # Round robin from either node: every request is answered, by the live one.
    for _ in range(6):
        with translated_errors("cluster health"):
            assert client.cluster.health()["status"] == "green"
    assert len(live.requests) == 6
    client.close()


def test_with_one_url_an_unreachable_node_is_ours_to_retry() -> None:
    client = build_client(Settings(es_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(TransientError, match="unreachable"), translated_errors("cluster health"):
        client.cluster.health()
    client.close()


def test_an_answer_of_the_cluster_is_not_retried_on_another_node(stub_node) -> None:
    nodes = [stub_node(lambda method, path, body: (503, HEALTH)) for _ in range(2)]
    client = build_client(Settings(es_url=",".join(node.url for node in nodes)))
    for _ in range(3):
        with pytest.raises(TransientError, match="503"), translated_errors("cluster health"):
            client.cluster.health()
    # One request per call: a 503 is Celery's to back off from, not the client's to send elsewhere.
    assert sum(len(node.requests) for node in nodes) == 3
    client.close()
