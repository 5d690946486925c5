"""Per-process clients and the recording of what happened to each page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from elasticsearch import Elasticsearch

from index.client import build_client
from index.minhash import archived_candidates, minhash_record, write_minhashes
from index.writer import merge_also_seen_many, write_dead_letter
from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.errors import Rejected, TransientError
from newsdesk.kernel.fates import fate_of_rejection
from newsdesk.kernel.messages import Article
from newsdesk.kernel.redaction import redact_headers, scrub
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import ExtractionHints, Source, load_sources
from newsdesk.kernel.url_rules import UrlRules
from newsdesk.state.claims import (
    SETTLE_SECONDS,
    ContentClaims,
    SeenElsewhere,
    UrlClaims,
    upgrade_dedupe_layout,
)
from newsdesk.state.client import build_redis
from newsdesk.state.metrics import Metrics
from newsdesk.state.reliable.deadletters import DeadLetterFallback
from newsdesk.state.reliable.index_buffer import IndexBuffer
from newsdesk.state.revisits import GoneWatch
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import closest_archived
from tasks.dedupe.similarity import ContentKey, band_keys, day_number
from tasks.enrich.enricher import Enricher

log = logging.getLogger(__name__)
T = TypeVar("T")
# A bulk write of one batch takes seconds; an in-flight batch this old belonged to a worker that died.
# Replaying a batch that is merely slow is harmless: every write is idempotent by document id.
INDEX_BATCH_STALE_SECONDS = 60
# A near-duplicate search takes milliseconds; one older than this may have missed an article that has
# left Redis since (it does `SETTLE_SECONDS` after it became searchable), so it is done again.
CLAIM_SEARCH_FRESH_SECONDS = SETTLE_SECONDS / 3
CLAIM_SEARCH_ATTEMPTS = 3


def _opened(name: str) -> property:
    """A client or store that exists once `open()` ran: opened on first use where no hook opened it."""

    def get(self: Resources):
        if getattr(self, name) is None:
            self.open()
        return getattr(self, name)

    return property(get)


class Resources:
    """Clients opened in a worker's start-up hook, plus the bookkeeping every stage shares."""

    es: Elasticsearch = _opened("_es")
    runs: RunStore = _opened("_runs")
    claims: UrlClaims = _opened("_claims")
    index_buffer: IndexBuffer = _opened("_index_buffer")
    content: ContentClaims = _opened("_content")
    seen: SeenElsewhere = _opened("_seen")
    gone: GoneWatch = _opened("_gone")
    metrics: Metrics = _opened("_metrics")
    dead_letter_fallback: DeadLetterFallback = _opened("_dead_letter_fallback")

    def __init__(self, settings: Settings, upgrade_layout: bool = True) -> None:
        self.settings = settings
        # A worker moves dedupe state an older newsdesk left; a command line borrowing these clients does not.
        self.upgrade_layout = upgrade_layout
        self._es: Elasticsearch | None = None
        self._runs: RunStore | None = None
        self._claims: UrlClaims | None = None
        self._index_buffer: IndexBuffer | None = None
        self._content: ContentClaims | None = None
        self._seen: SeenElsewhere | None = None
        self._enricher: Enricher | None = None
        self._sources: dict[str, Source] | None = None
        self._gone: GoneWatch | None = None
        self._metrics: Metrics | None = None
        self._dead_letter_fallback: DeadLetterFallback | None = None

    def open(self) -> None:
        self._es = build_client(self.settings)
        client = build_redis(self.settings)
        replicas = self.settings.redis_min_replicas
        self._runs = RunStore(client, self.settings.index_prefix, replicas)
        self._claims = UrlClaims(client, self.settings.index_prefix)
        self._index_buffer = IndexBuffer(
            client, self.settings.index_prefix, INDEX_BATCH_STALE_SECONDS, replicas
        )
        window = self.settings.dedupe_window_days * 24 * 3600
        self._content = ContentClaims(client, self.settings.index_prefix, window)
        self._seen = SeenElsewhere(client, self.settings.index_prefix, 2 * window)
        self._gone = GoneWatch(client, self.settings.index_prefix)
        self._metrics = Metrics(client, self.settings.index_prefix)
        self._dead_letter_fallback = DeadLetterFallback(client)
        if not self.upgrade_layout:
            return
        try:
            moved = upgrade_dedupe_layout(client, self.settings.index_prefix)
        except TransientError as exc:  # Redis away at start-up: the next process start moves it
            log.warning("dedupe state of an older layout not moved yet: %s", exc)
        else:
            if any(moved.values()):
                log.info("dedupe state moved to the sharded layout: %s", moved)

    @property
    def enricher(self) -> Enricher:
        # Loaded on first use, not at start-up: only the processes that enrich pay for the gazetteer.
        if self._enricher is None:
            self._enricher = Enricher.from_settings(self.settings)
        return self._enricher

    def extraction_hints(self, source: str | None) -> ExtractionHints | None:
        """The source's extraction hints from the registry, read once per process; None when unknown."""
        found = self._registered(source)
        return found.extraction if found else None

    def url_rules(self, source: str | None) -> UrlRules | None:
        """The source's URL rules (its publication-date window) from the registry; None when unknown."""
        found = self._registered(source)
        return UrlRules.from_source(found) if found else None

    def _registered(self, source: str | None) -> Source | None:
        if self._sources is None:
            self._sources = load_sources(self.settings.sources_file)
        return self._sources.get(source or "")

    def claim_content(self, doc_id: str, key: ContentKey, variant: bool = False) -> tuple[str, str]:
        """Is this text new (kind "new"), or an "exact"/"near" copy of the canonical doc_id returned?

        The archive is searched first, then Redis decides atomically with what it holds besides: the
        articles not yet settled in the archive. A search older than `CLAIM_SEARCH_FRESH_SECONDS` is not
        used: an article it missed could have settled (and left Redis) since. No search is needed for
        another address of a claimed document (`variant`: its claim, or its verdict, decides) nor for a
        text some article claimed already (an exact copy, or a re-crawl).
        """
        if variant:
            return self._claim(doc_id, key, None, "variant")
        if self.content.text_is_claimed(key.fingerprint):
            return self._claim(doc_id, key, None, "")
        for _ in range(CLAIM_SEARCH_ATTEMPTS):
            searched = time.monotonic()
            archived_self, found = archived_candidates(self.es, self.settings, doc_id, key.bands)
            closest = closest_archived(
                key, [(c.doc_id, c.signature, c.day) for c in found], self.settings.dedupe_max_days_apart
            )
            if time.monotonic() - searched <= CLAIM_SEARCH_FRESH_SECONDS:
                return self._claim(doc_id, key, closest, "archived" if archived_self else "")
        raise TransientError(f"near-duplicate search slower than {CLAIM_SEARCH_FRESH_SECONDS} s, {doc_id}")

    def _claim(
        self, doc_id: str, key: ContentKey, closest: tuple[str, float] | None, mode: str
    ) -> tuple[str, str]:
        return self.content.claim(
            doc_id,
            key.fingerprint,
            key.signature,
            key.bands,
            key.day,
            self.settings.dedupe_threshold,
            self.settings.dedupe_max_days_apart,
            archived=closest,
            mode=mode,
        )

    def archive_signatures(self, payloads: list[dict[str, Any]]) -> None:
        """Archive the signatures of articles just written, then let Redis forget them (`settle`)."""
        records = []
        for payload in payloads:
            if payload.get("content_signature"):  # none on an article queued by an older newsdesk
                signature = bytes.fromhex(payload["content_signature"])
                day = day_number(payload.get("published_at"))
                records.append(minhash_record(payload["doc_id"], signature, band_keys(signature), day))
        if not records:
            return
        refused = write_minhashes(self.es, self.settings, records)
        for result in refused:
            # The article is indexed; only its near-copies past the Redis window would go unnoticed.
            log.warning("minhash of %s refused: %s", result.doc_id, result.error)
        unsettled = {result.doc_id for result in refused}
        self.content.settle([record["doc_id"] for record in records if record["doc_id"] not in unsettled])

    def rejecting(self, stage: str, payload: dict[str, Any] | Article, work: Callable[[], T]) -> T | None:
        """Run one stage's work; a Rejected is recorded with its reason and ends this page's journey."""
        try:
            return work()
        except Rejected as exc:
            message = payload.to_dict() if isinstance(payload, Article) else payload
            log.info("stage %s rejected %s: %s", stage, message.get("url"), exc, extra={"stage": stage})
            self.record_rejection(stage, message, exc)
            return None

    def record_rejection(self, stage: str, payload: dict[str, Any], exc: Rejected) -> None:
        """Store the payload with its reason, then count it for the run: never a silent drop."""
        self._dead_letter(stage, payload, exc.reason, exc.detail, attempts=1)
        fate = fate_of_rejection(exc.reason)
        self.runs.record_outcome(payload.get("run_id"), payload.get("url", ""), fate, str(exc))

    def record_failure(self, stage: str, payload: Any, reason: str, detail: str, attempts: int) -> None:
        """A task that gave up (retries exhausted, or a bug): keep the payload wherever we still can."""
        payload = payload if isinstance(payload, dict) else {"raw": repr(payload)[:10_000]}
        try:
            self._dead_letter(stage, payload, reason, detail, attempts)
        except (TransientError, Rejected) as exc:
            log.error("dead-letter index unavailable (%s); keeping the failure in Redis", exc)
            self.dead_letter_fallback.keep(self._record(stage, payload, reason, detail, attempts))
        try:
            self.runs.record_outcome(payload.get("run_id"), payload.get("url", ""), "failed", reason)
        except TransientError:
            log.exception("could not count a failure for run %s", payload.get("run_id"))

    def record_stage_metrics(self, runs: list[tuple[str, str, int]]) -> None:
        """Stage latencies and outcomes for `newsdesk metrics`; never fails a task (Redis being away shows
        up everywhere else)."""
        try:
            self.metrics.record_stages(runs)
        except TransientError as exc:
            log.warning("stage metrics not recorded: %s", exc)

    def list_copies_of(
        self, canonical_doc_ids: list[str], created_with: dict[str, set[str]] | None = None
    ) -> dict[str, str]:
        """Bring each canonical document's `also_seen_at` up to date with every copy gathered in Redis: the
        copies are read in one round trip, the documents read and updated in one request each.

        `created_with`: the copies' URLs each document was just created with. A document that lists
        every copy gathered now is not read at all (a read of a document not yet refreshed makes
        Elasticsearch refresh the index).
        """
        gathered = self.seen.entries_of(canonical_doc_ids) if canonical_doc_ids else {}
        created_with = created_with or {}
        to_merge = {
            doc_id: entries
            for doc_id, entries in gathered.items()
            if not {entry["url"] for entry in entries} <= created_with.get(doc_id, set())
        }
        outcomes = {doc_id: "noop" for doc_id in gathered} | merge_also_seen_many(
            self.es, self.settings, to_merge
        )
        # Listed on a document that exists: Redis need not keep them ("missing" waits for its document).
        self.seen.forget(
            {
                doc_id: [entry["url"] for entry in entries]
                for doc_id, entries in gathered.items()
                if outcomes[doc_id] in ("updated", "noop")
            }
        )
        return outcomes

    def _record(self, stage: str, payload: dict[str, Any], reason: str, detail: str, attempts: int) -> dict:
        # A dead letter keeps the payload for replay: no credential header or secret-looking text in it.
        if isinstance(payload.get("headers"), dict):
            payload = {**payload, "headers": redact_headers(payload["headers"])}
        if isinstance(payload.get("error"), str):
            payload = {**payload, "error": scrub(payload["error"])}
        return {
            "url": payload.get("url") or "unknown",
            "crawl_source": payload.get("crawl_source"),
            "stage": stage,
            "reason": reason,
            "detail": scrub(detail[:5000]),
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
        """Move failures kept in Redis while Elasticsearch was down into the dead-letter index: how many."""

        def write(record: dict[str, Any]) -> str:
            result = write_dead_letter(self.es, self.settings, record)
            if result.outcome == "retry":
                raise TransientError(f"dead letter: {result.error}")
            if result.outcome == "rejected":
                log.error("dead-letter index refused a pending record: %s", result.error)
            return "rejected" if result.outcome == "rejected" else "written"

        return self.dead_letter_fallback.drain(write, limit)
