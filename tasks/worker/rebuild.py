"""Rebuilds what Redis remembers from the archive: dedupe claims, the re-check schedule, crawl state.

Redis may be lost (a new instance, a flush); the index holds enough to put each piece back.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import redis
from elasticsearch import Elasticsearch

from index.client import build_client
from index.crawl_runs import ingested_urls
from index.minhash import minhash_record, write_minhashes
from index.query import scan_articles
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import load_sources
from newsdesk.state.claims import ContentClaims, UrlClaims
from newsdesk.state.client import build_redis
from newsdesk.state.crawl_state import CrawlState
from newsdesk.state.revisits import RecheckSchedule
from tasks.dedupe.identity import canonical_url, document_id
from tasks.dedupe.similarity import content_key

FIELDS = [
    "doc_id",
    "url",
    "final_url",
    "canonical_url",
    "body",
    "published_at",
    "also_seen_at",
]


SIGNATURE_BATCH = 500


def rebuild_dedupe_state(
    es: Elasticsearch,
    client: redis.Redis,
    settings: Settings,
    clear: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Every indexed article becomes a claim again, as when it was first seen; returns what was done.

    Fingerprints, URL owners and verdicts go back into Redis, for good; signatures go into the
    near-duplicate archive (an archive indexed before it existed gets them so), and Redis holds none:
    it only ever holds the articles not yet archived.
    """
    window = settings.dedupe_window_days * 24 * 3600
    content = ContentClaims(client, settings.index_prefix, window)
    urls = UrlClaims(client, settings.index_prefix)
    cleared = content.clear() if clear else 0
    counts = {"cleared_keys": cleared, "articles": 0, "copies": 0}
    signatures: list[dict[str, Any]] = []
    for source in scan_articles(es, settings, FIELDS):
        doc_id = source["doc_id"]
        owner = source.get("final_url") or source["url"]
        urls.restore(doc_id, owner, source.get("canonical_url"))
        key = content_key(source.get("body") or "", source.get("published_at"))
        content.restore_fingerprint(doc_id, key.fingerprint)
        signatures.append(minhash_record(doc_id, key.signature, key.bands, key.day))
        if len(signatures) >= SIGNATURE_BATCH:
            _archive(es, settings, signatures)
        counts["articles"] += 1
        if on_progress is not None:
            on_progress(1)
        for copy in source.get("also_seen_at") or []:
            # A copy's own id, as the dedupe stage derives it, so a re-crawl of it meets its verdict.
            copy_id = document_id(canonical_url(copy["url"]))
            if copy.get("kind") == "url":
                urls.restore(copy_id, owner, canonical_url(copy["url"]))
            else:
                content.restore_verdict(copy_id, copy.get("kind") or "near", doc_id)
            counts["copies"] += 1
    _archive(es, settings, signatures)
    counts["dedupe_bytes"] = content.memory_bytes()
    return counts


def _archive(es: Elasticsearch, settings: Settings, signatures: list[dict[str, Any]]) -> None:
    """Write (and empty) a batch of signatures into the near-duplicate archive."""
    refused = write_minhashes(es, settings, signatures)
    if refused:
        raise TransientError(f"minhash of {refused[0].doc_id} refused: {refused[0].error}")
    signatures.clear()


def rebuild_recheck_schedule(
    es, client: redis.Redis, settings, only_source: str | None = None
) -> dict[str, int]:
    """Schedule every archived, not removed article for re-checks again from the index; counts by source."""
    sources = load_sources(settings.sources_file)
    schedule = RecheckSchedule(client, settings.index_prefix)
    now = time.time()
    pending: dict[str, list[tuple[str, float]]] = {}
    for article in scan_articles(es, settings, ["url", "final_url", "crawl_source", "first_fetched_at"]):
        name = article.get("crawl_source") or ""
        if name not in sources or (only_source and name != only_source):
            continue
        first = article.get("first_fetched_at")
        moment = dt.datetime.fromisoformat(first) if first else dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        pending.setdefault(name, []).append((article.get("final_url") or article["url"], moment.timestamp()))
    return {name: schedule.restore(name, urls, sources[name].recheck, now) for name, urls in pending.items()}


def rebuild_crawl_state(settings: Settings, source: str | None = None) -> dict[str, int]:
    """Mark every URL the archive holds a fate for as known, per source; returns how many were added."""

    state = CrawlState(build_redis(settings), settings.index_prefix, settings.crawl_state_max_urls)
    es = build_client(settings)
    counts: dict[str, int] = {}
    pending: dict[str, list[str]] = {}
    try:
        for name, url in ingested_urls(es, settings, source):
            pending.setdefault(name, []).append(url)
            if len(pending[name]) >= 5000:
                counts[name] = counts.get(name, 0) + state.mark_known(name, pending.pop(name))
        for name, urls in pending.items():
            counts[name] = counts.get(name, 0) + state.mark_known(name, urls)
    finally:
        es.close()
    return counts
