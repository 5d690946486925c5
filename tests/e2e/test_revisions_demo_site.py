"""End to end: re-checks of the demo site find edits, removals and restorations, and cost little when idle."""

from __future__ import annotations

import dataclasses
import time

import pytest

from newsdesk.cli import run_crawl
from newsdesk.cli_history import format_history
from newsdesk.demosite import DemoServer, generate_site
from newsdesk.demosite_crawl import CrawlFeatures
from tasks.dedupe import canonical_url, document_id

pytestmark = pytest.mark.services
SITE_SIZE = 12
EDITED, RETITLED, DELETED, REDIRECTED = 2, 5, 7, 9
NEW_PARAGRAPH = "The statement was amended on Tuesday to add that the talks will resume next month."
NEW_TITLE = "Talks Postponed Until Further Notice"


def _articles(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, version=True, query={"match_all": {}})
    return {hit["_id"]: {**hit["_source"], "_version": hit["_version"]} for hit in response["hits"]["hits"]}


def _revisions(es, settings) -> list[dict]:
    es.indices.refresh(index=settings.revisions_index)
    response = es.search(index=settings.revisions_index, size=1000, sort=[{"recorded_at": "asc"}])
    return [hit["_source"] for hit in response["hits"]["hits"]]


def _article_requests(server: DemoServer, since: int) -> list:
    return [entry for entry in server.log[since:] if "/article/" in entry.path]


def test_rechecks_find_edits_removals_and_restorations(clean_stores, worker, es_client):
    features = CrawlFeatures(feeds=False, sitemaps=False, robots=False, archive=False)
    site = generate_site(size=SITE_SIZE, seed=9, crawl_features=features)
    with DemoServer(site) as server:
        settings = dataclasses.replace(clean_stores, demo_url=server.url)
        ids = {a.article_id: document_id(canonical_url(server.url + a.path)) for a in site.articles}

        def recheck() -> dict:
            return run_crawl(settings, "demo", wait=True, timeout=300, recheck_all=True)

        first = run_crawl(settings, "demo", wait=True, timeout=300)
        assert first["new"] == SITE_SIZE
        before = _articles(es_client, settings)
        assert {doc["revision_count"] for doc in before.values()} == {1}

        # 3. An unchanged site: every known article page (the article-like notices too) is asked for
        # conditionally, answers 304, and nothing reaches the pipeline.
        known_pages = SITE_SIZE + len(site.rejected_paths)
        mark = len(server.log)
        idle = recheck()
        requests = _article_requests(server, mark)
        assert len(requests) == known_pages
        assert all(entry.conditional for entry in requests)
        assert {entry.status for entry in requests} == {304}
        assert idle["sent"] == 0
        assert int(idle["crawl_not_modified_articles"]) == known_pages
        assert _revisions(es_client, settings) == []

        # 1. One paragraph edited, one headline changed: a second revision each, with the right diff.
        edited_article = site.articles[EDITED - 1]
        old_paragraph = edited_article.paragraphs[1]
        server.edit_paragraph(EDITED, 1, NEW_PARAGRAPH)
        server.retitle(RETITLED, NEW_TITLE)
        edits = recheck()
        assert edits["updated"] == 2, edits
        after = _articles(es_client, settings)
        for article_id in (EDITED, RETITLED):
            assert after[ids[article_id]]["revision_count"] == 2
            assert after[ids[article_id]]["last_changed_at"]
        for article_id, doc_id in ids.items():
            if article_id not in (EDITED, RETITLED):
                assert after[doc_id]["revision_count"] == 1
                assert after[doc_id]["_version"] == before[doc_id]["_version"]
        assert after[ids[EDITED]]["body"] == "\n\n".join(server.site.articles[EDITED - 1].paragraphs)
        assert after[ids[RETITLED]]["title"] == NEW_TITLE
        revisions = {r["doc_id"]: r for r in _revisions(es_client, settings)}
        assert set(revisions) == {ids[EDITED], ids[RETITLED]}
        assert revisions[ids[EDITED]]["changes"] == [
            {"kind": "changed", "before": old_paragraph, "after": NEW_PARAGRAPH, "position": 2}
        ]
        assert revisions[ids[EDITED]]["body"] == edited_article.body
        assert revisions[ids[RETITLED]]["changes"] == [
            {"kind": "title", "before": site.articles[RETITLED - 1].title, "after": NEW_TITLE, "position": 0}
        ]
        # Re-checked again with nothing new: no further revision.
        assert recheck()["updated"] == 0
        assert len(_revisions(es_client, settings)) == 2

        # 2. Deleted (404) and redirected to the front page: removed once the grace period has passed.
        server.take_down(DELETED)
        server.take_down(REDIRECTED, redirect_home=True)
        recheck()
        within_grace = _articles(es_client, settings)
        assert "removed_at" not in within_grace[ids[DELETED]]
        time.sleep(settings.removal_grace_seconds + 0.5)
        recheck()
        removed = _articles(es_client, settings)
        assert removed[ids[DELETED]]["removed_at"]
        assert removed[ids[DELETED]]["removal_evidence"]["kind"] == "http_404"
        assert removed[ids[REDIRECTED]]["removal_evidence"]["kind"] == "redirect_to_front_page"
        assert removed[ids[REDIRECTED]]["removal_evidence"]["final_url"].rstrip("/") == server.url
        hits = es_client.search(
            index=settings.articles_alias,
            query={"match_phrase": {"title": site.articles[DELETED - 1].title}},
        )["hits"]["hits"]
        assert [hit["_id"] for hit in hits] == [ids[DELETED]]

        # Restored: it answers again, and the archive says so.
        server.restore(DELETED)
        recheck()
        restored = _articles(es_client, settings)[ids[DELETED]]
        assert restored["restored_at"] > restored["removed_at"]
        assert restored["revision_count"] == 1
        events = [r["event"] for r in _revisions(es_client, settings) if r["doc_id"] == ids[DELETED]]
        assert events == ["removed", "restored"]

        # 4. The history shows it.
        from index.revisions import article_history

        text = format_history(article_history(es_client, settings, ids[EDITED]))
        assert f"- {old_paragraph}" in text and f"+ {NEW_PARAGRAPH}" in text
        text = format_history(article_history(es_client, settings, ids[DELETED]))
        assert "removed at" in text and "restored at" in text
