"""The dead-letter store's read and delete side: list, show, and delete records nobody rewrote since."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch

from index.client import translated_errors
from newsdesk.kernel.settings import Settings

SUMMARY_FIELDS = ["url", "crawl_source", "stage", "reason", "attempts", "run_id", "recorded_at", "detail"]
PAGE_SIZE = 500
# Newest first; URL and stage make the order total, so paging with search_after never skips a record.
ORDER = [{"recorded_at": "desc"}, {"url": "asc"}, {"stage": "asc"}]


def _filters(stage: str | None, reason: str | None, source: str | None) -> dict[str, Any]:
    terms = [
        {"term": {field: value}}
        for field, value in (("stage", stage), ("reason", reason), ("crawl_source", source))
        if value
    ]
    return {"bool": {"filter": terms}} if terms else {"match_all": {}}


def _record(hit: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hit["_id"],
        "index": hit["_index"],
        "seq_no": hit.get("_seq_no"),
        "primary_term": hit.get("_primary_term"),
        **hit["_source"],
    }


def list_dead_letters(
    es: Elasticsearch,
    settings: Settings,
    stage: str | None = None,
    reason: str | None = None,
    source: str | None = None,
    limit: int = 50,
    with_payload: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, the newest `limit` of them)."""
    with translated_errors("list dead letters"):
        es.indices.refresh(index=settings.deadletter_index)
        response = es.search(
            index=settings.deadletter_index,
            query=_filters(stage, reason, source),
            sort=ORDER,
            size=limit,
            seq_no_primary_term=True,
            track_total_hits=True,
            source_includes=[*SUMMARY_FIELDS, "payload"] if with_payload else SUMMARY_FIELDS,
        )
    return response["hits"]["total"]["value"], [_record(hit) for hit in response["hits"]["hits"]]


def iter_dead_letters(
    es: Elasticsearch,
    settings: Settings,
    stage: str | None = None,
    reason: str | None = None,
    source: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching record (summary fields), page by page; records written a moment ago included."""
    with translated_errors("refresh dead letters"):
        es.indices.refresh(index=settings.deadletter_index)
    cursor = None
    while True:
        with translated_errors("page dead letters"):
            response = es.search(
                index=settings.deadletter_index,
                query=_filters(stage, reason, source),
                sort=ORDER,
                size=PAGE_SIZE,
                seq_no_primary_term=True,
                source_includes=SUMMARY_FIELDS,
                **({"search_after": cursor} if cursor else {}),
            )
        hits = response["hits"]["hits"]
        yield from (_record(hit) for hit in hits)
        if len(hits) < PAGE_SIZE:
            return
        cursor = hits[-1]["sort"]


def get_dead_letter(es: Elasticsearch, settings: Settings, record_id: str) -> dict[str, Any] | None:
    with translated_errors("read dead letter"):
        response = es.search(
            index=settings.deadletter_index,
            query={"ids": {"values": [record_id]}},
            seq_no_primary_term=True,
            size=1,
        )
    hits = response["hits"]["hits"]
    return _record(hits[0]) if hits else None


def delete_dead_letter(es: Elasticsearch, record: dict[str, Any]) -> bool:
    """Delete the record as it was read; False if a new failure rewrote it meanwhile (it stays)."""
    with translated_errors("delete dead letter"):
        try:
            es.delete(
                index=record["index"],
                id=record["id"],
                if_seq_no=record["seq_no"],
                if_primary_term=record["primary_term"],
                refresh=True,
            )
        except (elasticsearch.ConflictError, elasticsearch.NotFoundError):
            return False
    return True
