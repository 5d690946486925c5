"""The news spider: walks a source's listing pages and yields every article page it finds."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from newsdesk.messages import FetchedPage
from newsdesk.sources import Source

KEPT_HEADERS = ("content-type", "last-modified", "etag", "content-language", "date")
SKIPPED_SCHEMES = ("mailto:", "javascript:", "tel:", "data:")


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, source: Source, run_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.run_id = run_id
        self.allowed_domains = list(source.allowed_domains)
        self.article_pattern = re.compile(source.article_pattern)

    async def start(self):
        for url in self.source.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing)

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_pattern.search(urlsplit(url).path))

    def _on_site(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def parse_listing(self, response: Response):
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(SKIPPED_SCHEMES):
                continue
            url = response.urljoin(href)
            if not self._on_site(url):
                continue
            if self.is_article_url(url):
                # Every article response reaches the pipeline, errors included, so each gets a recorded fate.
                yield scrapy.Request(
                    url,
                    callback=self.parse_article,
                    errback=self.fetch_failed,
                    meta={"handle_httpstatus_all": True},
                )
            else:
                yield scrapy.Request(url, callback=self.parse_listing)

    def parse_article(self, response: Response):
        headers = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                headers[name] = value.decode("latin-1")
        html = response.text if isinstance(response, TextResponse) else ""
        original = response.request.meta.get("redirect_urls", [response.url])[0]
        page = self._page(original, response.url, response.status, headers, html)
        # The bytes travel too: a wrong charset label is corrected by the parse stage, not trusted here.
        body = base64.b64encode(response.body).decode("ascii") if response.body else None
        yield dataclasses.replace(page, body_base64=body).to_dict()

    def fetch_failed(self, failure):
        request = failure.request
        yield self._page(
            request.url, request.url, 0, {}, "", error=f"{failure.type.__name__}: {failure.value}"
        ).to_dict()

    def _page(
        self, url: str, final_url: str, status: int, headers: dict, html: str, error: str | None = None
    ):
        return FetchedPage(
            url=url,
            final_url=final_url,
            crawl_source=self.source.name,
            fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            status=status,
            headers=headers,
            html=html,
            run_id=self.run_id,
            error=error,
        )
