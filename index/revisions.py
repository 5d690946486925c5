"""Reads an article's history: its current document and every kept revision, removal and restoration."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from index.client import translated_errors
from index.writer import read_current
from newsdesk.settings import Settings

MAX_REVISIONS = 1000


def article_history(es: Elasticsearch, settings: Settings, doc_id: str) -> dict[str, Any] | None:
    """{"article": current document, "events": revisions/removals/restorations oldest first}, or None."""
    stored = read_current(es, settings.articles_alias, [doc_id]).get(doc_id)
    if stored is None:
        return None
    with translated_errors("read article"):
        article = es.get(index=stored["_index"], id=doc_id)["_source"]
    with translated_errors("read revisions"):
        response = es.options(ignore_status=404).search(
            index=settings.revisions_index,
            query={"term": {"doc_id": doc_id}},
            sort=[{"recorded_at": "asc"}, {"revision": "asc"}],
            size=MAX_REVISIONS,
        )
    events = [hit["_source"] for hit in response.body.get("hits", {}).get("hits", [])]
    return {"article": article, "events": events}
