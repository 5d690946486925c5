"""End to end: discovery by listings, feeds and sitemaps; politeness, safety and recurring crawls."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.crawling import PRIVATE_ARTICLE_PATH, TRAPS, CrawlFeatures
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import ConfigError
from newsdesk.state.client import build_redis
from newsdesk.state.crawl_state import CrawlState
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url
from tasks.worker.rebuild import rebuild_crawl_state

pytestmark = pytest.mark.services
SITE_SIZE = 12


@pytest.fixture
def features_site():
    site = generate_site(SITE_SIZE, seed=5, crawl_features=CrawlFeatures(page_size=1))
    with DemoServer(site) as server:
        yield site, server


def _indexed_urls(es, settings) -> set[str]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, query={"match_all": {}}, source=["url"])
    return {hit["_source"]["url"] for hit in response["hits"]["hits"]}


def _dead_letters(es, settings) -> dict[str, str]:
    es.indices.refresh(index=settings.deadletter_index)
    response = es.search(index=settings.deadletter_index, size=1000, query={"match_all": {}})
    return {hit["_source"]["url"]: hit["_source"]["reason"] for hit in response["hits"]["hits"]}


def _crawl_run_record(es, settings, run_id: str) -> dict:
    es.indices.refresh(index=settings.crawl_runs_index)
    response = es.search(index=settings.crawl_runs_index, query={"term": {"run_id": run_id}})
    (hit,) = response["hits"]["hits"]
    return hit["_source"]


def _problems(run: dict) -> dict[str, str]:
    return {urlsplit(p["url"]).path: p["kind"] for p in json.loads(run["crawl_problems"])}


def _expected(site, server) -> set[str]:
    return {canonical_url(server.url + article.path) for article in site.articles}


def _with_registry(settings, tmp_path: Path, text: str):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return dataclasses.replace(settings, sources_file=path)


@pytest.mark.parametrize("source", ["demo", "demo-feeds", "demo-sitemaps"])
def test_every_article_of_a_paginated_feed_or_sitemap_source_is_indexed_and_no_listing(
    source, features_site, clean_stores, worker, es_client
):
    site, server = features_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)

    run = run_crawl(settings, source, wait=True, timeout=300)

    assert run["complete"]
    assert run["new"] == SITE_SIZE
    assert run["failed"] == 0
    assert _indexed_urls(es_client, settings) == _expected(site, server)
    assert set(_dead_letters(es_client, settings)) <= {server.url + path for path in site.rejected_paths}
    requested = set(server.requests)
    assert not any(path.startswith("/private/") for path in requested), "robots.txt disallows /private/"
    if source == "demo":
        assert "/mfa/page/4/" in requested  # twelve articles, three outlets, one per page
        assert _problems(run)[PRIVATE_ARTICLE_PATH] == "robots_disallowed"
    else:
        # A feed-only or sitemap-only source never fetches a listing page.
        assert not any(path.endswith("/") for path in requested)
    record = _crawl_run_record(es_client, settings, run["run_id"])
    assert record["crawl_source"] == source
    assert record["discovered"] >= SITE_SIZE
    assert record["pages_fetched"] >= SITE_SIZE
    assert record["bytes"] > 0
    assert record["outcomes"]["new"] == SITE_SIZE
    assert record["started_at"] <= record["finished_at"]


def test_a_recrawl_fetches_no_known_article_and_new_articles_appear(
    features_site, clean_stores, worker, es_client, redis_client, tmp_path
):
    site, server = features_site
    # The demo source without listing-based removal (which reads every listing page now and then).
    settings = _with_registry(
        dataclasses.replace(clean_stores, demo_url=server.url),
        tmp_path,
        'sources:\n  - name: paged\n    start_urls: ["{demo_url}/"]\n    article_pattern: "/article/"\n'
        "    allow_private: true\n",
    )
    first = run_crawl(settings, "paged", wait=True, timeout=300)
    assert first["new"] == SITE_SIZE
    server.log.clear()

    second = run_crawl(settings, "paged", wait=True, timeout=300)

    assert [entry.path for entry in server.log if "/article/" in entry.path] == []
    assert any(entry.status == 304 for entry in server.log), "discovery pages are fetched conditionally"
    assert (second["sent"], second["new"]) == (0, 0)
    # Every discovery page answered 304, so it listed nothing new: its remembered links to other listings
    # were followed, its further pages (page 2, 3, ...) were not, and no article link was read.
    assert int(first["crawl_pagination_skipped"]) == 0
    assert 0 < int(second["crawl_not_modified"]) < int(first["crawl_discovery_pages"])
    assert int(second["crawl_pagination_skipped"]) > 0
    assert not [entry.path for entry in server.log if "/page/" in entry.path]
    assert len(_indexed_urls(es_client, settings)) == SITE_SIZE

    added = server.add_articles(2)
    server.log.clear()
    third = run_crawl(settings, "paged", wait=True, timeout=300)

    assert third["new"] == 2
    assert _indexed_urls(es_client, settings) == _expected(server.site, server)
    fetched_articles = {urlsplit(e.path).path for e in server.log if "/article/" in e.path}
    assert fetched_articles == {a.path for a in added}

    # Redis loses the state; it is rebuilt from the archive and the next crawl still fetches no article.
    state = CrawlState(redis_client, settings.index_prefix)
    per_url = state.bytes_per_url("paged")
    print(f"crawl state: {state.count_known('paged')} known URLs, {per_url:.1f} bytes per URL (MEMORY USAGE)")
    state.forget_known("paged")
    assert state.count_known("paged") == 0
    assert rebuild_crawl_state(settings, "paged")["paged"] >= SITE_SIZE + 2
    server.log.clear()
    fourth = run_crawl(settings, "paged", wait=True, timeout=300)
    assert [entry.path for entry in server.log if "/article/" in entry.path] == []
    assert fourth["sent"] == 0
    assert int(fourth["crawl_pagination_skipped"]) == 0, "the state was lost: every listing page is read"


def test_traps_are_recorded_with_their_reason_and_the_crawl_completes(
    clean_stores, worker, es_client, tmp_path
):
    features = CrawlFeatures(traps=True, slow_seconds=2.0, oversize_bytes=300_000, retry_after_seconds=1)
    with DemoServer(generate_site(3, seed=2, crawl_features=features)) as server:
        settings = _with_registry(
            dataclasses.replace(clean_stores, demo_url=server.url, max_page_bytes=200_000),
            tmp_path,
            "sources:\n  - name: traps\n"
            '    start_urls: ["{demo_url}/traps/", "{demo_url}' + PRIVATE_ARTICLE_PATH + '"]\n'
            '    article_pattern: "/article/"\n    allow_private: true\n'
            "    politeness: {timeout: 1.0, retry_times: 1}\n",
        )

        run = run_crawl(settings, "traps", wait=True, timeout=300)

        log = list(server.log)
    assert run["complete"]
    problems = _problems(run)
    assert problems[TRAPS["missing"]] == "http_404"
    assert problems[TRAPS["error"]] == "http_500"
    assert problems[TRAPS["slow"]] == "timeout"
    assert problems[TRAPS["huge"]] == "too_large"
    assert problems[TRAPS["away"]] == "redirect_offsite"
    assert "redirect_loop" in {problems.get(TRAPS["loop"]), problems.get("/traps/article/loop-b.html")}
    assert problems[PRIVATE_ARTICLE_PATH] == "robots_disallowed"
    assert not any(entry.path.startswith("/private/") for entry in log)
    # 429 with Retry-After: 1 is retried, and not before a second has passed.
    busy = [entry for entry in log if entry.path == TRAPS["busy"]]
    assert [entry.status for entry in busy] == [429, 200]
    assert busy[1].at - busy[0].at >= 0.95
    assert {entry.user_agent for entry in log} == {settings.user_agent}
    # A link to a page that does not exist is a dead link, recorded by the crawler, not a rejected article.
    fates = {
        urlsplit(url).path: fate
        for url, fate in RunStore(build_redis(settings), settings.index_prefix)
        .url_fates(run["run_id"])
        .items()
    }
    assert fates[TRAPS["missing"]] == ("dead_link", "answered 404")
    assert fates[TRAPS["error"]][0] == fates[TRAPS["slow"]][0] == "fetch_error"
    dead = {urlsplit(url).path: reason for url, reason in _dead_letters(es_client, settings).items()}
    assert TRAPS["missing"] not in dead
    assert dead[TRAPS["error"]] == "http_500"
    assert dead[TRAPS["slow"]] == dead[TRAPS["huge"]] == "fetch_failed"
    # A link to a PDF is never fetched as an article.
    assert not any(entry.path == TRAPS["binary"] for entry in log)
    record = _crawl_run_record(es_client, settings, run["run_id"])
    kinds = {item["kind"]: item["count"] for item in record["errors_by_kind"]}
    assert {"http_404", "http_500", "timeout", "too_large", "redirect_offsite", "robots_disallowed"} <= set(
        kinds
    )
    assert record["robots_refused"] == 1
    assert record["retries"] >= 1


def test_robots_crawl_delay_spaces_requests(clean_stores, worker):
    with DemoServer(generate_site(3, seed=3, crawl_features=CrawlFeatures(crawl_delay=1.0))) as server:
        settings = dataclasses.replace(clean_stores, demo_url=server.url)

        run = run_crawl(settings, "demo-feeds", wait=True, timeout=300)

        log = list(server.log)
    assert run["new"] == 3
    assert [entry.path for entry in log][0] == "/robots.txt"
    assert len(log) == 7, [entry.path for entry in log]  # robots.txt, three feeds, three articles
    # Crawl-delay is known once robots.txt is read: every request after it keeps the delay.
    times = [entry.at for entry in log[1:]]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.95, gaps


def test_a_typo_in_the_registry_starts_no_crawl(clean_stores, redis_client, tmp_path):
    with DemoServer(generate_site(3, seed=1)) as server:
        settings = _with_registry(
            dataclasses.replace(clean_stores, demo_url=server.url),
            tmp_path,
            'sources:\n  - name: typo\n    start_urls: ["{demo_url}/"]\n    artcle_pattern: "/article/"\n',
        )

        with pytest.raises(ConfigError) as caught:
            run_crawl(settings, "typo", wait=True, timeout=60)

        assert server.request_count == 0
    assert str(caught.value).startswith(f"{settings.sources_file}: source 'typo', field artcle_pattern: ")
    assert RunStore(redis_client, settings.index_prefix).recent() == []


def test_a_private_address_is_refused_unless_the_source_allows_it(clean_stores, worker, es_client, tmp_path):
    with DemoServer(generate_site(3, seed=1)) as server:
        settings = _with_registry(
            dataclasses.replace(clean_stores, demo_url=server.url),
            tmp_path,
            "sources:\n  - name: public-only\n"
            '    start_urls: ["{demo_url}/"]\n    article_pattern: "/article/"\n',
        )

        run = run_crawl(settings, "public-only", wait=True, timeout=120)

        assert server.request_count == 0
    assert run["complete"] and run["sent"] == 0
    assert _problems(run) == {"/": "private_address"}
    record = _crawl_run_record(es_client, settings, run["run_id"])
    assert record["errors_by_kind"] == [{"kind": "private_address", "count": 1}]


def test_an_adhoc_url_is_crawled_with_generic_discovery(features_site, clean_stores, worker, es_client):
    site, server = features_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)

    run = run_crawl(settings, CrawlRequest(url=server.url + "/", allow_private=True), wait=True, timeout=300)

    assert run["crawl_source"] == "adhoc"
    assert run["new"] == SITE_SIZE
    assert run["rejected"] == 0, "a page that is not an article is recorded as not_article, not rejected"
    assert _indexed_urls(es_client, settings) == _expected(site, server)
    requested = set(server.requests)
    assert {"/robots.txt", "/sitemap.xml", "/mfa/feed.rss"} <= requested


@pytest.mark.parametrize("max_depth", [0, 1])
def test_more_from_links_are_followed_only_when_the_source_allows_depth(
    max_depth, clean_stores, worker, tmp_path
):
    site = generate_site(SITE_SIZE, seed=5, crawl_features=CrawlFeatures(feed_limit=1))
    outlet = [a for a in site.articles if a.source.slug == "mfa"]
    with DemoServer(site) as server:
        settings = _with_registry(
            dataclasses.replace(clean_stores, demo_url=server.url),
            tmp_path,
            "sources:\n  - name: newest-only\n"
            '    start_urls: ["{demo_url}/mfa/feed.rss"]\n    discovery: [feed]\n'
            f'    article_pattern: "/article/"\n    allow_private: true\n    max_depth: {max_depth}\n',
        )

        run = run_crawl(settings, "newest-only", wait=True, timeout=300)

    # The feed lists one article; its "More From" block reaches the rest of the outlet.
    assert run["new"] == (len(outlet) if max_depth else 1)


def test_sitemaps_unchanged_by_lastmod_are_not_fetched_again(clean_stores, worker):
    site = generate_site(SITE_SIZE, seed=5, crawl_features=CrawlFeatures(conditional=False))
    with DemoServer(site) as server:
        settings = dataclasses.replace(clean_stores, demo_url=server.url)
        assert run_crawl(settings, "demo-sitemaps", wait=True, timeout=300)["new"] == SITE_SIZE
        server.log.clear()

        again = run_crawl(settings, "demo-sitemaps", wait=True, timeout=300)

        # Only the index, and the one sitemap it gives no lastmod for.
        assert [entry.path for entry in server.log] == [
            "/robots.txt",
            "/sitemap.xml",
            "/sitemaps/sections.xml",
        ]
        assert again["sent"] == 0
        added = server.add_articles(2)
        server.log.clear()

        third = run_crawl(settings, "demo-sitemaps", wait=True, timeout=300)

        fetched = {entry.path for entry in server.log}
    assert third["new"] == 2
    assert {f"/sitemaps/{a.source.slug}.xml.gz" for a in added} | {a.path for a in added} <= fetched
    assert not any("/article/" in path for path in fetched - {a.path for a in added})
