"""Recurring-crawl state in Redis: article URLs already handed on, and validators of discovery pages."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

from newsdesk.state.client import execute_replicated, translated_errors

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


@dataclass(frozen=True)
class ListingReads:
    """`complete`: the last crawl ended normally with no discovery page failed, so every article its
    listings held was found by some crawl; `full_read_at`: when a complete crawl last read every page."""

    complete: bool = False
    full_read_at: float | None = None


class CrawlState:
    """Known article URLs per source, and per discovery page its ETag / Last-Modified and the discovery
    pages it linked to.

    Known URLs are 16-hex-digit digests appended to one Redis string per source and month ("generation"),
    about 16 bytes per URL instead of the ~120 a sorted set costs (benchmarks/crawl_state.py); the oldest
    generations are dropped when a source holds more than `max_urls`.
    """

    def __init__(
        self, client: redis.Redis, prefix: str = "newsdesk", max_urls: int = DEFAULT_MAX_URLS
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.max_urls = max_urls

    def known_key(self, source: str) -> str:
        """The index of a source's generations (a sorted set of generation names)."""
        return f"{self.prefix}:crawl:known:{source}"

    def _generation_key(self, source: str, generation: str) -> str:
        return f"{self.prefix}:crawl:known:{source}:{generation}"

    def pages_key(self, source: str) -> str:
        return f"{self.prefix}:crawl:pages:{source}"

    def _generations(self, source: str) -> list[str]:
        return list(self.client.zrange(self.known_key(source), 0, -1))

    def known_digests(self, source: str) -> set[str]:
        with translated_errors("read known urls"):
            generations = self._generations(source)
            values = (
                self.client.mget([self._generation_key(source, g) for g in generations])
                if generations
                else []
            )
        digests: set[str] = set()
        for value in values:
            if value:
                digests.update(value[i : i + DIGEST_CHARS] for i in range(0, len(value), DIGEST_CHARS))
        return digests

    def mark_known(
        self, source: str, urls: Iterable[str], at: float | None = None, pipe=None, min_replicas: int = 0
    ) -> int:
        """Remember `urls` as handed on; drops the oldest generations beyond the bound. Returns how many.

        `pipe`: a pipeline holding other commands (the hand-off's count of the run) to send with these, in
        one round trip; `min_replicas`: how many replicas must hold them (and all before) when it returns.
        """
        digests = sorted({url_digest(u) for u in urls})
        when = at if at is not None else time.time()
        generation = time.strftime("%Y%m", time.gmtime(when))
        with translated_errors("mark known urls"):
            pipe = self.client.pipeline(transaction=False) if pipe is None else pipe
            if digests:
                pipe.zadd(self.known_key(source), {generation: int(generation)})
                generation_key = self._generation_key(source, generation)
                for start in range(0, len(digests), BATCH):
                    pipe.append(generation_key, "".join(digests[start : start + BATCH]))
            pipe.zrange(self.known_key(source), 0, -1)
            generations = list(execute_replicated(pipe, min_replicas, "mark known urls")[-1])
            self._trim(source, generations)
        return len(digests)

    def _trim(self, source: str, generations: list[str]) -> None:
        if len(generations) < 2:
            return
        sizes = [self.client.strlen(self._generation_key(source, g)) // DIGEST_CHARS for g in generations]
        total = sum(sizes)
        for generation, size in zip(generations[:-1], sizes[:-1], strict=True):
            if total <= self.max_urls:
                break
            self.client.delete(self._generation_key(source, generation))
            self.client.zrem(self.known_key(source), generation)
            total -= size

    def count_known(self, source: str) -> int:
        return len(self.known_digests(source))

    def bytes_per_url(self, source: str) -> float | None:
        """Redis's own MEMORY USAGE of the source's known-URL keys, divided by the URLs they hold."""
        with translated_errors("measure known urls"):
            generations = self._generations(source)
            keys = [self.known_key(source)] + [self._generation_key(source, g) for g in generations]
            used = sum(self.client.memory_usage(k, samples=0) or 0 for k in keys)
        count = self.count_known(source)
        return used / count if count else None

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

    def forget_page_validators(self, source: str, urls: list[str]) -> None:
        """These URLs are no discovery pages (any more): a re-crawl no longer reads them for links."""
        if not urls:
            return
        with translated_errors("forget page validators"):
            for start in range(0, len(urls), BATCH):
                self.client.hdel(self.pages_key(source), *urls[start : start + BATCH])

    def _listings_key(self, source: str) -> str:
        return f"{self.prefix}:crawl:listings:{source}"

    def listing_reads(self, source: str) -> ListingReads:
        """How the source's last crawls read its listings (see `ListingReads`)."""
        with translated_errors("read listing reads"):
            fields = self.client.hgetall(self._listings_key(source))
        full_read_at = float(fields["full_read_at"]) if fields.get("full_read_at") else None
        return ListingReads(complete=fields.get("complete") == "1", full_read_at=full_read_at)

    def record_listing_read(self, source: str, complete: bool, every_page: bool, at: float) -> None:
        """After a crawl: whether it ended normally with no discovery page failed, and read every page."""
        key = self._listings_key(source)
        with translated_errors("save listing reads"):
            if not complete:
                self.client.hdel(key, "complete")
            elif every_page:
                self.client.hset(key, mapping={"complete": "1", "full_read_at": repr(at)})
            else:
                self.client.hset(key, "complete", "1")

    def forget_known(self, source: str) -> None:
        """Drop the known URLs of a source (what losing Redis would do); validators stay."""
        with translated_errors("forget known urls"):
            keys = [self._generation_key(source, g) for g in self._generations(source)]
            self.client.delete(self.known_key(source), self._listings_key(source), *keys)

    def sources(self) -> list[str]:
        with translated_errors("list crawl state"):
            keys = self.client.scan_iter(match=f"{self.prefix}:crawl:known:*", count=500)
            return sorted({k.split(":crawl:known:", 1)[1].split(":", 1)[0] for k in keys})
