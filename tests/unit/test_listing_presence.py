"""Unit tests for what the spider notes about listings and what a crawl's end hands to the workers."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.listing_watch import crawl_was_complete, listing_changes_payloads
from crawler.spiders.news import NewsSpider
from newsdesk.kernel.sources import Source
from newsdesk.state.crawl_state import url_digest
from newsdesk.state.revisits import ListingReport

SITE = "https://example.org"


def _spider(validators=None) -> NewsSpider:
    source = Source(
        name="s", start_urls=[f"{SITE}/news/"], article_pattern="/article/", allowed_domains=["example.org"]
    )
    return NewsSpider.from_crawler(get_crawler(NewsSpider), source=source, validators=validators or {})


def _listing(url: str, links: list[str]) -> HtmlResponse:
    anchors = "".join(f'<a href="{link}">x</a>' for link in links)
    return HtmlResponse(
        url,
        body=f"<html><body>{anchors}</body></html>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request(url),
    )


def test_the_spider_notes_each_listings_article_links_known_or_not():
    spider = _spider()
    spider.known = {url_digest(f"{SITE}/article/1.html")}  # handed on by an earlier crawl: not fetched
    page = f"{SITE}/news/"
    links = [
        "/article/1.html",
        "/article/2.html?utm_source=x",
        "/news/page/2/",
        "https://other.org/article/9",
    ]
    requested = [request.url for request in spider.parse_discovery(_listing(page, links))]
    assert f"{SITE}/article/1.html" not in requested and f"{SITE}/article/2.html?utm_source=x" in requested
    assert spider.listed_on == {page: {f"{SITE}/article/1.html", f"{SITE}/article/2.html?utm_source=x"}}
    # A listing that lists nothing any more still counts as read: its old links must not vouch.
    empty = f"{SITE}/news/page/2/"
    list(spider.parse_discovery(_listing(empty, [])))
    assert spider.listed_on[empty] == set()
    # Links from an article page are not a listing.
    article = _listing(f"{SITE}/article/1.html", ["/article/3.html"])
    list(spider.parse_article(article))
    assert f"{SITE}/article/3.html" not in set().union(*spider.listed_on.values())
    assert spider.discovery_failures == 0


def test_not_modified_pages_vouch_and_failed_ones_make_the_crawl_partial():
    page = f"{SITE}/news/"
    spider = _spider({page: {"etag": '"e"', "children": []}})
    not_modified = Response(page, status=304, request=Request(page))
    list(spider.parse_discovery(not_modified))
    assert spider.unchanged_pages == [page] and spider.listed_on == {}
    broken = Response(f"{SITE}/news/page/3/", status=500, request=Request(f"{SITE}/news/page/3/"))
    list(spider.parse_discovery(broken))
    assert spider.discovery_failures == 1


def test_only_a_crawl_that_finished_and_read_every_listing_may_judge():
    assert crawl_was_complete("finished", 0)
    assert not crawl_was_complete("finished", 1)
    assert not crawl_was_complete("closespider_pagecount", 0)
    assert not crawl_was_complete("shutdown", 0)


def test_listing_changes_travel_in_small_versioned_payloads():
    report = ListingReport(
        listed=3,
        unlisted=[(f"{SITE}/article/{n}.html", 1_700_000_000.0) for n in range(1, 1202)],
        relisted=[],
    )
    payloads = listing_changes_payloads("s", "run-1", report, 1_700_086_400.0, pages_checked=7)
    assert [len(p["unlisted"]) for p in payloads] == [500, 500, 201]
    first = payloads[0]
    assert first["schema"] == 1 and first["crawl_source"] == "s" and first["crawl_run"] == "run-1"
    assert "run_id" not in first  # not a page of the run: it must not count as one of its outcomes
    assert first["checked_at"] == "2023-11-15T22:13:20.000+00:00"
    assert first["unlisted"][0] == {
        "url": f"{SITE}/article/1.html",
        "last_listed_at": "2023-11-14T22:13:20+00:00",
    }
    assert first["pages_checked"] == 7
    assert len({p["url"] for p in payloads}) == 3
    assert listing_changes_payloads("s", "run-1", ListingReport(3, [], []), 0.0, 1) == []
    back = listing_changes_payloads("s", None, ListingReport(3, [], [f"{SITE}/article/1.html"]), 0.0, 1)
    assert [p["relisted"] for p in back] == [[f"{SITE}/article/1.html"]]
