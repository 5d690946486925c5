"""Dead links per source: URLs that answered 404 or 410, re-checked on a slow, backing-off cadence.

A site's pages link to paths that no longer exist; a crawl that fetched each of them again every time
would spend most of its requests on them. Each is remembered with when it was first and last found dead
and when to look again: the wait doubles with every answer that it is still dead, from `first_wait` up
to `longest_wait`, so a page that comes back is found, late but surely.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import redis

from newsdesk.state.client import translated_errors
from newsdesk.state.crawl_state import url_digest

BATCH = 1000


@dataclass(frozen=True)
class DeadLink:
    url: str
    status: int
    first_seen: float
    last_seen: float
    checks: int
    next_check: float

    def to_json(self) -> str:
        return json.dumps(self.__dict__, separators=(",", ":"))


def next_wait(checks: int, first_wait: float, longest_wait: float) -> float:
    """How long to wait after the `checks`-th answer that a link is dead (1 for the first)."""
    return min(first_wait * 2 ** max(0, checks - 1), longest_wait)


class DeadLinks:
    """One Redis hash per source: URL digest -> the link's record (JSON)."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, source: str) -> str:
        return f"{self.prefix}:crawl:dead:{source}"

    def load(self, source: str) -> dict[str, DeadLink]:
        """Every dead link of the source, by URL digest."""
        with translated_errors("read dead links"):
            raw = self.client.hgetall(self._key(source))
        links = {}
        for digest, value in raw.items():
            try:
                links[digest] = DeadLink(**json.loads(value))
            except (ValueError, TypeError):
                continue  # a record this version cannot read: the link is simply fetched again
        return links

    def record(
        self,
        source: str,
        found: Iterable[tuple[str, int]],
        at: float,
        first_wait: float,
        longest_wait: float,
        known: dict[str, DeadLink] | None = None,
    ) -> int:
        """Note (url, status) answers that a link is dead, at time `at`; `known`: the records the crawl
        started from (so a link found dead again waits longer). Returns how many were written."""
        known = known or {}
        records = {}
        for url, status in found:
            digest = url_digest(url)
            before = known.get(digest)
            checks = before.checks + 1 if before else 1
            records[digest] = DeadLink(
                url=url,
                status=status,
                first_seen=before.first_seen if before else at,
                last_seen=at,
                checks=checks,
                next_check=at + next_wait(checks, first_wait, longest_wait),
            ).to_json()
        if records:
            items = list(records.items())
            with translated_errors("save dead links"):
                for start in range(0, len(items), BATCH):
                    self.client.hset(self._key(source), mapping=dict(items[start : start + BATCH]))
        return len(records)

    def forget(self, source: str, urls: Iterable[str]) -> int:
        """Links that answered again: no longer dead."""
        digests = list({url_digest(url) for url in urls})
        if not digests:
            return 0
        with translated_errors("forget dead links"):
            return int(self.client.hdel(self._key(source), *digests))

    def count(self, source: str) -> int:
        with translated_errors("count dead links"):
            return int(self.client.hlen(self._key(source)))
