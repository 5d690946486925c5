"""Dedupe state on a real Redis and a real Elasticsearch: atomic claims, windows, restarts, rebuilds."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import pytest

from index.writer import merge_also_seen, merge_also_seen_many, write_articles
from newsdesk.localstack.services import RedisServer
from newsdesk.state.claims import ContentClaims, UrlClaims
from newsdesk.state.client import build_redis
from tasks.dedupe.similarity import content_key
from tasks.dedupe.versions import REVISION_RULES
from tasks.worker.rebuild import rebuild_dedupe_state
from tasks.worker.resources import Resources

pytestmark = pytest.mark.services
WINDOW = 7 * 24 * 3600
NOW = 1_800_000_000.0
THRESHOLD, MAX_DAYS = 0.5, 3
LONG_AGO = "2020-01-01T00:00:00+00:00"

ORIGINAL = (
    "Kim Jong Un had talks with Vladimir Putin, president of the Russian Federation, on June 19.\n\n"
    "They had an in-depth discussion on the situation on the Korean peninsula and on the multipolar "
    "world order, and reached a consensus on every issue raised.\n\n"
    "Both sides agreed to take positive measures to further energize the work of the intergovernmental "
    "committee for co-operation in trade.\n\n"
    "The talks proceeded in a friendly atmosphere on June 19."
)
EDITED = ORIGINAL.replace("friendly", "warm and friendly") + "\n\nSpeeches were made at the reception."
OTHER = (
    "A cultural delegation of Cuba arrived in Hanoi on March 3.\n\n"
    "The delegation is expected to tour Hanoi and visit several institutions of culture.\n\n"
    "Officials of the ministry of culture and the embassy of Cuba in Hanoi were on hand."
)


def _claim(claims: ContentClaims, doc_id: str, body: str, published="2024-06-19", at=NOW):
    key = content_key(body, published)
    return claims.claim(doc_id, key.fingerprint, key.signature, key.bands, key.day, THRESHOLD, MAX_DAYS, at)


def _doc(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


def test_exact_and_near_copies_find_the_first_article_and_keep_their_verdict(clean_stores, redis_client):
    claims = ContentClaims(redis_client, clean_stores.index_prefix, WINDOW)
    assert _claim(claims, _doc(1), ORIGINAL) == ("new", _doc(1))
    assert _claim(claims, _doc(2), "SEOUL, June 19 (KCNA) -- " + ORIGINAL.upper()) == ("exact", _doc(1))
    assert _claim(claims, _doc(3), EDITED) == ("near", _doc(1))
    assert _claim(claims, _doc(4), OTHER) == ("new", _doc(4))
    # Retries and re-crawls keep every verdict, whatever arrived in between.
    assert _claim(claims, _doc(1), ORIGINAL) == ("new", _doc(1))
    assert _claim(claims, _doc(3), EDITED, at=NOW + 60) == ("near", _doc(1))
    # An exact copy of a near-copy is listed on the original.
    assert _claim(claims, _doc(5), EDITED) == ("exact", _doc(1))


def test_near_copies_published_too_far_apart_or_seen_after_the_window_are_new(clean_stores, redis_client):
    claims = ContentClaims(redis_client, clean_stores.index_prefix, WINDOW)
    assert _claim(claims, _doc(1), ORIGINAL)[0] == "new"
    assert _claim(claims, _doc(2), EDITED, published="2024-07-19") == ("new", _doc(2))
    assert _claim(claims, _doc(3), EDITED.replace("trade", "energy"), at=NOW + 2.5 * WINDOW)[0] == "new"
    assert redis_client.ttl(claims.signature_keys(NOW)[0]) > 0, "signature buckets must expire"


def test_many_workers_claiming_copies_of_one_story_at_once_make_one_canonical(clean_stores, base_settings):
    bodies = [ORIGINAL, EDITED, ORIGINAL.lower(), EDITED + "\n\nReprinted from KCNA."] * 5
    answers: list[tuple[str, str]] = []
    barrier = threading.Barrier(len(bodies))

    def claim(n: int, body: str) -> None:
        client = build_redis(base_settings)
        claims = ContentClaims(client, base_settings.index_prefix, WINDOW)
        barrier.wait()
        answers.append(_claim(claims, _doc(n), body))
        client.close()

    threads = [threading.Thread(target=claim, args=(n, body)) for n, body in enumerate(bodies, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    new = [canonical for kind, canonical in answers if kind == "new"]
    assert len(new) == 1
    assert {canonical for _, canonical in answers} == set(new)


def test_listing_copies_is_idempotent_and_safe_under_concurrent_writers(clean_stores, es_client):
    document = {"doc_id": _doc(1), "url": "http://a.test/1", "title": "T", "body": ORIGINAL}
    assert write_articles(es_client, clean_stores, [document], REVISION_RULES)[0].outcome == "created"
    copies = [
        {"url": f"http://b.test/{n}", "source": "B", "seen_at": "2026-11-27T10:00:00Z", "kind": "near"}
        for n in range(12)
    ]
    assert merge_also_seen(es_client, clean_stores, _doc(2), copies[:1]) == "missing"
    threads = [
        threading.Thread(target=merge_also_seen, args=(es_client, clean_stores, _doc(1), [copy]))
        for copy in copies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert merge_also_seen(es_client, clean_stores, _doc(1), copies) == "noop"
    source = es_client.get(index=clean_stores.articles_alias, id=_doc(1))["_source"]
    assert sorted(item["url"] for item in source["also_seen_at"]) == sorted(c["url"] for c in copies)
    assert source["also_seen_count"] == len(copies)


def test_copies_of_several_documents_are_listed_in_one_batch(clean_stores, es_client):
    documents = [
        {"doc_id": _doc(n), "url": f"http://a.test/{n}", "title": "T", "body": body}
        for n, body in ((1, ORIGINAL), (2, OTHER))
    ]
    write_articles(es_client, clean_stores, documents, REVISION_RULES)
    copy = {"url": "http://b.test/1", "source": "B", "seen_at": "2026-11-27T10:00:00Z", "kind": "near"}
    later = {**copy, "url": "http://c.test/1", "seen_at": "2026-11-27T09:00:00Z", "source": "C"}
    own_url = {**copy, "url": "http://a.test/2"}
    outcomes = merge_also_seen_many(
        es_client, clean_stores, {_doc(1): [copy, later], _doc(2): [own_url], _doc(3): [copy], _doc(4): []}
    )
    # Listed (sorted by when each copy was seen); its own URL is never a copy; not indexed yet; nothing.
    assert outcomes == {_doc(1): "updated", _doc(2): "noop", _doc(3): "missing", _doc(4): "noop"}
    first = es_client.get(index=clean_stores.articles_alias, id=_doc(1))["_source"]
    assert [item["url"] for item in first["also_seen_at"]] == ["http://c.test/1", "http://b.test/1"]
    assert first["also_seen_count"] == 2
    assert "also_seen_at" not in es_client.get(index=clean_stores.articles_alias, id=_doc(2))["_source"]
    again = merge_also_seen_many(es_client, clean_stores, {_doc(1): [later, copy]})
    assert again == {_doc(1): "noop"}


def test_an_article_is_created_with_the_copies_gathered_for_it(clean_stores, es_client):
    copy = {"url": "http://b.test/1", "source": "B", "seen_at": "2026-11-27T10:00:00Z", "kind": "near"}
    own_url = {**copy, "url": "http://a.test/1"}
    document = {"doc_id": _doc(1), "url": "http://a.test/1", "title": "T", "body": ORIGINAL}
    gathered = {_doc(1): [copy, own_url]}

    assert (
        write_articles(es_client, clean_stores, [document], REVISION_RULES, gathered)[0].outcome == "created"
    )
    stored = es_client.get(index=clean_stores.articles_alias, id=_doc(1))["_source"]
    assert [item["url"] for item in stored["also_seen_at"]] == ["http://b.test/1"]
    assert stored["also_seen_count"] == 1
    # An existing article's copies are merged by `merge_also_seen_many`, never overwritten by a write.
    later = {**copy, "url": "http://c.test/1"}
    edited = {**document, "body": EDITED}
    assert (
        write_articles(es_client, clean_stores, [edited], REVISION_RULES, {_doc(1): [later]})[0].outcome
        == "updated"
    )
    stored = es_client.get(index=clean_stores.articles_alias, id=_doc(1))["_source"]
    assert [item["url"] for item in stored["also_seen_at"]] == ["http://b.test/1"]


def test_dedupe_state_survives_a_redis_restart_with_persistence(tmp_path: Path):
    server = RedisServer(tmp_path / "redis", persistent=True).start()
    try:
        from newsdesk.kernel.settings import Settings

        settings = Settings(redis_url=server.url, index_prefix="persist")
        client = build_redis(settings)
        claims = ContentClaims(client, "persist", WINDOW)
        assert _claim(claims, _doc(1), ORIGINAL, at=None)[0] == "new"
        assert (
            UrlClaims(client, "persist").claim(_doc(1), "http://a.test/1", "http://a.test/1")
            == "http://a.test/1"
        )
        client.close()
        server.stop()
        server.start()
        client = build_redis(settings)
        claims = ContentClaims(client, "persist", WINDOW)
        assert _claim(claims, _doc(2), EDITED, at=None) == ("near", _doc(1))
        assert (
            UrlClaims(client, "persist").claim(_doc(1), "http://a.test/1?x", "http://a.test/1")
            == "http://a.test/1"
        )
        client.close()
    finally:
        server.stop()


def test_rebuild_from_the_index_restores_owners_fingerprints_signatures_and_verdicts(
    clean_stores, es_client, redis_client
):
    from tasks.dedupe.identity import canonical_url, document_id

    copy_url = "http://c.test/copy"
    documents = [
        {
            "doc_id": _doc(n),
            "url": f"http://a.test/{n}",
            "final_url": f"http://a.test/{n}?from=feed",
            "title": "T",
            "body": body,
            "published_at": "2024-06-19",
            "first_fetched_at": fetched,
        }
        for n, body, fetched in ((1, ORIGINAL, dt.datetime.now(dt.UTC).isoformat()), (2, OTHER, LONG_AGO))
    ]
    write_articles(es_client, clean_stores, documents, REVISION_RULES)
    copy = {"url": copy_url, "source": "C", "seen_at": "2026-11-27T10:00:00Z", "kind": "near"}
    merge_also_seen(es_client, clean_stores, _doc(1), [copy])
    es_client.indices.refresh(index=clean_stores.articles_alias)
    redis_client.flushdb()

    counts = rebuild_dedupe_state(es_client, redis_client, clean_stores)

    assert counts["articles"] == 2 and counts["copies"] == 1
    # Fingerprints, URL owners and verdicts are back in Redis; signatures are in the archive, not in Redis
    # (bytes per article at scale are measured by the benchmarks, not asserted here).
    dedupe_keys = list(redis_client.scan_iter(match=f"{clean_stores.index_prefix}:dedupe:*"))
    assert dedupe_keys and not [key for key in dedupe_keys if ":sigs:" in key or ":bands:" in key]
    assert counts["dedupe_bytes"] > 0
    es_client.indices.refresh(index=clean_stores.minhash_index)
    resources = Resources(clean_stores)
    urls = UrlClaims(redis_client, clean_stores.index_prefix)
    assert urls.claim(_doc(1), "http://elsewhere.test/", "http://a.test/1") == "http://a.test/1?from=feed"
    assert _claim_archived(resources, _doc(9), ORIGINAL.upper()) == ("exact", _doc(1))
    assert _claim_archived(resources, _doc(10), EDITED) == ("near", _doc(1))
    # However long ago it was fetched, an archived article is a candidate; only publication days count.
    assert _claim_archived(resources, _doc(11), OTHER) == ("exact", _doc(2))
    assert _claim_archived(resources, _doc(12), OTHER + "\n\nThe tour ends on Friday.") == ("near", _doc(2))
    far_apart = _claim_archived(resources, _doc(13), EDITED + "\n\nAnd more.", published="2024-09-19")
    assert far_apart == ("new", _doc(13))
    copy_id = document_id(canonical_url(copy_url))
    assert _claim_archived(resources, copy_id, "anything at all") == ("near", _doc(1))


def _claim_archived(resources: Resources, doc_id: str, body: str, published="2024-06-19") -> tuple[str, str]:
    """A claim as the dedupe stage makes it: the archive searched, then Redis deciding."""
    return resources.claim_content(doc_id, content_key(body, published))


def _archive(resources: Resources, es_client, doc_id: str, body: str, published="2024-06-19") -> None:
    """What the index stage does once an article is written: its signature archived, then settled."""
    key = content_key(body, published)
    payload = {"doc_id": doc_id, "content_signature": key.signature.hex(), "published_at": published}
    resources.archive_signatures([payload])
    es_client.indices.refresh(index=resources.settings.minhash_index)


def _window_keys(redis_client, prefix: str) -> list[str]:
    return [
        key
        for pattern in ("sigs", "bands")
        for key in redis_client.scan_iter(match=f"{prefix}:dedupe:{pattern}:*")
        if redis_client.hlen(key)
    ]


def test_an_archived_article_leaves_redis_once_settled_and_is_still_found_by_its_near_copies(
    clean_stores, es_client, redis_client
):
    resources = Resources(clean_stores)
    prefix = clean_stores.index_prefix
    assert _claim_archived(resources, _doc(1), ORIGINAL) == ("new", _doc(1))
    assert _window_keys(redis_client, prefix), "claimed, not archived yet: Redis holds it"
    assert _claim_archived(resources, _doc(2), EDITED) == ("near", _doc(1))

    _archive(resources, es_client, _doc(1), ORIGINAL)
    assert resources.content.forget_settled() == 0, "settled just now: kept until any search has seen it"
    assert _window_keys(redis_client, prefix)
    assert resources.content.forget_settled(settle_seconds=0) == 1
    assert _window_keys(redis_client, prefix) == []

    # Another address of the article (a tracking parameter): listed on it, and nothing comes back to Redis.
    variant = resources.claim_content(_doc(1), content_key(ORIGINAL, "2024-06-19"), variant=True)
    assert variant == ("new", _doc(1))
    assert _window_keys(redis_client, prefix) == []
    # Another address of the copy keeps the copy's verdict.
    copy_variant = resources.claim_content(_doc(2), content_key(EDITED, "2024-06-19"), variant=True)
    assert copy_variant == ("near", _doc(1))

    # Found in the archive now: a new near-copy, a re-crawl of the copy, and the article itself revised.
    assert _claim_archived(resources, _doc(3), EDITED + "\n\nSpeeches followed.") == ("near", _doc(1))
    assert _claim_archived(resources, _doc(2), EDITED) == ("near", _doc(1))
    revised = ORIGINAL.replace("June 19", "June 20") + "\n\nA banquet was given."
    assert _claim_archived(resources, _doc(1), revised) == ("new", _doc(1))
    # An unrelated article is new, and so is a near-copy published too long after.
    assert _claim_archived(resources, _doc(4), OTHER) == ("new", _doc(4))
    late = EDITED + "\n\nThe delegation left."
    assert _claim_archived(resources, _doc(5), late, published="2024-12-01") == ("new", _doc(5))


def test_a_settled_entry_is_forgotten_only_where_it_still_names_its_article(
    clean_stores, es_client, redis_client
):
    resources = Resources(clean_stores)
    prefix = clean_stores.index_prefix
    assert _claim_archived(resources, _doc(1), ORIGINAL)[0] == "new"
    assert _claim_archived(resources, _doc(2), OTHER)[0] == "new"
    before = {key: redis_client.hlen(key) for key in _window_keys(redis_client, prefix)}
    _archive(resources, es_client, _doc(1), ORIGINAL)
    assert resources.content.forget_settled(settle_seconds=0) == 1
    # The other article's signature and bands are all still there.
    after = {key: redis_client.hlen(key) for key in _window_keys(redis_client, prefix)}
    assert sum(after.values()) == sum(before.values()) // 2
    assert _claim_archived(resources, _doc(3), OTHER + "\n\nThe tour ends on Friday.") == ("near", _doc(2))


def test_a_page_counts_as_new_even_when_its_redelivered_copy_counted_unchanged_first(
    clean_stores, redis_client
):
    from newsdesk.state.runs import RunStore

    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    assert runs.record_outcome(run_id, "http://a.test/1", "unchanged")
    assert runs.record_outcome(run_id, "http://a.test/1", "new")
    assert not runs.record_outcome(run_id, "http://a.test/1", "new")
    assert not runs.record_outcome(run_id, "http://a.test/1", "unchanged")
    run = runs.get(run_id)
    assert (run["new"], run["unchanged"], run["done"]) == (1, 0, 1)


def test_state_an_older_newsdesk_left_is_moved_into_the_sharded_maps_once(redis_client):
    from newsdesk.state.claims import upgrade_dedupe_layout

    redis_client.flushdb()
    prefix = "upgrade"
    fingerprint = content_key(ORIGINAL, "2024-06-19").fingerprint
    # The older layout: a key per URL owner, one hash of fingerprints and one of verdicts.
    redis_client.set(f"{prefix}:url-owner:{_doc(1)}", "http://a.test/1?from=feed")
    redis_client.hset(f"{prefix}:dedupe:fingerprints", fingerprint, _doc(1))
    redis_client.hset(f"{prefix}:dedupe:verdicts", _doc(7), f"near {_doc(1)}")

    moved = upgrade_dedupe_layout(redis_client, prefix)

    assert moved == {"url_owners": 1, "fingerprints": 1, "verdicts": 1}
    assert not redis_client.exists(
        f"{prefix}:url-owner:{_doc(1)}", f"{prefix}:dedupe:fingerprints", f"{prefix}:dedupe:verdicts"
    )
    claims = ContentClaims(redis_client, prefix, WINDOW)
    urls = UrlClaims(redis_client, prefix)
    assert urls.claim(_doc(1), "http://a.test/1", "http://a.test/1") == "http://a.test/1?from=feed"
    assert _claim(claims, _doc(2), ORIGINAL.upper()) == ("exact", _doc(1))  # its signature is not needed
    assert _claim(claims, _doc(7), OTHER) == ("near", _doc(1))  # a copy stays what it was judged
    assert upgrade_dedupe_layout(redis_client, prefix) == {"url_owners": 0, "fingerprints": 0, "verdicts": 0}


def test_a_batch_of_outcomes_counts_each_url_once_per_run(clean_stores, redis_client):
    from newsdesk.state.claims import SeenElsewhere
    from newsdesk.state.runs import RunStore

    runs = RunStore(redis_client, clean_stores.index_prefix)
    first, second = runs.create("test"), runs.create("test")
    batch = [
        (first, "http://a.test/1", "new"),
        (first, "http://a.test/2", "updated"),
        (first, "http://a.test/1", "unchanged"),  # the same URL again in one batch: counted once
        (second, "http://a.test/1", "unchanged"),
        (None, "http://a.test/3", "new"),  # no run: nothing to count
    ]
    runs.record_outcomes(batch)
    runs.record_outcomes(batch)  # a replayed batch changes nothing

    assert (runs.get(first)["new"], runs.get(first)["updated"], runs.get(first)["done"]) == (1, 1, 2)
    assert (runs.get(second)["unchanged"], runs.get(second)["done"]) == (1, 1)
    with pytest.raises(ValueError):
        runs.record_outcomes([(first, "http://a.test/4", "gone")])

    seen = SeenElsewhere(redis_client, clean_stores.index_prefix, 60)
    seen.add_many([(_doc(1), {"url": "http://b.test/1", "kind": "exact"})])
    gathered = seen.entries_of([_doc(1), _doc(2), _doc(1)])
    assert gathered == {_doc(1): [{"url": "http://b.test/1", "kind": "exact"}], _doc(2): []}
