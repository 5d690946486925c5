"""End to end: hostile demo pages end as recorded rejections; the worker and the articles survive."""

from __future__ import annotations

import collections
import dataclasses

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.site import HOSTILE_PAGES, DemoServer, generate_site
from newsdesk.kernel.fates import fate_of_rejection

pytestmark = pytest.mark.services
SITE_SIZE = 6


def test_every_hostile_page_is_a_recorded_rejection(clean_stores, worker, es_client):
    site = generate_site(size=SITE_SIZE, seed=5, hostile=True)
    with DemoServer(site) as server:
        base_url = server.url
        settings = dataclasses.replace(clean_stores, demo_url=base_url)

        run = run_crawl(settings, "demo", wait=True, timeout=300)

    assert run["complete"]
    assert run["new"] == SITE_SIZE
    assert run["failed"] == 0
    fates = collections.Counter(fate_of_rejection(reason) for reason in HOSTILE_PAGES.values())
    assert run["not_article"] == len(site.rejected_paths)
    assert (run["rejected"], run["fetch_error"]) == (fates["rejected"], fates["fetch_error"])
    es_client.indices.refresh(index=settings.deadletter_index)
    hits = es_client.search(index=settings.deadletter_index, size=100, query={"match_all": {}})["hits"][
        "hits"
    ]
    recorded = {hit["_source"]["url"].removeprefix(base_url): hit["_source"] for hit in hits}
    for path, kind in site.hostile_paths.items():
        assert recorded[path]["stage"] == "parse"
        assert recorded[path]["reason"] == HOSTILE_PAGES[kind], (kind, recorded[path]["detail"])
    es_client.indices.refresh(index=settings.articles_alias)
    assert es_client.count(index=settings.articles_alias)["count"] == SITE_SIZE
