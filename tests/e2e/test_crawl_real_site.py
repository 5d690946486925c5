"""End to end on a site of real saved news pages: every article indexed once, every URL one fate, and a
re-crawl that fetches nothing whose fate is settled, while a dead link that comes back is found."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.realsite import RealSiteServer, generate_real_site, load_real_pages
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.state.dead_links import DeadLinks
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url, document_id

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
    assert {fates[server.url + path][0] for path in site.robots_refused} == {"refused"}
    assert set(fates) - requested == {server.url + path for path in site.robots_refused}

    # Every article is indexed, once, as its own story; mirrors and republications are copies of theirs.
    indexed = {document["url"] for document in _search(es_client, settings.articles_alias)}
    articles = {canonical_url(server.url + path) for path in site.articles}
    assert articles <= indexed, sorted(articles - indexed)
    copies = {c["url"]: c["doc_id"] for c in _search(es_client, settings.duplicates_index)}
    for path, original in {**site.mirrors, **site.republications}.items():
        assert copies.get(canonical_url(server.url + path)) == document_id(
            canonical_url(server.url + original)
        )
    assert not articles & set(copies), "an article was merged into another story"
    assert first["new"] == len(indexed)

    # What is not an article is recorded as such, with its evidence; a dead link is a dead link.
    not_articles = {path for path in site.not_articles if server.url + path in fates}
    assert not_articles, "the crawl should reach the site's hubs, tag pages and video page"
    for path in not_articles:
        fate, detail = fates[server.url + path]
        assert fate == "not_article", (path, fate, detail)
        assert "characters of text" in detail
    dead = {url for url, (fate, _) in fates.items() if fate == "dead_link"}
    assert dead, "the real pages' own links include paths this site does not serve"
    assert all(fates[url][1] == "answered 404" for url in dead)
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
    settled = {server.url + path for path in [*site.articles, *site.not_articles]} | dead
    assert not settled & {server.url + entry.path for entry in again}
    assert second["sent"] == 0 and second["complete"]
    assert second["urls"] == int(second["crawl_urls"]) == sum(second["fates"].values())
    assert len(server.log) <= 0.1 * len(requested)

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
    assert canonical_url(revived_url) in {d["url"] for d in _search(es_client, settings.articles_alias)}
    assert store.count("adhoc") == len(known) - 1
