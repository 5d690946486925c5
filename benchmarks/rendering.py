"""The rendering section: the demo site's /js/ section crawled through Chromium, beside a plain crawl.

Both crawls go end to end (crawler, worker, Elasticsearch) over the same number of articles; the row per
page is the crawl's wall time over its pages, and the browser's memory is the peak resident size of the
chromium processes under this one while the rendered crawl runs.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

from benchmarks.procstat import process_tree, rss_bytes
from benchmarks.stack import BenchStack
from benchmarks.throughput import reset_stores
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.settings import Settings

SECTION = "9. JavaScript rendering (the demo /js/ section through Chromium, beside a plain crawl)"
ARTICLES = 60
REGISTRY = """
sources:
  - name: plain
    start_urls: ["{demo_url}/"]
    article_pattern: "/article/"
    language: en
    allow_private: true
  - name: rendered
    start_urls: ["{demo_url}/js/"]
    article_pattern: "/js/article/"
    language: en
    allow_private: true
    urls: {deny: ["re:^https?://[^/]+/(?!js/)"]}
    render: {javascript: both, wait_for: "#article-list a, .article-body p"}
"""


class BrowserMemory:
    """Samples the resident size of the chromium processes under this one; `peak` in bytes."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import os

        while not self._stop.wait(self.interval):
            browser = [pid for pid in process_tree([os.getpid()]) if _command(pid).startswith("chrom")]
            self.peak = max(self.peak, rss_bytes(browser))

    def __enter__(self) -> BrowserMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _crawl(settings: Settings, source: str) -> tuple[dict, float]:
    from newsdesk.cli.crawl import run_crawl

    started = time.perf_counter()
    result = run_crawl(settings, source, wait=True, timeout=900)
    return result, time.perf_counter() - started


def run_rendering(run, stack: BenchStack, settings: Settings, options) -> None:
    """The section's rows: articles indexed, ms per page rendered and plain, the browser's peak memory."""
    # The plain outlets and the /js/ section hold the same number of articles.
    site = generate_site(ARTICLES, options.seed, javascript=ARTICLES)
    registry = stack.base / "rendering-sources.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    started_workers = not stack.workers
    if started_workers:
        stack.start_workers(1, options.concurrency, settings)
    try:
        with DemoServer(site) as server:
            settings = dataclasses.replace(settings, demo_url=server.url, sources_file=registry)
            reset_stores(settings)
            plain, plain_seconds = _crawl(settings, "plain")
            with BrowserMemory() as memory:
                rendered, rendered_seconds = _crawl(settings, "rendered")
    finally:
        if started_workers:
            stack.stop_workers()
    plain_pages = int(plain["crawl_pages_fetched"])
    rendered_pages = int(rendered["crawl_pages_fetched"])
    run.add(SECTION, "rendered crawl: articles indexed", rendered["new"], f"of {ARTICLES}")
    run.add(SECTION, "plain crawl: articles indexed", plain["new"], f"of {ARTICLES}")
    run.add(
        SECTION,
        "rendered crawl, wall time per page",
        1000 * rendered_seconds / rendered_pages,
        "ms/page",
        note=f"{rendered_pages} pages in {rendered_seconds:.1f} s, 2 browser pages at once",
    )
    run.add(
        SECTION,
        "plain crawl, wall time per page",
        1000 * plain_seconds / plain_pages,
        "ms/page",
        note=f"{plain_pages} pages in {plain_seconds:.1f} s",
    )
    run.add(SECTION, "browser peak resident memory", memory.peak / 2**20, "MB", note="all chromium processes")
    run.details["rendering"] = {
        "articles": ARTICLES,
        "rendered": {"pages": rendered_pages, "seconds": rendered_seconds, "new": rendered["new"]},
        "plain": {"pages": plain_pages, "seconds": plain_seconds, "new": plain["new"]},
        "browser_peak_rss_bytes": memory.peak,
    }
