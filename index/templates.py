"""Index templates and mappings: explicit, strict, and built from what every core node offers."""

from __future__ import annotations

from typing import Any

from newsdesk.settings import Settings

MAPPING_VERSION = 1

_text_with_keyword = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}}

ARTICLE_PROPERTIES: dict[str, Any] = {
    "doc_id": {"type": "keyword"},
    "url": {"type": "keyword"},
    "final_url": {"type": "keyword"},
    "crawl_source": {"type": "keyword"},
    "source": _text_with_keyword,
    "title": _text_with_keyword,
    "body": {"type": "text"},
    "published_at": {"type": "date", "format": "strict_date_optional_time"},
    "published_at_raw": {"type": "keyword", "index": False},
    "related": {
        "properties": {
            "text": {"type": "text"},
            "url": {"type": "keyword"},
            "date": {"type": "keyword"},
        }
    },
    "language": {"type": "keyword"},
    "word_count": {"type": "integer"},
    "subtitle": {"type": "text"},
    "updated_at": {"type": "date", "format": "strict_date_optional_time"},
    "updated_at_raw": {"type": "keyword", "index": False},
    "authors": {"type": "keyword"},
    "lead": {"type": "text"},
    "section": {"type": "keyword"},
    "images": {"properties": {"url": {"type": "keyword"}, "caption": {"type": "text"}}},
    "outlinks": {"type": "keyword", "index": False},
    "extraction": {"type": "keyword"},
    "content_fingerprint": {"type": "keyword"},
    "story_id": {"type": "keyword"},
    "also_seen_at": {
        "properties": {
            "url": {"type": "keyword"},
            "source": {"type": "keyword"},
            "seen_at": {"type": "date"},
            "kind": {"type": "keyword"},
        }
    },
    "also_seen_count": {"type": "integer"},
    "language_confidence": {"type": "float"},
    "people": {"type": "keyword"},
    "organisations": {"type": "keyword"},
    "places": {"type": "keyword"},
    "countries": {"type": "keyword"},
    "country_names": {"type": "keyword"},
    "geo": {"type": "geo_point"},
    "entities": {
        "properties": {"name": {"type": "keyword"}, "type": {"type": "keyword"}, "count": {"type": "integer"}}
    },
    "keywords": {"type": "keyword"},
    "reading_time_minutes": {"type": "float"},
    "enrich_errors": {"type": "keyword"},
    "revision_count": {"type": "integer"},
    "last_changed_at": {"type": "date"},
    "removed_at": {"type": "date"},
    "restored_at": {"type": "date"},
    "warnings": {"type": "keyword"},
    "first_fetched_at": {"type": "date"},
    "indexed_at": {"type": "date"},
    "run_id": {"type": "keyword"},
    "schema_version": {"type": "integer"},
}

DUPLICATE_PROPERTIES: dict[str, Any] = {
    "url": {"type": "keyword"},
    "canonical_url": {"type": "keyword"},
    "doc_id": {"type": "keyword"},
    "crawl_source": {"type": "keyword"},
    "kind": {"type": "keyword"},
    "seen_at": {"type": "date"},
    "run_id": {"type": "keyword"},
}

DEADLETTER_PROPERTIES: dict[str, Any] = {
    "url": {"type": "keyword"},
    "crawl_source": {"type": "keyword"},
    "stage": {"type": "keyword"},
    "reason": {"type": "keyword"},
    "detail": {"type": "text"},
    "attempts": {"type": "integer"},
    "run_id": {"type": "keyword"},
    "recorded_at": {"type": "date"},
    # Kept whole so a later `dlq replay` can re-enter the chain; never searched.
    "payload": {"type": "object", "enabled": False},
}


# Raw pages, for `newsdesk reparse`: the compressed bytes are stored, never indexed or searched.
RAW_PROPERTIES: dict[str, Any] = {
    "doc_id": {"type": "keyword"},
    "url": {"type": "keyword"},
    "final_url": {"type": "keyword", "index": False},
    "crawl_source": {"type": "keyword"},
    "fetched_at": {"type": "date"},
    "headers": {"type": "object", "enabled": False},
    "body": {"type": "binary"},
    "body_bytes": {"type": "integer"},
}


def _template(pattern: str, properties: dict[str, Any], priority: int) -> dict[str, Any]:
    return {
        "index_patterns": [pattern],
        "priority": priority,
        "template": {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
            "mappings": {
                "dynamic": "strict",
                "_meta": {"mapping_version": MAPPING_VERSION, "owner": "newsdesk"},
                "properties": properties,
            },
        },
        "_meta": {"mapping_version": MAPPING_VERSION},
    }


def index_templates(settings: Settings) -> dict[str, dict[str, Any]]:
    """Composable templates by name; each store is an alias over a versioned index."""
    return {
        settings.articles_alias: _template(f"{settings.articles_alias}-*", ARTICLE_PROPERTIES, 200),
        settings.duplicates_index: _template(f"{settings.duplicates_index}-*", DUPLICATE_PROPERTIES, 200),
        settings.deadletter_index: _template(f"{settings.deadletter_index}-*", DEADLETTER_PROPERTIES, 200),
        settings.raw_index: _template(f"{settings.raw_index}-*", RAW_PROPERTIES, 200),
    }
