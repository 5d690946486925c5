"""`python -m benchmarks search-cost`: Elasticsearch CPU per near-duplicate archive search, taken apart.

The archive holds the MinHash records of a demo site's articles; the same probes are sent as the dedupe
stage's query (the baseline) and as variants that leave out one part of it each: the source read back,
all but one hit, every hit, the query itself; and a request that searches nothing. Rounds alternate the
variants; each row is its median round.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.procstat import cpu_seconds, process_tree
from benchmarks.stack import BenchStack
from benchmarks.throughput import reset_stores
from index.client import build_client
from index.minhash import (
    CANDIDATES,
    archived_candidates,
    candidates_query,
    minhash_record,
    write_minhashes,
)
from index.setup import ensure_setup
from newsdesk.demosite.site import generate_site
from tasks.dedupe.similarity import content_key


def variants(es, settings) -> dict[str, Callable[[str, list[str]], Any]]:
    def search(doc_id: str, bands: list[str], size: int, source: Any, query: dict | None = None) -> Any:
        return es.search(
            index=settings.minhash_index,
            query=query or candidates_query(doc_id, bands),
            size=size,
            source=source,
            track_total_hits=False,
        )

    hits = CANDIDATES + 1
    return {
        f"the stage's search ({hits} hits, signature and day read back)": (
            lambda doc_id, bands: archived_candidates(es, settings, doc_id, bands)
        ),
        f"{hits} hits, no source read": lambda doc_id, bands: search(doc_id, bands, hits, False),
        "1 hit, signature and day": lambda doc_id, bands: search(doc_id, bands, 1, ["signature", "day"]),
        "no hit read (query phase only)": lambda doc_id, bands: search(doc_id, bands, 0, False),
        "match_none, no hit (the search request alone)": (
            lambda doc_id, bands: search(doc_id, bands, 0, False, {"match_none": {}})
        ),
        "cluster health (a request, no search)": lambda doc_id, bands: es.cluster.health(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks search-cost", description=__doc__)
    parser.add_argument("--articles", type=int, default=3000, help="demo articles whose records are archived")
    parser.add_argument("--probes", type=int, default=500, help="searches per variant and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    stack = BenchStack()
    try:
        settings = stack.start()
        reset_stores(settings)
        es = build_client(settings)
        ensure_setup(es, settings)
        site = generate_site(args.articles, 3, republications=True)
        keys = [(f"{number:040x}", content_key(a.body, None)) for number, a in enumerate(site.articles)]
        records = [minhash_record(doc_id, key.signature, key.bands, key.day) for doc_id, key in keys]
        for first in range(0, len(records), 500):
            write_minhashes(es, settings, records[first : first + 500])
        es.indices.refresh(index=settings.minhash_index)
        es_pids = process_tree([stack.es.proc.pid])
        probes = random.Random(1).sample(keys, min(args.probes, len(keys)))
        costs: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.rounds):
            for name, send in variants(es, settings).items():
                for doc_id, key in probes[:50]:  # warm this variant's path in the JVM
                    send(doc_id, key.bands)
                es_before, client_before = cpu_seconds(es_pids), time.process_time()
                for doc_id, key in probes:
                    send(doc_id, key.bands)
                costs.setdefault(name, []).append(
                    (
                        1000 * (cpu_seconds(es_pids) - es_before) / len(probes),
                        1000 * (time.process_time() - client_before) / len(probes),
                    )
                )
        baseline = statistics.median(es_ms for es_ms, _ in next(iter(costs.values())))
        print(f"\n{len(records)} archived records, {len(probes)} probes, median of {args.rounds} rounds")
        print(f"{'variant':70}  {'ES CPU ms':>9}  {'of the stage':>12}  {'client CPU ms':>13}")
        for name, rounds in costs.items():
            es_ms = statistics.median(es_ms for es_ms, _ in rounds)
            client_ms = statistics.median(client_ms for _, client_ms in rounds)
            print(f"{name:70}  {es_ms:9.2f}  {es_ms / baseline:12.2f}  {client_ms:13.2f}")
    finally:
        stack.stop()
    return 0
