"""The near-duplicate archive: every canonical article's MinHash bands, searched for near-copies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from index.bulk import WriteResult, run_bulk
from index.client import translated_errors
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings

# Candidates read back per search, the best-scored first: a true near-copy shares several of its 32 bands.
CANDIDATES = 20


@dataclass(frozen=True)
class ArchivedSignature:
    """One canonical article's MinHash signature, as the archive holds it."""

    doc_id: str
    signature: bytes
    day: int


def minhash_record(doc_id: str, signature: bytes, bands: list[str], day: int) -> dict[str, Any]:
    return {"doc_id": doc_id, "bands": bands, "signature": signature.hex(), "day": day}


def write_minhashes(
    es: Elasticsearch, settings: Settings, records: list[dict[str, Any]]
) -> list[WriteResult]:
    """Store signatures by the article's doc_id: a rewrite (a revision, a retry) replaces the old bands.

    A refusal that may pass raises TransientError; the ones that will not are returned.
    """
    operations: list[dict[str, Any]] = []
    for record in records:
        operations += [{"index": {"_index": settings.minhash_index, "_id": record["doc_id"]}}, record]
    results = run_bulk(es, operations, "bulk write minhashes")
    for result in results:
        if result.outcome == "retry":
            raise TransientError(f"minhash of {result.doc_id}: {result.error}")
    return [result for result in results if result.outcome == "rejected"]


def candidates_query(doc_id: str, bands: list[str]) -> dict[str, Any]:
    """The article itself, and every archived article sharing a band with it, the closest first."""
    # One scored clause per band, not a filter: template-like texts share a band or two with many
    # articles, and a filter returned an arbitrary 50 of those, missing true originals on a 5,000-article
    # crawl (48 stories counted twice, measured). Scored, the articles sharing the most (and the rarest)
    # bands come first.
    clauses: list[dict[str, Any]] = [{"term": {"bands": band}} for band in bands]
    # Found (and first) whatever its bands now are: a revised article must not look new to itself.
    clauses.append({"ids": {"values": [doc_id], "boost": 1000}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def archived_candidates(
    es: Elasticsearch, settings: Settings, doc_id: str, bands: list[str]
) -> tuple[bool, list[ArchivedSignature]]:
    """Is `doc_id` itself archived (a canonical article already), and which others share a band with it?

    A search, not a realtime get: it sees what was written before the last refresh, and the dedupe state
    in Redis keeps every article that may not be searchable yet (see ContentClaims).
    """
    with translated_errors("search near-duplicate candidates"):
        found = es.search(
            index=settings.minhash_index,
            query=candidates_query(doc_id, bands),
            size=CANDIDATES + 1,
            source=["signature", "day"],
            track_total_hits=False,
        )
    archived = False
    candidates = []
    for hit in found["hits"]["hits"]:
        if hit["_id"] == doc_id:
            archived = True
            continue
        source = hit["_source"]
        candidates.append(ArchivedSignature(hit["_id"], bytes.fromhex(source["signature"]), source["day"]))
    return archived, candidates
