"""End to end on a site of real saved news pages: every article indexed once, every URL one fate, and a
re-crawl that fetches nothing whose fate is settled, while a dead link that comes back is found."""

from __future__ import annotations

import collections
import dataclasses
import time
from pathlib import Path

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.realsite import RealSiteServer, generate_real_site, load_real_pages
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.state.dead_links import DeadLinks
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
DAY = 24 * 3600


@pytest.fixture(scope="module")
def real_site():
    site = generate_real_site(load_real_pages(GOLDEN), seed=1)
    with RealSiteServer(site) as server:
        yield site, server


def _search(es, index: str) -> list[dict]:
    es.indices.refresh(index=index)
    response = es.search(index=index, size=2000, query={"match_all": {}})
    return [hit["_source"] for hit in response["hits"]["hits"]]


def _crawl(settings, server) -> dict:
    request = CrawlRequest(url=server.url + "/", allow_private=True)
    return run_crawl(settings, request, wait=True, timeout=600)


def test_a_site_of_real_pages_is_crawled_whole_and_recrawled_for_almost_nothing(
    real_site, clean_stores, worker, es_client, redis_client
):
    site, server = real_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)
    server.log.clear()
    server.requests.clear()

    first = _crawl(settings, server)

    fates = RunStore(redis_client, settings.index_prefix).url_fates(first["run_id"])
    assert first["complete"]
    # Every URL the crawler fetched has one fate, and the summary adds up.
    requested = {server.url + path for path in server.requests}
    assert requested <= set(fates), sorted(requested - set(fates))[:5]
    assert first["urls"] == int(first["crawl_urls"]) == len(fates) == sum(first["fates"].values())
    # Each page handed on has its fate under the URL it was sent as: the next crawl finds none lost.
    sent = redis_client.smembers(f"{settings.index_prefix}:run:{first['run_id']}:sent_urls")
    assert len(sent) == first["sent"] and sent <= set(fates)
    # Pages robots.txt disallows are never fetched; those the crawl meets are recorded as refused.
    refused = {server.url + path for path in site.robots_refused}
    assert not refused & requested
    assert set(fates) - requested <= refused
    assert {fates[url][0] for url in refused & set(fates)} <= {"refused"}

    # Every article is indexed once, fetched once (under whichever link came first, plain or with tracking
    # parameters). A story served under several addresses (an article, its mirrors and republications)
    # is one document, whichever address came first, and every other address is a copy of it.
    fates_by_path = collections.defaultdict(list)
    for url, (fate, _) in fates.items():
        path = url.removeprefix(server.url)
        fates_by_path[site.tracking_variants.get(path, path)].append(fate)
    documents = {hit["url"]: hit["doc_id"] for hit in _search(es_client, settings.articles_alias)}
    copies = {c["url"]: c["doc_id"] for c in _search(es_client, settings.duplicates_index)}
    stories = collections.defaultdict(set)
    for path in site.articles:
        stories[path].add(path)
    for path, original in {**site.mirrors, **site.republications}.items():
        stories[original].add(path)
    for paths in stories.values():
        assert all(len(fates_by_path[path]) == 1 for path in paths), {p: fates_by_path[p] for p in paths}
        kept = [path for path in paths if fates_by_path[path] == ["new"]]
        assert len(kept) == 1, {p: fates_by_path[p] for p in paths}
        for path in paths - set(kept):
            assert fates_by_path[path] == ["duplicate"], path
        # Every copy names the same document, one in the archive (a page's own canonical link may give
        # that document another address than the one it was fetched at).
        story_ids = {copies[server.url + path] for path in paths - set(kept)}
        assert len(story_ids) <= 1 and story_ids <= set(documents.values()), paths
    assert len(documents) == first["new"] == len(stories)

    # What is not an article is recorded as such, with its evidence; a dead link is a dead link.
    not_articles = {path for path in site.not_articles if server.url + path in fates}
    assert not_articles, "the crawl should reach the site's hubs, tag pages and video page"
    for path in not_articles:
        fate, detail = fates[server.url + path]
        assert fate == "not_article", (path, fate, detail)
        assert "characters of text" in detail
    dead = {url for url, (fate, _) in fates.items() if fate == "dead_link"}
    assert dead, "the real pages' own links include paths this site does not serve"
    assert all(fates[url][1].endswith("answered 404") for url in dead)
    assert first["rejected"] == first["failed"] == 0
    assert DeadLinks(redis_client, settings.index_prefix).count("adhoc") == len(dead)

    # The unchanged site again: nothing whose fate is settled is fetched; the discovery pages are asked
    # for conditionally and answer "not modified".
    server.log.clear()
    second = _crawl(settings, server)

    again = [entry for entry in server.log if entry.path != "/robots.txt"]
    assert again and all(entry.conditional and entry.status == 304 for entry in again), [
        (entry.path, entry.status) for entry in again if not entry.conditional or entry.status != 304
    ][:5]
    # Hubs and tag pages are listings: read again, conditionally; articles and dead links are not.
    settled = {server.url + path for path in site.articles} | dead
    assert not settled & {server.url + entry.path for entry in again}, settled & {
        server.url + entry.path for entry in again
    }
    assert second["sent"] == 0 and second["complete"]
    assert second["urls"] == int(second["crawl_urls"]) == sum(second["fates"].values())
    # Only discovery pages were asked for (the share of requests is measured on the full site, in
    # `make bench`: on 24 pages the site's few listings weigh more than they would on a real one).
    discovery = {
        "/",
        "/robots.txt",
        site.feed_path,
        *site.sitemap_paths,
        *site.listing_paths,
        *site.not_articles,
    }
    assert {entry.path for entry in server.log} <= discovery

    # A dead link that comes back is found on its re-check, when that is due; the others still wait.
    revived_url = sorted(dead)[0]
    server.revive(revived_url.removeprefix(server.url))
    store = DeadLinks(redis_client, settings.index_prefix)
    known = store.load("adhoc")
    # A day and a half later, for that one link (its first re-check waits a day).
    store.record("adhoc", [(revived_url, 404)], time.time() - 1.5 * DAY, DAY, 30 * DAY, known={})
    server.log.clear()

    third = _crawl(settings, server)

    fetched = {server.url + entry.path for entry in server.log}
    assert revived_url in fetched
    assert not (dead - {revived_url}) & fetched
    assert third["new"] == 1 and third["complete"]
    assert revived_url in {d["url"] for d in _search(es_client, settings.articles_alias)}
    assert store.count("adhoc") == len(known) - 1
