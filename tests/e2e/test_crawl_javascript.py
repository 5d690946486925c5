"""End to end: a section written by scripts, crawled through Chromium and without it, by a real worker."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.javascript import TRAPS
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.state.client import build_redis
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url

pytestmark = pytest.mark.services
SECTION_SIZE = 8
# Short, so the page whose script never loads fails in seconds; the others render in well under one.
RENDER_TIMEOUT = 4
REGISTRY = f"""
sources:
  - name: js-rendered
    start_urls: ["{{demo_url}}/js/"]
    article_pattern: "/js/article/"
    language: en
    allow_private: true
    render:
      javascript: both
      timeout: {RENDER_TIMEOUT}
      wait_for: "#article-list a, .article-body p"
  - name: js-budget
    start_urls: ["{{demo_url}}/js/"]
    article_pattern: "/js/article/"
    allow_private: true
    render: {{javascript: both, max_pages: 3, timeout: {RENDER_TIMEOUT}, wait_for: "#article-list a"}}
  - name: js-plain
    start_urls: ["{{demo_url}}/js/", "{{demo_url}}/js/sitemap.xml"]
    discovery: [listing, sitemap]
    article_pattern: "/js/article/"
    language: en
    allow_private: true
"""


@pytest.fixture
def scripted_site():
    site = generate_site(3, seed=11, javascript=SECTION_SIZE, javascript_traps=True)
    with DemoServer(site) as server:
        yield site, server


def _settings(clean_stores, server, tmp_path: Path):
    path = tmp_path / "sources.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    return dataclasses.replace(clean_stores, demo_url=server.url, sources_file=path)


def _documents(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, query={"match_all": {}})
    return {hit["_source"]["url"]: hit["_source"] for hit in response["hits"]["hits"]}


def _fates(settings, run: dict) -> dict[str, tuple[str, str]]:
    fates = RunStore(build_redis(settings), settings.index_prefix).url_fates(run["run_id"])
    return {urlsplit(url).path: fate for url, fate in fates.items()}


def _problems(run: dict) -> dict[str, set[str]]:
    problems: dict[str, set[str]] = {}
    for problem in json.loads(run["crawl_problems"]):
        problems.setdefault(urlsplit(problem["url"]).path, set()).add(problem["kind"])
    return problems


def test_a_rendered_crawl_indexes_every_scripted_article_and_records_the_pages_that_fail(
    scripted_site, clean_stores, worker, es_client, tmp_path
):
    site, server = scripted_site
    settings = _settings(clean_stores, server, tmp_path)

    run = run_crawl(settings, "js-rendered", wait=True, timeout=300)

    articles = site.scripted.articles
    assert run["complete"]
    assert run["new"] == SECTION_SIZE
    assert run["failed"] == 0
    documents = _documents(es_client, settings)
    assert set(documents) == {canonical_url(server.url + a.path) for a in articles}
    for article in articles:
        document = documents[canonical_url(server.url + article.path)]
        assert document["title"] == article.title
        assert document["body"] == article.body
        assert document["published_at"] == article.published.isoformat()
        assert document["source"] == "State Television"
    fates = _fates(settings, run)
    problems = _problems(run)
    # A script that never loads: the page fails to render, a fate like a fetch that failed.
    hanging, broken = "/js/article/hanging-script.html", "/js/article/broken-script.html"
    assert fates[hanging][0] == "fetch_error"
    assert problems[hanging] == {"render_failed"}
    assert fates[hanging][1].startswith("fetch_failed: render_failed: TimeoutError")
    # A script that throws: the page is read as it is, without text, and is not an article.
    assert fates[broken][0] == "not_article"
    assert problems[broken] == {"render_script_error", "render_wait_timeout"}
    assert run["not_article"] == 1
    assert fates["/js/"][0] == "discovery"
    # The listing links the demo site's home page, which never shows what the source waits for: read as is.
    assert fates["/"][0] == "discovery"
    assert problems["/"] == {"render_wait_timeout"}
    assert run["urls"] == int(run["crawl_urls"]) == sum(run["fates"].values())
    # The browser asked for the listing's data and the hanging script; Scrapy fetched robots.txt itself.
    paths = set(server.requests)
    assert {"/robots.txt", "/js/", "/js/articles.json", "/js/hang.js"} <= paths


def test_pages_past_the_render_budget_are_skipped_and_the_crawl_ends_cleanly(
    scripted_site, clean_stores, worker, tmp_path
):
    site, server = scripted_site
    settings = _settings(clean_stores, server, tmp_path)

    run = run_crawl(settings, "js-budget", wait=True, timeout=300)

    fates = _fates(settings, run)
    skipped = [path for path, (fate, detail) in fates.items() if fate == "skipped"]
    assert all(fates[path][1].startswith("render_budget_spent") for path in skipped)
    # The listing and two of the pages it links were rendered (articles, traps or the home page, whose
    # own links are then skipped too); the rest are left for the next crawl, which asks for them again.
    rendered = set(fates) - set(skipped) - {"/robots.txt", "/js/"}
    assert len(rendered) == 2
    listed = {a.path for a in site.scripted.articles} | set(TRAPS)
    assert listed <= set(skipped) | rendered
    assert run["urls"] == int(run["crawl_urls"]) == sum(run["fates"].values())


def test_without_rendering_the_section_lists_nothing_and_its_pages_are_not_articles(
    scripted_site, clean_stores, worker, es_client, tmp_path
):
    site, server = scripted_site
    settings = _settings(clean_stores, server, tmp_path)

    run = run_crawl(settings, "js-plain", wait=True, timeout=300)

    assert run["complete"]
    # Reached through the sitemap only: the listing's links exist only once its script has run.
    fates = _fates(settings, run)
    assert fates["/js/"][0] == "discovery"
    assert run["new"] == 0
    assert run["not_article"] == SECTION_SIZE + len(TRAPS)
    for article in site.scripted.articles:
        assert fates[article.path][0] == "not_article"
    assert _documents(es_client, settings) == {}
    assert "/js/articles.json" not in server.requests
    assert run["urls"] == int(run["crawl_urls"]) == sum(run["fates"].values())
