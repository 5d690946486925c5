"""On a real three-node cluster: replicas on other nodes, migrate and rollover, a node killed mid-write."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from elasticsearch import helpers
from typer.testing import CliRunner

from index.client import build_client, indices_behind
from index.setup import ensure_setup
from index.writer import write_articles
from newsdesk.cli import app as cli
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.localstack.services import ElasticsearchCluster
from tasks.dedupe.versions import REVISION_RULES

pytestmark = pytest.mark.services

WRITTEN = ("created", "updated", "noop")
BATCH = 20
# Batches written before the kill, and at least this many, for at least this long, while the node is down.
BEFORE_KILL, DURING_OUTAGE, OUTAGE_SECONDS = 5, 10, 10


def _doc(n: int) -> dict:
    return {
        "doc_id": f"doc-{n}",
        "url": f"http://site.test/{n}",
        "title": f"Article {n}",
        "body": "Talks were held in Pyongyang.",
        "published_at": "2020-01-01",
        "indexed_at": "2026-01-01T00:00:00Z",
    }


@pytest.fixture(scope="module")
def cluster_settings(es_cluster: ElasticsearchCluster, services_dir: Path) -> Settings:
    return Settings(
        es_url=es_cluster.url,
        es_password=es_cluster.password,
        es_ca_certs=str(es_cluster.ca_certs) if es_cluster.ca_certs else None,
        index_prefix="ndcluster",
        home=services_dir / "cluster-home",
    )


@pytest.fixture
def cluster_es(cluster_settings: Settings):
    """A client of all three nodes, on fresh stores, the cluster green."""
    es = build_client(cluster_settings)
    es.cluster.health(wait_for_status="green", wait_for_nodes="3", timeout="120s")
    es.options(ignore_status=404).indices.delete(
        index=f"{cluster_settings.index_prefix}-*", expand_wildcards="all"
    )
    ensure_setup(es, cluster_settings)
    yield es
    es.close()


def _green(es, index: str) -> None:
    health = es.cluster.health(index=index, wait_for_status="green", timeout="120s")
    assert health["status"] == "green", health


def _copies(es, index: str) -> list[dict]:
    return es.cat.shards(index=index, format="json", h="index,shard,prirep,state,node").body


def test_setup_puts_a_copy_of_every_articles_shard_on_another_node(cluster_es, cluster_settings):
    alias = cluster_settings.articles_alias
    (index,) = indices_behind(cluster_es, alias)
    _green(cluster_es, index)

    copies = _copies(cluster_es, index)
    assert sorted(copy["prirep"] for copy in copies) == ["p", "r"]
    assert {copy["state"] for copy in copies} == {"STARTED"}
    assert len({copy["node"] for copy in copies}) == 2, copies
    assert ensure_setup(cluster_es, cluster_settings) == []


def test_rollover_and_migrate_on_the_cluster(cluster_es, cluster_settings):
    alias = cluster_settings.articles_alias
    outcomes = write_articles(cluster_es, cluster_settings, [_doc(n) for n in range(50)], REVISION_RULES)
    assert {r.outcome for r in outcomes} == {"created"}
    env = cluster_settings.to_env()
    assert env["NEWSDESK_ES_URL"].count(",") == 2, "the commands get every node"

    rolled = CliRunner().invoke(cli, ["rollover", "--force"], env=env)
    assert rolled.exit_code == 0, rolled.output
    assert f"rolled over to {alias}-000002" in rolled.output
    write_articles(cluster_es, cluster_settings, [_doc(n) for n in range(50, 60)], REVISION_RULES)

    migrated = CliRunner().invoke(cli, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    assert indices_behind(cluster_es, alias) == {f"{alias}-000003": True}
    _green(cluster_es, f"{alias}-000003")
    assert sorted(copy["prirep"] for copy in _copies(cluster_es, f"{alias}-000003")) == ["p", "r"]
    cluster_es.indices.refresh(index=alias)
    assert cluster_es.count(index=alias)["count"] == 60


class _Writer(threading.Thread):
    """Writes batches of new articles with the index writer, going round again on what is refused for
    now (TransientError, or items to retry), as the index stage does; until told to stop."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.batches = 0
        self.written = 0
        self.transient: list[str] = []
        self.failure: BaseException | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        es = build_client(self.settings)
        try:
            while not self.stop.is_set():
                self._write(es, [_doc(n) for n in range(self.written, self.written + BATCH)])
                self.written += BATCH
                self.batches += 1
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which fails with it
            self.failure = exc
        finally:
            es.close()

    def _write(self, es, documents: list[dict]) -> None:
        deadline = time.monotonic() + 120
        while documents:
            assert time.monotonic() < deadline, f"still refused after 120 s: {self.transient[-3:]}"
            try:
                results = write_articles(es, self.settings, documents, REVISION_RULES)
            except TransientError as exc:
                self.transient.append(str(exc))
                time.sleep(0.5)
                continue
            rejected = [r for r in results if r.outcome == "rejected"]
            assert not rejected, rejected
            again = [d for d, r in zip(documents, results, strict=True) if r.outcome not in WRITTEN]
            if again:
                self.transient += [r.error or "" for r in results if r.outcome not in WRITTEN]
                time.sleep(0.5)
            documents = again


class _Searcher(threading.Thread):
    """Searches the articles all along; records when each search was answered or failed."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.answered: list[float] = []
        self.failed: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        es = build_client(self.settings)
        try:
            while not self.stop.is_set():
                try:
                    es.search(index=self.settings.articles_alias, size=1, query={"match": {"body": "talks"}})
                    self.answered.append(time.monotonic())
                except Exception as exc:  # noqa: BLE001 - every failure is what this test looks for
                    self.failed.append((time.monotonic(), repr(exc)))
                time.sleep(0.05)
        finally:
            es.close()


def test_a_node_killed_mid_write_loses_nothing_and_searches_keep_answering(
    cluster_es, cluster_settings, es_cluster: ElasticsearchCluster, caplog
):
    # The client says when a request found a node unreachable and moved on to another.
    caplog.set_level(logging.WARNING, logger="elastic_transport.transport")
    alias = cluster_settings.articles_alias
    (index,) = indices_behind(cluster_es, alias)
    _green(cluster_es, index)
    # The node holding the primary: its writes must move to the copy promoted elsewhere.
    (primary,) = [copy["node"] for copy in _copies(cluster_es, index) if copy["prirep"] == "p"]
    victim = [member.name for member in es_cluster.members].index(primary)

    writer, searcher = _Writer(cluster_settings), _Searcher(cluster_settings)
    searcher.start()
    writer.start()
    try:
        _wait_for(lambda: writer.batches >= BEFORE_KILL or writer.failure, 60, "batches before the kill")
        killed_at, killed_after = time.monotonic(), writer.batches
        es_cluster.kill(victim)
        _wait_for(
            lambda: (
                writer.failure
                or (
                    writer.batches >= killed_after + DURING_OUTAGE
                    and time.monotonic() >= killed_at + OUTAGE_SECONDS
                )
            ),
            120,
            "batches while the node is down",
        )
    finally:
        writer.stop.set()
        writer.join(150)
        searcher.stop.set()
        searcher.join(30)
    outage_ended = time.monotonic()
    assert writer.failure is None, writer.failure
    print(
        f"killed {primary} (primary of {index}) after {killed_after} batches; {writer.batches} batches "
        f"of {BATCH} in all; {len(writer.transient)} refusals for now, e.g. {writer.transient[:2]}; "
        f"{len(searcher.answered)} searches answered, {len(searcher.failed)} failed"
    )

    moved_on = [r for r in caplog.records if r.getMessage().startswith("Retrying request after failure")]
    print(f"{len(moved_on)} requests found the killed node unreachable and moved on")
    assert moved_on, "the writes and searches went to the killed node too"
    # Searches went on while the node was down.
    assert searcher.failed == []
    assert sum(killed_at <= at <= outage_ended for at in searcher.answered) >= 10
    # Every document is there, exactly once: counted, and every id found.
    cluster_es.indices.refresh(index=alias)
    assert cluster_es.count(index=alias)["count"] == writer.written
    ids = {hit["_id"] for hit in helpers.scan(cluster_es, index=alias, query={"query": {"match_all": {}}})}
    assert ids == {f"doc-{n}" for n in range(writer.written)}

    started = time.monotonic()
    es_cluster.restart(victim)
    rejoined = time.monotonic() - started
    health = cluster_es.cluster.health(wait_for_status="green", wait_for_nodes="3", timeout="120s")
    assert health["status"] == "green", health
    print(f"{primary} rejoined in {rejoined:.1f}s, the cluster green in {time.monotonic() - started:.1f}s")
    assert es_cluster.health()["number_of_nodes"] == 3


def _wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
