"""The demo site's crawling features: feeds, sitemaps, robots.txt, archive, traps, conditional GET."""

from __future__ import annotations

import datetime
import email.utils
import gzip
import hashlib
import html
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.demosite.site import DemoArticle, DemoServer, DemoSite

XML_CONTENT_TYPE = "application/xml; charset=utf-8"
GZIP_CONTENT_TYPE = "application/x-gzip"
FEED_LIMIT = 50
PRIVATE_ARTICLE_PATH = "/private/article/secret.html"
TRAPS = {
    "missing": "/traps/article/missing.html",
    "error": "/traps/article/error.html",
    "slow": "/traps/article/slow.html",
    "loop": "/traps/article/loop-a.html",
    "huge": "/traps/article/huge.html",
    "busy": "/traps/article/busy.html",
    "away": "/traps/article/away.html",
    "binary": "/traps/article/report.pdf",
}
LOOP_PARTNER = "/traps/article/loop-b.html"
OFFSITE_TARGET = "http://offsite.invalid/article/elsewhere.html"
LAST_MODIFIED_BASE = datetime.date(2025, 8, 1)
_ARCHIVE_MONTH = re.compile(r"^/archive/(?P<year>\d{4})/(?P<month>\d{2})/$")
_FEED = re.compile(r"^/(?P<slug>[a-z]+)/feed\.(?P<kind>rss|atom)$")
_SITEMAP = re.compile(r"^/sitemaps/(?P<slug>[a-z]+)\.xml\.gz$")

Response = tuple[int, str, bytes, dict[str, str]]


@dataclass(frozen=True)
class CrawlFeatures:
    """What the demo site serves on top of its pages; every feature a crawler must handle politely."""

    page_size: int = 10
    feed_limit: int = FEED_LIMIT
    feeds: bool = True
    sitemaps: bool = True
    robots: bool = True
    crawl_delay: float | None = None
    archive: bool = True
    conditional: bool = True
    traps: bool = False
    slow_seconds: float = 3.0
    retry_after_seconds: int = 1
    oversize_bytes: int = 11_000_000


@dataclass(frozen=True)
class RequestLogEntry:
    """One request as the demo server saw it, for tests that check what a crawler did."""

    at: float
    path: str
    status: int
    user_agent: str
    conditional: bool = False


def respond_with_crawl_features(
    server: DemoServer, site: DemoSite, path: str, headers: Mapping[str, str]
) -> Response:
    """The response for `path` on a site with crawl features; the site's own pages otherwise."""
    features = site.crawl_features
    assert features is not None
    base = f"http://{headers.get('Host', f'{server.host}:{server.port}')}"
    response = None
    if features.traps and path.startswith("/traps/"):
        response = _trap(server, site, path)
    elif features.robots and path == "/robots.txt":
        response = _text(200, "text/plain; charset=utf-8", _robots(features, base))
    elif features.robots and path == PRIVATE_ARTICLE_PATH:
        response = _html(_article_like_page("Secret", "private"))
    elif features.feeds and _FEED.match(path) and _FEED.match(path)["slug"] in site._sources_by_slug:
        match = _FEED.match(path)
        render = _rss if match["kind"] == "rss" else _atom
        response = _text(200, XML_CONTENT_TYPE, render(site, match["slug"], base))
    elif features.sitemaps and path == "/sitemap.xml":
        response = _text(200, XML_CONTENT_TYPE, _sitemap_index(site, base))
    elif features.sitemaps and path == "/sitemaps/sections.xml":
        response = _text(200, XML_CONTENT_TYPE, _sections_sitemap(site, base))
    elif features.sitemaps and _SITEMAP.match(path) and _SITEMAP.match(path)["slug"] in site._sources_by_slug:
        xml = _articles_sitemap(site, _SITEMAP.match(path)["slug"], base)
        response = (200, GZIP_CONTENT_TYPE, gzip.compress(xml.encode("utf-8"), mtime=0), {})
    elif features.archive and path in ("/archive/", "/archive"):
        response = _html(_archive_index(site))
    elif features.archive and _ARCHIVE_MONTH.match(path):
        page = _archive_month(
            site, int(_ARCHIVE_MONTH.match(path)["year"]), int(_ARCHIVE_MONTH.match(path)["month"])
        )
        response = _html(page) if page else None
    if response is None:
        status, content_type, body = site.render(path)
        if path == "/" and status == 200:
            body = _with_home_extras(body.decode("utf-8"), features).encode("utf-8")
        response = (status, content_type, body, {})
    if features.conditional and response[0] == 200:
        return _conditional(site, response, headers)
    return response


def _text(status: int, content_type: str, text: str) -> Response:
    return status, content_type, text.encode("utf-8"), {}


def _html(page: str) -> Response:
    return 200, "text/html; charset=utf-8", page.encode("utf-8"), {}


def _conditional(site: DemoSite, response: Response, headers: Mapping[str, str]) -> Response:
    newest = max((a.published for a in site.articles), default=datetime.date(2019, 1, 1))
    last_modified = email.utils.format_datetime(
        datetime.datetime.combine(newest, datetime.time(12), tzinfo=datetime.UTC), usegmt=True
    )
    return answer_conditional_get(response, last_modified, headers)


def answer_conditional_get(response: Response, last_modified: str, headers: Mapping[str, str]) -> Response:
    """The response with ETag and Last-Modified, or a bodiless 304 when the request's validators match."""
    status, content_type, body, extra = response
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    extra = {**extra, "ETag": etag, "Last-Modified": last_modified}
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if etag in [tag.strip() for tag in if_none_match.split(",")]:
            return 304, content_type, b"", extra
        return status, content_type, body, extra
    since = headers.get("If-Modified-Since")
    if since:
        try:
            if email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(last_modified):
                return 304, content_type, b"", extra
        except (TypeError, ValueError):
            pass
    return status, content_type, body, extra


def _with_home_extras(page: str, features: CrawlFeatures) -> str:
    links = []
    if features.archive:
        links.append('<li><a href="/archive/">Archive</a></li>')
    if features.robots:
        links.append(f'<li><a href="{PRIVATE_ARTICLE_PATH}">Members only</a></li>')
    if features.traps:
        links.append('<li><a href="/traps/">Odd corners</a></li>')
    head = ""
    if features.feeds:
        head = '<link rel="alternate" type="application/rss+xml" title="MFA" href="/mfa/feed.rss">'
    page = page.replace("</head>", head + "</head>", 1)
    return page.replace("</main>", '<ul class="extras">\n' + "\n".join(links) + "\n</ul>\n</main>", 1)


def _robots(features: CrawlFeatures, base: str) -> str:
    lines = ["User-agent: *", "Disallow: /private/"]
    if features.crawl_delay is not None:
        lines.append(f"Crawl-delay: {features.crawl_delay:g}")
    if features.sitemaps:
        lines += ["", f"Sitemap: {base}/sitemap.xml"]
    return "\n".join(lines) + "\n"


def _newest(site: DemoSite, slug: str) -> tuple[DemoArticle, ...]:
    return site._newest_first[slug]


def _rfc822(day: datetime.date) -> str:
    return email.utils.format_datetime(
        datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC), usegmt=True
    )


def _rss(site: DemoSite, slug: str, base: str) -> str:
    source = site._sources_by_slug[slug]
    # One outlet uses relative links and bare ampersands, and never closes its document, as real feeds do.
    sloppy = slug == "daily"
    items = []
    for article in _newest(site, slug)[: site.crawl_features.feed_limit]:
        link = article.path if sloppy else base + article.path
        title = article.title if sloppy else html.escape(article.title)
        items.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{base}{article.path}</guid>"
            f"<pubDate>{_rfc822(article.published)}</pubDate></item>"
        )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(source.name)}</title><link>{base}/{slug}/</link>"
        f"<description>News & notices</description>\n" + "\n".join(items)
    )
    return feed if sloppy else feed.replace("News & notices", "News &amp; notices") + "\n</channel></rss>\n"


def _atom(site: DemoSite, slug: str, base: str) -> str:
    source = site._sources_by_slug[slug]
    entries = "\n".join(
        f"<entry><title>{html.escape(a.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{a.path.lstrip("/").removeprefix(slug + "/")}"/>'
        f"<id>{base}{a.path}</id><updated>{a.published.isoformat()}T08:00:00Z</updated></entry>"
        for a in _newest(site, slug)[: site.crawl_features.feed_limit]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/{slug}/">'
        f'<title>{html.escape(source.name)}</title><link rel="self" href="feed.atom"/>\n{entries}\n</feed>\n'
    )


def _sitemap_index(site: DemoSite, base: str) -> str:
    entries = [f"<sitemap><loc>{base}/sitemaps/sections.xml</loc></sitemap>"]
    for source in site.sources:
        # Changes whenever the outlet's sitemap gains an article, whatever that article's own date.
        changed = LAST_MODIFIED_BASE + datetime.timedelta(days=len(_newest(site, source.slug)))
        lastmod = f"<lastmod>{changed.isoformat()}</lastmod>"
        entries.append(f"<sitemap><loc>{base}/sitemaps/{source.slug}.xml.gz</loc>{lastmod}</sitemap>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + "\n</sitemapindex>\n"
    )


def _urlset(urls: list[tuple[str, str | None]]) -> str:
    entries = "\n".join(
        f"<url><loc>{html.escape(loc)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>"
        for loc, lastmod in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}\n</urlset>\n'
    )


def _articles_sitemap(site: DemoSite, slug: str, base: str) -> str:
    return _urlset([(base + a.path, a.published.isoformat()) for a in _newest(site, slug)])


def _sections_sitemap(site: DemoSite, base: str) -> str:
    return _urlset([(base + "/", None)] + [(f"{base}/{s.slug}/", None) for s in site.sources])


def _months(site: DemoSite) -> list[tuple[int, int]]:
    return sorted({(a.published.year, a.published.month) for a in site.listed_articles}, reverse=True)


def _archive_index(site: DemoSite) -> str:
    from newsdesk.demosite.site import MONTHS, page_html

    links = "\n".join(
        f'<li><a class="archive-month" href="/archive/{year}/{month:02d}/">'
        f"{MONTHS[month - 1]} {year}</a></li>"
        for year, month in _months(site)
    )
    return page_html("Archive", f'<main class="archive">\n<h1>Archive</h1>\n<ul>\n{links}\n</ul>\n</main>')


def _archive_month(site: DemoSite, year: int, month: int) -> str | None:
    from newsdesk.demosite.site import MONTHS, page_html

    articles = [a for a in site.listed_articles if (a.published.year, a.published.month) == (year, month)]
    if not articles:
        return None
    links = "\n".join(
        f'<li><a class="article-link" href="{a.path}">{html.escape(a.title)}</a></li>'
        for a in sorted(articles, key=lambda a: (a.published, a.article_id))
    )
    title = f"Archive: {MONTHS[month - 1]} {year}"
    return page_html(title, f'<main class="archive">\n<h1>{title}</h1>\n<ul>\n{links}\n</ul>\n</main>')


def _article_like_page(title: str, slug: str) -> str:
    from newsdesk.demosite.site import page_html

    return page_html(
        title,
        f'<article class="article"><h1 class="article-title">{title}</h1>\n'
        f'<div class="article-meta">Date: 01/02/2024 | Source: {slug}</div>\n'
        '<div class="article-body"><p>This page is only for members and crawlers must not fetch it.</p>'
        "</div></article>",
    )


def _trap(server: DemoServer, site: DemoSite, path: str) -> Response | None:
    from newsdesk.demosite.site import page_html

    features = site.crawl_features
    assert features is not None
    if path in ("/traps/", "/traps"):
        links = "\n".join(
            f'<li><a class="article-link" href="{p}">{name}</a></li>' for name, p in TRAPS.items()
        )
        return _html(page_html("Odd corners", f"<main><h1>Odd corners</h1>\n<ul>\n{links}\n</ul>\n</main>"))
    notice = page_html("Notice", "<h1>Notice</h1><p>Nothing to see.</p>").encode("utf-8")
    if path == TRAPS["missing"]:
        return None  # the site's own 404
    if path == TRAPS["error"]:
        return 500, "text/html; charset=utf-8", b"<html><body>Internal error</body></html>", {}
    if path == TRAPS["slow"]:
        time.sleep(features.slow_seconds)
        return 200, "text/html; charset=utf-8", notice, {}
    if path == TRAPS["loop"]:
        return 302, "text/html; charset=utf-8", b"", {"Location": LOOP_PARTNER}
    if path == LOOP_PARTNER:
        return 302, "text/html; charset=utf-8", b"", {"Location": TRAPS["loop"]}
    if path == TRAPS["away"]:
        return 302, "text/html; charset=utf-8", b"", {"Location": OFFSITE_TARGET}
    if path == TRAPS["huge"]:
        filler = b"<p>" + b"x" * 1000 + b"</p>\n"
        return 200, "text/html; charset=utf-8", filler * (features.oversize_bytes // len(filler) + 1), {}
    if path == TRAPS["busy"]:
        if server.requests[path] <= 1:
            headers = {"Retry-After": str(features.retry_after_seconds)}
            return 429, "text/html; charset=utf-8", b"<html><body>Slow down</body></html>", headers
        return 200, "text/html; charset=utf-8", notice, {}
    if path == TRAPS["binary"]:
        return 200, "application/pdf", b"%PDF-1.4\n" + b"\x00" * 64, {}
    return None
