"""The index edge against a real Elasticsearch: idempotent upserts, per-item results, translated errors."""

from __future__ import annotations

import dataclasses

import pytest

from index.client import build_client
from index.setup import ensure_setup
from index.writer import write_articles, write_dead_letter, write_duplicates
from newsdesk.kernel.errors import TransientError
from newsdesk.localstack.services import free_port
from tasks.dedupe.versions import REVISION_RULES

pytestmark = pytest.mark.services


def _document(doc_id: str, title: str = "Talks held", body: str = "Both sides agreed.") -> dict:
    return {
        "doc_id": doc_id,
        "url": f"http://example.test/{doc_id}",
        "title": title,
        "body": body,
        "source": "Example",
        "published_at": "2019-04-26",
        "first_fetched_at": "2026-01-01T00:00:00+00:00",
        "indexed_at": "2026-01-01T00:00:01+00:00",
        "run_id": "run-1",
    }


def test_setup_is_idempotent(clean_stores, es_client):
    assert ensure_setup(es_client, clean_stores) == []
    aliases = es_client.indices.get_alias(name=clean_stores.articles_alias)
    assert list(aliases) == [f"{clean_stores.articles_alias}-000001"]
    mapping = es_client.indices.get_mapping(index=clean_stores.articles_alias)
    (index_mapping,) = mapping.body.values()
    assert index_mapping["mappings"]["dynamic"] == "strict"


def test_same_id_written_twice_is_one_document_and_unchanged_is_a_noop(clean_stores, es_client):
    first = write_articles(es_client, clean_stores, [_document("a1"), _document("a2")], REVISION_RULES)
    assert [r.outcome for r in first] == ["created", "created"]
    again = write_articles(es_client, clean_stores, [_document("a1")], REVISION_RULES)
    assert [r.outcome for r in again] == ["noop"]
    edited = {**_document("a1", body="Both sides agreed, again."), "indexed_at": "2030-01-01T00:00:00+00:00"}
    assert [r.outcome for r in write_articles(es_client, clean_stores, [edited], REVISION_RULES)] == [
        "updated"
    ]
    es_client.indices.refresh(index=clean_stores.articles_alias)
    assert es_client.count(index=clean_stores.articles_alias)["count"] == 2
    stored = es_client.get(index=clean_stores.articles_alias, id="a1")["_source"]
    assert stored["body"] == "Both sides agreed, again."
    # Set at creation and never by a later write.
    assert stored["indexed_at"] == "2026-01-01T00:00:01+00:00"


def test_a_mapping_rejection_fails_only_that_document(clean_stores, es_client):
    bad = {**_document("bad"), "unexpected_field": "strict mapping says no"}
    results = write_articles(es_client, clean_stores, [_document("good"), bad], REVISION_RULES)
    assert [r.outcome for r in results] == ["created", "rejected"]
    assert "strict_dynamic_mapping_exception" in results[1].error


def test_duplicate_and_dead_letter_records_are_idempotent(clean_stores, es_client):
    record = {
        "url": "http://example.test/a?utm_source=x",
        "canonical_url": "http://example.test/a",
        "doc_id": "a",
        "kind": "url",
        "seen_at": "2026-01-01T00:00:00Z",
    }
    later = {**record, "seen_at": "2027-01-01T00:00:00Z"}
    # A redelivered copy in the same batch and in a later one: still one record, first seen_at kept.
    assert [r.outcome for r in write_duplicates(es_client, clean_stores, [record, record])] == [
        "created",
        "noop",
    ]
    assert [r.outcome for r in write_duplicates(es_client, clean_stores, [later])] == ["noop"]
    letter = {"url": "http://example.test/x", "stage": "parse", "reason": "not_html", "payload": {"html": ""}}
    write_dead_letter(es_client, clean_stores, letter)
    write_dead_letter(es_client, clean_stores, letter)
    es_client.indices.refresh(index=[clean_stores.duplicates_index, clean_stores.deadletter_index])
    assert es_client.count(index=clean_stores.duplicates_index)["count"] == 1
    stored = es_client.search(index=clean_stores.duplicates_index)["hits"]["hits"][0]["_source"]
    assert stored["seen_at"] == "2026-01-01T00:00:00Z"
    assert es_client.count(index=clean_stores.deadletter_index)["count"] == 1


def test_unreachable_elasticsearch_is_a_transient_error(base_settings):
    nowhere = dataclasses.replace(base_settings, es_url=f"http://127.0.0.1:{free_port()}")
    client = build_client(nowhere)
    with pytest.raises(TransientError):
        write_articles(client, nowhere, [_document("x")], REVISION_RULES)


def test_refused_credentials_are_retried_and_say_which_settings_to_check(base_settings):
    # A restarting node refuses even the right password until its security index is back: a retry, not a
    # rejection. The task's retry bound still ends a wrong password in the dead letters.
    wrong = dataclasses.replace(base_settings, es_password="not-the-password")
    with pytest.raises(TransientError) as caught:
        write_articles(build_client(wrong), wrong, [_document("x")], REVISION_RULES)
    assert "401" in str(caught.value)
    assert "NEWSDESK_ES_PASSWORD" in str(caught.value)
