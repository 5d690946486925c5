"""Faults on a cluster mid-crawl, on real processes: an Elasticsearch node SIGKILLed, the Redis master
killed and replaced by Sentinel, one of three workers SIGKILLed, while two crawler processes crawl two
sources at once. Afterwards every article is indexed exactly once and every URL has one fate."""

from __future__ import annotations

import collections
import dataclasses
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.realsite import RealSiteServer, generate_real_site, load_real_pages
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.localstack.services import WorkerProcess
from newsdesk.state.client import build_redis
from newsdesk.state.reliable.broker import delivering_key
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = REPO_ROOT / "tests" / "golden"
DEMO_SIZE = 40
WORKERS = 3
BROKER_QUEUE = "newsdesk"
# The node that is killed: any of the three holds data and may be the elected master.
KILLED_NODE = 2


@dataclasses.dataclass
class ClusterStack:
    settings: Settings
    es: object  # the session's ElasticsearchCluster
    redis: object  # the session's RedisSentinelGroup
    log_dir: Path
    workers: list[WorkerProcess] = dataclasses.field(default_factory=list)

    def start_workers(self) -> None:
        for number, worker in enumerate(self.workers):
            if worker.proc is None or worker.proc.poll() is not None:
                self.workers[number] = self._worker(number).start(detached=True)

    def _worker(self, number: int) -> WorkerProcess:
        # Each its own session (process group): a SIGKILL takes its pool child down with it.
        return WorkerProcess(
            env=self.settings.to_env(),
            log_file=self.log_dir / f"cluster-worker-{number}.log",
            concurrency=1,
            name=f"cluster{number}",
        )


@pytest.fixture(scope="module")
def cluster_stack(es_cluster, sentinel_group, services_dir: Path) -> Iterator[ClusterStack]:
    from index.client import build_client, wait_for_health
    from index.setup import ensure_setup

    settings = Settings(
        es_url=es_cluster.url,
        es_password=es_cluster.password,
        redis_url=sentinel_group.url,
        redis_master=sentinel_group.master_name,
        redis_min_replicas=1,
        index_prefix="ndclfault",
        home=services_dir / "cluster-home",
        sources_file=REPO_ROOT / "sources.yaml",
        # Retries outlast each outage; every countdown stays below the visibility timeout, which brings
        # back the tasks of the worker that is killed.
        max_retries=100,
        retry_backoff_max=10,
        broker_visibility_timeout=20,
        # Small batches: many bulk writes in flight during a fault, not one at the end.
        index_batch_size=2,
        index_batch_seconds=0.2,
    )
    es = build_client(settings)
    wait_for_health(es, timeout="120s")
    es.options(ignore_status=404).indices.delete(index="ndclfault-*", expand_wildcards="all")
    ensure_setup(es, settings)
    es.close()
    client = build_redis(settings)
    client.flushdb()
    client.close()
    stack = ClusterStack(settings, es_cluster, sentinel_group, services_dir)
    stack.workers = [stack._worker(number) for number in range(WORKERS)]
    stack.start_workers()
    yield stack
    for worker in stack.workers:
        worker.stop()


@pytest.fixture(scope="module")
def sites():
    real = generate_real_site(load_real_pages(GOLDEN), seed=3)
    demo = generate_site(size=DEMO_SIZE, seed=21)
    with RealSiteServer(real) as real_server, DemoServer(demo) as demo_server:
        yield (real, real_server), (demo, demo_server)


class Crawl:
    """`run_crawl` in a thread (its crawler is a process of its own), with its run found by its source."""

    def __init__(self, settings: Settings, target, source: str) -> None:
        self.settings, self.target, self.source = settings, target, source
        self.runs = RunStore(build_redis(settings), settings.index_prefix)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._crawl, daemon=True)
        self.thread.start()

    def _crawl(self) -> None:
        try:
            run_crawl(self.settings, self.target, wait=False, timeout=0)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread by join()
            self.error = exc

    def run(self) -> dict:
        """The run as Redis has it now; {} while Redis is switching masters or before the run exists."""
        try:
            for run_id in self.runs.recent(10):
                run = self.runs.get(run_id)
                if run.get("crawl_source") == self.source:
                    return run
        except TransientError:
            pass
        return {}

    def join(self, timeout: float = 300) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the crawler of {self.source} did not finish"
        if self.error is not None:
            raise self.error


def _until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not reached after {timeout:.0f}s")


def _search(es, index: str) -> list[dict]:
    es.indices.refresh(index=index)
    return es.search(index=index, size=2000, version=True, query={"match_all": {}})["hits"]["hits"]


def test_a_node_the_redis_master_and_a_worker_lost_mid_crawl_nothing_lost_or_doubled(cluster_stack, sites):
    from index.client import build_client

    (real, real_server), (demo, demo_server) = sites
    settings = dataclasses.replace(cluster_stack.settings, demo_url=demo_server.url)
    es_cluster, group = cluster_stack.es, cluster_stack.redis

    # Two crawler processes of two sources at once.
    real_crawl = Crawl(settings, CrawlRequest(url=real_server.url + "/", allow_private=True), "adhoc")
    demo_crawl = Crawl(settings, "demo", "demo")
    _until(lambda: demo_crawl.run().get("new", 0) + real_crawl.run().get("new", 0) >= 3, 180, "mid-ingest")

    # An Elasticsearch node dies: writes go on to the others, replicas become primaries.
    es_cluster.kill(KILLED_NODE)
    # The Redis master dies: Sentinel promotes the replica, every client finds it by itself.
    killed_master = group.kill_master()
    promoted_port = group.wait_for_new_master(killed_master.port)
    # One of three workers dies holding whatever it held: the visibility timeout brings it back.
    victim = cluster_stack.workers[0]
    os.killpg(victim.proc.pid, signal.SIGKILL)
    victim.proc.wait(30)
    in_the_middle = (demo_crawl.run(), real_crawl.run())

    # Back: the old master as a replica of the new one, the node into the cluster.
    group.restart(killed_master)
    es_cluster.restart(KILLED_NODE)
    demo_crawl.join()
    real_crawl.join()
    demo_run = _until(lambda: (run := demo_crawl.run()).get("complete") and run, 300, "demo run complete")
    real_run = _until(
        lambda: (run := real_crawl.run()).get("complete") and run, 300, "real-site run complete"
    )

    assert promoted_port != killed_master.port
    assert any(run.get("done", 0) < run.get("sent", 0) for run in in_the_middle), (
        "the faults must hit while pages still wait",
        in_the_middle,
    )
    es = build_client(settings)
    articles = _search(es, settings.articles_alias)
    by_url = {hit["_source"]["url"]: hit for hit in articles}
    assert len(by_url) == len(articles), "one document per article"

    # The demo site: every article once, every count exact.
    expected = {document_id(canonical_url(demo_server.url + a.path)) for a in demo.articles}
    demo_docs = {hit["_id"] for hit in articles if hit["_source"]["url"].startswith(demo_server.url)}
    assert demo_docs == expected
    assert demo_run["new"] == DEMO_SIZE
    assert demo_run["done"] == demo_run["sent"] == DEMO_SIZE + len(demo.rejected_paths)
    assert demo_run["not_article"] == len(demo.rejected_paths)
    assert demo_run["failed"] == demo_run["rejected"] == demo_run["duplicate"] == 0

    # The site of real pages: every URL fetched has one fate; every story one document.
    fates = real_crawl.runs.url_fates(real_run["run_id"])
    requested = {real_server.url + path for path in real_server.requests}
    assert requested <= set(fates), sorted(requested - set(fates))[:5]
    assert real_run["urls"] == int(real_run["crawl_urls"]) == len(fates) == sum(real_run["fates"].values())
    assert real_run["done"] == real_run["sent"]
    assert real_run["failed"] == real_run["rejected"] == 0
    stories = collections.defaultdict(set)
    for path in real.articles:
        stories[path].add(path)
    for path, original in {**real.mirrors, **real.republications}.items():
        stories[original].add(path)
    real_docs = [hit for hit in articles if hit["_source"]["url"].startswith(real_server.url)]
    assert len(real_docs) == real_run["new"] == len(stories)
    # Written once each: a later version only where a copy was listed on it.
    for hit in articles:
        copies = len(hit["_source"].get("also_seen_at") or [])
        assert 1 <= hit["_version"] <= 1 + copies, (hit["_id"], hit["_version"], copies)

    # Nothing left in flight, and the cluster whole again.
    broker = build_redis(settings)
    _until(
        lambda: not broker.hlen("unacked") and not broker.llen(delivering_key(BROKER_QUEUE)),
        60,
        "every task acknowledged",
    )
    assert es.cluster.health(wait_for_status="green", timeout="120s")["status"] == "green"
    es.close()
    broker.close()
    cluster_stack.start_workers()
