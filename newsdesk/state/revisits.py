"""Revision-tracking state in Redis: when each article is due again, since when it is gone, where listed."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

from newsdesk.kernel.recheck import Recheck
from newsdesk.state.client import translated_errors
from newsdesk.state.crawl_state import known_form

BATCH = 1000


class RecheckSchedule:
    """Per source, a sorted set of article URLs by the time they are due for a re-check, and per URL
    when it was first seen and the ETag / Last-Modified of its last full answer (for a conditional GET)."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix

    def due_key(self, source: str) -> str:
        return f"{self.prefix}:recheck:due:{source}"

    def meta_key(self, source: str) -> str:
        return f"{self.prefix}:recheck:meta:{source}"

    def due(self, source: str, now: float | None = None, limit: int = 5000) -> dict[str, dict[str, Any]]:
        """The URLs due by `now` (oldest due first, at most `limit`) with what is known of each."""
        now = time.time() if now is None else now
        with translated_errors("read due re-checks"):
            urls = self.client.zrangebyscore(self.due_key(source), "-inf", now, start=0, num=limit)
            values = self.client.hmget(self.meta_key(source), urls) if urls else []
        return {url: _loads(value) for url, value in zip(urls, values, strict=True)}

    def record_checks(self, source: str, checks: list[dict[str, Any]], recheck: Recheck) -> dict[str, int]:
        """Reschedule every article fetched in a crawl; returns how many were scheduled and dropped.

        Each check is {"url", "status", "at" (epoch seconds), "etag", "last_modified"}; a 200 replaces the
        stored validators, a 304 keeps them. Past the source's horizon an article leaves the schedule.
        """
        counts = {"scheduled": 0, "dropped": 0}
        # One entry per article: a tracking-parameter copy is the same page, checked once.
        checks = list(
            {
                known_form(check["url"]): {**check, "url": known_form(check["url"])} for check in checks
            }.values()
        )
        for start in range(0, len(checks), BATCH):
            chunk = checks[start : start + BATCH]
            urls = [check["url"] for check in chunk]
            with translated_errors("read re-check state"):
                stored = self.client.hmget(self.meta_key(source), urls)
            pipe = self.client.pipeline(transaction=False)
            for check, raw in zip(chunk, stored, strict=True):
                meta = _loads(raw)
                meta.setdefault("first_seen", check["at"])
                meta["last_checked"] = check["at"]
                meta["last_status"] = check["status"]
                if check["status"] == 200:
                    meta["etag"] = check.get("etag")
                    meta["last_modified"] = check.get("last_modified")
                elif check["status"] != 304:
                    # Gone or failing: the next check must fetch in full, or a restored page would 304.
                    meta.pop("etag", None)
                    meta.pop("last_modified", None)
                due = recheck.next_due(meta["first_seen"], check["at"])
                if due is None:
                    pipe.zrem(self.due_key(source), check["url"])
                    pipe.hdel(self.meta_key(source), check["url"])
                    counts["dropped"] += 1
                else:
                    pipe.zadd(self.due_key(source), {check["url"]: due})
                    pipe.hset(self.meta_key(source), check["url"], json.dumps(meta, separators=(",", ":")))
                    counts["scheduled"] += 1
            with translated_errors("save re-check state"):
                pipe.execute()
        return counts

    def restore(self, source: str, articles: list[tuple[str, float]], recheck: Recheck, now: float) -> int:
        """Schedule archived articles again after Redis lost the schedule: (url, first seen) each, checked
        in full next time (their validators are gone); an entry already scheduled is left alone."""
        restored = 0
        for start in range(0, len(articles), BATCH):
            pipe = self.client.pipeline(transaction=False)
            for url, first_seen in articles[start : start + BATCH]:
                due = recheck.next_due(first_seen, now)
                if due is not None:
                    url = known_form(url)
                    pipe.zadd(self.due_key(source), {url: due}, nx=True)
                    pipe.hsetnx(self.meta_key(source), url, json.dumps({"first_seen": first_seen}))
                    restored += 1
            with translated_errors("restore re-check schedule"):
                pipe.execute()
        return restored

    def make_due(self, source: str, at: float = 0.0) -> int:
        """Make every scheduled article of `source` due at `at` (for `newsdesk crawl --recheck-all`)."""
        with translated_errors("make re-checks due"):
            urls = self.client.zrange(self.due_key(source), 0, -1)
            for start in range(0, len(urls), BATCH):
                self.client.zadd(self.due_key(source), {url: at for url in urls[start : start + BATCH]})
        return len(urls)

    def count(self, source: str) -> int:
        with translated_errors("count re-checks"):
            return int(self.client.zcard(self.due_key(source)))


class GoneWatch:
    """Since when each archived article has answered "gone", so a removal needs a grace period to pass."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.key = f"{prefix}:removal:gone"

    def observe(self, doc_id: str, at: str) -> str:
        """Note that `doc_id` is gone at `at`; returns when it was first seen gone (kept until it answers)."""
        with translated_errors("note a gone article"):
            pipe = self.client.pipeline()
            pipe.hsetnx(self.key, doc_id, at)
            pipe.hget(self.key, doc_id)
            _, first = pipe.execute()
        return first

    def clear(self, doc_ids: list[str]) -> None:
        """The articles answered with content again: the grace period starts afresh next time."""
        if doc_ids:
            with translated_errors("clear gone articles"):
                self.client.hdel(self.key, *doc_ids)


@dataclass(frozen=True)
class ListingReport:
    """What one crawl's listings said: how many articles they listed, and which left or came back."""

    listed: int
    # (url, epoch seconds it was last listed) for articles newly past the grace period.
    unlisted: list[tuple[str, float]]
    relisted: list[str]


class ListingPresence:
    """Per source, when each article URL was last found on a listing, feed or sitemap.

    Each discovery page's article links are kept too, so a page that answers 304 (or a sitemap its index
    says is unchanged) still vouches for the articles it listed. An article missing from every listing
    for longer than the grace period is reported once, and reported again as relisted when it returns.
    """

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, kind: str, source: str) -> str:
        return f"{self.prefix}:listed:{kind}:{source}"

    def record_crawl(
        self,
        source: str,
        fetched: dict[str, list[str]],
        unchanged: list[str],
        at: float,
        grace_seconds: float | None,
        decided_elsewhere: set[str] | frozenset[str] = frozenset(),
    ) -> ListingReport:
        """Record the listings of a crawl at `at`: `fetched` page → the article URLs it lists now,
        `unchanged` the pages that answered "not modified". With `grace_seconds` (only after a complete
        crawl), report the articles listed by none for longer than that, except `decided_elsewhere` (known
        forms of articles whose own address answered "gone" in this crawl: that answer decides)."""
        pages, last_listed, gone = (
            self._key("pages", source),
            self._key("at", source),
            self._key("gone", source),
        )
        listed: set[str] = set()
        with translated_errors("record listings"):
            pipe = self.client.pipeline(transaction=False)
            for page, urls in fetched.items():
                kept = sorted({known_form(url) for url in urls})
                listed.update(kept)
                pipe.hset(pages, page, json.dumps(kept, separators=(",", ":")))
            pipe.execute()
            for start in range(0, len(unchanged), BATCH):
                for value in self.client.hmget(pages, unchanged[start : start + BATCH]):
                    listed.update(_loads_list(value))
            relisted: list[str] = []
            ordered = sorted(listed)
            for start in range(0, len(ordered), BATCH):
                chunk = ordered[start : start + BATCH]
                flags = self.client.smismember(gone, chunk)
                back = [url for url, flag in zip(chunk, flags, strict=True) if flag]
                pipe = self.client.pipeline(transaction=False)
                pipe.zadd(last_listed, {url: at for url in chunk})
                if back:
                    pipe.srem(gone, *back)
                pipe.execute()
                relisted += back
            unlisted: list[tuple[str, float]] = []
            if grace_seconds is not None:
                stale = self.client.zrangebyscore(last_listed, "-inf", at - grace_seconds, withscores=True)
                for start in range(0, len(stale), BATCH):
                    chunk = stale[start : start + BATCH]
                    flags = self.client.smismember(gone, [url for url, _ in chunk])
                    fresh = [
                        (url, score)
                        for (url, score), flag in zip(chunk, flags, strict=True)
                        if not flag and url not in decided_elsewhere
                    ]
                    if fresh:
                        self.client.sadd(gone, *[url for url, _ in fresh])
                    unlisted += fresh
        return ListingReport(len(listed), unlisted, relisted)

    def unreport(self, source: str, report: ListingReport) -> None:
        """Undo what `record_crawl` reported (its hand-off failed), so the next complete crawl reports it."""
        gone = self._key("gone", source)
        with translated_errors("undo listing report"):
            pipe = self.client.pipeline(transaction=False)
            if report.unlisted:
                pipe.srem(gone, *[url for url, _ in report.unlisted])
            if report.relisted:
                pipe.sadd(gone, *report.relisted)
            pipe.execute()


def _loads(value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    try:
        loaded = json.loads(value)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _loads_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return []
    return [item for item in loaded if isinstance(item, str)] if isinstance(loaded, list) else []
