"""Revisions and removals against a real Elasticsearch: kept once, counted once, guarded by seq_no."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from index.history import mark_removed
from index.setup import rollover
from index.writer import read_current, write_articles
from newsdesk.state.revisits import GoneWatch
from tasks.dedupe.versions import REVISION_RULES
from tasks.worker.removals import watch_removal

pytestmark = pytest.mark.services

BODY = "Both sides agreed.\n\nThe talks lasted two hours.\n\nA joint statement followed."


def _document(doc_id: str, title: str = "Talks held", body: str = BODY, fetched: str = "2026-01-01") -> dict:
    return {
        "doc_id": doc_id,
        "url": f"http://example.test/{doc_id}",
        "final_url": f"http://example.test/{doc_id}",
        "crawl_source": "demo",
        "title": title,
        "body": body,
        "source": "Example",
        "published_at": "2019-04-26",
        "first_fetched_at": f"{fetched}T00:00:00+00:00",
        "indexed_at": f"{fetched}T00:00:01+00:00",
        "run_id": "run-1",
    }


def _revisions(es, settings, doc_id: str) -> list[dict]:
    es.indices.refresh(index=settings.revisions_index)
    response = es.search(
        index=settings.revisions_index,
        query={"term": {"doc_id": doc_id}},
        sort=[{"recorded_at": "asc"}],
        size=100,
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]


def _stored(es, settings, doc_id: str) -> dict:
    # A realtime read in whichever index holds it: a get on the alias fails once it covers two.
    return read_current(es, settings.articles_alias, [doc_id], ["*"])[doc_id]["_source"]


def test_an_edit_keeps_the_old_version_once_and_an_unchanged_refetch_is_a_noop(clean_stores, es_client):
    settings = clean_stores
    assert [
        r.outcome
        for r in write_articles(es_client, settings, [_document("a1"), _document("a2")], REVISION_RULES)
    ] == [
        "created",
        "created",
    ]
    assert _stored(es_client, settings, "a1")["revision_count"] == 1
    version = es_client.get(index=settings.articles_alias, id="a2")["_version"]

    edited_body = BODY.replace("two hours", "three hours")
    edited = _document("a1", body=edited_body, fetched="2026-02-01")
    results = write_articles(
        es_client, settings, [edited, _document("a2", fetched="2026-02-01")], REVISION_RULES
    )
    assert [r.outcome for r in results] == ["updated", "noop"]
    stored = _stored(es_client, settings, "a1")
    assert stored["body"] == edited_body
    assert stored["revision_count"] == 2
    assert stored["last_changed_at"] == "2026-02-01T00:00:00+00:00"
    assert stored["first_fetched_at"] == "2026-01-01T00:00:00+00:00"
    assert es_client.get(index=settings.articles_alias, id="a2")["_version"] == version
    assert "revision_count" not in _stored(es_client, settings, "a2") or (
        _stored(es_client, settings, "a2")["revision_count"] == 1
    )

    (revision,) = _revisions(es_client, settings, "a1")
    assert revision["event"] == "edited" and revision["revision"] == 1
    assert revision["body"] == BODY and revision["title"] == "Talks held"
    assert revision["changes"] == [
        {
            "kind": "changed",
            "before": "The talks lasted two hours.",
            "after": "The talks lasted three hours.",
            "position": 2,
        }
    ]

    # The same edit delivered again (a retry, a second crawl) is a no-op: no second revision, no count.
    assert [r.outcome for r in write_articles(es_client, settings, [edited], REVISION_RULES)] == ["noop"]
    assert len(_revisions(es_client, settings, "a1")) == 1
    assert _stored(es_client, settings, "a1")["revision_count"] == 2

    retitled = _document("a1", title="Talks ended", body=edited_body, fetched="2026-03-01")
    assert [r.outcome for r in write_articles(es_client, settings, [retitled], REVISION_RULES)] == ["updated"]
    assert _stored(es_client, settings, "a1")["revision_count"] == 3
    revisions = _revisions(es_client, settings, "a1")
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[1]["changes"] == [
        {"kind": "title", "before": "Talks held", "after": "Talks ended", "position": 0}
    ]


def test_a_write_against_a_stale_read_is_retried_not_lost(clean_stores, es_client):
    settings = clean_stores
    write_articles(es_client, settings, [_document("c1")], REVISION_RULES)
    # Two versions of the same article in one batch: both read the same stored version, so the second
    # write conflicts and comes back as a retry instead of overwriting the first without a revision.
    first = _document("c1", body=BODY + "\n\nOne more line.", fetched="2026-02-01")
    second = _document("c1", body=BODY + "\n\nAnother line.", fetched="2026-02-02")
    assert [r.outcome for r in write_articles(es_client, settings, [first, second], REVISION_RULES)] == [
        "updated",
        "retry",
    ]
    assert [r.outcome for r in write_articles(es_client, settings, [second], REVISION_RULES)] == ["updated"]
    assert _stored(es_client, settings, "c1")["revision_count"] == 3
    assert len(_revisions(es_client, settings, "c1")) == 2


def test_removal_after_the_grace_period_and_restoration(clean_stores, es_client, redis_client):
    settings = clean_stores
    write_articles(es_client, settings, [_document("r1")], REVISION_RULES)
    doc_id = _document_id_for(settings)
    write_articles(es_client, settings, [{**_document(doc_id), "url": URL, "final_url": URL}], REVISION_RULES)
    watch = SimpleNamespace(es=es_client, gone=GoneWatch(redis_client, settings.index_prefix))
    gone = {"url": URL, "final_url": URL, "status": 404}
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

    assert watch_removal(watch, settings, gone, start) == "waiting"
    assert "removed_at" not in _stored(es_client, settings, doc_id)
    later = start + dt.timedelta(seconds=settings.removal_grace_seconds)
    assert watch_removal(watch, settings, gone, later) == "removed"
    assert watch_removal(watch, settings, gone, later) == "already"
    stored = _stored(es_client, settings, doc_id)
    assert stored["removed_at"] == later.isoformat(timespec="milliseconds")
    assert stored["removal_evidence"]["kind"] == "http_404"
    assert stored["removal_evidence"]["first_gone_at"] == start.isoformat(timespec="milliseconds")
    assert stored["body"] == BODY  # never deleted, still searchable
    es_client.indices.refresh(index=settings.articles_alias)
    assert es_client.count(index=settings.articles_alias, query={"match": {"body": "joint"}})["count"] == 2
    # A page never archived is not a removal.
    unknown = {"url": "http://example.test/never", "final_url": "http://example.test/never", "status": 410}
    assert watch_removal(watch, settings, unknown, later) == "unknown"
    # A 200 is not gone.
    assert watch_removal(watch, settings, {**gone, "status": 200}, later) is None

    back = {**_document(doc_id, fetched="2026-04-01"), "url": URL, "final_url": URL}
    assert [r.outcome for r in write_articles(es_client, settings, [back], REVISION_RULES)] == ["updated"]
    stored = _stored(es_client, settings, doc_id)
    assert stored["restored_at"] == "2026-04-01T00:00:00+00:00"
    assert stored["revision_count"] == 1  # the text came back unchanged
    assert [r["event"] for r in _revisions(es_client, settings, doc_id)] == ["removed", "restored"]
    assert (
        mark_removed(es_client, settings, "missing", {"kind": "http_404"}, "2026-04-02", REVISION_RULES)
        == "unknown"
    )
    assert set(read_current(es_client, settings.articles_alias, [doc_id, "missing"])) == {doc_id}


URL = "http://example.test/news/article/1-talks.html"


def _document_id_for(settings) -> str:
    from tasks.dedupe.identity import canonical_url, document_id

    return document_id(canonical_url(URL))


def test_the_recheck_schedule_is_rebuilt_from_the_archive(clean_stores, es_client, redis_client):
    from newsdesk.state.revisits import RecheckSchedule
    from tasks.worker.rebuild import rebuild_recheck_schedule

    settings = clean_stores
    recent = dt.datetime.now(dt.UTC).date().isoformat()
    write_articles(
        es_client,
        settings,
        [_document("s1", fetched=recent), _document("s2", fetched="2001-01-01")],
        REVISION_RULES,
    )
    es_client.indices.refresh(index=settings.articles_alias)
    # s2 was first seen long ago, past the default horizon: no longer re-checked.
    assert rebuild_recheck_schedule(es_client, redis_client, settings) == {"demo": 1}
    schedule = RecheckSchedule(redis_client, settings.index_prefix)
    assert schedule.count("demo") == 1
    assert rebuild_recheck_schedule(es_client, redis_client, settings, only_source="other") == {}


def test_a_batch_retried_after_its_revision_record_keeps_one_record(clean_stores, es_client):
    settings = clean_stores
    write_articles(es_client, settings, [_document("b1"), _document("b2")], REVISION_RULES)
    edited = _document("b1", body=BODY.replace("two hours", "five hours"), fetched="2026-02-01")
    broken = {**edited, "not_a_field": 1}
    # On one index the article is sent as a create first, which the strict mapping refuses before
    # anything is written.
    assert [r.outcome for r in write_articles(es_client, settings, [broken], REVISION_RULES)] == ["rejected"]
    assert _revisions(es_client, settings, "b1") == []
    # After a rollover the stored version is read first: the record is written, then the article update is
    # refused: the batch fails half way, as it would if the worker died between the two writes.
    assert rollover(es_client, settings.articles_alias, conditions=None)["rolled_over"]
    assert [r.outcome for r in write_articles(es_client, settings, [broken], REVISION_RULES)] == ["rejected"]
    assert len(_revisions(es_client, settings, "b1")) == 1
    assert _stored(es_client, settings, "b1")["revision_count"] == 1
    # The retry (and a redelivery after it) lands the edit once: one record, one more revision.
    for expected in ("updated", "noop"):
        assert [r.outcome for r in write_articles(es_client, settings, [edited], REVISION_RULES)] == [
            expected
        ]
        (record,) = _revisions(es_client, settings, "b1")
        assert record["revision"] == 1 and record["body"] == BODY
        assert _stored(es_client, settings, "b1")["revision_count"] == 2
    es_client.indices.refresh(index=settings.articles_alias)
    assert es_client.count(index=settings.articles_alias)["count"] == 2


def test_a_new_article_written_by_two_batches_at_once_is_created_once(clean_stores, es_client):
    settings = clean_stores
    # Both batches read "not there yet"; the second create conflicts and comes back as a retry, which
    # reads the first one's document and compares, instead of overwriting it without a revision.
    first, second = _document("n1"), _document("n1", title="Talks held, updated", fetched="2026-01-02")
    assert [r.outcome for r in write_articles(es_client, settings, [first], REVISION_RULES)] == ["created"]
    from index.bulk import run_bulk

    (result,) = run_bulk(
        es_client, [{"create": {"_index": settings.articles_alias, "_id": "n1"}}, second], "x"
    )
    assert result.outcome == "retry"
    assert [r.outcome for r in write_articles(es_client, settings, [second], REVISION_RULES)] == ["updated"]
    assert [r["title"] for r in _revisions(es_client, settings, "n1")] == ["Talks held"]


def test_listing_changes_remove_and_restore_only_by_listing(clean_stores, es_client):
    from tasks.worker.removals import apply_listing_changes

    settings = clean_stores
    doc_id = _document_id_for(settings)
    write_articles(es_client, settings, [{**_document(doc_id), "url": URL, "final_url": URL}], REVISION_RULES)
    base = {"schema": 1, "url": "listing-changes:demo:r1:0", "crawl_source": "demo", "crawl_run": "r1"}
    unlisted = {
        **base,
        "checked_at": "2026-03-01T00:00:00.000+00:00",
        "pages_checked": 12,
        "unlisted": [{"url": URL + "?utm_source=x", "last_listed_at": "2026-02-20T00:00:00+00:00"}],
        "relisted": [],
    }
    assert apply_listing_changes(es_client, settings, unlisted) == {"removed": 1}
    assert apply_listing_changes(es_client, settings, unlisted) == {"already": 1}  # a redelivery
    stored = _stored(es_client, settings, doc_id)
    assert stored["removed_at"] == "2026-03-01T00:00:00.000+00:00"
    assert stored["removal_evidence"] == {
        "kind": "unlisted",
        "url": URL + "?utm_source=x",
        "last_listed_at": "2026-02-20T00:00:00+00:00",
        "checked_at": "2026-03-01T00:00:00.000+00:00",
        "pages_checked": 12,
        "run_id": "r1",
    }
    # Its page still answers, unchanged: that is no restoration, only being listed again is.
    same = {**_document(doc_id, fetched="2026-03-02"), "url": URL, "final_url": URL}
    assert [r.outcome for r in write_articles(es_client, settings, [same], REVISION_RULES)] == ["noop"]
    assert _stored(es_client, settings, doc_id).get("restored_at") is None
    relisted = {**base, "checked_at": "2026-03-05T00:00:00.000+00:00", "unlisted": [], "relisted": [URL]}
    assert apply_listing_changes(es_client, settings, relisted) == {"restored": 1}
    assert apply_listing_changes(es_client, settings, relisted) == {"not_removed": 1}
    assert _stored(es_client, settings, doc_id)["restored_at"] == "2026-03-05T00:00:00.000+00:00"
    events = _revisions(es_client, settings, doc_id)
    assert [(e["event"], e["evidence"]["kind"]) for e in events] == [
        ("removed", "unlisted"),
        ("restored", "listed_again"),
    ]
    with pytest.raises(Exception, match="schema"):
        apply_listing_changes(es_client, settings, {**relisted, "schema": 99})


def test_history_command_prints_revisions_and_removal(clean_stores, es_client, monkeypatch):
    from typer.testing import CliRunner

    from newsdesk.cli import app

    settings = clean_stores
    doc_id = _document_id_for(settings)
    first = {**_document(doc_id), "url": URL, "final_url": URL}
    edited = {**first, "body": BODY.replace("two hours", "three hours"), "first_fetched_at": "2026-02-01"}
    write_articles(es_client, settings, [first], REVISION_RULES)
    write_articles(es_client, settings, [edited], REVISION_RULES)
    mark_removed(
        es_client,
        settings,
        doc_id,
        {"kind": "http_410", "status": 410},
        "2026-03-01T00:00:00+00:00",
        REVISION_RULES,
    )
    es_client.indices.refresh(index=settings.revisions_index)  # the history is read by search
    for name, value in settings.to_env().items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(app, ["history", URL + "?utm_source=mail"])
    assert result.exit_code == 0, result.output
    assert "revisions  2 (last changed 2026-02-01)" in result.output
    assert "- The talks lasted two hours." in result.output
    assert "+ The talks lasted three hours." in result.output
    assert "removed    2026-03-01T00:00:00+00:00 (http_410)" in result.output
    assert "removed at 2026-03-01T00:00:00+00:00: kind=http_410, status=410" in result.output
    as_json = CliRunner().invoke(app, ["history", URL, "--json"])
    assert [event["event"] for event in json.loads(as_json.output)["events"]] == ["edited", "removed"]
    missing = CliRunner().invoke(app, ["history", "http://example.test/nowhere"])
    assert missing.exit_code == 1 and "not in the archive" in missing.output


def test_copies_of_one_version_in_a_batch_share_its_write(clean_stores, es_client):
    settings = clean_stores
    fresh = [_document("d1"), _document("d1")]
    assert [r.outcome for r in write_articles(es_client, settings, fresh, REVISION_RULES)] == [
        "created",
        "noop",
    ]
    edited = _document("d1", body=BODY + "\n\nA new closing line.", fetched="2026-02-01")
    assert [r.outcome for r in write_articles(es_client, settings, [edited] * 3, REVISION_RULES)] == [
        "updated",
        "noop",
        "noop",
    ]
    assert len(_revisions(es_client, settings, "d1")) == 1
    assert _stored(es_client, settings, "d1")["revision_count"] == 2
    # The first copy refused: the others are not counted as written.
    broken = {**_document("d1", body=BODY + "\n\nYet another line.", fetched="2026-03-01"), "bad_field": 1}
    assert [r.outcome for r in write_articles(es_client, settings, [broken, broken], REVISION_RULES)] == [
        "rejected"
    ] * 2


def test_new_articles_are_created_without_a_read_and_existing_ones_still_keep_revisions(
    clean_stores, es_client
):
    settings = clean_stores

    def reads() -> int:
        stats = es_client.indices.stats(index=settings.articles_alias, metric="get")
        return stats["_all"]["primaries"]["get"]["total"]

    before = reads()
    outcomes = write_articles(es_client, settings, [_document("o1"), _document("o2")], REVISION_RULES)
    assert [r.outcome for r in outcomes] == ["created", "created"]
    assert reads() == before, "a batch of new articles is created without reading the index"

    # The existing one is refused as a create, then read and updated with its revision; the new one is
    # created; a redelivery of the edit in the same batch shares its fate.
    edited = _document("o1", body=BODY + "\n\nOne more line.", fetched="2026-02-01")
    outcomes = write_articles(es_client, settings, [edited, _document("o3"), edited], REVISION_RULES)
    assert [r.outcome for r in outcomes] == ["updated", "created", "noop"]
    assert reads() > before
    assert _stored(es_client, settings, "o1")["revision_count"] == 2
    assert _stored(es_client, settings, "o1")["first_fetched_at"] == "2026-01-01T00:00:00+00:00"
    assert [r["revision"] for r in _revisions(es_client, settings, "o1")] == [1]
    unchanged = write_articles(es_client, settings, [_document("o2")], REVISION_RULES)
    assert [(r.outcome, r.created_by_run) for r in unchanged] == [("noop", "run-1")]
