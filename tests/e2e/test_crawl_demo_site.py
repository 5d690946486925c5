"""End to end: the spider crawls the demo site, a real worker runs every stage, Elasticsearch keeps it."""

from __future__ import annotations

import dataclasses

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.crawl_request import CrawlRequest
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
SITE_SIZE = 30


@pytest.fixture(scope="module")
def demo_site():
    site = generate_site(size=SITE_SIZE, seed=7)
    with DemoServer(site) as server:
        yield site, server


def _all_documents(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, version=True, query={"match_all": {}})
    return {hit["_id"]: {**hit["_source"], "_version": hit["_version"]} for hit in response["hits"]["hits"]}


def test_crawl_indexes_every_unique_article_once_and_a_recrawl_changes_nothing(
    demo_site, clean_stores, worker, es_client
):
    site, server = demo_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)
    expected = {document_id(canonical_url(server.url + a.path)): a for a in site.articles}

    run = run_crawl(settings, "demo", wait=True, timeout=300)

    tracking_copies = sum(1 for path in server.requests if "utm_source=" in path)
    assert tracking_copies > 0, "the demo site should expose articles under tracking URLs too"
    # An article linked with and without tracking parameters is fetched once, under whichever came first.
    fetched_articles = [path for path in server.requests if "/article/" in path]
    assert len({path.split("?")[0] for path in fetched_articles}) == len(fetched_articles)
    assert len(fetched_articles) == SITE_SIZE + len(site.rejected_paths)
    assert run["complete"]
    assert run["sent"] == SITE_SIZE + len(site.rejected_paths)
    assert run["new"] == SITE_SIZE
    assert run["duplicate"] == 0
    assert run["not_article"] == len(site.rejected_paths)
    assert run["rejected"] == run["failed"] == 0
    # Every URL fetched has one fate, and the fates add up.
    assert run["urls"] == int(run["crawl_urls"]) == sum(run["fates"].values())

    documents = _all_documents(es_client, settings)
    assert set(documents) == set(expected)
    for doc_id, article in expected.items():
        document = documents[doc_id]
        assert document["title"] == article.title
        assert document["published_at"] == article.published.isoformat()
        assert document["source"] == article.source.name
        assert document["body"] == article.body
        assert document["url"] == canonical_url(server.url + article.path)
        assert document["language"] == "en"
        assert document["word_count"] > 20
        assert 0 < len(document["related"]) <= 20
        assert len({r["text"] for r in document["related"]}) == len(document["related"])

    from index.query import collect_stats

    stats_before = collect_stats(es_client, settings)
    assert stats_before["documents"] == SITE_SIZE
    assert stats_before["duplicates"] == 0
    assert stats_before["failures_by_reason"] == {"not_an_article": len(site.rejected_paths)}

    # A recurring crawl skips the article URLs it already handed on; with --refetch-known it fetches them
    # all again, and an unchanged page is then a no-op in the index.
    skipping = run_crawl(settings, "demo", wait=True, timeout=300)
    assert skipping["sent"] == 0
    assert int(skipping["crawl_skipped_known"]) >= SITE_SIZE + len(site.rejected_paths)

    second = run_crawl(settings, CrawlRequest("demo", refetch_known=True), wait=True, timeout=300)

    assert second["new"] == 0
    assert second["updated"] == 0
    assert second["unchanged"] == SITE_SIZE
    assert second["duplicate"] == 0
    assert collect_stats(es_client, settings) == stats_before
    after = _all_documents(es_client, settings)
    assert {k: v["_version"] for k, v in after.items()} == {k: v["_version"] for k, v in documents.items()}
