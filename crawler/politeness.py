"""Downloader middlewares for a polite, safe crawl: recorded refusals, Crawl-delay, Retry-After."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import socket
import time
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

log = logging.getLogger(__name__)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RefusedRequest(IgnoreRequest):
    """Raised when the crawler refuses to fetch a URL (private address, off-site redirect, loop)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def is_private_address(address: str) -> bool:
    """Loopback, private (RFC 1918, ULA), link-local, unspecified, multicast or reserved."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
    )


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None if absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class SafetyMiddleware:
    """Refuses private addresses (unless the source allows them), off-site redirects and redirect loops."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self._private_hosts: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        spider = self.crawler.spider
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise RefusedRequest("bad_scheme", request.url)
        if not spider.on_site(request.url):
            kind = "redirect_offsite" if request.meta.get("redirect_urls") else "offsite"
            raise RefusedRequest(kind, request.url)
        host = parts.hostname or ""
        if not spider.source.allow_private and await self._resolves_private(host):
            raise RefusedRequest("private_address", f"{host} is a private, loopback or link-local address")
        return None

    def process_response(self, request, response, spider=None):
        if response.status not in REDIRECT_STATUSES or "Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers["Location"].decode("latin-1"))
        seen = [*request.meta.get("redirect_urls", []), request.url]
        if target in seen:
            raise RefusedRequest("redirect_loop", f"{request.url} redirects back to {target}")
        if not self.crawler.spider.on_site(target):
            raise RefusedRequest("redirect_offsite", f"{request.url} redirects to {target}")
        return response

    async def _resolves_private(self, host: str) -> bool:
        if host in self._private_hosts:
            return self._private_hosts[host]
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except OSError:
                return False  # the download itself fails and is recorded as a DNS error
            addresses = [info[4][0] for info in infos]
        private = any(is_private_address(a) for a in addresses)
        self._private_hosts[host] = private
        return private


class CrawlDelayMiddleware:
    """Applies robots.txt's Crawl-delay as the minimum delay of the host's download slot, jitter off."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT") or "*"
        self.delays: dict[str, float] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _robots_parsed(self, robotparser, request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            host = urlsplit(request.url).hostname or ""
            self.delays[host] = min(
                float(delay), self.crawler.settings.getfloat("NEWSDESK_MAX_CRAWL_DELAY", 60)
            )
            self.crawler.stats.set_value("newsdesk/crawl_delay", self.delays[host])

    def process_request(self, request, spider=None):
        self._apply(request)
        return None

    def process_response(self, request, response, spider=None):
        # AutoThrottle has just adjusted the slot's delay (on response_downloaded): never below Crawl-delay.
        self._apply(request)
        return response

    def _apply(self, request) -> None:
        delay = self.delays.get(urlsplit(request.url).hostname or "")
        if not delay:
            return
        # Scrapy has no public API for one slot's delay; the downloader's slot is what AutoThrottle tunes too.
        _, slot = self.crawler.engine.downloader._get_slot(request)
        slot.delay = max(slot.delay, delay)
        slot.jitter = 0


class PoliteRetryMiddleware(RetryMiddleware):
    """Retries 429/5xx and timeouts with exponential backoff, waiting as long as Retry-After asks."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NEWSDESK_RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("NEWSDESK_RETRY_BACKOFF_MAX", 30.0)
        self.max_retry_after = settings.getfloat("NEWSDESK_MAX_RETRY_AFTER", 120.0)

    def _backoff(self, request) -> float:
        return min(self.backoff_base * 2 ** request.meta.get("retry_times", 0), self.backoff_max)

    def _retry_request(self, request, reason):
        """Scrapy's public retry helper, with the per-request meta overrides RetryMiddleware honours."""
        meta = request.meta
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=meta.get("give_up_log_level", self.give_up_log_level),
        )

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_retry_after:
            self.crawler.stats.inc_value("newsdesk/retry_after_too_long")
            return response
        retry = self._retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        self.crawler.stats.inc_value(f"newsdesk/retried/{response.status}")
        await asyncio.sleep(wait if wait is not None else self._backoff(request))
        return retry

    async def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry_request(request, exception)
        if retry is not None:
            await asyncio.sleep(self._backoff(request))
        return retry
