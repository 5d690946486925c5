"""Index lifecycle on a real Elasticsearch: capabilities, rollover without doubles, live migration."""

from __future__ import annotations

import copy
import threading
import time

import pytest

from index.setup import detect_capabilities, ensure_setup, indices_behind, migrate, migrate_stale, rollover
from index.templates import MAPPING_VERSION, Capabilities, index_templates
from index.writer import write_articles
from tasks.dedupe.versions import REVISION_RULES

pytestmark = pytest.mark.services


def _doc(n: int, body: str = "Talks were held in Pyongyang.") -> dict:
    return {
        "doc_id": f"doc-{n}",
        "url": f"http://site.test/{n}",
        "title": f"Article {n}",
        "body": body,
        "published_at": "2020-01-01",
        "indexed_at": "2026-01-01T00:00:00Z",
    }


def test_the_core_node_is_detected_as_core(clean_stores, es_client):
    # The test node is the minimal distribution: no analysis-common module, no ILM.
    assert detect_capabilities(es_client) == Capabilities(language_analyzers=False, ilm=False)
    changes = ensure_setup(es_client, clean_stores)
    assert changes == []


def test_after_rollover_an_update_finds_the_old_generation(clean_stores, es_client):
    alias = clean_stores.articles_alias
    write_articles(es_client, clean_stores, [_doc(1), _doc(2)], REVISION_RULES)
    result = rollover(es_client, alias, conditions=None)
    assert result["rolled_over"] and result["new_index"].endswith("-000002")
    assert indices_behind(es_client, alias) == {f"{alias}-000001": False, f"{alias}-000002": True}

    outcomes = write_articles(
        es_client, clean_stores, [_doc(1, body="Edited after the rollover."), _doc(3)], REVISION_RULES
    )
    assert [r.outcome for r in outcomes] == ["updated", "created"]
    es_client.indices.refresh(index=alias)
    hits = es_client.search(index=alias, size=10, query={"match_all": {}})["hits"]["hits"]
    assert sorted(h["_id"] for h in hits) == ["doc-1", "doc-2", "doc-3"]
    located = {h["_id"]: h["_index"] for h in hits}
    assert located == {"doc-1": f"{alias}-000001", "doc-2": f"{alias}-000001", "doc-3": f"{alias}-000002"}


def test_migration_keeps_every_document_and_searches_keep_working(clean_stores, es_client):
    alias = clean_stores.articles_alias
    total = 600
    for start in range(0, total, 200):
        write_articles(es_client, clean_stores, [_doc(n) for n in range(start, start + 200)], REVISION_RULES)
    rollover(es_client, alias, conditions=None)  # two generations: the migration merges them
    write_articles(es_client, clean_stores, [_doc(total)], REVISION_RULES)
    total += 1
    es_client.indices.refresh(index=alias)

    template = copy.deepcopy(index_templates(clean_stores)[alias])
    template["template"]["mappings"]["properties"]["topic"] = {"type": "keyword"}
    template["template"]["mappings"]["_meta"]["mapping_version"] = 99

    seen_counts: list[int] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def search_continuously() -> None:
        from index.client import build_client

        client = build_client(clean_stores)
        while not stop.is_set():
            try:
                seen_counts.append(
                    client.search(
                        index=alias, size=0, query={"match": {"body": "talks"}}, track_total_hits=True
                    )["hits"]["total"]["value"]
                )
            except Exception as exc:  # noqa: BLE001 - every failure is what this test looks for
                errors.append(exc)
            time.sleep(0.01)

    searcher = threading.Thread(target=search_continuously)
    searcher.start()
    try:
        blocked_write: list[str] = []
        result = migrate(
            es_client,
            alias,
            template,
            batch_size=100,
            on_progress=lambda n: blocked_write.extend(
                r.outcome for r in write_articles(es_client, clean_stores, [_doc(9999)], REVISION_RULES)
            ),
        )
    finally:
        time.sleep(0.3)
        stop.set()
        searcher.join()

    assert result["documents"] == total
    assert result["to"] == f"{alias}-000003"
    assert errors == []
    assert len(seen_counts) > 5
    assert set(seen_counts) == {total}, "every search during the migration saw every document, once"
    # A write during the copy is refused as retryable, never lost into an index that is going away.
    assert blocked_write and set(blocked_write) == {"retry"}
    assert indices_behind(es_client, alias) == {f"{alias}-000003": True}
    mapping = es_client.indices.get_mapping(index=alias).body[f"{alias}-000003"]["mappings"]
    assert mapping["_meta"]["mapping_version"] == 99 and mapping["properties"]["topic"] == {"type": "keyword"}
    assert [
        r.outcome
        for r in write_articles(es_client, clean_stores, [{**_doc(1), "topic": "summit"}], REVISION_RULES)
    ] == ["updated"]
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == total


def test_after_an_upgrade_only_stores_on_an_older_mapping_are_migrated(clean_stores, es_client):
    capabilities = detect_capabilities(es_client)
    alias = clean_stores.articles_alias
    write_articles(es_client, clean_stores, [_doc(n) for n in range(5)], REVISION_RULES)

    assert migrate_stale(es_client, clean_stores, capabilities) == [], "every store is current"

    older = copy.deepcopy(index_templates(clean_stores, capabilities)[alias])
    older["template"]["mappings"]["_meta"]["mapping_version"] = MAPPING_VERSION - 1
    migrate(es_client, alias, older)
    (moved,) = migrate_stale(es_client, clean_stores, capabilities)

    assert moved["alias"] == alias and moved["documents"] == 5
    assert migrate_stale(es_client, clean_stores, capabilities) == []
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == 5
    # Articles stored before dates carried their precision get it from how their dates are written.
    stored = es_client.search(index=alias, size=5)["hits"]["hits"]
    assert {hit["_source"]["published_precision"] for hit in stored} == {"day"}
