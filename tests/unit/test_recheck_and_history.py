"""Unit tests for the re-check cadence, the demo-site edits and the history printout."""

from __future__ import annotations

import gzip

import pytest
from pydantic import ValidationError

from newsdesk.cli.history import format_history
from newsdesk.demosite.edits import with_article, with_paragraph, with_title, without_article
from newsdesk.demosite.site import generate_site
from newsdesk.kernel.recheck import Recheck, duration_seconds
from newsdesk.kernel.sources import Source
from tasks.dedupe.versions import paragraph_diff, render_diff

HOUR, DAY = 3600.0, 86400.0


def test_default_cadence_decays_with_age_and_stops_at_the_horizon():
    recheck = Recheck()
    assert recheck.interval(0) == HOUR
    assert recheck.interval(23 * HOUR) == HOUR
    assert recheck.interval(DAY) == DAY
    assert recheck.interval(6 * DAY) == DAY
    assert recheck.interval(7 * DAY) == 7 * DAY
    assert recheck.interval(89 * DAY) == 7 * DAY
    assert recheck.interval(90 * DAY) is None
    assert recheck.next_due(first_seen=1000.0, now=1000.0 + 2 * DAY) == 1000.0 + 3 * DAY
    assert Recheck(enabled=False).interval(0) is None


def test_cadence_is_configurable_per_source():
    source = Source.model_validate(
        {
            "name": "s",
            "start_urls": ["https://example.org/"],
            "recheck": {"steps": [{"until": "2h", "every": "10m"}], "then_every": "1w", "horizon": "4w"},
        }
    )
    assert source.recheck.interval(HOUR) == 600
    assert source.recheck.interval(3 * HOUR) == 7 * DAY
    assert source.recheck.interval(28 * DAY) is None
    with pytest.raises(ValidationError, match="not a duration"):
        Source.model_validate(
            {"name": "s", "start_urls": ["https://example.org/"], "recheck": {"then_every": "often"}}
        )
    assert duration_seconds(0) == 0 and duration_seconds("45s") == 45
    with pytest.raises(ValueError):
        duration_seconds(-1)


def test_demo_site_edits_change_only_what_they_say():
    site = generate_site(size=6, seed=2)
    edited = with_paragraph(site, 2, 0, "A new first paragraph.")
    assert edited.articles[1].paragraphs[0] == "A new first paragraph."
    assert edited.articles[1].paragraphs[1:] == site.articles[1].paragraphs[1:]
    assert edited.articles[0] == site.articles[0] and edited.articles[1].path == site.articles[1].path
    retitled = with_title(site, 3, "Another Headline")
    assert retitled.render(site.articles[2].path)[2].count(b"Another Headline") >= 1
    assert retitled.articles[2].path == site.articles[2].path
    smaller, article = without_article(site, 4)
    assert smaller.render(article.path)[0] == 404
    assert article.path.encode() not in smaller.render(f"/{article.source.slug}/")[2]
    assert with_article(smaller, article).articles == site.articles
    assert site.render(article.path)[0] == 200  # the original is untouched


def test_history_printout_shows_each_change_and_the_removal():
    diff = paragraph_diff(
        "Old title", "Kept.\n\nBefore the edit here.", "New title", "Kept.\n\nAfter the edit here."
    )
    history = {
        "article": {
            "title": "New title",
            "url": "http://x/a",
            "first_fetched_at": "2026-01-01",
            "revision_count": 2,
            "last_changed_at": "2026-02-01",
            "removed_at": "2026-03-01",
            "removal_evidence": {"kind": "http_404"},
        },
        "events": [
            {
                "event": "edited",
                "revision": 1,
                "recorded_at": "2026-02-01",
                "valid_from": "2026-01-01",
                "title": "Old title",
                "diff": render_diff(diff),
            },
            {
                "event": "removed",
                "recorded_at": "2026-03-01",
                "evidence": {"kind": "http_404", "status": 404},
            },
        ],
    }
    text = format_history(history)
    assert "revisions  2 (last changed 2026-02-01)" in text
    assert "removed    2026-03-01 (http_404)" in text
    assert "revision 1 → 2, changed at 2026-02-01" in text
    assert "- Before the edit here." in text and "+ After the edit here." in text
    assert "~ title: Old title" in text
    assert "removed at 2026-03-01: kind=http_404, status=404" in text


def test_the_news_dashboard_lists_edited_and_removed_articles_by_fields_the_index_stage_fills():
    from index.kibana import load_saved_objects
    from index.templates import ARTICLE_PROPERTIES

    objects = {item["id"]: item for item in load_saved_objects()}
    news = objects["newsdesk-dashboard-news"]
    shown = {ref["id"] for ref in news["references"]}
    assert {"newsdesk-search-edited-articles", "newsdesk-search-removed-articles"} <= shown
    for search_id in ("newsdesk-search-edited-articles", "newsdesk-search-removed-articles"):
        columns = objects[search_id]["attributes"]["columns"]
        assert {name.split(".")[0] for name in columns} <= set(ARTICLE_PROPERTIES)
    removed = objects["newsdesk-search-removed-articles"]["attributes"]["columns"]
    assert {"removed_at", "removal_evidence.kind", "restored_at"} <= set(removed)


def test_the_run_summary_counts_rechecks_only_when_there_were_some():
    from newsdesk.cli.crawl_report import format_crawl_side

    run = {"crawl_pages_fetched": "20", "crawl_rechecks": "15", "crawl_not_modified_articles": "13"}
    assert "    re-checks 15 (not modified 13)" in format_crawl_side(run)
    assert not any("re-checks" in line for line in format_crawl_side({"crawl_pages_fetched": "20"}))


def test_an_unlisted_demo_article_still_answers_but_no_listing_or_sitemap_has_it():
    from newsdesk.demosite.crawling import CrawlFeatures, respond_with_crawl_features
    from newsdesk.demosite.edits import with_listing

    site = generate_site(size=6, seed=2, crawl_features=CrawlFeatures())
    article = site.articles[3]
    hidden = with_listing(site, article.article_id, listed=False)
    assert hidden.render(article.path)[0] == 200
    listing = hidden.render(f"/{article.source.slug}/")[2]
    assert (
        article.path.encode() not in listing
        and article.path.encode() in site.render(f"/{article.source.slug}/")[2]
    )

    class Server:
        host, port = "127.0.0.1", 80

    sitemap = respond_with_crawl_features(Server(), hidden, f"/sitemaps/{article.source.slug}.xml.gz", {})

    assert article.path.encode() not in gzip.decompress(sitemap[2])
    assert with_listing(hidden, article.article_id, listed=True).listed_articles == site.articles
