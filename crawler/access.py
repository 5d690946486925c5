"""Applies a source's request settings to every request of its crawl: proxy, headers, cookies, credentials.

A downloader middleware rather than the spider, so that the requests Scrapy makes itself (robots.txt)
go through the source's proxy and slot too.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from newsdesk.kernel.access import Access
from newsdesk.kernel.redaction import Redactor

log = logging.getLogger(__name__)
COOKIE_JAR_META = "cookiejar"


class SourceAccessMiddleware:
    """Sets the source's proxy, headers, cookie jar and download slot on each request; credentials and
    secret headers only on requests to the source's own hosts (`Access.auth_hosts`)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self._seeded_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        access: Access = getattr(spider, "access", None) or Access()
        # One slot for the whole source (politeness.concurrency and download_delay are the source's,
        # whatever hosts or proxy its pages come through); a request that names its own slot keeps it.
        request.meta.setdefault("download_slot", slot_name(spider.source.name))
        if access.proxy and "proxy" not in request.meta:
            # Scrapy's HttpProxyMiddleware moves the credentials into Proxy-Authorization and takes them
            # out of the URL before anything else sees the request.
            request.meta["proxy"] = access.proxy
        for name, value in access.headers.items():
            request.headers.setdefault(name, value)
        host = urlsplit(request.url).hostname
        own = access.is_auth_host(host)
        for name, value in access.secret_headers.items():
            if own:
                request.headers[name] = value
            elif name in request.headers:
                # A redirect copies the headers of the request it answers: never to another host.
                del request.headers[name]
        if access.cookie_jar:
            request.meta.setdefault(COOKIE_JAR_META, spider.source.name)
            if own and access.cookies and host not in self._seeded_hosts:
                # Once per host: the jar keeps them, and a cookie the site sets later is not overwritten.
                self._seeded_hosts.add(host or "")
                request.cookies = {**access.cookies, **(request.cookies or {})}
        return None


def slot_name(source: str) -> str:
    return f"source:{source}"


class RedactingFilter(logging.Filter):
    """Masks the crawl's secrets (and anything that looks like a credential) in every log record."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            cleaned_exc = self.redact(text)
            if cleaned_exc != text:
                record.exc_info, record.exc_text = None, cleaned_exc
        return True


def install_log_redaction(redactor: Redactor, logger: logging.Logger | None = None) -> None:
    """Put a RedactingFilter on every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
