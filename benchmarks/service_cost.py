"""What each service spends per article over one run: every process's CPU, Redis and Elasticsearch bytes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from benchmarks.procstat import (
    NodeCpu,
    busy_share,
    cpu_seconds,
    largest_process,
    machine_ticks,
    process_tree,
    reaped_children_cpu_seconds,
)
from benchmarks.stack import BENCH_PREFIX, BenchStack
from benchmarks.throughput import Run, worker_cpu
from newsdesk.kernel.settings import Settings

T = TypeVar("T")

SECTION = "10. per-article cost of each service"
REDIS_COUNTERS = (
    "used_memory",
    "total_net_input_bytes",
    "total_net_output_bytes",
    "total_commands_processed",
)
# Node totals that survive an index's deletion: per shard, so a search of a 1-shard index counts once.
ES_COUNTERS = {
    "shard searches": ("search", "query_total"),
    "shard index operations": ("indexing", "index_total"),
}
# The key families of `redis_state_bytes` that grow with the archive, and the one that expires.
KEPT_FOR_GOOD = ("dedupe", "crawl")
# The crawl whose costs the table shows when both were measured: real pages weigh what the web weighs.
PREFERRED = ("real pages", "demo")


def node_cpu(stack: BenchStack) -> NodeCpu:
    return NodeCpu(largest_process(process_tree([stack.es.proc.pid])))


def read_counters(stack: BenchStack, settings: Settings, worker_pids: list[int], node: NodeCpu) -> dict:
    """Every cumulative counter a cost is the difference of, read now."""
    from index.client import build_client
    from newsdesk.state.client import build_redis

    client = build_redis(settings)
    try:
        info, commands = client.info(), client.info("commandstats")
    finally:
        client.close()
    es = build_client(settings)
    try:
        nodes = es.nodes.stats(metric="indices")["nodes"].values()
    finally:
        es.close()
    jvm = node.read()
    return {
        "seconds": time.monotonic(),
        "machine_ticks": machine_ticks(),
        "cpu": {
            "workers": worker_cpu(worker_pids),
            # A crawl's Scrapy process is this process's child and has ended by the time it is read.
            "crawler": reaped_children_cpu_seconds(),
            # The site server's threads and the harness waiting on the run.
            "benchmark process": time.process_time(),
            "redis-server": cpu_seconds([stack.redis.proc.pid]),
            "elasticsearch": jvm["jit"] + jvm["other"],
            "elasticsearch JIT": jvm["jit"],
        },
        "redis": {name: int(info[name]) for name in REDIS_COUNTERS},
        # Calls and microseconds inside each command (reading and parsing the request are not in them).
        "redis commands": {
            f"{name.removeprefix('cmdstat_')} {field}": int(stats[field])
            for name, stats in commands.items()
            for field in ("calls", "usec")
        },
        "elasticsearch": {
            name: sum(node_stats["indices"][group][field] for node_stats in nodes)
            for name, (group, field) in ES_COUNTERS.items()
        },
    }


def difference(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What was spent between two `read_counters` readings, and how busy the machine's cores were."""
    spent = {
        group: {name: after[group][name] - before[group].get(name, 0) for name in after[group]}
        for group in ("cpu", "redis", "redis commands", "elasticsearch")
    }
    seconds, cores = after["seconds"] - before["seconds"], os.cpu_count() or 1
    ours = sum(value for name, value in spent["cpu"].items() if name != "elasticsearch JIT")
    return {
        "seconds": seconds,
        "cores": cores,
        "busy_share": busy_share(before["machine_ticks"], after["machine_ticks"]),
        # What the run's own processes used of all the cores: the rest of the busy share is someone else's.
        "own_share": ours / (seconds * cores) if seconds > 0 else None,
        **spent,
    }


def metered(
    stack: BenchStack, settings: Settings, worker_pids: list[int], work: Callable[[], T]
) -> tuple[T, dict[str, Any]]:
    """`work()`'s result, and what every process and store spent while it ran."""
    node = node_cpu(stack)
    before = read_counters(stack, settings, worker_pids, node)
    result = work()
    return result, difference(before, read_counters(stack, settings, worker_pids, node))


def service_cost(
    spent: Mapping[str, Any],
    crawl: Mapping[str, Any],
    workers: str,
    redis_before: Mapping[str, int],
    redis_after: Mapping[str, int],
    stores: Mapping[str, tuple[int, int]],
) -> dict[str, Any]:
    """One crawl's costs as the result file keeps them: `spent` from `metered`, the crawl's own figures,
    Redis key families before and after (`redis_state_bytes`), and each index's primaries after."""
    return {
        "articles": int(crawl["run"].get("new", 0)),
        "pages": int(crawl["run"].get("sent", 0)),
        "fetches": crawl["requests"],
        "workers": workers,
        "spent": dict(spent),
        "redis_state_growth": {kind: redis_after[kind] - redis_before[kind] for kind in redis_after},
        "es_stores": {name: {"bytes": size, "documents": docs} for name, (size, docs) in stores.items()},
    }


def _per(value: float, count: int) -> float | None:
    return value / count if count else None


def busiest_commands(commands: Mapping[str, int], articles: int, count: int = 4) -> str:
    """The Redis commands that took the most time, in ms and calls per article."""
    names = {key.rsplit(" ", 1)[0] for key in commands}
    busiest = sorted(names, key=lambda name: -commands[f"{name} usec"])[:count]
    return ", ".join(
        f"{name} {(_per(commands[f'{name} usec'], articles) or 0) / 1000:.2f} ms "
        f"({_per(commands[f'{name} calls'], articles) or 0:.1f} calls)"
        for name in busiest
    )


def report_service_cost(run: Run) -> None:
    """The table of the preferred crawl measured in this run; every crawl measured stays in the result."""
    measured = run.details.get("service_cost", {})
    source = next((name for name in PREFERRED if name in measured), None)
    if source is None:
        run.add(SECTION, "services", None, note="no end-to-end crawl was measured in this run")
        return
    cost = measured[source]
    spent, articles, pages = cost["spent"], cost["articles"], cost["pages"]
    section = f"{SECTION} (the {source} crawl: {articles} new articles, {pages} pages handed on)"
    cpu = {name: 1000 * seconds for name, seconds in spent["cpu"].items()}

    def ms(name: str) -> float | None:
        return _per(cpu[name], articles)

    def each(value: float) -> float:
        return _per(value, articles) or 0.0

    run.add(
        section,
        "workers CPU",
        ms("workers"),
        "ms/article",
        note=f"{cost['workers']}, their pool children included; {_per(cpu['workers'], pages) or 0:.1f} ms "
        "per page handed on",
    )
    run.add(
        section,
        "crawler process CPU",
        ms("crawler"),
        "ms/article",
        note=f"one Scrapy process, its start-up included; {cost['fetches']} fetches, "
        f"{_per(cpu['crawler'], cost['fetches']) or 0:.1f} ms a fetch",
    )
    run.add(
        section,
        "redis-server CPU",
        ms("redis-server"),
        "ms/article",
        note="broker, state and buffers; inside commands: "
        + busiest_commands(spent["redis commands"], articles),
    )
    es_jit = cpu["elasticsearch JIT"]
    run.add(
        section,
        "Elasticsearch node CPU",
        ms("elasticsearch"),
        "ms/article",
        note=f"the JVM's JIT compilers {_per(es_jit, articles) or 0:.1f} ms of it; the rest "
        f"{_per(cpu['elasticsearch'] - es_jit, articles) or 0:.1f} ms (a warmed-up node's share)",
    )
    run.add(
        section,
        "benchmark process CPU",
        ms("benchmark process"),
        "ms/article",
        note="the site server's threads and the harness; no deployment runs it",
    )
    services = ("workers", "crawler", "redis-server", "elasticsearch")
    busy = spent["busy_share"]
    run.add(
        section,
        "workers + crawler + Redis + Elasticsearch",
        _per(sum(cpu[name] for name in services), articles),
        "ms/article",
        note=f"over {spent['seconds']:.1f} s; the machine's {spent['cores']} cores {100 * (busy or 0):.0f}% "
        f"busy meanwhile, {100 * (spent['own_share'] or 0):.0f}% by this run's processes",
    )
    growth = cost["redis_state_growth"]
    redis = spent["redis"]
    run.add(
        section,
        "Redis used_memory growth",
        _per(redis["used_memory"], articles),
        "B/article",
        note="INFO memory before and after, everything included (allocator, buffers, run records)",
    )
    run.add(
        section,
        "Redis state kept for good",
        _per(sum(growth[kind] for kind in KEPT_FOR_GOOD), articles),
        "B/article",
        note=f"MEMORY USAGE: URL owners, fingerprints, verdicts {each(growth['dedupe']):.0f} B; crawl state "
        f"{each(growth['crawl']):.0f} B; still in flight at the end {each(growth['dedupe in flight']):.0f} B",
    )
    run.add(
        section,
        "Redis run records",
        _per(growth["run records"], articles),
        "B/article",
        note="per-URL outcomes of the run, kept 30 days",
    )
    run.add(
        section,
        "Redis commands",
        _per(redis["total_commands_processed"], articles),
        "per article",
        note=f"network in {_per(redis['total_net_input_bytes'], articles) or 0:,.0f} B, out "
        f"{_per(redis['total_net_output_bytes'], articles) or 0:,.0f} B per article (the broker's "
        "messages, claims, the index buffer)",
    )
    stores = cost["es_stores"]
    total = sum(store["bytes"] for store in stores.values())
    largest = sorted(stores.items(), key=lambda item: -item[1]["bytes"])[:4]
    run.add(
        section,
        "Elasticsearch store, primaries, every index",
        _per(total, articles),
        "B/article",
        note="after a flush; "
        + ", ".join(
            f"{name.removeprefix(BENCH_PREFIX + '-')} {_per(store['bytes'], articles) or 0:,.0f} B"
            for name, store in largest
        ),
    )
    es = spent["elasticsearch"]
    run.add(
        section,
        "Elasticsearch shard searches",
        _per(es["shard searches"], articles),
        "per article",
        note=f"and {_per(es['shard index operations'], articles) or 0:.1f} shard index operations",
    )
