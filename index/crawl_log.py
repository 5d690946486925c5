"""The crawl log in Elasticsearch: one document per URL a crawl fetched, with its fate and why.

Written from the run's Redis record when the run is recorded, so Kibana and `newsdesk runs show` can
answer "what became of this URL?" long after Redis has let the run go.
"""

from __future__ import annotations

import hashlib
from typing import Any

from elasticsearch import Elasticsearch

from index.bulk import run_bulk
from index.crawl_runs import write_crawl_run
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.redaction import scrub
from newsdesk.kernel.settings import Settings

BATCH = 2000
CRAWL_LOG_PROPERTIES: dict[str, Any] = {
    "run_id": {"type": "keyword"},
    "crawl_source": {"type": "keyword"},
    "url": {"type": "keyword"},
    "fate": {"type": "keyword"},
    "detail": {"type": "text"},
    "recorded_at": {"type": "date"},
}


def crawl_log_documents(
    run_id: str, crawl_source: str, fates: dict[str, tuple[str, str]], recorded_at: str
) -> list[tuple[str, dict[str, Any]]]:
    """(document id, document) per URL: the id is the run's and the URL's, so a second write replaces."""
    documents = []
    for url, (fate, detail) in sorted(fates.items()):
        doc_id = f"{run_id}:{hashlib.sha1(url.encode('utf-8')).hexdigest()[:20]}"
        document = {
            "run_id": run_id,
            "crawl_source": crawl_source,
            "url": url,
            "fate": fate,
            "detail": scrub(detail) or None,
            "recorded_at": recorded_at,
        }
        documents.append((doc_id, document))
    return documents


def write_crawl_log(
    es: Elasticsearch, settings: Settings, documents: list[tuple[str, dict[str, Any]]]
) -> int:
    """Index the documents into `<prefix>-crawl-log`, a few thousand a request; returns how many were
    refused. require_alias: without `newsdesk setup` this fails instead of creating an unmapped index.

    Raises TransientError when an entry may pass later (a shard unavailable while a node is down, a 429):
    the ids are the run's and the URLs', so writing them all again replaces what did land.
    """
    refused = 0
    for start in range(0, len(documents), BATCH):
        operations: list[dict[str, Any]] = []
        for doc_id, document in documents[start : start + BATCH]:
            operations.append(
                {"index": {"_index": settings.crawl_log_index, "_id": doc_id, "require_alias": True}}
            )
            operations.append(document)
        results = run_bulk(es, operations, "write crawl log")
        again = [result for result in results if result.outcome == "retry"]
        if again:
            raise TransientError(f"{len(again)} crawl-log entries refused for now: {again[0].error}")
        refused += sum(1 for result in results if result.outcome == "rejected")
    return refused


def archive_run(
    es: Elasticsearch, settings: Settings, run: dict[str, Any], fates: dict[str, tuple[str, str]], at: str
) -> str | None:
    """Write the run's record to `<prefix>-crawl-runs` and each URL's fate to `<prefix>-crawl-log`;
    returns what could not be written (a few refused entries), or None. Raises what the writes raise."""
    write_crawl_run(es, settings, run)
    if not fates:
        return None
    documents = crawl_log_documents(run["run_id"], run.get("crawl_source", ""), fates, at)
    refused = write_crawl_log(es, settings, documents)
    return f"{refused} of {len(documents)} crawl-log entries refused" if refused else None
