"""The throughput suite: end to end, per stage, bounds, peer, re-crawl, memory and scale-out."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.procstat import NodeCpu, TreeSampler, cpu_seconds, largest_process, process_tree
from benchmarks.report import Row, Target, rss_growth
from benchmarks.stack import REPO_ROOT, BenchStack
from newsdesk.demosite.site import DemoServer, DemoSite, generate_site
from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.wire import PARSE_TASK
from newsdesk.state.claims import SETTLE_SECONDS
from tasks.worker.sweeps import SWEEP_SECONDS

PEER_RATIO = Target("ge", 5.0, ">= 5x news-please")
OVERHEAD = Target("le", 0.30, "<= 30%")
INDEX_VS_BULK = Target("ge", 0.80, ">= 80% of raw bulk")
RECRAWL = Target("le", 0.05, "<= 5% of full")
REDIS_PER_ARTICLE = Target("le", 300, "<= 300 B")
FLAT_RSS = Target("le", 0.10, "flat (<= +10%)")
KEY_PATTERNS = {
    # Kept for good: grows with the archive.
    "dedupe": ["url-owner:*", "dedupe:fingerprints:*", "dedupe:verdicts:*", "dedupe:layout"],
    "crawl": ["crawl:*"],
    # In flight: the signatures and bands of articles not yet settled in the near-duplicate archive, and
    # copies not yet listed on their document; bounded by what arrives in a few seconds, not the archive.
    "dedupe in flight": ["dedupe:sigs:*", "dedupe:bands:*", "dedupe:settling", "seen:*"],
    "run records": ["run:*", "runs"],
}


@dataclass
class Options:
    size: int = 5000
    backlog: int = 10_000
    scale_pages: int = 600
    stage_pages: int = 500
    skip_peer: bool = False
    peer_timeout: float = 180
    seed: int = 1
    concurrency: int = 2
    # The real-pages section: the corpus directory (None: the shared one beside the repository), how many
    # of its pages (None: all), and whether it runs alone.
    real_pages: Path | None = None
    real_pages_sample: int | None = None
    only: str | None = None


@dataclass
class StageCost:
    """Wall and CPU seconds a stage spent on `items` items, in this one process."""

    items: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    @property
    def ms_per_item(self) -> float | None:
        return 1000 * self.wall / self.items if self.items else None

    @property
    def cpu_ms_per_item(self) -> float | None:
        return 1000 * self.cpu / self.items if self.items else None

    @property
    def per_second(self) -> float | None:
        return self.items / self.wall if self.wall else None


@dataclass
class Run:
    """Everything one benchmark run gathers: the table rows and the raw figures behind them."""

    options: Options
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


# --- stores -------------------------------------------------------------------------------------


def reset_stores(settings: Settings) -> None:
    """Empty the benchmark's indices and Redis (broker included), then set up as a user would."""
    from newsdesk.state.client import build_redis

    reset_indices(settings)
    build_redis(settings).flushdb()


def reset_indices(settings: Settings) -> None:
    """Delete the indices under the settings' prefix and set them up again, as a user would."""
    from index.client import build_client
    from index.setup import ensure_setup

    es = build_client(settings)
    try:
        es.options(ignore_status=404).indices.delete(
            index=f"{settings.index_prefix}-*", expand_wildcards="all"
        )
        ensure_setup(es, settings)
    finally:
        es.close()


def redis_state_bytes(settings: Settings) -> dict[str, int]:
    """MEMORY USAGE summed per kind of key (every key sampled in full)."""
    from newsdesk.state.client import build_redis

    client = build_redis(settings)
    totals: dict[str, int] = {}
    for kind, patterns in KEY_PATTERNS.items():
        keys = [
            k for p in patterns for k in client.scan_iter(match=f"{settings.index_prefix}:{p}", count=5000)
        ]
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.memory_usage(key, samples=0)
        totals[kind] = sum(v or 0 for v in pipe.execute()) if keys else 0
        totals[f"{kind} keys"] = len(keys)
    totals["used_memory"] = int(client.info("memory")["used_memory"])
    client.close()
    return totals


def wait_searchable(settings: Settings, expected: int, timeout: float = 600) -> float:
    """Seconds until a count (no forced refresh) finds `expected` articles."""
    from index.client import build_client

    es = build_client(settings)
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            count = es.count(index=settings.articles_alias)["count"]
            if count >= expected:
                return time.monotonic() - start
            time.sleep(0.1)
    finally:
        es.close()
    raise RuntimeError(f"only {count} of {expected} articles searchable after {timeout:.0f}s")


def es_store_bytes(settings: Settings, index: str) -> tuple[int, int]:
    """(primary bytes, documents) of `index`, after a flush."""
    stores = es_stores(settings, index).values()
    return sum(size for size, _ in stores), sum(docs for _, docs in stores)


def es_stores(settings: Settings, index: str) -> dict[str, tuple[int, int]]:
    """(primary segment bytes, documents) of each index that `index` (a name, alias or pattern) names,
    after a flush."""
    from index.client import build_client

    es = build_client(settings)
    try:
        es.indices.refresh(index=index)
        es.indices.flush(index=index)
        docs = es.indices.stats(index=index, metric="docs")["indices"]
        # The store statistic is cached for 10 s (index.store.stats_refresh_interval): read on a run
        # shorter than that, it gave an empty index's bytes. The segments' sizes are read as they are.
        segments = es.indices.segments(index=index)["indices"]
        return {
            name: (
                sum(
                    segment["size_in_bytes"]
                    for copies in segments.get(name, {}).get("shards", {}).values()
                    for copy in copies
                    if copy["routing"]["primary"]
                    for segment in copy["segments"].values()
                ),
                found["primaries"]["docs"]["count"],
            )
            for name, found in docs.items()
        }
    finally:
        es.close()


# --- pages --------------------------------------------------------------------------------------


def page_paths(site: DemoSite) -> list[str]:
    """Every article page of the site (copies included) and the pages that only look like one."""
    return [article.path for article in site.articles] + list(site.rejected_paths)


def fetch_pages(base_url: str, paths: list[str], run_id: str | None = None) -> tuple[list[dict], StageCost]:
    """The fetch stage alone: one keep-alive connection, one GET per page, each kept as the spider would."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    pages, cost = [], StageCost()
    wall, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        connection.request("GET", path, headers={"User-Agent": "newsdesk-bench"})
        response = connection.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        if headers.get("connection", "").lower() == "close":
            connection.close()
        pages.append(
            FetchedPage(
                url=base_url + path,
                final_url=base_url + path,
                crawl_source="demo",
                fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                status=response.status,
                headers={k: v for k, v in headers.items() if k in ("content-type", "last-modified", "etag")},
                html=body.decode("utf-8", "replace"),
                run_id=run_id,
            ).to_dict()
        )
    cost.wall, cost.cpu, cost.items = time.perf_counter() - wall, time.process_time() - cpu, len(paths)
    connection.close()
    return pages, cost


def spread(items: list, count: int) -> list:
    """At most `count` items taken evenly across the list (so copies and originals both appear)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def render_pages(site: DemoSite, base_url: str, copies: int, run_id: str) -> list[dict]:
    """`copies` article pages rendered straight from the site (no HTTP), for a backlog."""
    paths = [a.path for a in site.articles][:copies]
    pages = []
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for path in paths:
        status, content_type, body = site.render(path)
        pages.append(
            FetchedPage(
                url=base_url + path,
                final_url=base_url + path,
                crawl_source="demo",
                fetched_at=now,
                status=status,
                headers={"content-type": content_type},
                html=body.decode("utf-8"),
                run_id=run_id,
            ).to_dict()
        )
    return pages


# --- stages in isolation ------------------------------------------------------------------------


def _timed(cost: StageCost, work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return work()
    finally:
        cost.wall += time.perf_counter() - wall
        cost.cpu += time.process_time() - cpu
        cost.items += 1


STAGE_WARM_UP_PAGES = 10


def measure_stages(settings: Settings, pages: list[dict]) -> tuple[dict[str, StageCost], list]:
    """parse → dedupe (real Redis) → enrich, each timed on its own; returns the enriched articles."""
    from newsdesk.kernel.errors import Rejected
    from newsdesk.kernel.messages import Article
    from newsdesk.state.claims import ContentClaims, UrlClaims
    from newsdesk.state.client import build_redis
    from tasks.dedupe.identity import assign_identity, content_identity, duplicate_kind, judge_claim
    from tasks.enrich.enricher import enrich_article
    from tasks.parse.page import parse_page

    costs = {name: StageCost() for name in ("parse", "dedupe", "enrich")}
    reset_stores(settings)
    redis_client = build_redis(settings)
    claims = UrlClaims(redis_client, settings.index_prefix)
    content = ContentClaims(redis_client, settings.index_prefix, settings.dedupe_window_days * 24 * 3600)

    # The language profiles and the gazetteer load on first use, once a process: not an article's cost.
    for page in pages[:STAGE_WARM_UP_PAGES]:
        with contextlib.suppress(Rejected):
            enrich_article(parse_page(FetchedPage.from_dict(page), settings.max_page_bytes))

    articles: list[Article] = []
    for page in pages:
        with contextlib.suppress(Rejected):  # a rejected page ends here, as in the pipeline
            articles.append(
                _timed(
                    costs["parse"],
                    lambda p=page: parse_page(FetchedPage.from_dict(p), settings.max_page_bytes),
                )
            )

    def dedupe(article: Article) -> Article | None:
        article = assign_identity(article)
        owner = claims.claim(article.doc_id, article.final_url or article.url, article.canonical_url)
        verdict = judge_claim(article, owner)
        article, key = content_identity(article)
        kind, canonical = content.claim(
            article.doc_id,
            key.fingerprint,
            key.signature,
            key.bands,
            key.day,
            settings.dedupe_threshold,
            settings.dedupe_max_days_apart,
        )
        return None if duplicate_kind(verdict, kind) else article.replace(story_id=canonical)

    unique = [a for a in (_timed(costs["dedupe"], lambda a=a: dedupe(a)) for a in articles) if a]
    enriched = [_timed(costs["enrich"], lambda a=a: enrich_article(a)) for a in unique]

    redis_client.close()
    return costs, enriched


def _index_stage_pass(settings: Settings, articles: list) -> StageCost:
    """The index stage on empty indices: documents built and written in batches of the configured size."""
    from index.client import build_client
    from index.documents import article_document
    from index.writer import write_articles
    from newsdesk.kernel.clock import utc_now
    from tasks.dedupe.versions import REVISION_RULES

    reset_indices(settings)
    es = build_client(settings)
    size = settings.index_batch_size
    indexed_at = utc_now()
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(articles), size):
        batch = [article_document(a, indexed_at=indexed_at) for a in articles[start : start + size]]
        results = write_articles(es, settings, batch, REVISION_RULES)
        failed = [r for r in results if r.outcome not in ("created", "updated", "noop")]
        if failed:
            raise RuntimeError(f"index stage: {len(failed)} writes failed, first {failed[0]}")
    cost = StageCost(len(articles), time.perf_counter() - wall, time.process_time() - cpu)
    es.close()
    return cost


def _raw_bulk_pass(settings: Settings, documents: list[dict]) -> StageCost:
    """The ceiling for the index stage: plain `index` operations of the same documents, same batch size."""
    from elasticsearch.helpers import bulk

    from index.client import build_client

    bulk_settings = dataclasses.replace(settings, index_prefix=f"{settings.index_prefix}-bulk")
    reset_indices(bulk_settings)
    es = build_client(bulk_settings)
    actions = [
        {"_op_type": "index", "_index": bulk_settings.articles_alias, "_id": d["doc_id"], "_source": d}
        for d in documents
    ]
    wall, cpu = time.perf_counter(), time.process_time()
    ok, errors = bulk(es, actions, chunk_size=settings.index_batch_size, raise_on_error=False)
    cost = StageCost(len(documents), time.perf_counter() - wall, time.process_time() - cpu)
    es.options(ignore_status=404).indices.delete(index=f"{bulk_settings.index_prefix}-*")
    es.close()
    if errors:
        raise RuntimeError(f"raw bulk: {len(errors)} errors, first {errors[0]}")
    return cost


INDEX_ROUNDS = 7


def measure_index_and_bulk(settings: Settings, articles: list) -> tuple[StageCost, StageCost, dict]:
    """The index stage and raw bulk on the same documents, under the same conditions: a first pass of each
    (a cold node: JIT, caches, a new mapping) is kept apart, then rounds alternate which goes first, and
    each side's median round is the figure."""
    from index.documents import article_document
    from newsdesk.kernel.clock import utc_now

    indexed_at = utc_now()
    documents = [article_document(a, indexed_at=indexed_at) for a in articles]
    first = {
        "index stage": _index_stage_pass(settings, articles),
        "raw bulk": _raw_bulk_pass(settings, documents),
    }
    stage_rounds, bulk_rounds = [], []
    for round_ in range(INDEX_ROUNDS):
        if round_ % 2:
            bulk_rounds.append(_raw_bulk_pass(settings, documents))
            stage_rounds.append(_index_stage_pass(settings, articles))
        else:
            stage_rounds.append(_index_stage_pass(settings, articles))
            bulk_rounds.append(_raw_bulk_pass(settings, documents))

    def median(rounds: list[StageCost]) -> StageCost:
        return sorted(rounds, key=lambda cost: cost.wall)[len(rounds) // 2]

    detail = {
        "rounds": INDEX_ROUNDS,
        "first_pass_ms_per_doc": {name: cost.ms_per_item for name, cost in first.items()},
        "index_stage_ms_per_doc": [cost.ms_per_item for cost in stage_rounds],
        "raw_bulk_ms_per_doc": [cost.ms_per_item for cost in bulk_rounds],
    }
    return median(stage_rounds), median(bulk_rounds), detail


def measure_extractor(pages: list[dict]) -> tuple[StageCost | None, str]:
    """The ceiling for parsing: the main-content extractor alone (trafilatura) on the same pages."""
    try:
        import trafilatura
    except ImportError:
        return None, "trafilatura is not installed in this environment (pip install '.[bench]')"
    cost = StageCost()
    for page in pages:
        _timed(cost, lambda p=page: trafilatura.extract(p["html"], include_comments=False))
    return cost, f"trafilatura {trafilatura.__version__}, extract() of the main text"


# --- the pipeline as a whole --------------------------------------------------------------------


def worker_cpu(pids: list[int]) -> float:
    return cpu_seconds(process_tree(pids))


def crawl(settings: Settings, server: DemoServer, pids: list[int], **kwargs: Any) -> dict[str, Any]:
    """One `run_crawl` of the demo source, timed to the last article searchable, with worker RSS and CPU."""
    from newsdesk.cli.crawl import run_crawl

    requests_before = server.request_count
    cpu_before = worker_cpu(pids)
    with TreeSampler(pids) as sampler:
        start = time.monotonic()
        run = run_crawl(settings, "demo", wait=True, timeout=3600, **kwargs)
        done = time.monotonic() - start
        wait_searchable(settings, int(run.get("new", 0)) + int(run.get("unchanged", 0)))
    total = time.monotonic() - start
    return {
        "run": {k: v for k, v in run.items() if isinstance(v, int | float | str)},
        "seconds_to_complete": done,
        "seconds_to_searchable": total,
        "requests": server.request_count - requests_before,
        "worker_cpu_seconds": worker_cpu(pids) - cpu_before,
        "peak_worker_rss": sampler.peak,
    }


ENQUEUE_CHUNK = 200


def _parse_messages(sender, pages: list[dict]) -> list[str]:
    """Each page as the broker message `send_task("newsdesk.parse", [page])` would push (Celery builds it,
    kombu serialises it; only the final LPUSH is held back)."""
    from kombu.utils.json import dumps

    from newsdesk.kernel.wire import QUEUE

    messages: list[str] = []

    def hold(queue: str, message: dict, **_) -> None:
        assert queue == QUEUE, queue  # one queue, one priority: the list the workers take from
        messages.append(dumps(message))

    with sender.connection_for_write() as connection:
        channel = connection.default_channel
        channel._put = hold
        producer = sender.amqp.Producer(channel)
        for page in pages:
            sender.send_task(PARSE_TASK, args=[page], queue=QUEUE, producer=producer)
    return messages


def drain(settings: Settings, pages: list[dict], pids: list[int], run_id: str, interval: float = 0.5) -> dict:
    """Enqueue `pages` straight as `newsdesk.parse` tasks and wait until each has a recorded fate."""
    from celery import Celery

    from newsdesk.kernel.wire import QUEUE
    from newsdesk.state.client import build_redis
    from newsdesk.state.runs import RunStore

    redis_client = build_redis(settings)
    runs = RunStore(redis_client, settings.index_prefix)
    messages = _parse_messages(Celery("newsdesk-bench", broker=settings.redis_url), pages)
    cpu_before = worker_cpu(pids)
    with TreeSampler(pids, interval=interval) as sampler:
        start = time.monotonic()
        # Pushed as they would be one by one (LPUSH, oldest taken first), in a few pipelined commands: a
        # backlog is waiting already. Sent one by one, this process took ~60 s of CPU from the workers
        # over 10,000 pages.
        pipe = redis_client.pipeline(transaction=False)
        for first in range(0, len(messages), ENQUEUE_CHUNK):
            pipe.lpush(QUEUE, *messages[first : first + ENQUEUE_CHUNK])
        pipe.execute()
        runs.count_sent(run_id, len(pages))
        runs.finish_crawl(run_id, {"finish_reason": "benchmark backlog"})
        enqueued = time.monotonic() - start
        run = runs.get(run_id)
        while not run["complete"]:
            if time.monotonic() - start > 3600:
                raise RuntimeError(f"backlog: {run['done']} of {run['sent']} done after an hour")
            time.sleep(0.25)
            run = runs.get(run_id)
        seconds = time.monotonic() - start
    return {
        "pages": len(pages),
        "seconds": seconds,
        "enqueue_seconds": enqueued,
        "run": {k: v for k, v in run.items() if isinstance(v, int | float | str)},
        "worker_cpu_seconds": worker_cpu(pids) - cpu_before,
        "rss_samples": sampler.samples,
        "peak_worker_rss": sampler.peak,
    }


def new_run(settings: Settings, name: str) -> str:
    from newsdesk.state.client import build_redis
    from newsdesk.state.runs import RunStore

    return RunStore(build_redis(settings), settings.index_prefix).create(name)


# --- the suite ----------------------------------------------------------------------------------


def run_suite(options: Options, stack: BenchStack, run: Run) -> None:
    from benchmarks.realsite import run_realsite, skipped
    from benchmarks.rendering import run_rendering
    from benchmarks.scale_out import WARM_UP, scale_out
    from benchmarks.service_cost import metered, report_service_cost, service_cost

    if options.only == "realsite" and skipped(run, options):
        return  # no services to start for a section that cannot run
    settings = stack.start()
    log(f"services up: Redis {stack.redis.url}, Elasticsearch {stack.es.url}")
    if options.only == "realsite":
        run_realsite(run, stack, settings, options)
        report_service_cost(run)
        return
    if options.only == "rendering":
        run_rendering(run, stack, settings, options)
        return
    if options.only == "scale-out":
        # Demo pages only stand in when there is no real-pages corpus.
        demo = generate_site(options.scale_pages + WARM_UP, options.seed)
        scale_out(
            run, stack, settings, render_pages(demo, settings.demo_url, len(demo.articles), ""), options
        )
        return
    site = generate_site(options.size, options.seed, republications=True)
    with DemoServer(site) as server:
        settings = dataclasses.replace(settings, demo_url=server.url)
        run.details["site"] = {
            "articles": options.size,
            "article_pages": len(site.articles),
            "not_article_pages": len(site.rejected_paths),
            "sources": len(site.sources),
        }
        log(f"demo site of {options.size} articles ({len(site.articles)} article pages) at {server.url}")

        # The backlog first: its pages also warm the node, so that newsdesk's crawl and news-please (ten
        # minutes later) both meet a node past its first minutes of JIT compiling, as a deployment's is.
        node = NodeCpu(largest_process(process_tree([stack.es.proc.pid])))
        backlog(run, stack, settings, options, node)

        wanted = max(options.stage_pages, options.scale_pages)
        pages, fetch_cost = fetch_pages(server.url, spread(page_paths(site), wanted))
        log(f"fetched {len(pages)} pages in {fetch_cost.wall:.1f}s")
        sample = spread(pages, options.stage_pages)
        costs, enriched = measure_stages(settings, sample)
        index_cost, bulk_cost, run.details["index_vs_bulk"] = measure_index_and_bulk(settings, enriched)
        costs = {"fetch": fetch_cost, **costs, "index": index_cost}
        log("stages: " + ", ".join(f"{k} {v.ms_per_item or 0:.2f} ms" for k, v in costs.items()))
        extractor, extractor_note = measure_extractor(sample)
        log(f"raw bulk {bulk_cost.ms_per_item or 0:.2f} ms/doc; extractor: {extractor_note}")

        reset_stores(settings)
        redis_before = redis_state_bytes(settings)
        pids = stack.start_workers(1, options.concurrency, settings)
        log(f"end to end: crawling with 1 worker process of concurrency {options.concurrency}")
        node_before = node.read()
        full, spent = metered(stack, settings, pids, lambda: crawl(settings, server, pids))
        full["node_cpu_seconds"] = node.since(node_before)
        log(
            f"end to end: {full['run'].get('new')} new in {full['seconds_to_searchable']:.1f}s, "
            f"{full['requests']} requests"
        )
        redis_after = redis_state_bytes(settings)
        store = es_store_bytes(settings, settings.articles_alias)
        archive = es_store_bytes(settings, settings.minhash_index)
        run.details.setdefault("service_cost", {})["demo"] = service_cost(
            spent,
            full,
            f"1 worker process of concurrency {options.concurrency}",
            redis_before,
            redis_after,
            es_stores(settings, f"{settings.index_prefix}-*"),
        )
        recrawl = crawl(settings, server, pids)
        log(f"re-crawl: {recrawl['seconds_to_searchable']:.1f}s, {recrawl['requests']} requests")
        settling_since = time.monotonic()

        peer = None
        if not options.skip_peer:
            from benchmarks.peer import demo_peer_site, run_peer

            # The idle workers stay up beside the peer: their sweeps let Redis forget the articles settled
            # in the archive meanwhile. What they cost the peer is measured, and printed with it.
            idle_cpu, node_before = worker_cpu(pids), node.read()
            peer = run_peer(settings, stack, demo_peer_site(site), options.peer_timeout, log)
            peer["idle_worker_cpu_seconds"] = worker_cpu(pids) - idle_cpu
            peer["node_cpu_seconds"] = node.since(node_before)
            log(f"peer: {peer}")
        # What stays once the workers' sweeps have let Redis forget the articles settled in the archive.
        time.sleep(max(0.0, SETTLE_SECONDS + 2 * SWEEP_SECONDS - (time.monotonic() - settling_since)))
        redis_settled = redis_state_bytes(settings)
        settled_after = run.details["settled_after_seconds"] = time.monotonic() - settling_since
        stack.stop_workers()

    report_stages(run, costs, bulk_cost, extractor, extractor_note, full, options.concurrency)
    report_end_to_end(run, full, costs, peer)
    report_recrawl(run, full, recrawl)
    report_state(run, full, redis_before, redis_after, redis_settled, store, archive, settled_after)
    run.details.update(
        stages={k: dataclasses.asdict(v) for k, v in costs.items()},
        raw_bulk=dataclasses.asdict(bulk_cost),
        extractor=dataclasses.asdict(extractor) if extractor else extractor_note,
        full_crawl=full,
        recrawl=recrawl,
        redis_before=redis_before,
        redis_after=redis_after,
        redis_settled=redis_settled,
        es_store={"bytes": store[0], "documents": store[1]},
        es_minhash_store={"bytes": archive[0], "documents": archive[1]},
        peer=peer,
    )

    orchestration_overhead(run, stack, settings, sample)
    scale_out(run, stack, settings, pages, options)
    run_realsite(run, stack, settings, options)
    report_service_cost(run)
    run_rendering(run, stack, settings, options)


def report_stages(run, costs, bulk_cost, extractor, extractor_note, full, concurrency) -> None:
    section = "2. per stage, in isolation (one process, ms/article; articles/s on one core)"
    for name, cost in costs.items():
        run.add(
            section,
            f"{name}",
            cost.ms_per_item,
            "ms/article",
            note=f"{format(cost.per_second or 0, '.0f')} articles/s, CPU {cost.cpu_ms_per_item or 0:.2f} ms, "
            f"{cost.items} items",
        )
    section = "3. bounds"
    run.add(
        section,
        "raw bulk (helpers.bulk, index ops)",
        bulk_cost.per_second,
        "docs/s",
        note=f"{bulk_cost.ms_per_item or 0:.2f} ms/doc, same documents and batch size",
    )
    index = costs["index"]
    run.add(
        section,
        "index stage / raw bulk",
        _ratio(index.per_second, bulk_cost.per_second),
        "x",
        INDEX_VS_BULK,
        note=f"median of {INDEX_ROUNDS} alternated rounds each, after a first pass of each (new indices)",
    )
    parse_vs_extractor = _ratio(costs["parse"].ms_per_item, extractor.ms_per_item) if extractor else None
    if extractor is None:
        run.add(section, "extractor alone (parse ceiling)", None, "ms/page", note=extractor_note)
    else:
        run.add(
            section,
            "extractor alone (parse ceiling)",
            extractor.ms_per_item,
            "ms/page",
            note=f"{extractor_note}; parse stage is {parse_vs_extractor or 0:.2f}x its cost",
        )
    worker_stages = ("parse", "dedupe", "enrich", "index")
    stage_cpu = sum(costs[s].cpu for s in worker_stages) / max(1, costs["parse"].items)
    pages = int(full["run"].get("sent", 0)) or 1
    worker_cpu_per_page = full["worker_cpu_seconds"] / pages
    run.add(
        section,
        "worker CPU in the crawl / stages alone",
        _ratio(worker_cpu_per_page, stage_cpu) - 1 if stage_cpu else None,
        "fraction",
        note=f"{1000 * worker_cpu_per_page:.2f} ms/page in the crawl (shared cores; a third of its pages are "
        f"copies, recorded in Elasticsearch) vs {1000 * stage_cpu:.2f} ms/page for the pure stages on the "
        "sample (few copies, no duplicate records, raw pages or run bookkeeping)",
    )
    stage_wall = sum(c.wall for c in costs.values()) / max(1, costs["fetch"].items)
    e2e_wall = full["seconds_to_searchable"] / pages
    run.add(
        section,
        "end to end / sum of stage costs (wall)",
        _ratio(e2e_wall, stage_wall),
        "x",
        note=f"{1000 * e2e_wall:.2f} ms/page end to end (2 cores, concurrency {concurrency}) vs "
        f"{1000 * stage_wall:.2f} ms/page for the stages in sequence on one",
    )


def report_end_to_end(run, full, costs, peer) -> None:
    section = "1. end to end (crawl start to every article searchable)"
    new = int(full["run"].get("new", 0))
    rate = new / full["seconds_to_searchable"] if full["seconds_to_searchable"] else None
    run.add(
        section,
        "articles indexed",
        new,
        "articles",
        note=f"{full['run'].get('sent')} pages handed on, {full['run'].get('duplicate')} duplicates, "
        f"{full['run'].get('rejected')} rejected, {full['run'].get('failed')} failed",
    )
    pages = int(full["run"].get("sent", 0))
    page_rate = pages / full["seconds_to_searchable"] if full["seconds_to_searchable"] else None
    run.add(section, "throughput", rate, "articles/s", note="new articles, searchable")
    run.add(section, "article URLs handled", page_rate, "pages/s", note="each to its recorded fate")
    run.add(
        section,
        "time until the last is searchable",
        full["seconds_to_searchable"],
        "s",
        note=f"crawl + pipeline done at {full['seconds_to_complete']:.1f}s; {_node_note(full)}, warmed "
        f"by the {run.details.get('backlog', {}).get('pages', 0)}-page backlog before",
    )
    section = "4. peer: news-please on the same site and Elasticsearch"
    if peer is None:
        run.add(section, "news-please", None, "articles/s", note="skipped (--skip-peer)")
        return
    if peer.get("error"):
        run.add(section, "news-please", None, "articles/s", note=peer["error"])
        run.add(section, "newsdesk / news-please", None, "x", PEER_RATIO, note="peer did not run")
        return
    run.add(
        section,
        "news-please",
        peer["articles_per_second"],
        "articles/s",
        note=f"{peer['articles']} articles in {peer['seconds']:.1f}s; {peer.get('note', '')}; "
        f"newsdesk's idle workers used {peer.get('idle_worker_cpu_seconds', 0):.1f} CPU s meanwhile; "
        f"{_node_note(peer)}",
    )
    run.add(
        section,
        "newsdesk / news-please",
        _ratio(page_rate, peer["articles_per_second"]),
        "x",
        PEER_RATIO,
        note="article URLs per second on each side (news-please stores every URL it takes for an article)",
    )


def _node_note(section: dict) -> str:
    """Elasticsearch's CPU in a section, its JIT compilers apart: both sides should meet the same node."""
    spent = section.get("node_cpu_seconds")
    if not spent:
        return "node CPU not read"
    total = spent["jit"] + spent["other"]
    return f"Elasticsearch used {total:.0f} CPU s, {spent['jit']:.0f} of them JIT compiling"


def report_recrawl(run, full, recrawl) -> None:
    section = "5. re-crawl of the unchanged site"
    run.add(
        section,
        "time",
        _ratio(recrawl["seconds_to_searchable"], full["seconds_to_searchable"]),
        "of full",
        RECRAWL,
        note=f"{recrawl['seconds_to_searchable']:.1f}s vs {full['seconds_to_searchable']:.1f}s",
    )
    run.add(
        section,
        "requests",
        _ratio(recrawl["requests"], full["requests"]),
        "of full",
        RECRAWL,
        note=f"{recrawl['requests']} vs {full['requests']} (server-side count)",
    )


def report_state(run, full, before, after, settled, store, archive, settled_after) -> None:
    section = "6. memory"
    pages = int(full["run"].get("sent", 0)) or 1
    run.add(
        section,
        "peak worker RSS (crawl)",
        full["peak_worker_rss"] / 2**20,
        "MiB",
        note="worker process tree, sampled every 0.5 s",
    )
    kinds = ("dedupe", "crawl", "dedupe in flight")
    grown = {kind: settled[kind] - before[kind] for kind in kinds}
    at_end = {kind: after[kind] - before[kind] for kind in kinds}
    run.add(
        section,
        "Redis: dedupe + crawl state",
        sum(grown.values()) / pages,
        "B/article",
        REDIS_PER_ARTICLE,
        note=f"MEMORY USAGE, per page handed on ({pages}), once the crawl settled "
        f"({settled_after:.0f} s after the re-crawl, the workers idle meanwhile)",
    )
    run.add(
        section,
        "  of it kept for good",
        (grown["dedupe"] + grown["crawl"]) / pages,
        "B/article",
        note=f"URL owners, fingerprints, verdicts {grown['dedupe'] / pages:.0f} B; crawl state "
        f"{grown['crawl'] / pages:.0f} B",
    )
    run.add(
        section,
        "  of it still in flight",
        grown["dedupe in flight"] / pages,
        "B/article",
        note="signatures and bands not yet settled in the archive, copies not yet listed",
    )
    run.add(
        section,
        "Redis: the same when the last article became searchable",
        sum(at_end.values()) / pages,
        "B/article",
        note=f"in flight then: {at_end['dedupe in flight'] / pages:.0f} B (articles of the last "
        f"~{SETTLE_SECONDS:.0f} s, bounded by the rate, not by the archive)",
    )
    runs = after["run records"] - before["run records"]
    run.add(
        section,
        "Redis: run records (30-day TTL)",
        runs / pages,
        "B/article",
        note="per-URL outcome of each run",
    )
    run.add(
        section,
        "Redis: used_memory growth",
        (after["used_memory"] - before["used_memory"]) / pages,
        "B/article",
        note="INFO memory, everything included",
    )
    store_bytes, stored_docs = store
    run.add(
        section,
        "Elasticsearch store",
        store_bytes / stored_docs if stored_docs else None,
        "B/article",
        note=f"articles index, primaries after flush, {stored_docs} documents",
    )
    archive_bytes, archived_docs = archive
    run.add(
        section,
        "Elasticsearch near-duplicate archive",
        archive_bytes / archived_docs if archived_docs else None,
        "B/article",
        note=f"MinHash bands and signatures, {archived_docs} articles",
    )


OVERHEAD_WARMUP = 50
OVERHEAD_ROUNDS = 2


def _drain_warm(stack: BenchStack, settings: Settings, pages: list[dict]) -> dict:
    """One worker process of concurrency 1 drains the warm-up pages, then the measured ones (timed)."""
    reset_stores(settings)
    pids = stack.start_workers(1, 1, settings)
    try:
        warm = new_run(settings, "bench-overhead-warmup")
        drain(settings, [{**p, "run_id": warm} for p in pages[:OVERHEAD_WARMUP]], pids, warm)
        measured = new_run(settings, "bench-overhead")
        result = drain(settings, [{**p, "run_id": measured} for p in pages[OVERHEAD_WARMUP:]], pids, measured)
    finally:
        stack.stop_workers()
    return {"pages": result["pages"], "seconds": result["seconds"], "cpu": result["worker_cpu_seconds"]}


def _run_inline(stack: BenchStack, settings: Settings, pages: list[dict]) -> dict:
    """The same pages through the parse task's own code in one process (`benchmarks/inline.py`)."""
    reset_stores(settings)
    run_id = new_run(settings, "bench-inline")
    pages_file = stack.base / "inline-pages.json"
    pages_file.write_text(json.dumps([{**p, "run_id": run_id} for p in pages]), encoding="utf-8")
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.inline", str(pages_file), str(OVERHEAD_WARMUP)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def orchestration_overhead(run: Run, stack: BenchStack, settings: Settings, pages: list[dict]) -> None:
    """Worker CPU per page through Celery over the CPU of the very same code called in one process, on the
    same pages against the same services: what Celery, kombu and the pool add. Both warmed up first
    (models loaded, clients open); rounds alternate which goes first; medians."""
    through_worker, inline = [], []
    for round_ in range(OVERHEAD_ROUNDS):
        order = (_drain_warm, _run_inline) if round_ % 2 == 0 else (_run_inline, _drain_warm)
        for measure in order:
            result = measure(stack, settings, pages)
            (through_worker if measure is _drain_warm else inline).append(
                1000 * result["cpu"] / result["pages"]
            )
            log(f"overhead: {measure.__name__} {1000 * result['cpu'] / result['pages']:.2f} ms CPU/page")
    worker_ms, inline_ms = statistics.median(through_worker), statistics.median(inline)
    run.add(
        "3. bounds",
        "orchestration overhead (worker CPU, same pages)",
        _ratio(worker_ms, inline_ms) - 1 if inline_ms else None,
        "fraction",
        OVERHEAD,
        note=f"{worker_ms:.2f} ms/page through a Celery worker vs {inline_ms:.2f} ms/page for the parse "
        f"task's code called in one process; {len(pages) - OVERHEAD_WARMUP} pages after {OVERHEAD_WARMUP} "
        f"to warm up, medians of {OVERHEAD_ROUNDS} alternated rounds",
    )
    run.details["orchestration_overhead"] = {"through_worker_ms": through_worker, "inline_ms": inline}


def backlog(run: Run, stack: BenchStack, settings: Settings, options: Options, node: NodeCpu) -> None:
    reset_stores(settings)
    site = generate_site(options.backlog, options.seed + 1)
    run_id = new_run(settings, "bench-backlog")
    pages = render_pages(site, settings.demo_url, options.backlog, run_id)
    pids = stack.start_workers(1, options.concurrency, settings)
    log(f"backlog: {len(pages)} pages enqueued at once, worker RSS sampled")
    node_before = node.read()
    result = drain(settings, pages, pids, run_id, interval=1.0)
    stack.stop_workers()
    result["node_cpu_seconds"] = node.since(node_before)
    log(f"backlog: {result['seconds']:.1f}s; {_node_note(result)}")
    samples = [rss for _, rss in result["rss_samples"]]
    growth = rss_growth(samples)
    section = "6. memory"
    start, end = (samples[0], samples[-1]) if samples else (0, 0)
    run.add(
        section,
        f"worker RSS across a {len(pages)}-page backlog",
        growth,
        "growth",
        FLAT_RSS,
        note=f"{start / 2**20:.0f} MiB at start, {end / 2**20:.0f} MiB at end, peak "
        f"{result['peak_worker_rss'] / 2**20:.0f} MiB, {len(samples)} samples over "
        f"{result['seconds']:.0f}s; {_node_note(result)}",
    )
    run.details["backlog"] = {
        **{k: v for k, v in result.items() if k != "rss_samples"},
        "rss_samples": [(round(t, 1), rss) for t, rss in result["rss_samples"]],
    }
