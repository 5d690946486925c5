"""Unit tests for where a re-crawl stops paginating: a listing page that holds nothing new."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.discovery import looks_like_pagination_url
from crawler.listing_watch import reads_every_listing_page
from crawler.spiders.news import NewsSpider
from newsdesk.kernel.recheck import Recheck
from newsdesk.kernel.sources import Source
from newsdesk.state.crawl_state import ListingReads, url_digest

SITE = "https://example.org"
PAGE_ONE = f"{SITE}/news/"
FURTHER_PAGES = [f"{SITE}/news/page/2/", f"{SITE}/news/page/3/"]
SECTION = f"{SITE}/sport/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.org/news/page/2/", True),
        ("https://x.org/news/p/7", True),
        ("https://x.org/archiv/seite/3", True),
        ("https://x.org/news?page=2", True),
        ("https://x.org/news?cat=4&paged=12", True),
        ("https://x.org/search?q=x&start=40", True),
        ("https://x.org/news/", False),
        ("https://x.org/sport/", False),
        ("https://x.org/news?cat=4", False),
        ("https://x.org/page/about-us", False),
        ("https://x.org/2019/04/26/page-one-story.html", False),
    ],
)
def test_further_pages_of_a_listing_are_told_from_other_listings(url, expected):
    assert looks_like_pagination_url(url) is expected


def _source(**fields) -> Source:
    return Source(
        name="s",
        start_urls=[PAGE_ONE],
        article_pattern="/article/",
        allowed_domains=["example.org"],
        **fields,
    )


def _spider(known=(), every_page=False) -> NewsSpider:
    spider = NewsSpider.from_crawler(
        get_crawler(NewsSpider), source=_source(), read_every_listing_page=every_page
    )
    spider.known = {url_digest(f"{SITE}{path}") for path in known}
    return spider


def _listing_requests(spider: NewsSpider, articles: list[str]) -> list[str]:
    anchors = "".join(f'<a href="{link}">x</a>' for link in [*articles, *FURTHER_PAGES, SECTION])
    response = HtmlResponse(
        PAGE_ONE,
        body=f"<html><body>{anchors}</body></html>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request(PAGE_ONE),
    )
    return [request.url for request in spider.parse_discovery(response)]


ARTICLES = ["/article/1.html", "/article/2.html"]


def test_a_page_of_known_articles_is_the_last_page_read_but_other_listings_still_are():
    spider = _spider(known=ARTICLES)
    requested = _listing_requests(spider, ARTICLES)
    assert requested == [SECTION]
    assert spider.pagination_skipped == 2
    assert spider.crawler.stats.get_value("newsdesk/pagination_skipped") == 2


def test_one_new_article_on_the_page_means_the_next_pages_are_read():
    spider = _spider(known=ARTICLES[:1])
    requested = _listing_requests(spider, ARTICLES)
    assert requested == [f"{SITE}/article/2.html", *FURTHER_PAGES, SECTION]
    assert spider.pagination_skipped == 0


def test_a_spider_told_to_read_every_page_reads_them_all():
    spider = _spider(known=ARTICLES, every_page=True)
    requested = _listing_requests(spider, ARTICLES)
    assert set(FURTHER_PAGES) <= set(requested)
    assert spider.pagination_skipped == 0


NOW = 1_800_000_000.0
GRACE = 3600.0
COMPLETE = ListingReads(complete=True, full_read_at=NOW - 60)


@pytest.mark.parametrize(
    ("fields", "reads", "expected"),
    [
        ({}, COMPLETE, False),  # a re-crawl after a complete one stops at known articles
        ({}, ListingReads(), True),  # a first crawl, or one after Redis lost the state
        ({}, ListingReads(complete=False, full_read_at=NOW - 60), True),  # the last one was cut short
        ({"paginate_known": True}, COMPLETE, True),  # listings not in newest-first order
        ({"recheck": Recheck(unlisted_removal=True)}, COMPLETE, False),  # absence judged a while ago
        (
            {"recheck": Recheck(unlisted_removal=True)},
            ListingReads(complete=True, full_read_at=NOW - GRACE / 2),
            True,  # half a grace period since every page was read: absence is due to be judged again
        ),
        ({"recheck": Recheck(unlisted_removal=True)}, ListingReads(complete=True), True),
    ],
)
def test_every_listing_page_is_read_when_stopping_early_could_miss_something(fields, reads, expected):
    assert reads_every_listing_page(_source(**fields), reads, NOW, GRACE) is expected


def test_an_unchanged_listing_needs_none_of_its_further_pages():
    spider = _spider(known=ARTICLES)
    spider.validators = {PAGE_ONE: {"etag": '"e"', "children": [*FURTHER_PAGES, SECTION]}}
    not_modified = Response(PAGE_ONE, status=304, request=Request(PAGE_ONE))
    assert [request.url for request in spider.parse_discovery(not_modified)] == [SECTION]
