"""A warm Elasticsearch node for the measured sections, as a deployment's node is after its first minutes.

A freshly started node spends much of its CPU in the JVM's JIT compilers, for minutes: on this project's
2-core machine, drains of 700 new pages each, on one node, measured (ms of node CPU per page, compiler
threads / the rest): 18.1 / 15.2 in the first, 11.5 / 9.2 in the second, 8.2 / 4.8 in the fourth,
2.4-9.2 / 4.3-5.1 after. The suite used to crawl end to end on the fresh node and run news-please ten
minutes later on a warm one. Now both meet a node warmed first by the pipeline, on pages of a site of
their own, and the compiler threads' CPU in each section is printed with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.procstat import largest_process, process_tree, thread_cpu_seconds
from benchmarks.stack import BenchStack
from newsdesk.demosite import generate_site
from newsdesk.settings import Settings

WARM_UP_ROUND_PAGES = 600
# A site of its own (the measured one is `seed`, the backlog's `seed + 1`): none of its texts is met again.
WARM_UP_SEED_OFFSET = 2


class NodeCpu:
    """CPU of the Elasticsearch node's JVM, its JIT compiler threads apart, between two readings."""

    def __init__(self, stack: BenchStack) -> None:
        self.pid = largest_process(process_tree([stack.es.proc.pid]))

    def read(self) -> dict[str, float]:
        return thread_cpu_seconds(self.pid)

    def since(self, before: dict[str, float]) -> dict[str, float]:
        now = self.read()
        return {kind: now[kind] - before[kind] for kind in now}


def warm_up_node(
    stack: BenchStack, settings: Settings, options, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """`options.warm_up_pages` new pages through a worker of the suite's shape, in rounds; then every store
    emptied and the worker stopped: only the node stays warm. Returns each round's rate and node CPU."""
    from benchmarks.throughput import drain, new_run, render_pages, reset_stores

    if options.warm_up_pages <= 0:
        return []
    node = NodeCpu(stack)
    # Copies included, as on the measured site: the near-duplicate paths get warm too.
    site = generate_site(options.warm_up_pages, options.seed + WARM_UP_SEED_OFFSET, republications=True)
    pages = render_pages(site, settings.demo_url, options.warm_up_pages, "")
    reset_stores(settings)
    pids = stack.start_workers(1, options.concurrency, settings)
    rounds: list[dict[str, Any]] = []
    total = -(-len(pages) // WARM_UP_ROUND_PAGES)
    try:
        for number in range(total):
            run_id = new_run(settings, f"bench-warm-up-{number}")
            batch = pages[number * WARM_UP_ROUND_PAGES : (number + 1) * WARM_UP_ROUND_PAGES]
            before = node.read()
            result = drain(settings, [{**page, "run_id": run_id} for page in batch], pids, run_id)
            spent = node.since(before)
            rounds.append(
                {
                    "pages": len(batch),
                    "pages_per_second": len(batch) / result["seconds"],
                    "node_jit_ms_per_page": 1000 * spent["jit"] / len(batch),
                    "node_other_ms_per_page": 1000 * spent["other"] / len(batch),
                }
            )
            log(
                f"warm-up {number + 1}/{total}: {rounds[-1]['pages_per_second']:.1f} pages/s, node "
                f"{rounds[-1]['node_jit_ms_per_page']:.1f} ms/page compiling, "
                f"{rounds[-1]['node_other_ms_per_page']:.1f} ms/page the rest"
            )
    finally:
        stack.stop_workers()
    reset_stores(settings)
    return rounds
