"""Rebuild the dedupe state (URL owners, fingerprints, verdicts in Redis; signatures in the archive)."""

from __future__ import annotations

from typing import Any

import redis
from elasticsearch import Elasticsearch

from index.minhash import minhash_record, write_minhashes
from index.query import scan_articles
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.state.store import ContentClaims, UrlClaims, sharded, translated_errors
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


LAYOUT = "2"  # 2: URL owners, fingerprints and verdicts in sharded maps (newsdesk.state.store.sharded)
DOC_ID_HEX = 40
SIGNATURE_BATCH = 500


def upgrade_dedupe_layout(client: redis.Redis, prefix: str) -> dict[str, int]:
    """Move dedupe state an older newsdesk left (a key per URL owner, one hash each for fingerprints and
    verdicts) into the sharded maps, once: nothing a crawl knew is forgotten by upgrading. Idempotent."""
    marker = f"{prefix}:dedupe:layout"
    moved = {"url_owners": 0, "fingerprints": 0, "verdicts": 0}
    with translated_errors("upgrade dedupe layout"):
        if client.get(marker) == LAYOUT:
            return moved
        owner_keys = [
            key
            for key in client.scan_iter(match=f"{prefix}:url-owner:*", count=1000)
            if len(key.rsplit(":", 1)[1]) == DOC_ID_HEX
        ]
        for start in range(0, len(owner_keys), 500):
            chunk = owner_keys[start : start + 500]
            pipe = client.pipeline(transaction=False)
            for key, owner in zip(chunk, client.mget(chunk), strict=True):
                if owner is not None:
                    # The old layout kept the owner in full: it stays so (its canonical is not known here).
                    pipe.hsetnx(*sharded(f"{prefix}:url-owner", key.rsplit(":", 1)[1]), owner)
                    moved["url_owners"] += 1
            pipe.delete(*chunk)
            pipe.execute()
        for name, kind in (("fingerprints", "fingerprints"), ("verdicts", "verdicts")):
            old = f"{prefix}:dedupe:{name}"
            if client.type(old) != "hash":
                continue
            pipe = client.pipeline(transaction=False)
            for field, value in client.hscan_iter(old, count=1000):
                pipe.hsetnx(*sharded(f"{prefix}:dedupe:{name}", field), value)
                moved[kind] += 1
            pipe.delete(old)
            pipe.execute()
        client.set(marker, LAYOUT)
    return moved


def rebuild_dedupe_state(
    es: Elasticsearch, client: redis.Redis, settings: Settings, clear: bool = True
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
