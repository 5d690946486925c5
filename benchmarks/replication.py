"""`python -m benchmarks replication [--size N]`: what Redis behind Sentinel, and hand-overs confirmed on its
replica, cost a crawl, against one Redis in the same run.

The same demo site is crawled into emptied stores three times, on the same Elasticsearch node and the same
number of workers: through one Redis (the baseline), through Sentinel without confirmation, and through
Sentinel with every hand-over confirmed on the replica (`NEWSDESK_REDIS_MIN_REPLICAS=1`). Each row gives
the time to every page's fate, pages a second, and the CPU the Redis master and the workers used a page:
the median of `--rounds` crawls, the modes taken in turn, after one crawl that warms every service up.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from benchmarks.procstat import cpu_seconds, process_tree
from benchmarks.stack import BenchStack
from benchmarks.throughput import log, reset_stores
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.settings import Settings
from newsdesk.localstack.redis_group import RedisSentinelGroup


def _crawl(stack: BenchStack, settings: Settings, master_pid: int, processes: int, concurrency: int) -> dict:
    from newsdesk.cli.crawl import run_crawl

    reset_stores(settings)
    stack.stop_workers()
    workers = process_tree(stack.start_workers(processes, concurrency, settings))
    redis_before, workers_before = cpu_seconds([master_pid]), cpu_seconds(workers)
    began = time.perf_counter()
    run = run_crawl(settings, "demo", wait=True, timeout=3600)
    seconds = time.perf_counter() - began
    pages = int(run["sent"])
    return {
        "seconds": seconds,
        "pages": pages,
        "new": int(run.get("new", 0)),
        "per_second": pages / seconds,
        "redis_ms": 1000 * (cpu_seconds([master_pid]) - redis_before) / max(1, pages),
        "workers_ms": 1000 * (cpu_seconds(workers) - workers_before) / max(1, pages),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks replication", description=__doc__)
    parser.add_argument("--size", type=int, default=600, help="articles on the demo site (default 600)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--concurrency", type=int, default=1, help="concurrency of each (default 1)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="crawls of each mode, taken in turn (default 3)"
    )
    args = parser.parse_args(argv)
    stack = BenchStack()
    group: RedisSentinelGroup | None = None
    measured: dict[str, list[dict]] = {}
    try:
        base = stack.start()
        group = RedisSentinelGroup(stack.base / "sentinel").start()
        through_sentinel = dataclasses.replace(base, redis_url=group.url, redis_master=group.master_name)
        modes = [
            ("one Redis (baseline)", base, stack.redis.proc.pid),
            ("Sentinel, unconfirmed", through_sentinel, group.master().proc.pid),
            (
                "Sentinel, confirmed on the replica",
                dataclasses.replace(through_sentinel, redis_min_replicas=1),
                group.master().proc.pid,
            ),
        ]
        with DemoServer(generate_site(size=args.size, seed=5)) as server:
            log("replication: a crawl to warm the services up")
            _crawl(stack, dataclasses.replace(base, demo_url=server.url), modes[0][2], args.processes, 1)
            for round_number in range(1, args.rounds + 1):
                for name, settings, master_pid in modes:
                    settings = dataclasses.replace(settings, demo_url=server.url)
                    log(f"replication: {name}, round {round_number}")
                    crawl = _crawl(stack, settings, master_pid, args.processes, args.concurrency)
                    measured.setdefault(name, []).append(crawl)
    finally:
        stack.stop()
        if group is not None:
            group.stop()
    rows = [
        (name, {key: statistics.median(crawl[key] for crawl in crawls) for key in crawls[0]})
        for name, crawls in measured.items()
    ]
    baseline = rows[0][1]
    print(
        f"\nRedis behind Sentinel, a crawl of {args.size} demo articles, "
        f"{args.processes} worker process(es) of concurrency {args.concurrency}, "
        f"median of {args.rounds} rounds"
    )
    print(
        "| Redis | pages | seconds to every fate | pages/s | against one Redis | Redis master CPU ms/page "
        "| workers CPU ms/page |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, row in rows:
        against = row["per_second"] / baseline["per_second"]
        print(
            f"| {name} | {row['pages']:.0f} | {row['seconds']:.1f} | {row['per_second']:.1f} | "
            f"{against:.2f}x | {row['redis_ms']:.2f} | {row['workers_ms']:.1f} |"
        )
    return 0
