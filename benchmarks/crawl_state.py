"""Benchmark: Redis bytes per known URL and load time of the crawl state, against storing whole URLs."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from newsdesk.kernel.settings import Settings
from newsdesk.localstack.services import RedisServer
from newsdesk.state.client import build_redis
from newsdesk.state.crawl_state import CrawlState


def _urls(count: int) -> list[str]:
    return [
        f"https://www.example-news.org/world/2025/06/{i % 28 + 1:02d}/leaders-hold-talks-on-trade-{i}.html"
        for i in range(count)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        server = RedisServer(Path(tmp) / "redis").start()
        try:
            client = build_redis(Settings(redis_url=server.url))
            state = CrawlState(client, "bench")
            print(f"{'URLs':>8}  {'layout':34} {'bytes/URL':>10} {'load ms':>8}")
            for size in [int(s) for s in args.sizes.split(",")]:
                client.flushdb()
                urls = _urls(size)
                state.mark_known("s", urls)
                started = time.perf_counter()
                loaded = state.known_digests("s")
                load_ms = (time.perf_counter() - started) * 1000
                assert len(loaded) == size
                print(
                    f"{size:>8}  {'monthly strings of hex digests':34} {state.bytes_per_url('s'):>10.1f} "
                    f"{load_ms:>8.0f}"
                )
                for start in range(0, size, 1000):
                    client.sadd("baseline", *urls[start : start + 1000])
                started = time.perf_counter()
                client.smembers("baseline")
                load_ms = (time.perf_counter() - started) * 1000
                per_url = client.memory_usage("baseline", samples=0) / size
                print(f"{size:>8}  {'baseline: set of whole URLs':34} {per_url:>10.1f} {load_ms:>8.0f}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
