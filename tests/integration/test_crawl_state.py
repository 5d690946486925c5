"""Integration tests for the recurring-crawl state on a real Redis: bounded, compact, kept across restarts."""

from __future__ import annotations

import time

import pytest

from crawler.listing_watch import settle_pages_handed_on
from newsdesk.kernel.settings import Settings
from newsdesk.localstack.services import RedisServer
from newsdesk.state.client import build_redis
from newsdesk.state.crawl_state import CrawlState, ListingReads, url_digest
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services


def _urls(count: int, start: int = 0) -> list[str]:
    return [f"https://news.example/world/2025/story-number-{i}.html" for i in range(start, start + count)]


def test_known_urls_round_trip_and_tracking_copies_count_as_known(redis_client) -> None:
    redis_client.flushdb()
    state = CrawlState(redis_client, "ndtest")

    assert state.mark_known("alpha", _urls(50)) == 50
    state.mark_known("alpha", [_urls(1)[0] + "?utm_source=x"])

    assert state.known_digests("alpha") == {url_digest(u) for u in _urls(50)}
    assert state.known_digests("beta") == set()
    assert state.sources() == ["alpha"]
    assert state.bytes_per_url("alpha") < 60  # hex digests in a string, not a set of whole URLs


def test_the_oldest_generation_goes_when_over_the_bound(redis_client) -> None:
    redis_client.flushdb()
    state = CrawlState(redis_client, "ndtest", max_urls=100)
    january, february, march = (time.mktime((2025, month, 15, 0, 0, 0, 0, 0, 0)) for month in (1, 2, 3))

    state.mark_known("alpha", _urls(60), at=january)
    state.mark_known("alpha", _urls(30, 100), at=february)
    assert state.count_known("alpha") == 90
    state.mark_known("alpha", _urls(30, 200), at=march)

    known = state.known_digests("alpha")
    assert known == {url_digest(u) for u in _urls(30, 100) + _urls(30, 200)}


def test_page_validators_round_trip(redis_client) -> None:
    redis_client.flushdb()
    state = CrawlState(redis_client, "ndtest")
    pages = {
        "https://news.example/": {
            "etag": '"abc"',
            "last_modified": None,
            "children": ["https://news.example/p/2"],
        }
    }

    state.save_page_validators("alpha", pages)

    assert state.page_validators("alpha") == pages


def test_the_state_survives_a_redis_restart(tmp_path) -> None:
    server = RedisServer(tmp_path / "redis", persistent=True).start()
    try:
        settings = Settings(redis_url=server.url)
        CrawlState(build_redis(settings), "ndtest").mark_known("alpha", _urls(20))
        server.stop()
        server.start()
        assert CrawlState(build_redis(settings), "ndtest").count_known("alpha") == 20
    finally:
        server.stop()


def test_a_late_progress_write_never_overwrites_the_final_figures(redis_client) -> None:
    from newsdesk.state.runs import RunStore

    runs = RunStore(redis_client, f"ndprogress{time.time_ns()}")
    run_id = runs.create("site")
    runs.record_crawl_progress(run_id, {"pages_fetched": 3, "finish_reason": "running"})
    runs.finish_crawl(run_id, {"pages_fetched": 7, "finish_reason": "finished"})
    runs.record_crawl_progress(run_id, {"pages_fetched": 5, "finish_reason": "running"})

    run = runs.get(run_id)
    assert run["crawl_pages_fetched"] == 7
    assert run["crawl_finish_reason"] == "finished"


def test_how_listings_were_read_is_kept_per_source_and_goes_with_the_known_urls(redis_client) -> None:
    redis_client.flushdb()
    state = CrawlState(redis_client, "ndtest")
    assert state.listing_reads("alpha") == ListingReads(complete=False, full_read_at=None)

    state.mark_known("alpha", _urls(3))
    state.record_listing_read("alpha", complete=True, every_page=True, at=100.0)
    state.record_listing_read("alpha", complete=True, every_page=False, at=200.0)  # stopped at known ones
    assert state.listing_reads("alpha") == ListingReads(complete=True, full_read_at=100.0)
    assert state.listing_reads("beta") == ListingReads()

    state.record_listing_read("alpha", complete=False, every_page=True, at=300.0)  # cut short
    assert state.listing_reads("alpha") == ListingReads(complete=False, full_read_at=100.0)
    state.record_listing_read("alpha", complete=True, every_page=True, at=400.0)
    state.forget_known("alpha")  # without its known URLs a source must read its listings to the end again
    assert state.listing_reads("alpha") == ListingReads()
    assert state.sources() == []


def test_a_discovery_page_the_pipeline_found_an_article_is_settled(redis_client) -> None:
    redis_client.flushdb()
    state = CrawlState(redis_client, "ndsettle")
    runs = RunStore(redis_client, "ndsettle")
    run_id = runs.create("alpha")
    entry = {"etag": '"x"', "last_modified": None, "lastmod": None, "children": []}
    pages = {
        "http://a.test/": entry,
        "http://a.test/story": {**entry, "handed_on_in": run_id},
        "http://a.test/topics/x": {**entry, "handed_on_in": run_id},
        "http://a.test/pending": {**entry, "handed_on_in": run_id},
    }
    state.save_page_validators("alpha", pages)
    runs.record_outcome(run_id, "http://a.test/story", "new")
    runs.record_outcome(run_id, "http://a.test/topics/x", "not_article", "a list of links")

    kept = settle_pages_handed_on(state, runs, "alpha", state.page_validators("alpha"))

    # The article is no discovery page any more; the hub is one for good; no verdict yet: left as it is.
    assert set(kept) == {"http://a.test/", "http://a.test/topics/x", "http://a.test/pending"}
    assert "handed_on_in" not in kept["http://a.test/topics/x"]
    assert kept["http://a.test/pending"]["handed_on_in"] == run_id
    assert state.page_validators("alpha") == kept
