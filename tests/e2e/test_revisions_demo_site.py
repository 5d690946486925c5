"""End to end: re-checks of the demo site find edits, removals and restorations, and cost little when idle."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.cli.crawl import run_crawl
from newsdesk.demosite.crawling import CrawlFeatures
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.crawl_request import CrawlRequest
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
SITE_SIZE = 12
EDITED, RETITLED, DELETED, REDIRECTED, UNLISTED = 2, 5, 7, 9, 11
NEW_PARAGRAPH = "The statement was amended on Tuesday to add that the talks will resume next month."
NEW_TITLE = "Talks Postponed Until Further Notice"


def _articles(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, version=True, query={"match_all": {}})
    return {hit["_id"]: {**hit["_source"], "_version": hit["_version"]} for hit in response["hits"]["hits"]}


def _revisions(es, settings) -> list[dict]:
    es.indices.refresh(index=settings.revisions_index)
    response = es.search(
        index=settings.revisions_index, size=1000, sort=[{"recorded_at": "asc"}, {"revision": "asc"}]
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]


def _eventually(read, check, timeout: float = 60.0):
    """The listing changes travel as their own task after the crawl: wait for the worker to apply them."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_rechecks_find_edits_removals_and_restorations(clean_stores, worker, es_client, monkeypatch):
    features = CrawlFeatures(feeds=False, sitemaps=False, robots=False, archive=False)
    site = generate_site(size=SITE_SIZE, seed=9, crawl_features=features)
    with DemoServer(site) as server:
        settings = dataclasses.replace(clean_stores, demo_url=server.url)
        urls = {a.article_id: canonical_url(server.url + a.path) for a in site.articles}
        ids = {article_id: document_id(url) for article_id, url in urls.items()}

        def recheck() -> dict:
            return run_crawl(settings, CrawlRequest("demo", recheck_all=True), wait=True, timeout=300)

        first = run_crawl(settings, "demo", wait=True, timeout=300)
        assert first["new"] == SITE_SIZE
        before = _articles(es_client, settings)
        assert len(before) == SITE_SIZE
        assert {doc["revision_count"] for doc in before.values()} == {1}

        # 3. An unchanged site: every known article page (the article-like notices too) and every listing
        # page is asked for conditionally and answers 304, as the server counts it; nothing is sent on.
        known_pages = SITE_SIZE + len(site.rejected_paths)
        mark = len(server.log)
        idle = recheck()
        requests = [entry for entry in server.log[mark:] if entry.path != "/robots.txt"]
        articles_asked = [entry for entry in requests if "/article/" in entry.path]
        assert len(articles_asked) == known_pages
        assert requests and all(entry.conditional for entry in requests), requests
        assert {entry.status for entry in requests} == {304}
        assert idle["sent"] == 0
        assert int(idle["crawl_not_modified_articles"]) == known_pages
        assert int(idle["crawl_rechecks"]) == known_pages
        assert _revisions(es_client, settings) == []

        # 1. One paragraph edited, one headline changed: a second revision each, with the right diff.
        edited_article = site.articles[EDITED - 1]
        old_paragraph = edited_article.paragraphs[1]
        server.edit_paragraph(EDITED, 1, NEW_PARAGRAPH)
        server.retitle(RETITLED, NEW_TITLE)
        mark = len(server.log)
        edits = recheck()
        full_answers = [e for e in server.log[mark:] if "/article/" in e.path and e.status == 200]
        assert len(full_answers) == 2  # only the two changed pages cost a full answer
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
        # Re-checked again with nothing new: no further revision, no further write.
        assert recheck()["updated"] == 0
        assert len(_revisions(es_client, settings)) == 2

        # 2. Deleted (404), redirected to the front page, and left out of every listing while its page
        # still answers: each is marked removed once the grace period has passed, with its evidence.
        server.take_down(DELETED)
        server.take_down(REDIRECTED, redirect_home=True)
        server.unlist(UNLISTED)
        recheck()
        within_grace = _articles(es_client, settings)
        assert within_grace[ids[DELETED]].get("removed_at") is None  # first seen gone in this crawl
        assert within_grace[ids[REDIRECTED]].get("removed_at") is None
        time.sleep(settings.removal_grace_seconds + 0.5)
        recheck()
        removed = _eventually(
            lambda: _articles(es_client, settings),
            lambda docs: all(docs[ids[n]].get("removed_at") for n in (DELETED, REDIRECTED, UNLISTED)),
        )
        assert len(removed) == SITE_SIZE  # never deleted, never doubled
        evidence = {n: removed[ids[n]]["removal_evidence"] for n in (DELETED, REDIRECTED, UNLISTED)}
        assert evidence[DELETED]["kind"] == "http_404" and evidence[DELETED]["status"] == 404
        assert evidence[DELETED]["first_gone_at"] < removed[ids[DELETED]]["removed_at"]
        assert evidence[REDIRECTED]["kind"] == "redirect_to_front_page"
        assert evidence[REDIRECTED]["final_url"].rstrip("/") == server.url
        assert evidence[UNLISTED]["kind"] == "unlisted"
        assert evidence[UNLISTED]["last_listed_at"] < removed[ids[UNLISTED]]["removed_at"]
        assert evidence[UNLISTED]["pages_checked"] >= 3  # a listing page per outlet at least
        still_there = {n for n, doc_id in ids.items() if not removed[doc_id].get("removed_at")}
        assert still_there == set(ids) - {DELETED, REDIRECTED, UNLISTED}
        hits = es_client.search(
            index=settings.articles_alias,
            query={"match_phrase": {"title": site.articles[DELETED - 1].title}},
        )["hits"]["hits"]
        assert [hit["_id"] for hit in hits] == [ids[DELETED]]

        # Restored: the deleted page answers again, the unlisted one is listed again.
        server.restore(DELETED)
        server.unlist(UNLISTED, listed=True)
        recheck()
        restored = _eventually(
            lambda: _articles(es_client, settings),
            lambda docs: all(docs[ids[n]].get("restored_at") for n in (DELETED, UNLISTED)),
        )
        for article_id in (DELETED, UNLISTED):
            assert restored[ids[article_id]]["restored_at"] > restored[ids[article_id]]["removed_at"]
            assert restored[ids[article_id]]["revision_count"] == 1
            events = [r["event"] for r in _revisions(es_client, settings) if r["doc_id"] == ids[article_id]]
            assert events == ["removed", "restored"]
        assert restored[ids[REDIRECTED]].get("restored_at") is None  # still redirected
        assert len(restored) == SITE_SIZE

        # 4. `newsdesk history` shows it, for any form of the address.
        for name, value in settings.to_env().items():
            monkeypatch.setenv(name, value)
        runner = CliRunner()
        edited_history = runner.invoke(app, ["history", urls[EDITED] + "?utm_source=feed"])
        assert edited_history.exit_code == 0, edited_history.output
        assert "revisions  2" in edited_history.output
        assert f"- {old_paragraph}" in edited_history.output
        assert f"+ {NEW_PARAGRAPH}" in edited_history.output
        deleted_history = runner.invoke(app, ["history", urls[DELETED]])
        assert deleted_history.exit_code == 0, deleted_history.output
        assert "removed at" in deleted_history.output and "kind=http_404" in deleted_history.output
        assert "restored at" in deleted_history.output
        as_json = json.loads(runner.invoke(app, ["history", urls[UNLISTED], "--json"]).output)
        assert [(e["event"], e["evidence"]["kind"]) for e in as_json["events"]] == [
            ("removed", "unlisted"),
            ("restored", "listed_again"),
        ]


def test_only_a_complete_crawl_marks_an_unlisted_article_removed(clean_stores, worker, es_client, tmp_path):
    from newsdesk.state.client import build_redis

    site = generate_site(size=6, seed=3)
    with DemoServer(site) as server:
        settings = dataclasses.replace(clean_stores, demo_url=server.url)
        unlisted = site.articles[0]
        doc_id = document_id(canonical_url(server.url + unlisted.path))
        gone_key = f"{settings.index_prefix}:listed:gone:demo"
        redis = build_redis(settings)
        assert run_crawl(settings, "demo", wait=True, timeout=300)["new"] == 6
        server.unlist(unlisted.article_id)
        time.sleep(settings.removal_grace_seconds + 0.5)

        # A listing page the server fails to serve (after the spider's retries): the crawl cannot say what
        # is listed nowhere, so nothing is judged, however long the article has been missing.
        server.failing["/agency/"] = 500
        failed_listing = run_crawl(settings, "demo", wait=True, timeout=300)
        assert int(failed_listing["crawl_errors"]) >= 1
        assert redis.smembers(gone_key) == set()
        del server.failing["/agency/"]

        # A crawl cut short by its page limit is partial too.
        limited = tmp_path / "sources.yaml"
        limited.write_text(
            "sources:\n  - name: demo\n    start_urls: ['{demo_url}/']\n    article_pattern: /article/\n"
            "    max_pages: 2\n    allow_private: true\n    recheck: {unlisted_removal: true}\n"
        )
        cut_short = run_crawl(
            dataclasses.replace(settings, sources_file=limited), "demo", wait=True, timeout=300
        )
        assert cut_short["crawl_finish_reason"] == "closespider_pagecount", "the run says why it stopped"
        assert failed_listing["crawl_finish_reason"] == "finished"
        assert int(cut_short["crawl_pages_fetched"]) < int(failed_listing["crawl_pages_fetched"])
        assert redis.smembers(gone_key) == set()
        assert _articles(es_client, settings)[doc_id].get("removed_at") is None

        # The next complete crawl does: once, with the evidence.
        run_crawl(settings, "demo", wait=True, timeout=300)
        assert redis.smembers(gone_key) == {canonical_url(server.url + unlisted.path)}
        documents = _eventually(lambda: _articles(es_client, settings), lambda d: d[doc_id].get("removed_at"))
        assert documents[doc_id]["removal_evidence"]["kind"] == "unlisted"
        assert len(documents) == 6
