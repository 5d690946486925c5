"""`python -m benchmarks redis-maps`: Redis bytes per article of the maps kept for good, up to a million.

A crawl on this machine reaches a few thousand articles; the maps that grow with the archive (URL owners
and text fingerprints, 256 hashes each) change their encoding past ~262,000 articles, when a hash holds
more entries than `hash-max-listpack-entries`. This fills them as a new canonical article does (its URL
owner stored as "", its fingerprint pointing at its 40-character document id) and reads `used_memory`.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path

import redis

from newsdesk.localstack.services import RedisServer
from newsdesk.state.claims import sharded

PIPELINE = 5000


def fill(client: redis.Redis, articles: int) -> None:
    pipe = client.pipeline(transaction=False)
    for number in range(articles):
        doc_id = hashlib.sha1(f"doc {number}".encode()).hexdigest()
        fingerprint = hashlib.sha1(f"text {number}".encode()).hexdigest()
        pipe.hsetnx(*sharded("bench:url-owner", doc_id), "")
        pipe.hsetnx(*sharded("bench:dedupe:fingerprints", fingerprint), doc_id)
        if number % PIPELINE == PIPELINE - 1:
            pipe.execute()
    pipe.execute()


def measure(articles: int) -> tuple[float, str]:
    """(bytes per article, the maps' encoding) in a fresh Redis as newsdesk starts it."""
    base = Path(tempfile.mkdtemp(prefix="newsdesk-redis-maps-"))
    server = RedisServer(base).start()
    try:
        client = redis.Redis.from_url(server.url)
        before = client.info("memory")["used_memory"]
        fill(client, articles)
        used = client.info("memory")["used_memory"] - before
        encoding = client.object("encoding", sharded("bench:url-owner", "00")[0]) or b"none"
        client.close()
        return used / articles, encoding.decode()
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks redis-maps", description=__doc__)
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 200_000, 1_000_000])
    args = parser.parse_args(argv)
    print("articles   B/article  encoding")
    for articles in args.articles:
        per_article, encoding = measure(articles)
        print(f"{articles:>9,}  {per_article:>9.0f}  {encoding}", flush=True)
    return 0
