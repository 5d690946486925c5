"""Recurring-crawl state in Redis: article URLs already handed on, and validators of discovery pages."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

from newsdesk.redisstore import translated_errors

DIGEST_CHARS = 16  # 64 bits of SHA-1: collisions stay negligible for tens of millions of URLs per source
DEFAULT_MAX_URLS = 2_000_000
BATCH = 1000
TRACKING_PARAMETER = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref_src)$", re.IGNORECASE)


def known_form(url: str) -> str:
    """The URL as the crawl state remembers it: no fragment, no tracking parameters, host lower-case."""
    parts = urlsplit(url.strip())
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETER.match(k)
    ]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def url_digest(url: str) -> str:
    """64 bits of SHA-1 of the URL's known form: what the state stores per article URL."""
    return hashlib.sha1(known_form(url).encode("utf-8")).hexdigest()[:DIGEST_CHARS]


class CrawlState:
    """Known article URLs per source (a sorted set of digests, newest kept when over the bound) and
    per discovery page its ETag / Last-Modified and the discovery pages it linked to."""

    def __init__(
        self, client: redis.Redis, prefix: str = "newsdesk", max_urls: int = DEFAULT_MAX_URLS
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.max_urls = max_urls

    def known_key(self, source: str) -> str:
        return f"{self.prefix}:crawl:known:{source}"

    def pages_key(self, source: str) -> str:
        return f"{self.prefix}:crawl:pages:{source}"

    def known_digests(self, source: str) -> set[str]:
        with translated_errors("read known urls"):
            return set(self.client.zrange(self.known_key(source), 0, -1))

    def mark_known(self, source: str, urls: Iterable[str], at: float | None = None) -> int:
        """Remember `urls` as handed on; trims the oldest beyond the bound. Returns how many were new."""
        score = at if at is not None else time.time()
        added = 0
        digests = [url_digest(u) for u in urls]
        with translated_errors("mark known urls"):
            for start in range(0, len(digests), BATCH):
                chunk = digests[start : start + BATCH]
                if chunk:
                    added += self.client.zadd(self.known_key(source), {d: score for d in chunk})
            if added:
                self.client.zremrangebyrank(self.known_key(source), 0, -(self.max_urls + 1))
        return added

    def count_known(self, source: str) -> int:
        with translated_errors("count known urls"):
            return int(self.client.zcard(self.known_key(source)))

    def bytes_per_url(self, source: str) -> float | None:
        """Redis's own MEMORY USAGE of the known-URL set, divided by its size."""
        with translated_errors("measure known urls"):
            count = self.client.zcard(self.known_key(source))
            if not count:
                return None
            used = self.client.memory_usage(self.known_key(source), samples=0)
        return used / count if used else None

    def page_validators(self, source: str) -> dict[str, dict[str, Any]]:
        with translated_errors("read page validators"):
            raw = self.client.hgetall(self.pages_key(source))
        pages = {}
        for url, value in raw.items():
            try:
                pages[url] = json.loads(value)
            except ValueError:
                continue
        return pages

    def save_page_validators(self, source: str, pages: dict[str, dict[str, Any]]) -> None:
        if not pages:
            return
        with translated_errors("save page validators"):
            items = [(url, json.dumps(value, separators=(",", ":"))) for url, value in pages.items()]
            for start in range(0, len(items), BATCH):
                self.client.hset(self.pages_key(source), mapping=dict(items[start : start + BATCH]))

    def forget(self, source: str) -> None:
        with translated_errors("forget crawl state"):
            self.client.delete(self.known_key(source), self.pages_key(source))

    def sources(self) -> list[str]:
        with translated_errors("list crawl state"):
            keys = self.client.scan_iter(match=f"{self.prefix}:crawl:known:*", count=500)
            return sorted(k.rsplit(":", 1)[1] for k in keys)
