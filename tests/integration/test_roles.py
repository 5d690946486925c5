"""The accounts `newsdesk setup` creates, enforced by a real Elasticsearch node: analysts read, workers
write, operators manage, and none of them reaches beyond newsdesk's indices.

`newsdesk setup` puts these roles through the security API. The minimal distribution the tests run cannot
store them there (its security index needs the analysis module the distribution leaves out: the API
answers "Unknown filter type [pattern_capture]"), so this node holds the very same role definitions in its
file realm; what is tested is what each role lets its user do.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import AuthorizationException, Elasticsearch

from index.security import ANALYST_ROLE, OPERATOR_ROLE, WORKER_ROLE, roles
from index.setup import detect_capabilities, ensure_setup
from newsdesk.kernel.settings import Settings, default_home
from newsdesk.localstack.services import ElasticsearchNode

pytestmark = pytest.mark.services
PREFIX = "rolestest"
ARTICLE = {"doc_id": "a1", "url": "https://news.example/a1", "title": "Talks", "body": "Both sides met."}


@pytest.fixture(scope="module")
def node(services_dir: Path) -> Iterator[tuple[ElasticsearchNode, dict[str, str]]]:
    settings = Settings(index_prefix=PREFIX)
    passwords = {role: secrets.token_urlsafe(12) for role in (ANALYST_ROLE, WORKER_ROLE, OPERATOR_ROLE)}
    node = ElasticsearchNode(
        services_dir / "roles-es",  # beside the harness's own services, which the node's user may reach
        password=secrets.token_urlsafe(12),
        install_home=default_home(),
        heap="512m",
        file_roles=roles(settings),
        file_users={f"u_{role}": (password, [role]) for role, password in passwords.items()},
    ).start()
    try:
        yield node, passwords
    finally:
        node.stop()


def _client(node: ElasticsearchNode, username: str, password: str) -> Elasticsearch:
    return Elasticsearch(node.url, basic_auth=(username, password), request_timeout=30)


@pytest.fixture(scope="module")
def archive(node) -> tuple[Settings, str]:
    es_node, _ = node
    settings = dataclasses.replace(
        Settings(), es_url=es_node.url, es_password=es_node.password, index_prefix=PREFIX
    )
    superuser = _client(es_node, "elastic", es_node.password)
    ensure_setup(superuser, settings, detect_capabilities(superuser))
    superuser.index(index=settings.articles_alias, id="a1", document=ARTICLE, refresh=True)
    superuser.indices.create(index="other-index")
    superuser.index(index="other-index", id="x", document={"secret": 1}, refresh=True)
    return settings, settings.articles_alias


def _as(node, role: str) -> Elasticsearch:
    es_node, passwords = node
    return _client(es_node, f"u_{role}", passwords[role])


def test_the_analyst_searches_and_can_neither_write_nor_delete(node, archive) -> None:
    settings, alias = archive
    analyst = _as(node, ANALYST_ROLE)
    assert analyst.search(index=alias, query={"match": {"body": "sides"}})["hits"]["total"]["value"] == 1
    assert analyst.get(index=alias, id="a1")["_source"]["title"] == "Talks"
    with pytest.raises(AuthorizationException):
        analyst.index(index=alias, id="a2", document=ARTICLE)
    with pytest.raises(AuthorizationException):
        analyst.delete(index=alias, id="a1")
    with pytest.raises(AuthorizationException):
        analyst.update(index=alias, id="a1", doc={"title": "Edited"})
    with pytest.raises(AuthorizationException):
        analyst.indices.delete(index=f"{PREFIX}-*")
    with pytest.raises(AuthorizationException):
        analyst.search(index="other-index")


def test_the_worker_writes_documents_but_manages_nothing(node, archive) -> None:
    settings, alias = archive
    worker = _as(node, WORKER_ROLE)
    assert worker.index(index=alias, id="w1", document={**ARTICLE, "doc_id": "w1"})["result"] == "created"
    with pytest.raises(AuthorizationException):
        worker.indices.delete(index=f"{PREFIX}-*")
    with pytest.raises(AuthorizationException):
        worker.indices.put_index_template(name="evil", index_patterns=["x-*"], template={})
    with pytest.raises(AuthorizationException):
        worker.index(index="other-index", id="y", document={"secret": 2})


def test_the_operator_manages_newsdesk_indices_and_nothing_else(node, archive) -> None:
    settings, alias = archive
    operator = _as(node, OPERATOR_ROLE)
    operator.indices.create(index=f"{PREFIX}-scratch")
    operator.indices.delete(index=f"{PREFIX}-scratch")
    assert operator.indices.get_index_template(name=f"{PREFIX}-*")["index_templates"]
    with pytest.raises(AuthorizationException):
        operator.indices.delete(index="other-index")
    with pytest.raises(AuthorizationException):
        operator.security.put_user(username="intruder", password="p4ssw0rd-long", roles=["superuser"])
