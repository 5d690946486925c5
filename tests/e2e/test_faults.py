"""Faults on real processes mid-ingest: Elasticsearch stopped, a worker SIGKILLed, Redis restarted."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings, default_home
from newsdesk.localstack.services import ElasticsearchNode, RedisServer, WorkerProcess
from newsdesk.state.client import build_redis
from newsdesk.state.reliable.broker import delivering_key
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url, document_id
from tasks.worker.backoff import retry_window

pytestmark = pytest.mark.services
REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_SIZE = 40
ES_OUTAGE_SECONDS = 30
BROKER_QUEUE = "newsdesk"
# Generous: a loaded CI machine can take minutes to start a node.
ES_START_TIMEOUT = 420


@dataclasses.dataclass
class FaultStack:
    """Services of our own, so stopping and killing them never disturbs the session's."""

    redis: RedisServer
    es: ElasticsearchNode
    settings: Settings
    worker_log: Path
    worker: WorkerProcess | None = None

    def start_worker(self) -> WorkerProcess:
        # Its own session (process group), so a SIGKILL takes the pool's children down with it.
        self.worker = WorkerProcess(
            env=self.settings.to_env(), log_file=self.worker_log, concurrency=1, name="fault"
        ).start(detached=True)
        return self.worker


@pytest.fixture(scope="module")
def fault_stack(services_dir: Path) -> Iterator[FaultStack]:
    redis_server = RedisServer(services_dir / "fault-redis", persistent=True).start()
    node = ElasticsearchNode(
        services_dir / "fault-es",
        password=secrets.token_urlsafe(12),
        install_home=default_home(),
        heap="512m",
    ).start(timeout=ES_START_TIMEOUT)
    settings = Settings(
        es_url=node.url,
        es_password=node.password,
        redis_url=redis_server.url,
        index_prefix="ndfault",
        home=services_dir / "fault-home",
        sources_file=REPO_ROOT / "sources.yaml",
        # Retries outlast the outage (stop, 30 s, a restart that may take minutes on a loaded machine),
        # whatever the jitter; every countdown stays below the visibility timeout.
        max_retries=100,
        retry_backoff_max=10,
        broker_visibility_timeout=20,
        # Small batches: many bulk writes in flight during a fault, not one at the end.
        index_batch_size=2,
        index_batch_seconds=0.2,
    )
    shortest_window, _ = retry_window(settings.max_retries, settings.retry_backoff_max)
    assert shortest_window > ES_OUTAGE_SECONDS + ES_START_TIMEOUT
    stack = FaultStack(redis_server, node, settings, services_dir / "fault-worker.log")
    stack.start_worker()
    yield stack
    if stack.worker is not None:
        stack.worker.stop()
    node.stop()
    redis_server.stop()


@pytest.fixture
def fresh(fault_stack: FaultStack) -> FaultStack:
    from index.client import build_client, wait_for_health
    from index.setup import ensure_setup

    settings = fault_stack.settings
    es = build_client(settings)
    wait_for_health(es, timeout="60s")
    es.options(ignore_status=404).indices.delete(index=f"{settings.index_prefix}-*", expand_wildcards="all")
    build_redis(settings).flushdb()
    ensure_setup(es, settings)
    es.close()
    if fault_stack.worker is None or fault_stack.worker.proc.poll() is not None:
        fault_stack.start_worker()
    return fault_stack


@pytest.fixture(scope="module")
def demo_site():
    site = generate_site(size=SITE_SIZE, seed=11)
    with DemoServer(site) as server:
        yield site, server


class BackgroundCrawl:
    """`run_crawl` in a thread, so the test can break things while pages flow through the pipeline."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runs = RunStore(build_redis(settings), settings.index_prefix)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._crawl, daemon=True)

    def _crawl(self) -> None:
        try:
            run_crawl(self.settings, "demo", wait=False, timeout=0)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread by join()
            self.error = exc

    def start(self) -> BackgroundCrawl:
        self.thread.start()
        return self

    def run_id(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            recent = self._tolerant(lambda: self.runs.recent(1), [])
            if recent:
                return recent[0]
            time.sleep(0.05)
        raise AssertionError("the crawl never created its run record")

    def _tolerant(self, read: Callable, fallback):
        try:
            return read()
        except TransientError:
            return fallback  # Redis is the thing we are restarting

    def wait_until(self, condition: Callable[[dict, int], bool], timeout: float, what: str) -> dict:
        run_id = self.run_id()
        client = self.runs.client
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self._tolerant(lambda: self.runs.get(run_id), {})
            backlog = self._tolerant(lambda: client.llen(BROKER_QUEUE), 0)
            if run and condition(run, backlog):
                return run
            time.sleep(0.05)
        raise AssertionError(f"{what}: not reached after {timeout:.0f}s: {self.runs.get(run_id)}")

    def join(self, timeout: float = 120) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the crawler process did not finish"
        if self.error is not None:
            raise self.error


def mid_ingest(run: dict, backlog: int) -> bool:
    """Some pages indexed, more waiting in the queue: the worker is busy with a task right now."""
    return run["new"] >= 3 and backlog > 0


def assert_exactly_once(stack: FaultStack, site, server, run: dict) -> None:
    from index.client import build_client

    settings = dataclasses.replace(stack.settings, demo_url=server.url)
    es = build_client(settings)
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    articles = es.search(index=settings.articles_alias, size=1000, version=True)["hits"]["hits"]
    expected = {document_id(canonical_url(server.url + a.path)) for a in site.articles}

    assert run["complete"], run
    # Each article is fetched once, plain or with tracking parameters, whichever link came first.
    assert run["done"] == run["sent"] == SITE_SIZE + len(site.rejected_paths)
    assert run["failed"] == run["rejected"] == 0
    assert run["not_article"] == len(site.rejected_paths)
    assert run["duplicate"] == 0
    # A task killed between its write and its count is redone: a no-op write, still counted as new.
    assert run["new"] == SITE_SIZE
    assert run["unchanged"] == 0
    assert run["updated"] == 0
    assert sorted(hit["_id"] for hit in articles) == sorted(expected)
    # Written once each: a later version only where a copy was listed on it (one merge per copy at most).
    for hit in articles:
        copies = len(hit["_source"].get("also_seen_at") or [])
        assert 1 <= hit["_version"] <= 1 + copies, (hit["_id"], hit["_version"], copies)
    assert es.count(index=settings.duplicates_index)["count"] == 0
    dead = es.search(index=settings.deadletter_index, size=100)["hits"]["hits"]
    dead_letters = sorted((hit["_source"].get("url"), hit["_source"].get("stage")) for hit in dead)
    assert dead_letters == sorted((server.url + path, "parse") for path in site.rejected_paths), [
        {key: hit["_source"].get(key) for key in ("url", "stage", "reason", "detail")} for hit in dead
    ]
    assert build_redis(settings).llen("newsdesk:deadletter:pending") == 0
    es.close()


def wait_complete(crawl: BackgroundCrawl, timeout: float) -> dict:
    crawl.join()
    return crawl.wait_until(lambda run, _backlog: run["complete"], timeout, "every page has a fate")


def test_elasticsearch_stopped_mid_ingest_every_article_indexed_exactly_once(fresh, demo_site):
    site, server = demo_site
    settings = dataclasses.replace(fresh.settings, demo_url=server.url)

    crawl = BackgroundCrawl(settings).start()
    at_stop = crawl.wait_until(mid_ingest, 120, "mid-ingest")
    fresh.es.stop()
    stopped_at = time.monotonic()
    time.sleep(ES_OUTAGE_SECONDS)
    during = crawl.runs.get(at_stop["run_id"])
    fresh.es.start(timeout=ES_START_TIMEOUT)
    outage = time.monotonic() - stopped_at
    run = wait_complete(crawl, timeout=240)

    assert during["done"] < during["sent"], "pages must still be waiting while Elasticsearch is down"
    assert outage >= ES_OUTAGE_SECONDS
    assert_exactly_once(fresh, site, server, run)
    assert fresh.worker.proc.poll() is None


def _kill_while_holding_a_task(group: int, broker, seconds: float = 30) -> None:
    """SIGKILL the worker's process group at a moment it holds a task: frozen (SIGSTOP) to look first.

    A busy worker holds nothing for the instant between acknowledging one task and taking the next, and a
    fast one long enough for a kill to land there now and then.
    """
    held_key = delivering_key(BROKER_QUEUE)
    deadline = time.monotonic() + seconds
    while True:
        os.killpg(group, signal.SIGSTOP)
        if broker.hlen("unacked") + broker.llen(held_key) or time.monotonic() > deadline:
            os.killpg(group, signal.SIGKILL)
            return
        os.killpg(group, signal.SIGCONT)
        time.sleep(0.01)


def test_worker_sigkilled_mid_task_its_tasks_are_redelivered_and_counts_stay_exact(fresh, demo_site):
    site, server = demo_site
    settings = dataclasses.replace(fresh.settings, demo_url=server.url)
    broker = build_redis(settings)

    crawl = BackgroundCrawl(settings).start()
    crawl.wait_until(mid_ingest, 120, "mid-ingest")
    _kill_while_holding_a_task(fresh.worker.proc.pid, broker)
    fresh.worker.proc.wait(30)
    # Recorded by kombu as unacknowledged, or, if it died while taking one, in the delivering list.
    unacknowledged = broker.hlen("unacked") + broker.llen(delivering_key(BROKER_QUEUE))
    crawl.join()
    before_restart = crawl.runs.get(crawl.run_id())
    fresh.start_worker()
    run = wait_complete(crawl, timeout=180)

    assert unacknowledged >= 1, "the killed worker held a task it had not acknowledged"
    assert before_restart["done"] < before_restart["sent"]
    assert_exactly_once(fresh, site, server, run)
    deadline = time.monotonic() + 40
    delivering = delivering_key(BROKER_QUEUE)
    while (broker.hlen("unacked") or broker.llen(delivering)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert broker.hgetall("unacked") == {}, "every redelivered task was acknowledged in the end"
    assert broker.llen(delivering) == 0, "a task stranded while being taken was put back"


def test_redis_restarted_mid_run_nothing_lost_nothing_doubled(fresh, demo_site):
    site, server = demo_site
    settings = dataclasses.replace(fresh.settings, demo_url=server.url)

    crawl = BackgroundCrawl(settings).start()
    at_stop = crawl.wait_until(mid_ingest, 120, "mid-ingest")
    fresh.redis.stop()
    time.sleep(5)
    fresh.redis.start()
    run = wait_complete(crawl, timeout=180)

    assert at_stop["done"] < at_stop["sent"]
    assert_exactly_once(fresh, site, server, run)
    assert fresh.worker.proc.poll() is None


def test_sigterm_lets_the_worker_finish_or_return_its_tasks(fresh, demo_site):
    site, server = demo_site
    settings = dataclasses.replace(fresh.settings, demo_url=server.url)
    broker = build_redis(settings)

    crawl = BackgroundCrawl(settings).start()
    crawl.wait_until(mid_ingest, 120, "mid-ingest")
    fresh.worker.proc.send_signal(signal.SIGTERM)
    exit_code = fresh.worker.proc.wait(60)
    left_unacknowledged = broker.hlen("unacked")
    crawl.join()
    after_stop = crawl.runs.get(crawl.run_id())
    fresh.start_worker()
    run = wait_complete(crawl, timeout=180)

    assert exit_code == 0, "a warm shutdown"
    assert left_unacknowledged == 0, "reserved tasks went back to the queue, none left hanging"
    assert after_stop["done"] < after_stop["sent"]
    assert_exactly_once(fresh, site, server, run)
