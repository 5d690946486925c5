"""Read side: full-text search over articles and the counts behind `newsdesk stats`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, Elasticsearch

from index.client import translated_errors
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.settings import Settings

SEARCH_FIELDS = ["title^3", "subtitle^2", "lead^2", "body", "source"]
HIT_FIELDS = [
    "doc_id", "url", "title", "source", "crawl_source", "published_at", "published_precision", "language",
    "word_count", "people", "countries", "story_id", "also_seen_count",
]  # fmt: skip
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class SearchRequest:
    """What a person or script asks of the archive; every filter is optional."""

    query: str = ""
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    people: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    story: str | None = None
    sort: str = "relevance"
    limit: int = 10


def build_search_body(request: SearchRequest) -> dict[str, Any]:
    """The Elasticsearch request body for `request` (pure, so the query shape is unit-tested)."""
    if request.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    must: list[dict[str, Any]] = []
    if request.query.strip():
        must.append(
            {"query_string": {"query": request.query, "fields": SEARCH_FIELDS, "default_operator": "and"}}
        )
    filters: list[dict[str, Any]] = []
    if request.sources:
        # A source is either the outlet named on the page or the registry entry that crawled it.
        filters.append(
            {
                "bool": {
                    "should": [
                        {"terms": {"source.keyword": list(request.sources)}},
                        {"terms": {"crawl_source": list(request.sources)}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if request.since or request.until:
        bounds = {k: v for k, v in (("gte", request.since), ("lte", request.until)) if v}
        filters.append({"range": {"published_at": bounds}})
    for field, values in (("people", request.people), ("language", request.languages)):
        if values:
            filters.append({"terms": {field: list(values)}})
    if request.countries:
        codes = [c.upper() for c in request.countries if len(c) == 2]
        names = [c for c in request.countries if len(c) != 2]
        filters.append(
            {
                "bool": {
                    "should": [{"terms": {"countries": codes}}, {"terms": {"country_names": names}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if request.story:
        filters.append(
            {
                "bool": {
                    "should": [
                        {"term": {"story_id": request.story}},
                        {"term": {"doc_id": request.story}},
                        {"term": {"url": request.story}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "size": request.limit,
        "track_total_hits": True,
        "_source": {"includes": [*HIT_FIELDS, "also_seen_at"] if request.story else HIT_FIELDS},
        "highlight": {
            "fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": 160, "number_of_fragments": 1},
            },
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
        },
    }
    if request.sort == "date" or not must:
        body["sort"] = [{"published_at": {"order": "desc", "missing": "_last"}}, "_score"]
    return body


def _root_cause(exc: ApiError) -> str:
    try:
        cause = exc.body["error"]["root_cause"][0]
        return f"{cause.get('type')}: {cause.get('reason')}"
    except (KeyError, IndexError, TypeError):
        return str(exc.message)


def search_articles(es: Elasticsearch, settings: Settings, request: SearchRequest) -> dict[str, Any]:
    """Matching articles (best first, or newest first with sort=date), with highlighted snippets."""
    body = build_search_body(request)
    try:
        with translated_errors("search"):
            response = es.search(index=settings.articles_alias, **body)
    except Rejected as exc:
        cause = exc.__cause__
        if isinstance(cause, ApiError) and cause.meta.status == 400:
            raise Rejected(
                "bad_query", f"cannot understand the query {request.query!r}: {_root_cause(cause)}"
            ) from cause
        raise
    hits = []
    for hit in response["hits"]["hits"]:
        highlight = hit.get("highlight", {})
        hits.append(
            {
                **hit["_source"],
                "score": hit["_score"],
                "snippet": (highlight.get("body") or [""])[0],
                "title_highlighted": (highlight.get("title") or [None])[0],
            }
        )
    return {"query": request.query, "total": response["hits"]["total"]["value"], "hits": hits}


def _count(es: Elasticsearch, index: str) -> int:
    with translated_errors(f"count {index}"):
        return es.count(index=index)["count"]


def collect_stats(es: Elasticsearch, settings: Settings) -> dict[str, Any]:
    """Documents, duplicates and failures by stage and reason, straight from the stores."""
    with translated_errors("refresh"):
        es.indices.refresh(
            index=[settings.articles_alias, settings.duplicates_index, settings.deadletter_index]
        )
    with translated_errors("aggregate dead letters"):
        failures = es.search(
            index=settings.deadletter_index,
            size=0,
            aggs={
                "by_reason": {"terms": {"field": "reason", "size": 100}},
                "by_stage": {"terms": {"field": "stage", "size": 20}},
            },
        )
    with translated_errors("aggregate articles"):
        articles = es.search(
            index=settings.articles_alias,
            size=0,
            aggs={
                "by_source": {"terms": {"field": "source.keyword", "size": 100}},
                "by_language": {"terms": {"field": "language", "size": 50}},
            },
        )

    def buckets(response: Any, name: str) -> dict[str, int]:
        return {b["key"]: b["doc_count"] for b in response["aggregations"][name]["buckets"]}

    return {
        "documents": _count(es, settings.articles_alias),
        "duplicates": _count(es, settings.duplicates_index),
        "failures": _count(es, settings.deadletter_index),
        "failures_by_reason": buckets(failures, "by_reason"),
        "failures_by_stage": buckets(failures, "by_stage"),
        "documents_by_source": buckets(articles, "by_source"),
        "documents_by_language": buckets(articles, "by_language"),
    }


def scan_article_pages(
    es: Elasticsearch, settings: Settings, fields: list[str], page_size: int = 500
) -> Iterator[list[dict[str, Any]]]:
    """Every article's hits (`_id`, `_index`, `fields`), in doc_id order, a page at a time.

    search_after rather than scroll: no scroll context to expire while a caller works on a page.
    """
    after: list[Any] | None = None
    while True:
        with translated_errors("scan articles"):
            response = es.search(
                index=settings.articles_alias,
                query={"match_all": {}},
                source_includes=fields,
                sort=[{"doc_id": "asc"}],
                size=page_size,
                search_after=after,
            )
        hits = response["hits"]["hits"]
        if hits:
            yield hits
        if len(hits) < page_size:
            return
        after = hits[-1]["sort"]


def scan_articles(
    es: Elasticsearch, settings: Settings, fields: list[str], page_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every article's `fields`, in doc_id order."""
    for page in scan_article_pages(es, settings, fields, page_size):
        for hit in page:
            yield hit["_source"]


def source_articles_query(source: str, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """A source's articles published in [since, until] (each a date or a time; a date alone covers its
    whole day); an article without a publication date is judged by when it was first fetched."""
    if since is None and until is None:
        return {"term": {"crawl_source": source}}
    bounds: dict[str, str] = {}
    if since is not None:
        bounds["gte"] = since if "T" in since else f"{since}||/d"
    if until is not None:
        bounds["lte"] = until if "T" in until else f"{until}||/d"
    dated = {"range": {"published_at": bounds}}
    undated = {
        "bool": {
            "must_not": [{"exists": {"field": "published_at"}}],
            "filter": [{"range": {"first_fetched_at": bounds}}],
        }
    }
    return {
        "bool": {
            "filter": [{"term": {"crawl_source": source}}],
            "should": [dated, undated],
            "minimum_should_match": 1,
        }
    }


def scan_source_articles(
    es: Elasticsearch,
    settings: Settings,
    query: dict[str, Any],
    fields: list[str] | None = None,
    page_size: int = 500,
) -> Iterator[list[dict[str, Any]]]:
    """The articles `query` selects (`source_articles_query`), their `fields` (all when None), in doc_id
    order, a page of `_source`s at a time."""
    after: list[Any] | None = None
    while True:
        with translated_errors("scan source articles"):
            response = es.search(
                index=settings.articles_alias,
                query=query,
                **({"source_includes": fields} if fields else {}),
                sort=[{"doc_id": "asc"}],
                size=page_size,
                search_after=after,
            )
        hits = response["hits"]["hits"]
        if hits:
            yield [hit["_source"] for hit in hits]
        if len(hits) < page_size:
            return
        after = hits[-1]["sort"]
