"""The spider asks for each URL once per crawl, however often the listings link it (pure: no network)."""

from __future__ import annotations

import scrapy
from scrapy.http import HtmlResponse
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
