"""Backpressure: with nobody consuming, the spider pauses at the queue bound; a worker lets it finish."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.localstack.services import WorkerProcess
from newsdesk.state.client import build_redis
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services
SITE_SIZE = 30
QUEUE_BOUND = 5
# Scrapy's thread pool (REACTOR_THREADPOOL_MAXSIZE) may have each of its threads past the check at once.
HANDOFF_THREADS = 10


def test_the_spider_pauses_at_the_queue_bound_and_resumes_when_workers_catch_up(
    base_settings, es_client, services_dir: Path, tmp_path: Path
):
    from index.setup import ensure_setup

    site = generate_site(size=SITE_SIZE, seed=5)
    with DemoServer(site) as server:
        settings = dataclasses.replace(
            base_settings,
            redis_url=base_settings.redis_url.rsplit("/", 1)[0] + "/4",
            index_prefix="ndbp",
            demo_url=server.url,
            max_queue_depth=QUEUE_BOUND,
            home=tmp_path / "home",
        )
        broker = build_redis(settings)
        broker.flushdb()
        es_client.options(ignore_status=404).indices.delete(index="ndbp-*", expand_wildcards="all")
        ensure_setup(es_client, settings)
        outcome: dict = {}
        crawl = threading.Thread(
            target=lambda: outcome.update(run_crawl(settings, "demo", wait=True, timeout=240)), daemon=True
        )
        crawl.start()
        runs = RunStore(broker, settings.index_prefix)
        deepest, sent_while_paused = 0, []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            deepest = max(deepest, broker.llen("newsdesk"))
            recent = runs.recent(1)
            if recent:
                sent_while_paused.append(runs.get(recent[0]).get("sent", 0))
            time.sleep(0.1)
        paused = crawl.is_alive()
        worker = WorkerProcess(
            env=settings.to_env(), log_file=services_dir / "backpressure-worker.log", name="backpressure"
        ).start()
        try:
            crawl.join(240)
            deepest = max(deepest, broker.llen("newsdesk"))
        finally:
            worker.stop()

    assert paused, "with no worker the crawl must wait at the bound, not run to the end"
    assert QUEUE_BOUND <= deepest <= QUEUE_BOUND + HANDOFF_THREADS
    assert sent_while_paused[-1] < SITE_SIZE
    assert sent_while_paused[-1] == sent_while_paused[-20], "no hand-off while the queue is full"
    assert outcome["complete"]
    assert outcome["new"] == SITE_SIZE
    assert outcome["failed"] == 0
    assert int(outcome.get("crawl_backpressure_pauses", 0)) >= 1
