"""End to end: English, Korean and Russian demo articles crawled, enriched by a real worker, indexed."""

from __future__ import annotations

import dataclasses

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
ENGLISH_ARTICLES = 3
PER_LANGUAGE = 3


@pytest.fixture(scope="module")
def multilingual_site():
    site = generate_site(size=ENGLISH_ARTICLES, seed=11, multilingual=PER_LANGUAGE)
    with DemoServer(site) as server:
        yield site, server


def test_every_article_gets_its_language_people_and_countries(
    multilingual_site, clean_stores, worker, es_client
):
    site, server = multilingual_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)
    assert sorted(a.language for a in site.articles) == ["en"] * 3 + ["ko"] * 3 + ["ru"] * 3

    run = run_crawl(settings, "demo", wait=True, timeout=300)

    assert run["new"] == len(site.articles)
    assert run["failed"] == 0
    es_client.indices.refresh(index=settings.articles_alias)
    hits = es_client.search(index=settings.articles_alias, size=100, query={"match_all": {}})["hits"]["hits"]
    documents = {hit["_id"]: hit["_source"] for hit in hits}
    for article in site.articles:
        document = documents[document_id(canonical_url(server.url + article.path))]
        assert document["language"] == article.language, article.title
        assert document["language_confidence"] > 0.9
        assert document["people"], article.title
        assert document["countries"], article.title
        assert len(document["geo"]) >= 1
        assert document["keywords"]
        assert document["enrich_errors"] == []
    by_language = es_client.search(
        index=settings.articles_alias, size=0, aggs={"languages": {"terms": {"field": "language"}}}
    )
    buckets = {b["key"]: b["doc_count"] for b in by_language["aggregations"]["languages"]["buckets"]}
    assert buckets == {"en": ENGLISH_ARTICLES, "ko": PER_LANGUAGE, "ru": PER_LANGUAGE}
