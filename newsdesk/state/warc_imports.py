"""WARC records a backfill has handled, per source, so that a re-run (after a crash or ^C) skips them.

A record counts as handled once it was handed to the pipeline or its fate was recorded; the hash maps its
key (WARC-Record-ID, or file#offset without one) to the run that handled it. A record handed on just
before a crash is handed on again by the re-run: the pipeline is idempotent by document id, so that costs
a parse, never a second document.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis

from newsdesk.state.client import translated_errors


class HandledRecords:
    """Per source: the WARC records a backfill already handled, and in which run."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix

    def key(self, source: str) -> str:
        return f"{self.prefix}:warc:handled:{source}"

    def handled_in(self, source: str, record_key: str) -> str | None:
        """The run that handled the record, None when no run has."""
        with translated_errors("read handled warc records"):
            return self.client.hget(self.key(source), record_key)

    def mark(self, source: str, run_id: str, record_keys: Iterable[str], pipe=None) -> None:
        """Record `record_keys` as handled by `run_id` (on `pipe` when given: its owner sends it)."""
        mapping = dict.fromkeys(record_keys, run_id)
        if not mapping:
            return
        with translated_errors("mark warc records handled"):
            (pipe if pipe is not None else self.client).hset(self.key(source), mapping=mapping)

    def count(self, source: str) -> int:
        with translated_errors("count handled warc records"):
            return int(self.client.hlen(self.key(source)))

    def forget(self, source: str) -> None:
        """Forget every handled record of the source: the next backfill hands them all on again."""
        with translated_errors("forget handled warc records"):
            self.client.delete(self.key(source))
