"""The news spider: discovers a source's articles (listings, feeds, sitemaps) and yields each article page."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler.discovery import (
    alternate_feeds,
    declares_article,
    feed_links,
    is_page_link,
    looks_like_article_url,
    looks_like_listing_url,
    looks_like_pagination_url,
    robots_sitemaps,
    sitemap_entries,
    sniff_kind,
)
from crawler.politeness import RefusedRequest
from crawler.rendering import RenderBudgetSpent, render_meta, waited_in_vain
from newsdesk.kernel.access import Access, status_reason
from newsdesk.kernel.fates import DEAD_STATUSES
from newsdesk.kernel.messages import KEPT_HEADERS, FetchedPage
from newsdesk.kernel.redaction import Redactor, redact_headers
from newsdesk.kernel.sources import Source
from newsdesk.kernel.url_rules import UrlRules
from newsdesk.state.crawl_state import url_digest
from newsdesk.state.dead_links import DeadLink

SKIPPED_SCHEMES = ("mailto:", "javascript:", "tel:", "data:")
# Statuses the callbacks see themselves (so each gets a recorded fate); redirects stay with Scrapy.
HANDLED_STATUSES = [304, *range(400, 600)]
MAX_PROBLEMS = 500
MAX_CHILDREN = 1000
MAX_DEAD_LINK_RECHECKS = 1000
ALL_MODES = {"listing", "feed", "sitemap", "robots"}
REFUSALS = {
    "robots_disallowed",
    "offsite",
    "redirect_offsite",
    "private_address",
    "bad_scheme",
    "redirect_loop",
}


def classify_failure(failure) -> tuple[str, str]:
    """(kind, detail) of a failed request, from the exception Scrapy or our middlewares raised."""
    exc = failure.value
    text = str(exc)
    if isinstance(exc, RefusedRequest):
        return exc.kind, exc.detail
    if isinstance(exc, RenderBudgetSpent):
        return "render_budget_spent", text
    request = getattr(failure, "request", None)
    proxied = bool(request is not None and request.meta.get("proxy"))
    if proxied:
        if type(exc).__name__ == "TunnelError":
            if "407" in text:
                return "proxy_auth_required", f"{status_reason(407)}: {text}"
            return "proxy_error", f"the proxy would not open a tunnel: {text}"
        lowered = (type(exc).__name__ + " " + text).lower()
        if "refused" in lowered or "connect" in lowered or "dns" in lowered:
            return "proxy_unreachable", f"the proxy {request.meta['proxy']} is unreachable: {text}"
    if request is not None and request.meta.get("playwright") and not isinstance(exc, IgnoreRequest):
        # Whatever broke in the browser (a timeout, a crash, a page that never showed what it waits for),
        # the page could not be read as its scripts make it: one kind, the browser's error as detail.
        return "render_failed", f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in text:
            return "robots_disallowed", text
        if "offsite" in text.lower():
            return "offsite", text
        if "redirect" in text.lower():
            return "redirect_loop", text
        return "ignored", text
    name = type(exc).__name__
    lowered = (name + " " + text).lower()
    if "maxsize" in lowered or "max size" in lowered or "larger than" in lowered:
        return "too_large", text
    if "timeout" in lowered or "timed out" in lowered:
        return "timeout", text
    if "dns" in lowered:
        return "dns_error", text
    if "connection" in lowered or "refused" in lowered:
        return "connection_error", text
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(), text


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        source: Source,
        run_id: str | None = None,
        known: set[str] | frozenset[str] = frozenset(),
        validators: dict[str, dict[str, Any]] | None = None,
        due: dict[str, dict[str, Any]] | None = None,
        read_every_listing_page: bool = True,
        dead: dict[str, DeadLink] | None = None,
        trust_validators: bool = True,
        access: Access | None = None,
        redo: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        # Proxy, headers, cookies and credentials (crawler.access applies them); every detail this spider
        # records or logs goes through `redact`, so none of their secrets leaves the process.
        self.access = access or Access()
        self.redact = Redactor(self.access.secrets)
        self.run_id = run_id
        self.allowed_domains = list(source.allowed_domains)
        self.article_pattern = re.compile(source.article_pattern) if source.article_pattern else None
        # Allow/deny patterns and the publication-date window: URLs they leave out are never fetched.
        self.url_rules = UrlRules.from_source(source)
        modes = set(source.discovery)
        self.modes = ALL_MODES if "auto" in modes else modes
        self.known = known
        self.validators = validators or {}
        # After a crawl that was cut short (a page or time limit, a failed listing), what the validators
        # say is unchanged may still hold links that crawl never got to: read everything again in full.
        self.trust_validators = trust_validators
        self.new_validators: dict[str, dict[str, Any]] = {}
        self.problems: list[dict[str, str]] = []
        self._discovered: set[str] = set()
        self._requested: set[str] = set()
        self._sitemap_lastmod: dict[str, str] = {}
        # Re-checks: known articles due again, fetched conditionally; every article answer is
        # noted so the schedule can be moved on when the crawl closes.
        self.due = due or {}
        self._rechecking = {url_digest(url) for url in self.due}
        self.article_checks: list[dict[str, Any]] = []
        # Listing presence: the article links of each discovery page fetched in full, the pages
        # that answered "not modified", and whether any discovery page failed (then nothing is judged).
        self.listed_on: dict[str, set[str]] = {}
        self.unchanged_pages: list[str] = []
        self.discovery_failures = 0
        # Unless set (crawler.listing_watch.reads_every_listing_page), a listing's further pages are skipped
        # after a page that listed nothing new: the re-crawl of an unchanged site costs a few requests.
        self.read_every_listing_page = read_every_listing_page
        self.pagination_skipped = 0
        # Fates: each URL this crawl fetched and did not hand on gets one here, (url, fate, detail),
        # sent to the run record by the hand-off pipeline; `fetched` holds every URL that got an answer
        # (or failed), so the run can show that the fates add up.
        self.fates: list[tuple[str, str, str]] = []
        self.fetched: set[str] = set()
        self.asked: set[str] = set()
        # Dead links: known ones (by digest) are not fetched again before their re-check is due; this
        # crawl's findings are saved when it closes.
        self.dead = dead or {}
        self.started_at = dt.datetime.now(dt.UTC).timestamp()
        self.dead_found: list[tuple[str, int]] = []
        self.revived: list[str] = []
        self._requested_digests: set[str] = set()
        self.render = source.render
        # Pages an earlier run handed on that never got a fate (newsdesk.state.runs.RunStore.lost_handoffs):
        # asked for again whether or not a page links to them now, since they are known and not otherwise.
        self.redo = redo or []

    def rendering(self, request_meta: dict[str, Any], url: str, article: bool) -> dict[str, Any]:
        """`request_meta` with what sends the page through the browser when the source renders it."""
        extra = render_meta(self.render, url, article)
        if extra:
            # The browser's script errors are noted as problems: the page is still read, and the parse
            # stage judges what the scripts managed to write.
            extra["playwright_page_event_handlers"] = {
                "pageerror": lambda error, url=url: self.note_script_error(url, error)
            }
        return {**request_meta, **extra}

    def note_script_error(self, url: str, error: Any) -> None:
        self.record_problem(url, "render_script_error", str(getattr(error, "message", error)))

    def note_rendering(self, response: Response) -> None:
        """A rendered page read without what its source waits for: a problem noted, the page still read."""
        meta = response.request.meta
        if self.render is None or meta.get("render_noted"):
            return  # a discovery page read on as an article is noted once
        meta["render_noted"] = True
        if self.render.wait_for and waited_in_vain(meta):
            self.record_problem(
                self.original_url(response), "render_wait_timeout", f"no {self.render.wait_for!r} shown"
            )

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._robots_read, signal=signals.robots_parsed)
        crawler.signals.connect(spider._reached_downloader, signal=signals.request_reached_downloader)
        return spider

    def _reached_downloader(self, request, spider=None) -> None:
        self.asked.add(request.meta.get("redirect_urls", [request.url])[0])

    def note_unanswered(self, reason: str) -> int:
        """Requests sent whose answer no callback read, because the crawl ended first (its page or time
        limit): each gets a fate too. Returns how many."""
        unanswered = sorted(self.asked - self.fetched)
        for url in unanswered:
            self.note_url_fate(url, "skipped", f"the crawl ended ({reason}) before its answer was read")
        return len(unanswered)

    def _robots_read(self, robotparser, request) -> None:
        """Scrapy's robots middleware fetches each host's robots.txt itself: a fetched URL, so a fate
        (`request` is the request that made it look, not the robots.txt one)."""
        parts = urlsplit(request.url)
        self.note_url_fate(f"{parts.scheme}://{parts.netloc}/robots.txt", "discovery", "robots.txt rules")

    # --- requests

    async def start(self):
        if "robots" in self.modes:
            for origin in dict.fromkeys(
                f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in self.source.start_urls
            ):
                yield scrapy.Request(
                    origin + "/robots.txt",
                    callback=self.parse_robots,
                    errback=self.discovery_failed,
                    meta={"handle_httpstatus_list": HANDLED_STATUSES, "dont_obey_robotstxt": True},
                    priority=10,
                )
        for request in self.discovery_requests(self.source.start_urls):  # no `yield from` in async
            yield request
        for url, known in self.due.items():
            yield self.recheck_request(url, known)
        # Dead links whose re-check is due are asked for again whether or not a page links to them now:
        # the pages that linked to them are usually known and not fetched again.
        for request in self.dead_link_rechecks():
            yield request
        for request in self.lost_handoff_requests():
            yield request

    def lost_handoff_requests(self) -> Iterator[scrapy.Request]:
        for url in self.redo:
            if url_digest(url) not in self._rechecking:  # asked for at the start already, conditionally
                yield from self._asked_directly(url, "newsdesk/lost_handoffs_redone")

    def dead_link_rechecks(self) -> Iterator[scrapy.Request]:
        due = sorted(
            (link for link in self.dead.values() if link.next_check <= self.started_at),
            key=lambda link: link.next_check,
        )
        for link in due[:MAX_DEAD_LINK_RECHECKS]:
            yield from self._asked_directly(link.url, "newsdesk/dead_link_rechecks", dead_recheck=True)

    def _asked_directly(self, url: str, counter: str, **meta: Any) -> Iterator[scrapy.Request]:
        """An article asked for whether or not a page links to it now: on-site, once per crawl."""
        if not self.on_site(url) or not self._first_request_for(url):
            return
        self._requested_digests.add(url_digest(url))
        self.crawler.stats.inc_value(counter)
        yield scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta=self.rendering(
                {"handle_httpstatus_list": HANDLED_STATUSES, "article_depth": 0, **meta}, url, article=True
            ),
        )

    def recheck_request(self, url: str, known: dict[str, Any]) -> scrapy.Request:
        """A known article fetched again, conditionally where its last answer carried validators."""
        meta = self.rendering(
            {"handle_httpstatus_list": HANDLED_STATUSES, "article_depth": 0, "recheck": True},
            url,
            article=True,
        )
        headers = {}
        # A rendered page's validators are its HTML shell's: its scripts may write other text under them.
        if not meta.get("playwright"):
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        self.crawler.stats.inc_value("newsdesk/rechecks")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers,
            dont_filter=True,
            meta=meta,
        )

    def _first_request_for(self, url: str) -> bool:
        """Whether this crawl has not asked for `url` yet (noted now).

        Scrapy's duplicate filter drops a second request for a URL, but only once the request is built and
        has passed the spider middlewares and the engine: listing pages link the same articles and pages
        again and again, and those dropped requests cost the crawler more CPU than the pages it fetched.
        The exact URL is compared, so nothing Scrapy would fetch is skipped.
        """
        if url in self._requested:
            return False
        self._requested.add(url)
        return True

    def discovery_requests(self, urls: Iterable[str]) -> Iterator[scrapy.Request]:
        """A discovery request for each of `urls` this crawl has not asked for yet (a dead link only when
        its re-check is due)."""
        for url in urls:
            dead = self.dead.get(url_digest(url)) if self.dead else None
            if dead is not None and dead.next_check > self.started_at:
                self.crawler.stats.inc_value("newsdesk/skipped_dead")
                continue
            if self.url_rules.active and self.url_rules.discovery_verdict(url) is not None:
                # A denied listing is never read, as the docs promise: its links would be followed too.
                self.crawler.stats.inc_value("newsdesk/skipped_by_rule")
                continue
            digest = url_digest(url)
            if digest in self.known and url not in self.validators and url not in self.source.start_urls:
                # An article reached through a link that did not look like one, handed on before: its
                # fate is settled (a listing page has validators and is asked for conditionally).
                self.crawler.stats.inc_value("newsdesk/skipped_known")
                continue
            # Tracking parameters do not make another page: one request per page, as for articles.
            if digest in self._requested_digests or not self._first_request_for(url):
                continue
            self._requested_digests.add(digest)
            yield self.discovery_request(url, dead_recheck=dead is not None)

    def discovery_request(self, url: str, dead_recheck: bool = False) -> scrapy.Request:
        meta = self.rendering(
            {"handle_httpstatus_list": HANDLED_STATUSES, "dead_recheck": dead_recheck}, url, article=False
        )
        headers = {}
        # A rendered listing's shell answers "not modified" while the list its script loads has changed.
        previous = (
            self.validators.get(url, {}) if self.trust_validators and not meta.get("playwright") else {}
        )
        if previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
        return scrapy.Request(
            url,
            callback=self.parse_discovery,
            errback=self.discovery_failed,
            headers=headers,
            meta=meta,
        )

    def candidate(self, url: str, depth: int = 0, from_feed: bool = False, listed_on: str | None = None):
        """A request for an article URL, unless it is off-site, not an article, or already known."""
        if not self.on_site(url):
            self.crawler.stats.inc_value("newsdesk/offsite_links")
            return
        if not is_page_link(url):
            self.crawler.stats.inc_value("newsdesk/not_page_links")
            return
        if not self.is_article_url(url, from_feed=from_feed):
            return
        if self.url_rules.active and self.url_rules.verdict(url) is not None:
            self.crawler.stats.inc_value("newsdesk/skipped_by_rule")
            return
        if listed_on is not None:
            self.listed_on.setdefault(listed_on, set()).add(url)
        digest = url_digest(url)
        if digest not in self._discovered:
            self._discovered.add(digest)
            self.crawler.stats.inc_value("newsdesk/discovered")
        if digest in self._rechecking:
            return  # requested at the start, conditionally
        if digest in self.known:
            self.crawler.stats.inc_value("newsdesk/skipped_known")
            return
        dead = self.dead.get(digest)
        if dead is not None and dead.next_check > self.started_at:
            self.crawler.stats.inc_value("newsdesk/skipped_dead")
            return
        # One request per article, whatever tracking parameters or fragments its links carry.
        if digest in self._requested_digests or not self._first_request_for(url):
            return
        self._requested_digests.add(digest)
        if dead is not None:
            self.crawler.stats.inc_value("newsdesk/dead_link_rechecks")
        yield scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta=self.rendering(
                {
                    "handle_httpstatus_list": HANDLED_STATUSES,
                    "article_depth": depth,
                    "dead_recheck": dead is not None,
                },
                url,
                article=True,
            ),
            # Listed articles before the links found on articles: a page budget goes to them first.
            priority=-depth,
        )

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.started_at, dt.UTC)

    def is_article_url(self, url: str, from_feed: bool = False) -> bool:
        if self.article_pattern is not None:
            return bool(self.article_pattern.search(urlsplit(url).path))
        if from_feed:
            return not looks_like_listing_url(url)
        return looks_like_article_url(url)

    def on_site(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    # --- discovery pages

    def parse_robots(self, response: Response):
        answered = f" answered {response.status}" if response.status >= 400 else ""
        self.note_fate(response, "discovery", f"robots.txt{answered}")
        if response.status >= 400:
            return
        sitemaps = robots_sitemaps(response.text if isinstance(response, TextResponse) else "", response.url)
        yield from self.discovery_requests(url for url in sitemaps if self.on_site(url))

    def parse_discovery(self, response: Response):
        stats = self.crawler.stats
        url = response.request.url
        self.note_rendering(response)
        if response.status == 304:
            stats.inc_value("newsdesk/not_modified")
            self.note_fate(response, "not_modified", "discovery page")
            self.unchanged_pages.append(url)
            previous = self.validators.get(url, {})
            self.new_validators[url] = previous
            # Unchanged since the last crawl, so it lists nothing new: its further pages are not needed.
            yield from self.discovery_requests(
                self.children_worth_fetching(previous.get("children", []), nothing_new=True)
            )
            return
        if response.status >= 400:
            fate = "dead_link" if response.status in DEAD_STATUSES else "fetch_error"
            if fate == "dead_link" and url not in self.source.start_urls and url not in self.validators:
                # A link to nowhere, never a listing: nothing a listing held was missed because of it.
                self.dead_found.append((self.original_url(response), response.status))
            else:
                self.discovery_failures += 1
            why = status_reason(response.status)
            detail = f"discovery page answered {response.status}" + (f": {why}" if why else "")
            self.note_fate(response, fate, detail)
            self.record_problem(url, f"http_{response.status}", detail)
            return
        stats.inc_value("newsdesk/discovery_pages")
        if response.request.meta.get("dead_recheck"):
            self.revived.append(self.original_url(response))
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        kind = sniff_kind(content_type, response.body)
        children: list[str] = []
        unchanged: list[str] = []
        handed_on = False
        if kind == "feed":
            self.listed_on.setdefault(url, set())
            for link in feed_links(response.body, response.url):
                yield from self.candidate(link, from_feed=True, listed_on=url)
        elif kind in ("sitemap", "sitemapindex"):
            yield from self._sitemap(response, children, unchanged)
        elif kind == "html" and isinstance(response, TextResponse):
            if self.article_pattern is None and url not in self.source.start_urls:
                if self._declares_article(response):
                    # Generic discovery reached an article through a link that did not look like one.
                    yield from self.parse_article(response)
                    return
                # Any other page generic discovery reached is read for links and handed on too: whether
                # it is an article is for the parse stage to say, on its content, never a silent drop.
                handed_on = True
            yield from self._listing(response, children)
            if handed_on:
                # Beyond the start pages, only links that look like further listings are followed as
                # discovery pages: on real sites every page links dozens of others (and dead paths), and
                # following them all walks the whole site, dead links first, within a page budget.
                children[:] = [
                    c for c in children if looks_like_pagination_url(c) or looks_like_listing_url(c)
                ]
        else:
            detail = f"{content_type or 'no content type'} ({kind})"
            self.note_fate(response, "rejected", f"unsupported_content_type: {detail}")
            self.record_problem(url, "unsupported_content_type", detail)
            return
        if handed_on:
            yield self.page_item(response)
        else:
            self.note_fate(response, "discovery", kind)
        nothing_new = kind == "html" and self._lists_nothing_new(url)
        yield from self.discovery_requests(self.children_worth_fetching(children, nothing_new))
        self._remember_validators(response, children + unchanged, handed_on)

    def _lists_nothing_new(self, url: str) -> bool:
        """Whether a listing page's article links were all known before this crawl (and it had some)."""
        listed = self.listed_on.get(url)
        return bool(self.known and listed) and all(url_digest(link) in self.known for link in listed)

    def children_worth_fetching(self, children: list[str], nothing_new: bool) -> list[str]:
        """The discovery pages to fetch next: a page that listed nothing new needs none of its next pages."""
        if not nothing_new or self.read_every_listing_page:
            return children
        kept = [child for child in children if not looks_like_pagination_url(child)]
        skipped = len(children) - len(kept)
        if skipped:
            self.pagination_skipped += skipped
            self.crawler.stats.inc_value("newsdesk/pagination_skipped", skipped)
        return kept

    def _sitemap(self, response: Response, children: list[str], unchanged: list[str]):
        try:
            kind, entries = sitemap_entries(response.body, response.url)
        except ValueError as exc:
            self.discovery_failures += 1
            self.note_fate(response, "rejected", f"bad_sitemap: {exc}")
            self.record_problem(response.url, "bad_sitemap", str(exc))
            return
        self.listed_on.setdefault(response.request.url, set())
        for entry in entries:
            if not self.on_site(entry.url):
                continue
            if kind == "sitemapindex":
                previous = self.validators.get(entry.url, {})
                if self.trust_validators and entry.lastmod and previous.get("lastmod") == entry.lastmod:
                    # The index says this sitemap has not changed since the last crawl: not even a request.
                    self.crawler.stats.inc_value("newsdesk/sitemaps_unchanged")
                    self.new_validators[entry.url] = previous
                    unchanged.append(entry.url)
                    self.unchanged_pages.append(entry.url)
                    continue
                if entry.lastmod:
                    self._sitemap_lastmod[entry.url] = entry.lastmod
                children.append(entry.url)
            elif self.url_rules.max_age and self.url_rules.too_old(entry.lastmod, self._now()):
                self.crawler.stats.inc_value("newsdesk/skipped_too_old")
            elif self.is_article_url(entry.url, from_feed=self.article_pattern is None):
                yield from self.candidate(
                    entry.url, from_feed=self.article_pattern is None, listed_on=response.request.url
                )
            elif "listing" in self.modes:
                children.append(entry.url)

    def _listing(self, response: TextResponse, children: list[str], depth: int = 0):
        """Article candidates (at `depth`) and further discovery pages (`children`) a page links to."""
        listed_on = response.request.url
        self.listed_on.setdefault(listed_on, set())
        if "feed" in self.modes:
            for href in alternate_feeds(response.text):
                url = response.urljoin(href)
                if self.on_site(url):
                    children.append(url)
        for url in self._links(response):
            if self.is_article_url(url):
                yield from self.candidate(url, depth=depth, listed_on=listed_on)
            elif "listing" in self.modes and len(children) < MAX_CHILDREN:
                children.append(url)

    def _links(self, response: TextResponse) -> list[str]:
        urls = []
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(SKIPPED_SCHEMES):
                continue
            url = response.urljoin(href).split("#", 1)[0]
            if self.on_site(url):
                urls.append(url)
        return list(dict.fromkeys(urls))

    def _remember_validators(self, response: Response, children: list[str], handed_on: bool = False) -> None:
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        lastmod = self._sitemap_lastmod.get(response.request.url)
        # Kept even without validators: it marks the URL a discovery page, which a re-crawl reads again
        # (an article reached through a link that did not look like one is not).
        self.new_validators[response.request.url] = {
            "etag": etag.decode("latin-1") if etag else None,
            "last_modified": last_modified.decode("latin-1") if last_modified else None,
            "lastmod": lastmod,
            "children": list(dict.fromkeys(children))[:MAX_CHILDREN],
        }
        if handed_on and self.run_id:
            # The pipeline's verdict on it, recorded in this run, decides before the next crawl whether
            # it stays a discovery page (not an article) or is settled (crawler.listing_watch).
            self.new_validators[response.request.url]["handed_on_in"] = self.run_id

    def discovery_failed(self, failure):
        kind, detail = classify_failure(failure)
        if kind == "render_budget_spent":
            # Left unread, not failed; but what it lists was missed, so the crawl is not complete.
            self.discovery_failures += 1
            self.note_fate_of(failure.request, "skipped", f"{kind}: {detail}")
            self.record_problem(failure.request.url, kind, detail)
            return
        if kind not in REFUSALS:
            # A refused page (robots.txt, off-site, private) is never read, by this crawl or the next:
            # nothing it lists was missed because of this crawl.
            self.discovery_failures += 1
        fate = "refused" if kind in REFUSALS else "fetch_error"
        self.note_fate_of(failure.request, fate, f"{kind}: {detail}")
        self.record_problem(failure.request.url, kind, detail)

    # --- article pages

    def parse_article(self, response: Response):
        self._note_check(response)
        self.note_rendering(response)
        if response.status == 304:
            self.crawler.stats.inc_value("newsdesk/not_modified_articles")
            self.note_fate(response, "not_modified", "article re-check")
            return
        original = self.original_url(response)
        if response.status in DEAD_STATUSES and not response.request.meta.get("recheck"):
            # A link to a page that does not exist (any more): a dead link, not a rejected article; it is
            # remembered, and fetched again only when its slow re-check is due.
            self.crawler.stats.inc_value("newsdesk/dead_links")
            self.dead_found.append((original, response.status))
            self.note_fate(response, "dead_link", f"answered {response.status}")
            self.record_problem(original, f"http_{response.status}", "dead link")
            return
        if response.request.meta.get("dead_recheck") and response.status < 400:
            self.crawler.stats.inc_value("newsdesk/revived_links")
            self.revived.append(original)
        self.crawler.stats.inc_value("newsdesk/article_pages")
        depth = response.request.meta.get("article_depth", 0)
        readable = isinstance(response, TextResponse) and response.status < 300
        if readable and self._is_html(response) and self._reads_as_listing(response, depth):
            # The URL looked like an article's and the page does not say it is one: it may be a hub or
            # a section, so its links are read too (the parse stage still decides what the page is).
            self.crawler.stats.inc_value("newsdesk/read_as_listing")
            children: list[str] = []
            yield from self._listing(response, children, depth=depth + 1)
            yield from self.discovery_requests(
                c for c in children if looks_like_pagination_url(c) or looks_like_listing_url(c)
            )
        elif depth < self.source.max_depth and readable:
            for url in self._links(response):
                yield from self.candidate(url, depth=depth + 1)
        if response.status >= 400:
            why = status_reason(response.status)
            detail = "article page" + (f": {why}" if why else "")
            self.record_problem(original, f"http_{response.status}", detail)
        yield self.page_item(response)

    def _is_html(self, response: Response) -> bool:
        return "html" in response.headers.get("Content-Type", b"").decode("latin-1").lower()

    def _reads_as_listing(self, response: TextResponse, depth: int) -> bool:
        """Generic discovery, a page reached straight from discovery, which does not declare itself an
        article: read for links as a listing would be (only one step: pages found there are not)."""
        return (
            self.article_pattern is None
            and depth == 0
            and "listing" in self.modes
            and not response.request.meta.get("recheck")
            and not self._declares_article(response)
        )

    @staticmethod
    def _declares_article(response: TextResponse) -> bool:
        """`declares_article` of the page, read once per response (a discovery page that declares itself
        an article goes on to `parse_article`, which asks again)."""
        meta = response.request.meta
        if "declares_article" not in meta:
            meta["declares_article"] = declares_article(response.selector.root)
        return meta["declares_article"]

    def page_item(self, response: Response) -> dict[str, Any]:
        """The fetched page as the pipeline's message; its fate is the pipeline's to record."""
        headers = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                headers[name] = value.decode("latin-1")
        headers = redact_headers(headers)
        original = self.original_url(response)
        self.fetched.add(original)
        # The bytes travel, not Scrapy's decoding of them: the parse stage decides the encoding (a wrong
        # charset label is corrected there), and a decoded copy beside them would double every message.
        body = base64.b64encode(response.body).decode("ascii") if response.body else None
        page = self._page(original, response.url, response.status, headers, "")
        recheck = bool(response.request.meta.get("recheck"))
        return dataclasses.replace(page, body_base64=body, recheck=recheck).to_dict()

    @staticmethod
    def original_url(response: Response) -> str:
        """The URL the crawl asked for, before any redirect: what its fate is recorded under."""
        return response.request.meta.get("redirect_urls", [response.request.url])[0]

    def note_fate(self, response: Response, fate: str, detail: str = "") -> None:
        self.note_fate_of(response.request, fate, detail)

    def note_fate_of(self, request: scrapy.Request, fate: str, detail: str = "") -> None:
        """The fate of a URL this crawl fetched (or refused) and keeps: it is not handed on."""
        self.note_url_fate(request.meta.get("redirect_urls", [request.url])[0], fate, detail)

    def note_url_fate(self, url: str, fate: str, detail: str = "") -> None:
        if url in self.fetched:
            return
        self.fetched.add(url)
        self.fates.append((url, fate, self.redact(detail)[:300]))
        self.crawler.stats.inc_value(f"newsdesk/fates/{fate}")

    def _note_check(self, response: Response) -> None:
        redirects = response.request.meta.get("redirect_urls")
        original = redirects[0] if redirects else response.request.url
        etag = response.headers.get("ETag") if not redirects else None
        last_modified = response.headers.get("Last-Modified") if not redirects else None
        self.article_checks.append(
            {
                "url": original,
                # A redirect is not the article's own answer: no validators kept for the next check.
                "status": 301 if redirects else response.status,
                "at": dt.datetime.now(dt.UTC).timestamp(),
                "etag": etag.decode("latin-1") if etag else None,
                "last_modified": last_modified.decode("latin-1") if last_modified else None,
            }
        )

    def article_failed(self, failure):
        request = failure.request
        if request.meta.get("recheck"):
            # Checked and unanswered: still scheduled, at the cadence its age calls for.
            at = dt.datetime.now(dt.UTC).timestamp()
            self.article_checks.append({"url": request.url, "status": 0, "at": at})
        kind, detail = classify_failure(failure)
        self.record_problem(request.url, kind, detail)
        if kind == "render_budget_spent":
            # Never asked for: not known, so the next crawl asks for it again.
            self.note_fate_of(request, "skipped", f"{kind}: {detail}")
            return
        if kind in REFUSALS:
            self.note_fate_of(request, "refused", f"{kind}: {detail}")
            return  # never fetched: the crawl-run record keeps it
        # Fetched and failed: the pipeline dead-letters it with this reason.
        self.fetched.add(request.url)
        yield self._page(request.url, request.url, 0, {}, "", error=f"{kind}: {detail}").to_dict()

    def record_problem(self, url: str, kind: str, detail: str = "") -> None:
        detail = self.redact(detail)
        self.crawler.stats.inc_value(f"newsdesk/errors/{kind}")
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"url": url, "kind": kind, "detail": detail[:300]})
        self.logger.info("%s: %s %s", kind, url, detail)

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
            error=self.redact(error) if error else error,
        )
