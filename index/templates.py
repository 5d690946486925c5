"""Index templates and mappings: explicit, strict, and built from what every core node offers."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from index.crawl_log import CRAWL_LOG_PROPERTIES
from index.crawl_runs import CRAWL_RUN_PROPERTIES
from newsdesk.kernel.settings import Settings

# Raised with every mapping change (4: the precision of articles' dates); `newsdesk migrate` moves older
# indices.
MAPPING_VERSION = 4

_text_with_keyword = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}}

# Why an article was marked removed (or restored): what the re-check saw (404/410, a redirect to the front
# page, an answer again), or when a complete crawl last found it in a listing or sitemap.
REMOVAL_EVIDENCE: dict[str, Any] = {
    "properties": {
        "kind": {"type": "keyword"},
        "status": {"type": "integer"},
        "url": {"type": "keyword"},
        "final_url": {"type": "keyword"},
        "first_gone_at": {"type": "date"},
        "last_listed_at": {"type": "date"},
        "pages_checked": {"type": "integer"},
        "run_id": {"type": "keyword"},
        "checked_at": {"type": "date"},
    }
}

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
    # "time", "day", "month" or "year": a month or a year alone is stored as its period's first day.
    "published_precision": {"type": "keyword"},
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
    "updated_precision": {"type": "keyword"},
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
    "removal_evidence": REMOVAL_EVIDENCE,
    # Fingerprint of title and paragraphs (tasks/dedupe/versions.py): an unchanged re-crawl is told apart
    # without the body
    "version_fingerprint": {"type": "keyword", "index": False},
    "warnings": {"type": "keyword"},
    "first_fetched_at": {"type": "date"},
    # Read-only name for dashboards and queries; written as first_fetched_at.
    "fetched_at": {"type": "alias", "path": "first_fetched_at"},
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

# One record per earlier version (event "edited": its text and the diff to the next) or per removal and
# restoration, under an id derived from the article and the version, so a retry never doubles it.
REVISION_PROPERTIES: dict[str, Any] = {
    "doc_id": {"type": "keyword"},
    "url": {"type": "keyword"},
    "crawl_source": {"type": "keyword"},
    "source": _text_with_keyword,
    "event": {"type": "keyword"},
    "revision": {"type": "integer"},
    "title": _text_with_keyword,
    "body": {"type": "text"},
    "published_at": {"type": "date", "format": "strict_date_optional_time"},
    "content_fingerprint": {"type": "keyword"},
    "version_fingerprint": {"type": "keyword"},
    "valid_from": {"type": "date"},
    "recorded_at": {"type": "date"},
    "changes": {
        "properties": {
            "kind": {"type": "keyword"},
            "before": {"type": "text"},
            "after": {"type": "text"},
            "position": {"type": "integer"},
        }
    },
    "diff": {"type": "text", "index": False},
    "evidence": REMOVAL_EVIDENCE,
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


# The near-duplicate archive: each canonical article's MinHash signature and its bands. Bands are searched
# (any shared band makes a candidate); the signature and day are only read back to score a candidate.
MINHASH_PROPERTIES: dict[str, Any] = {
    "doc_id": {"type": "keyword"},
    "bands": {"type": "keyword", "doc_values": False},
    "signature": {"type": "keyword", "index": False, "doc_values": False},
    "day": {"type": "integer", "index": False, "doc_values": False},
}


# How long an archived signature may take to become searchable. A search that missed one must still find it
# in Redis: this plus the age a search may reach before it is redone (tasks/worker/resources.py) stays below
# redisstore.SETTLE_SECONDS, which a unit test checks.
MINHASH_REFRESH_SECONDS = 5

# Sub-fields added only where the engine has the analysis module (production images do; the minimal
# distribution the tests run on does not): detected at setup time, never assumed.
LANGUAGE_ANALYZERS = {"en": "english", "ru": "russian", "cjk": "cjk"}
ANALYSED_TEXT_FIELDS = ("title", "body", "lead", "subtitle")
ILM_POLICY_SUFFIX = "policy"


@dataclass(frozen=True)
class Capabilities:
    """What the connected engine offers beyond core Elasticsearch."""

    language_analyzers: bool = False
    ilm: bool = False


def article_properties(capabilities: Capabilities) -> dict[str, Any]:
    properties = copy.deepcopy(ARTICLE_PROPERTIES)
    if capabilities.language_analyzers:
        for name in ANALYSED_TEXT_FIELDS:
            fields = properties[name].setdefault("fields", {})
            for suffix, analyzer in LANGUAGE_ANALYZERS.items():
                fields[suffix] = {"type": "text", "analyzer": analyzer}
    return properties


def shard_settings(shards: int, replicas: str) -> dict[str, Any]:
    """Index settings for `shards` primaries and `replicas`: a count, or a range that follows the cluster's
    size (`0-1`: a copy on another node as soon as there is one, none on a single node, which stays green)."""
    settings: dict[str, Any] = {"number_of_shards": shards}
    if replicas.isdigit():
        settings["number_of_replicas"] = int(replicas)
    else:
        settings["auto_expand_replicas"] = replicas
    return settings


def _template(
    pattern: str,
    properties: dict[str, Any],
    priority: int,
    policy: str | None,
    shards: dict[str, Any],
    refresh_interval: str | None = None,
) -> dict[str, Any]:
    settings: dict[str, Any] = dict(shards)
    if refresh_interval:
        # Only where a reason is given below. Elsewhere the engine's default holds: a refresh every second
        # while the index is searched, none while nobody searches it (a crawl writing into an archive nobody
        # is reading), and a search after a quiet spell refreshes before it answers.
        settings["refresh_interval"] = refresh_interval
    if policy:
        settings["index.lifecycle.name"] = policy
        settings["index.lifecycle.rollover_alias"] = pattern.removesuffix("-*")
    return {
        "index_patterns": [pattern],
        "priority": priority,
        "template": {
            "settings": settings,
            "mappings": {
                "dynamic": "strict",
                "_meta": {"mapping_version": MAPPING_VERSION, "owner": "newsdesk"},
                "properties": properties,
            },
        },
        "_meta": {"mapping_version": MAPPING_VERSION},
    }


def index_templates(
    settings: Settings, capabilities: Capabilities | None = None
) -> dict[str, dict[str, Any]]:
    """Composable templates by alias name; each store is an alias over versioned indices (`-000001`, …)."""
    capabilities = capabilities or Capabilities()

    def policy(alias: str) -> str | None:
        return f"{alias}-{ILM_POLICY_SUFFIX}" if capabilities.ilm else None

    articles, duplicates, deadletter = (
        settings.articles_alias,
        settings.duplicates_index,
        settings.deadletter_index,
    )
    runs = settings.crawl_runs_index
    shards = shard_settings(settings.index_shards, settings.index_replicas)
    return {
        articles: _template(f"{articles}-*", article_properties(capabilities), 200, policy(articles), shards),
        duplicates: _template(f"{duplicates}-*", DUPLICATE_PROPERTIES, 200, policy(duplicates), shards),
        deadletter: _template(f"{deadletter}-*", DEADLETTER_PROPERTIES, 200, policy(deadletter), shards),
        # Its writes wait for a refresh (`refresh=wait_for`).
        runs: _template(f"{runs}-*", CRAWL_RUN_PROPERTIES, 200, policy(runs), shards, refresh_interval="1s"),
        settings.crawl_log_index: _template(
            f"{settings.crawl_log_index}-*",
            CRAWL_LOG_PROPERTIES,
            200,
            policy(settings.crawl_log_index),
            shards,
        ),
        settings.raw_index: _template(
            f"{settings.raw_index}-*", RAW_PROPERTIES, 200, policy(settings.raw_index), shards
        ),
        settings.revisions_index: _template(
            f"{settings.revisions_index}-*",
            REVISION_PROPERTIES,
            200,
            policy(settings.revisions_index),
            shards,
        ),
        # Searched by every new article during a crawl, so the default would refresh it every second (each
        # refresh a small segment to merge). Redis keeps an article until `SETTLE_SECONDS` after its archive
        # write, so it only needs to become searchable well within that (see MINHASH_REFRESH_SECONDS).
        settings.minhash_index: _template(
            f"{settings.minhash_index}-*",
            MINHASH_PROPERTIES,
            200,
            policy(settings.minhash_index),
            shards,
            refresh_interval=f"{MINHASH_REFRESH_SECONDS}s",
        ),
    }


def ilm_policy(max_primary_shard_size: str, max_age: str) -> dict[str, Any]:
    """Rollover by size or age; installed only where the engine has ILM."""
    return {
        "phases": {
            "hot": {
                "actions": {
                    "rollover": {"max_primary_shard_size": max_primary_shard_size, "max_age": max_age}
                }
            }
        }
    }
