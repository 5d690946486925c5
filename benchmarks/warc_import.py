"""`python -m benchmarks warc-import [--records N]`: a backfill from a WARC beside a crawl of the same pages.

The demo site's pages are written as a WARC (gzip per record, a warcinfo and one response per page), then
imported into empty stores, then crawled from the demo server into empty stores, on the same workers.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from benchmarks.stack import BenchStack
from benchmarks.throughput import log, reset_stores, wait_searchable
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.demosite.warc import page_paths, write_demo_warc


def _site_for(records: int):
    """A demo site whose WARC holds about `records` records (its look-alike pages grow with it)."""
    size = records
    while True:
        site = generate_site(size=size, seed=3)
        total = 1 + len(page_paths(site))
        if total <= records or size <= 10:
            return site, total
        size -= max(1, total - records)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks warc-import", description=__doc__)
    parser.add_argument("--records", type=int, default=5000, help="records in the WARC (default 5000)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker concurrency")
    args = parser.parse_args(argv)
    from newsdesk.cli.crawl import run_crawl
    from webarchive.backfill import import_warcs, wait_for_pipeline

    stack = BenchStack()
    try:
        base = stack.start()
        site, records = _site_for(args.records)
        scratch = Path(tempfile.mkdtemp(prefix="newsdesk-warc-bench-"))
        with DemoServer(site) as server:
            settings = dataclasses.replace(base, demo_url=server.url)
            warc = scratch / "demo.warc.gz"
            began = time.perf_counter()
            write_demo_warc(site, server.url, warc)
            log(
                f"{records} records, {warc.stat().st_size / 1e6:.1f} MB, "
                f"written in {time.perf_counter() - began:.1f}s"
            )
            stack.start_workers(1, args.concurrency, settings)

            reset_stores(settings)
            began = time.perf_counter()
            run = import_warcs(settings, "demo", [warc], wait=False)
            handed = time.perf_counter() - began
            done = wait_for_pipeline(settings, run["run_id"], 3600)
            imported = time.perf_counter() - began
            wait_searchable(settings, int(done.get("new", 0)))
            import_searchable = time.perf_counter() - began

            reset_stores(settings)
            began = time.perf_counter()
            crawl = run_crawl(settings, "demo", wait=True, timeout=3600)
            crawled = time.perf_counter() - began
            wait_searchable(settings, int(crawl.get("new", 0)))
            crawl_searchable = time.perf_counter() - began
        pages = int(done["sent"])
        print(f"\nWARC backfill beside a crawl of the same demo site, worker concurrency {args.concurrency}")
        print("| run | items | seconds to every fate | items/s | seconds to searchable | new |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(
            f"| backfill: read and hand off only | {records} records | {handed:.1f} | "
            f"{records / handed:.0f} | - | - |"
        )
        print(
            f"| backfill, through the pipeline | {records} records ({pages} pages) | {imported:.1f} | "
            f"{records / imported:.0f} | {import_searchable:.1f} | {done.get('new', 0)} |"
        )
        print(
            f"| crawl of the demo site | {crawl.get('crawl_pages_fetched', '?')} fetches "
            f"({crawl['sent']} pages) | "
            f"{crawled:.1f} | {int(crawl.get('crawl_pages_fetched') or 0) / crawled:.0f} | "
            f"{crawl_searchable:.1f} | {crawl.get('new', 0)} |"
        )
    finally:
        stack.stop()
    return 0
