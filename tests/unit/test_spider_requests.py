"""The spider asks for each URL once per crawl, however often the listings link it (pure: no network)."""

from __future__ import annotations

import datetime as dt

import scrapy
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.news import NewsSpider
from newsdesk.kernel.sources import Source

LISTING = """<html><body>
<a href="/news/2026/11/27/first-story.html">First</a>
<a href="/news/2026/11/27/first-story.html#comments">First, again</a>
<a href="/news/2026/11/27/second-story.html">Second</a>
<a href="/news/2026/11/27/second-story.html?utm_source=feed">Second, with tracking</a>
<a href="/news/page/2/">Next page</a>
<a href="/news/page/2/">Next page, again</a>
</body></html>"""


def _spider() -> NewsSpider:
    source = Source(
        name="t",
        start_urls=["http://news.example/news/"],
        allowed_domains=["news.example"],
        discovery=["listing"],
    )
    return NewsSpider.from_crawler(get_crawler(NewsSpider), source=source)


def _requests(spider: NewsSpider, url: str) -> list[str]:
    response = HtmlResponse(url, body=LISTING.encode(), encoding="utf-8", request=scrapy.Request(url))
    return [r.url for r in spider.parse_discovery(response) if isinstance(r, scrapy.Request)]


def test_each_url_is_requested_once_per_crawl() -> None:
    spider = _spider()
    first = _requests(spider, "http://news.example/news/")
    # The tracking copy is the same article: not fetched twice for nothing.
    assert sorted(first) == [
        "http://news.example/news/2026/11/27/first-story.html",
        "http://news.example/news/2026/11/27/second-story.html",
        "http://news.example/news/page/2/",
    ]
    # Another listing page linking the same pages asks for none of them again.
    assert _requests(spider, "http://news.example/news/page/2/") == []
    # Every listing still records the articles it lists (what revisions compare).
    assert (
        spider.listed_on["http://news.example/news/page/2/"] == spider.listed_on["http://news.example/news/"]
    )


def test_source_rules_leave_out_denied_urls_before_they_are_fetched() -> None:
    source = Source(
        name="t",
        start_urls=["http://news.example/news/"],
        allowed_domains=["news.example"],
        discovery=["listing"],
        urls={"deny": ["re:second-story"]},
    )
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider), source=source)
    assert sorted(_requests(spider, "http://news.example/news/")) == [
        "http://news.example/news/2026/11/27/first-story.html",
        "http://news.example/news/page/2/",
    ]


def test_sitemap_entries_older_than_the_window_are_not_fetched() -> None:
    source = Source(
        name="t",
        start_urls=["http://news.example/sitemap.xml"],
        allowed_domains=["news.example"],
        discovery=["sitemap"],
        urls={"max_age_days": 30},
    )
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider), source=source)
    today = dt.date.fromtimestamp(spider.started_at)
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>http://news.example/news/2020/01/02/old-story.html</loc><lastmod>2020-01-02</lastmod></url>"
        f"<url><loc>http://news.example/news/fresh-story-of-today.html</loc><lastmod>{today}</lastmod></url>"
        "<url><loc>http://news.example/news/undated-story-of-some-day.html</loc></url>"
        "</urlset>"
    )
    url = "http://news.example/sitemap.xml"
    response = XmlResponse(url, body=body.encode(), request=scrapy.Request(url))
    requested = sorted(r.url for r in spider.parse_discovery(response) if isinstance(r, scrapy.Request))
    assert requested == [
        "http://news.example/news/fresh-story-of-today.html",
        "http://news.example/news/undated-story-of-some-day.html",
    ]


def test_after_a_cut_crawl_no_validator_is_trusted() -> None:
    source = Source(
        name="t",
        start_urls=["http://news.example/news/"],
        allowed_domains=["news.example"],
        discovery=["listing"],
    )
    validators = {"http://news.example/news/": {"etag": '"v1"', "last_modified": None, "children": []}}
    trusting = NewsSpider.from_crawler(get_crawler(NewsSpider), source=source, validators=validators)
    assert trusting.discovery_request("http://news.example/news/").headers.get("If-None-Match") == b'"v1"'
    wary = NewsSpider.from_crawler(
        get_crawler(NewsSpider), source=source, validators=validators, trust_validators=False
    )
    assert wary.discovery_request("http://news.example/news/").headers.get("If-None-Match") is None


def test_listed_articles_are_requested_before_links_found_on_articles() -> None:
    spider = _spider()
    listed = next(iter(spider.candidate("http://news.example/news/2026/11/27/a-listed-story.html")))
    followed = next(
        iter(spider.candidate("http://news.example/news/2026/11/27/a-linked-story.html", depth=1))
    )
    assert listed.priority > followed.priority


def test_a_request_whose_answer_the_crawl_never_read_still_gets_a_fate() -> None:
    spider = _spider()
    spider.asked |= {"http://news.example/a", "http://news.example/b"}
    spider.note_url_fate("http://news.example/a", "discovery", "html")

    assert spider.note_unanswered("closespider_pagecount") == 1
    assert spider.fates[-1] == (
        "http://news.example/b",
        "skipped",
        "the crawl ended (closespider_pagecount) before its answer was read",
    )


def test_a_sitemap_entry_is_a_candidate_whatever_its_url_looks_like() -> None:
    source = Source(
        name="t",
        start_urls=["http://news.example/sitemap.xml"],
        allowed_domains=["news.example"],
        discovery=["auto"],
    )
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider), source=source)
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://news.example/1927</loc></url></urlset>"
    )
    url = "http://news.example/sitemap.xml"
    response = XmlResponse(url, body=body.encode(), request=scrapy.Request(url))
    requested = [r for r in spider.parse_discovery(response) if isinstance(r, scrapy.Request)]
    assert [(r.url, r.callback.__name__) for r in requested] == [
        ("http://news.example/1927", "parse_article")
    ]
