"""The accounts `newsdesk setup` creates, on a real Elasticsearch node, through its security API: analysts
read, workers write, operators manage, and none of them reaches beyond newsdesk's indices."""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys

import pytest
from elasticsearch import AuthorizationException, Elasticsearch

from newsdesk.kernel.settings import Settings

pytestmark = pytest.mark.services
PREFIX = "rolestest"
ARTICLE = {"doc_id": "a1", "url": "https://news.example/a1", "title": "Talks", "body": "Both sides met."}


def _setup(settings: Settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "setup"],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def accounts(base_settings: Settings, es_node) -> tuple[Settings, dict[str, Elasticsearch]]:
    settings = dataclasses.replace(
        base_settings,
        index_prefix=PREFIX,
        worker_es_username="rt_worker",
        worker_es_password=secrets.token_urlsafe(12),
        analyst_es_username="rt_analyst",
        analyst_es_password=secrets.token_urlsafe(12),
        operator_es_username="rt_operator",
        operator_es_password=secrets.token_urlsafe(12),
    )
    setup = _setup(settings)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    for user in ("rt_worker", "rt_analyst", "rt_operator"):
        assert f"user {user} has role" in setup.stdout

    superuser = Elasticsearch(settings.es_url, basic_auth=("elastic", settings.es_password))
    superuser.index(index=f"{PREFIX}-articles", id="a1", document=ARTICLE, refresh=True)
    superuser.options(ignore_status=400).indices.create(index="other-index")
    superuser.index(index="other-index", id="x", document={"secret": 1}, refresh=True)

    def login(username: str, password: str) -> Elasticsearch:
        return Elasticsearch(settings.es_url, basic_auth=(username, password), request_timeout=30)

    return settings, {
        "worker": login(settings.worker_es_username, settings.worker_es_password),
        "analyst": login(settings.analyst_es_username, settings.analyst_es_password),
        "operator": login(settings.operator_es_username, settings.operator_es_password),
    }


def test_setup_is_idempotent_for_the_accounts(accounts) -> None:
    settings, _ = accounts
    again = _setup(settings)
    assert again.returncode == 0, again.stderr


def test_the_analyst_searches_and_can_neither_write_nor_delete(accounts) -> None:
    settings, clients = accounts
    analyst, alias = clients["analyst"], settings.articles_alias
    assert analyst.search(index=alias, query={"match": {"body": "sides"}})["hits"]["total"]["value"] == 1
    assert analyst.get(index=alias, id="a1")["_source"]["title"] == "Talks"
    with pytest.raises(AuthorizationException):
        analyst.index(index=alias, id="a2", document=ARTICLE)
    with pytest.raises(AuthorizationException):
        analyst.update(index=alias, id="a1", doc={"title": "Edited"})
    with pytest.raises(AuthorizationException):
        analyst.delete(index=alias, id="a1")
    with pytest.raises(AuthorizationException):
        analyst.indices.delete(index=f"{PREFIX}-*")
    with pytest.raises(AuthorizationException):
        analyst.search(index="other-index")


def test_the_worker_writes_documents_but_manages_nothing(accounts) -> None:
    settings, clients = accounts
    worker, alias = clients["worker"], settings.articles_alias
    assert worker.index(index=alias, id="w1", document={**ARTICLE, "doc_id": "w1"})["result"] == "created"
    with pytest.raises(AuthorizationException):
        worker.indices.delete(index=f"{PREFIX}-*")
    with pytest.raises(AuthorizationException):
        worker.indices.put_index_template(name="evil", index_patterns=["x-*"], template={})
    with pytest.raises(AuthorizationException):
        worker.index(index="other-index", id="y", document={"secret": 2})


def test_the_operator_manages_newsdesk_indices_and_nothing_else(accounts) -> None:
    _, clients = accounts
    operator = clients["operator"]
    operator.indices.create(index=f"{PREFIX}-scratch")
    operator.indices.delete(index=f"{PREFIX}-scratch")
    assert operator.indices.get_index_template(name=f"{PREFIX}-*")["index_templates"]
    with pytest.raises(AuthorizationException):
        operator.indices.delete(index="other-index")
    with pytest.raises(AuthorizationException):
        operator.security.put_user(username="intruder", password="p4ssw0rd-long", roles=["superuser"])
