"""Turns a finished Article into the document stored in the articles index."""

from __future__ import annotations

from typing import Any

from newsdesk.kernel.messages import Article
from newsdesk.kernel.wire import ARTICLE_SCHEMA

# Copied as they are from the Article; each has a mapping in index.templates.ARTICLE_PROPERTIES.
ENRICHED_FIELDS = (
    "subtitle",
    "updated_at",
    "updated_at_raw",
    "updated_precision",
    "authors",
    "lead",
    "section",
    "images",
    "outlinks",
    "extraction",
    "content_fingerprint",
    "story_id",
    "language_confidence",
    "people",
    "organisations",
    "places",
    "countries",
    "country_names",
    "geo",
    "entities",
    "keywords",
    "reading_time_minutes",
    "enrich_errors",
)


def article_document(article: Article, indexed_at: str) -> dict[str, Any]:
    """The searchable document; `url` is the canonical URL, the one every copy resolves to."""
    if not article.doc_id or not article.canonical_url:
        raise ValueError("article has no identity yet: the dedupe stage sets doc_id and canonical_url")
    return {
        "doc_id": article.doc_id,
        "url": article.canonical_url,
        "final_url": article.final_url,
        "crawl_source": article.crawl_source,
        "source": article.source,
        "title": article.title,
        "body": article.body,
        "published_at": article.published_at,
        "published_at_raw": article.published_at_raw,
        "published_precision": article.published_precision,
        "related": [item.to_dict() for item in article.related],
        "language": article.language,
        "word_count": article.word_count,
        "warnings": list(article.warnings),
        **{name: getattr(article, name) for name in ENRICHED_FIELDS},
        "first_fetched_at": article.fetched_at,
        "indexed_at": indexed_at,
        "run_id": article.run_id,
        "schema_version": ARTICLE_SCHEMA,
    }


def raw_page_record(article: Article) -> dict[str, Any]:
    """The raw store's record of the page an article was parsed from, under the article's doc_id."""
    if not article.doc_id or article.raw_page is None:
        raise ValueError("article has no identity or no raw page")
    return {
        "doc_id": article.doc_id,
        "url": article.url,
        "final_url": article.final_url,
        "crawl_source": article.crawl_source,
        "fetched_at": article.fetched_at,
        **article.raw_page,
    }


def precision_of(stamp: str | None) -> str | None:
    """How precise a stored date is, read from how it is written: "2023", "2023-05", "2023-05-03", or with
    a time."""
    if not stamp:
        return None
    return {4: "year", 7: "month", 10: "day"}.get(len(stamp), "time")


def upgraded_article(source: dict[str, Any]) -> dict[str, Any]:
    """A stored article as the current mapping expects it: one written before dates carried their precision
    gets it from how its dates are written (then always a day or a time)."""
    for stamp, precision in (("published_at", "published_precision"), ("updated_at", "updated_precision")):
        if source.get(stamp) and precision not in source:
            source = {**source, precision: precision_of(source[stamp])}
    return source
