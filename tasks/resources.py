"""Per-process clients and the recording of what happened to each page."""

from __future__ import annotations

import json
import logging
from typing import Any

from elasticsearch import Elasticsearch

from index.client import build_client
from index.writer import WriteResult, write_dead_letter, write_duplicate
from newsdesk.errors import Rejected, TransientError
from newsdesk.redisstore import RunStore, UrlClaims, build_redis, translated_errors, utc_now
from newsdesk.settings import Settings

log = logging.getLogger(__name__)
DEADLETTER_FALLBACK_KEY = "newsdesk:deadletter:pending"
DEADLETTER_UNSTORABLE_KEY = "newsdesk:deadletter:unstorable"


class Resources:
    """Clients opened in a worker's start-up hook, plus the bookkeeping every stage shares."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._es: Elasticsearch | None = None
        self._runs: RunStore | None = None
        self._claims: UrlClaims | None = None

    def open(self) -> None:
        self._es = build_client(self.settings)
        client = build_redis(self.settings)
        self._runs = RunStore(client, self.settings.index_prefix)
        self._claims = UrlClaims(client, self.settings.index_prefix)

    @property
    def es(self) -> Elasticsearch:
        if self._es is None:
            self.open()
        return self._es

    @property
    def runs(self) -> RunStore:
        if self._runs is None:
            self.open()
        return self._runs

    @property
    def claims(self) -> UrlClaims:
        if self._claims is None:
            self.open()
        return self._claims

    def record_rejection(self, stage: str, payload: dict[str, Any], exc: Rejected) -> None:
        """Store the payload with its reason, then count it for the run: never a silent drop."""
        self._dead_letter(stage, payload, exc.reason, exc.detail, attempts=1)
        self.runs.record_outcome(payload.get("run_id"), payload.get("url", ""), "rejected")

    def record_failure(self, stage: str, payload: Any, reason: str, detail: str, attempts: int) -> None:
        """A task that gave up (retries exhausted, or a bug): keep the payload wherever we still can."""
        payload = payload if isinstance(payload, dict) else {"raw": repr(payload)[:10_000]}
        try:
            self._dead_letter(stage, payload, reason, detail, attempts)
        except (TransientError, Rejected) as exc:
            log.error("dead-letter index unavailable (%s); keeping the failure in Redis", exc)
            self._dead_letter_to_redis(stage, payload, reason, detail, attempts)
        try:
            self.runs.record_outcome(payload.get("run_id"), payload.get("url", ""), "failed")
        except TransientError:
            log.exception("could not count a failure for run %s", payload.get("run_id"))

    def record_duplicate(
        self, payload: dict[str, Any], canonical_url: str, doc_id: str, owner_url: str
    ) -> None:
        record = {
            "url": payload["final_url"] or payload["url"],
            "canonical_url": canonical_url,
            "doc_id": doc_id,
            "crawl_source": payload.get("crawl_source"),
            "kind": "url",
            "seen_at": utc_now(),
            "run_id": payload.get("run_id"),
        }
        result = write_duplicate(self.es, self.settings, record)
        if result.outcome == "retry":
            raise TransientError(f"duplicate record: {result.error}")
        if result.outcome == "rejected":
            raise Rejected("duplicate_record_rejected", result.error or "")
        self.runs.record_outcome(payload.get("run_id"), payload.get("url", ""), "duplicate")

    def _record(self, stage: str, payload: dict[str, Any], reason: str, detail: str, attempts: int) -> dict:
        return {
            "url": payload.get("url") or "unknown",
            "crawl_source": payload.get("crawl_source"),
            "stage": stage,
            "reason": reason,
            "detail": detail[:5000],
            "attempts": attempts,
            "run_id": payload.get("run_id"),
            "recorded_at": utc_now(),
            "payload": payload,
        }

    def _dead_letter(
        self, stage: str, payload: dict[str, Any], reason: str, detail: str, attempts: int
    ) -> None:
        result = write_dead_letter(
            self.es, self.settings, self._record(stage, payload, reason, detail, attempts)
        )
        if result.outcome == "retry":
            raise TransientError(f"dead letter: {result.error}")
        if result.outcome == "rejected":
            raise Rejected("dead_letter_rejected", result.error or "")

    def drain_pending_dead_letters(self, limit: int = 10_000) -> int:
        """Move failures kept in Redis while Elasticsearch was down into the dead-letter index; count moved.

        Oldest first; an entry leaves the list only after its write succeeded (one record per URL and
        stage, so a drain interrupted between the two steps rewrites the same record, never a second).
        """
        moved = 0
        client = self.runs.client
        while moved < limit:
            with translated_errors("read pending dead letters"):
                raw = client.lindex(DEADLETTER_FALLBACK_KEY, -1)
            if raw is None:
                break
            try:
                result = write_dead_letter(self.es, self.settings, json.loads(raw))
            except ValueError:
                result = WriteResult("?", "rejected", "not JSON")
            if result.outcome == "retry":
                raise TransientError(f"dead letter: {result.error}")
            with translated_errors("move drained dead letter"):
                pipe = client.pipeline()
                if result.outcome == "rejected":
                    # Never dropped: set aside where an operator can read it, out of the drain's way.
                    log.error("dead-letter index refused a pending record (%s): %.200s", result.error, raw)
                    pipe.lpush(DEADLETTER_UNSTORABLE_KEY, raw)
                pipe.lrem(DEADLETTER_FALLBACK_KEY, -1, raw)
                pipe.execute()
            moved += 1
        return moved

    def _dead_letter_to_redis(
        self, stage: str, payload: dict, reason: str, detail: str, attempts: int
    ) -> None:
        with translated_errors("dead letter fallback"):
            self.runs.client.lpush(
                DEADLETTER_FALLBACK_KEY, json.dumps(self._record(stage, payload, reason, detail, attempts))
            )
