"""End to end: a crawl of republished stories keeps each story once, listing everywhere it ran."""

from __future__ import annotations

import dataclasses
import time
from urllib.parse import urlsplit

import pytest

from index.query import collect_stats
from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.state.claims import SETTLE_SECONDS
from tasks.dedupe.identity import canonical_url, document_id
from tasks.worker.rebuild import rebuild_dedupe_state
from tasks.worker.sweeps import SWEEP_SECONDS

pytestmark = pytest.mark.services
SITE_SIZE = 18


@pytest.fixture(scope="module")
def republished_site():
    site = generate_site(size=SITE_SIZE, seed=5, republications=True)
    with DemoServer(site) as server:
        yield site, server


def _documents(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, version=True, query={"match_all": {}})
    return {hit["_id"]: {**hit["_source"], "_version": hit["_version"]} for hit in response["hits"]["hits"]}


def _stories(site) -> dict[int, list]:
    """Each story (keyed by its original's id) and every article that is a copy of it."""
    stories: dict[int, list] = {}
    for article in site.articles:
        stories.setdefault(article.copy_of or article.article_id, []).append(article)
    return stories


def _in_flight(redis_client, settings) -> list[str]:
    """Redis keys still holding an article's signature or bands, or copies not yet listed."""
    prefix = settings.index_prefix
    patterns = (f"{prefix}:dedupe:sigs:*", f"{prefix}:dedupe:bands:*", f"{prefix}:seen:*")
    return [
        key for pattern in patterns for key in redis_client.scan_iter(match=pattern) if redis_client.hlen(key)
    ]


def test_each_story_is_indexed_once_and_lists_every_place_it_ran_even_after_a_rebuild(
    republished_site, clean_stores, worker, es_client, redis_client
):
    site, server = republished_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)
    stories = _stories(site)
    assert any(len(copies) > 1 for copies in stories.values())
    assert any(article.follows for article in site.articles)

    run = run_crawl(settings, "demo", wait=True, timeout=300)

    # Every address each article was fetched under: its own path, and tracking-parameter copies of it.
    fetched: dict[str, set[str]] = {}
    for raw_path in server.requests:
        fetched.setdefault(urlsplit(raw_path).path, set()).add(server.url + raw_path)
    article_urls = sum(len(fetched.get(a.path, ())) for a in site.articles)
    assert run["complete"] and run["failed"] == 0
    assert run["new"] == len(stories)
    assert run["duplicate"] == article_urls - len(stories)

    documents = _documents(es_client, settings)
    assert len(documents) == len(stories)
    for story in stories.values():
        ids = {document_id(canonical_url(server.url + a.path)): a for a in story}
        (canonical_id,) = set(ids) & set(documents)
        document = documents[canonical_id]
        everywhere = set().union(*(fetched[a.path] for a in story))
        listed = [item["url"] for item in document.get("also_seen_at", [])]
        assert len(listed) == len(set(listed)), "a copy must be listed once"
        # The document's own canonical address is where it is, not somewhere else it ran.
        assert set(listed) == everywhere - {document["final_url"], document["url"]}
        assert document.get("also_seen_count", 0) == len(listed)
        assert document["story_id"] == canonical_id
        assert document["content_fingerprint"]
        sources = {item["source"] for item in document.get("also_seen_at", [])}
        assert sources <= {a.source.name for a in story}
        assert {item["kind"] for item in document.get("also_seen_at", [])} <= {"url", "exact", "near"}
    stats_before = collect_stats(es_client, settings)
    assert stats_before["duplicates"] == article_urls - len(stories)

    # Every canonical article is a near-duplicate candidate in the archive; once settled there, Redis
    # forgets its signature and bands, and the copies listed on it (the workers' sweep does it).
    es_client.indices.refresh(index=settings.minhash_index)
    assert es_client.count(index=settings.minhash_index)["count"] == len(stories)
    assert _in_flight(redis_client, settings), "just crawled: some articles are still in Redis"
    deadline = time.monotonic() + SETTLE_SECONDS + 6 * SWEEP_SECONDS
    while _in_flight(redis_client, settings) and time.monotonic() < deadline:
        time.sleep(1)
    assert _in_flight(redis_client, settings) == []

    # Lose every bit of Redis state, rebuild it from the index, crawl again: nothing new, nothing doubled.
    redis_client.flushdb()
    counts = rebuild_dedupe_state(es_client, redis_client, settings)
    assert counts["articles"] == len(stories)
    second = run_crawl(settings, "demo", wait=True, timeout=300)

    assert second["new"] == 0 and second["updated"] == 0
    assert second["unchanged"] == len(stories)
    assert second["duplicate"] == run["duplicate"]
    after = _documents(es_client, settings)
    assert {k: (v["_version"], v.get("also_seen_at")) for k, v in after.items()} == {
        k: (v["_version"], v.get("also_seen_at")) for k, v in documents.items()
    }
    assert collect_stats(es_client, settings) == stats_before
