"""`python -m benchmarks crawl-state-growth`: how the crawl state in Redis grows as a site publishes.

The demo site (feeds, sitemaps, a paginated archive, conditional GET) is crawled, then grown with the same
seed (its first articles unchanged, new ones on top, older ones pushed down the archive) and crawled
again, by the real crawler process against a Redis of its own. After each crawl every state key of the
source is weighed (`MEMORY USAGE`), the run records and the broker queue left out. The baseline is the
first crawl: each later row shows what one more article costs, per kind of state.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import redis

from newsdesk.demosite.crawling import CrawlFeatures
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.settings import Settings
from newsdesk.localstack.services import RedisServer
from newsdesk.state.runs import RunStore

REPO_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "growth"
# The state a source keeps, by key family; how long an article stays in each.
KINDS = {
    "recheck:meta": "until the re-check horizon (90 days by default)",
    "recheck:due": "until the re-check horizon",
    "listed:pages": "for good (while a listing lists it)",
    "listed:at": "for good",
    "crawl:pages": "for good (per discovery page)",
    "crawl:known": "for good, capped at 2 M URLs a source",
}


def state_bytes(client: redis.Redis) -> dict[str, int]:
    """Bytes per key family of the crawl state (`recheck:meta`, `listed:at`, ...), run records left out."""
    sizes: dict[str, int] = {}
    for key in client.scan_iter(f"{PREFIX}:*", count=1000):
        parts = key.split(":")
        if parts[1] in ("run", "runs"):
            continue
        kind = ":".join(parts[1:3])
        sizes[kind] = sizes.get(kind, 0) + (client.memory_usage(key, samples=0) or 0)
    return sizes


def crawl(settings: Settings, runs: RunStore) -> int:
    """One crawl of the demo source by the crawler process; how many pages it handed on."""
    run_id = runs.create("demo")
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "crawler.run", "demo", "--run-id", run_id],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"crawler exited with {done.returncode}: {done.stderr[-2000:]}")
    return int(runs.get(run_id).get("sent", 0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks crawl-state-growth", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 300, 600, 1200])
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="newsdesk-state-growth-"))
    server = RedisServer(base / "redis").start()
    client = redis.Redis.from_url(server.url, decode_responses=True)
    runs = RunStore(client, PREFIX)
    rows = []
    try:
        port = 0
        for size in args.sizes:
            site = generate_site(size=size, seed=args.seed, crawl_features=CrawlFeatures())
            # The same address every time: the state is keyed by URL.
            with DemoServer(site, port=port) as demo:
                port = int(demo.url.rsplit(":", 1)[1])
                settings = Settings(
                    redis_url=server.url,
                    demo_url=demo.url,
                    index_prefix=PREFIX,
                    home=base / "home",
                    sources_file=REPO_ROOT / "sources.yaml",
                )
                sent = crawl(settings, runs)
            client.delete("newsdesk")  # the pages handed on: no worker takes them here
            rows.append((size, sent, state_bytes(client)))
    finally:
        client.close()
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    print_tables(rows)
    return 0


def print_tables(rows: list[tuple[int, int, dict[str, int]]]) -> None:
    first_size, _, first = rows[0]
    print(f"{'articles':>8} {'sent':>5} {'state KB':>9} {'B/article':>9} {'B/new article':>13}")
    for size, sent, sizes in rows:
        total = sum(sizes.values())
        marginal = (
            f"{(total - sum(first.values())) / (size - first_size):>13.0f}"
            if size != first_size
            else "baseline"
        )
        print(f"{size:>8} {sent:>5} {total / 1024:>9.1f} {total / size:>9.0f} {marginal:>13}")
    last_size, _, last = rows[-1]
    print()
    print(f"{'state':14} {'B/new article':>13}  kept")
    for kind in sorted(last, key=lambda k: -(last[k] - first.get(k, 0))):
        grown = (last[kind] - first.get(kind, 0)) / max(1, last_size - first_size)
        print(f"{kind:14} {grown:>13.0f}  {KINDS.get(kind, '?')}")


if __name__ == "__main__":
    raise SystemExit(main())
