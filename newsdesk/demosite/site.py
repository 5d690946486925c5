"""A deterministic local news site, modelled on a real source, for tests and benchmarks to crawl."""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime
import html
import re
import signal
import string
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from random import Random
from typing import Self
from urllib.parse import urlsplit

from newsdesk.demosite.crawling import CrawlFeatures, RequestLogEntry, Response, respond_with_crawl_features
from newsdesk.demosite.javascript import SECTION as SCRIPTED_SECTION
from newsdesk.demosite.javascript import ScriptedSection

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
PAGE_SIZE = 10
MORE_FROM_LIMIT = 20
TEASER_LIMIT = 130
TRACKING_QUERY = "utm_source=featured&utm_medium=web&utm_campaign=demo"
FEATURED_PER_PAGE = 2
FIRST_DATE = datetime.date(2019, 1, 1)
LAST_DATE = datetime.date(2025, 7, 31)
MAX_SLUG_WORDS = 8

# Locale-independent on purpose: strftime("%B") would make the rendered bytes depend on the host.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class DemoSource:
    """One news source on the demo site, served under /{slug}/."""

    slug: str
    name: str


SOURCES = (
    DemoSource("mfa", "Ministry of Foreign Affairs (EN)"),
    DemoSource("agency", "Central News Agency"),
    DemoSource("daily", "The Daily Courier"),
)
# The outlet of the /js/ section, whose pages are written by scripts (newsdesk/demosite/javascript.py).
SCRIPTED_SOURCE = DemoSource("js", "State Television")


@dataclass(frozen=True)
class DemoArticle:
    """One generated article and the canonical path it is served at."""

    source: DemoSource
    article_id: int
    slug: str
    title: str
    published: datetime.date
    paragraphs: tuple[str, ...]
    path: str
    # Set on republished copies (the original's id) and on follow-ups of the same event (the earlier one's).
    copy_of: int | None = None
    follows: int | None = None
    language: str = "en"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class DemoSite:
    """The whole generated site; pages are rendered on request, never stored."""

    seed: int
    sources: tuple[DemoSource, ...]
    articles: tuple[DemoArticle, ...]
    rejected_paths: tuple[str, ...]
    # Crawling: feeds, sitemaps, robots.txt, archive, traps, conditional GET; None keeps them off.
    crawl_features: CrawlFeatures | None = None
    hostile: bool = False
    # Revisions: ids of articles still served at their address but left out of every listing,
    # feed, sitemap, archive and "More From" block (an unpublished page). Empty: everything is listed.
    unlisted: frozenset[int] = frozenset()
    # The /js/ section (`javascript=N`); None leaves it out. Its articles are not in `articles`.
    scripted: ScriptedSection | None = None

    def render(self, path: str, query: str = "") -> tuple[int, str, bytes]:
        """Return (status, content_type, body) for a request path; the query never changes the content."""
        path = path.partition("?")[0]
        if path in self.hostile_paths:
            return _render_hostile(self.hostile_paths[path])
        if self.scripted is not None and path.startswith(SCRIPTED_SECTION):
            answer = self.scripted.render(path)
            if answer is not None:
                return answer
        if path == "/":
            return _ok(self._render_home())
        if path in self._articles_by_path:
            return _ok(self._render_article(self._articles_by_path[path]))
        if path in self._notice_sources:
            return _ok(_render_notice(self._notice_sources[path]))
        listing = _LISTING_PATH.match(path)
        if listing and listing["slug"] in self._sources_by_slug:
            page = int(listing["page"] or 1)
            source = self._sources_by_slug[listing["slug"]]
            # /{slug}/page/1/ is not a page: page one lives only at /{slug}/, as on the real sites.
            if listing["page"] is None or 2 <= page <= self._page_count(source):
                return _ok(self._render_listing(source, page))
        return 404, HTML_CONTENT_TYPE, _render_not_found(path).encode("utf-8")

    @cached_property
    def hostile_paths(self) -> dict[str, str]:
        """Path → kind of the hostile pages (only with `hostile=True`), each linked from the first listing."""
        if not self.hostile:
            return {}
        return {f"/{self.sources[0].slug}/article/hostile-{kind}.html": kind for kind in HOSTILE_PAGES}

    @cached_property
    def _sources_by_slug(self) -> dict[str, DemoSource]:
        return {source.slug: source for source in self.sources}

    @cached_property
    def _articles_by_path(self) -> dict[str, DemoArticle]:
        return {article.path: article for article in self.articles}

    @cached_property
    def _notice_sources(self) -> dict[str, DemoSource]:
        return {_notice_path(source): source for source in self.sources}

    @cached_property
    def _newest_first(self) -> dict[str, tuple[DemoArticle, ...]]:
        by_source: dict[str, list[DemoArticle]] = {source.slug: [] for source in self.sources}
        for article in self.listed_articles:
            by_source[article.source.slug].append(article)
        # The id breaks ties between same-day articles so the order never depends on anything else.
        return {
            slug: tuple(sorted(articles, key=lambda a: (a.published, a.article_id), reverse=True))
            for slug, articles in by_source.items()
        }

    @property
    def listed_articles(self) -> tuple[DemoArticle, ...]:
        if not self.unlisted:
            return self.articles
        return tuple(article for article in self.articles if article.article_id not in self.unlisted)

    @property
    def _page_size(self) -> int:
        return self.crawl_features.page_size if self.crawl_features else PAGE_SIZE

    def _page_count(self, source: DemoSource) -> int:
        return max(1, -(-len(self._newest_first[source.slug]) // self._page_size))

    def _render_home(self) -> str:
        items = "\n".join(
            f'<li><a class="source-link" href="/{source.slug}/">{html.escape(source.name)}</a></li>'
            for source in self.sources
        )
        return page_html(
            "Demo News",
            '<nav class="site-nav"><a href="/">Home</a></nav>\n'
            f'<main class="home">\n<h1>Demo News</h1>\n<ul class="sources">\n{items}\n</ul>\n</main>',
        )

    def _render_listing(self, source: DemoSource, page: int) -> str:
        start = (page - 1) * self._page_size
        entries = self._newest_first[source.slug][start : start + self._page_size]
        featured = "\n".join(
            f'<li><a class="featured-link" href="{html.escape(article.path + "?" + TRACKING_QUERY)}">'
            f"{html.escape(article.title)}</a></li>"
            for article in entries[:FEATURED_PER_PAGE]
        )
        links = [
            f'<li><a class="article-link" href="{article.path}">{html.escape(article.title)}</a>'
            f' <span class="date">{_long_date(article.published)}</span></li>'
            for article in entries
        ]
        if page == 1:
            links.append(f'<li><a class="article-link" href="{_notice_path(source)}">Notice</a></li>')
        if page == 1 and source == self.sources[0]:
            links += [
                f'<li><a class="article-link" href="{path}">{kind}</a></li>'
                for path, kind in self.hostile_paths.items()
            ]
        name = html.escape(source.name)
        body = (
            f'<nav class="site-nav"><a href="/">Home</a> <a href="/{source.slug}/">{name}</a></nav>\n'
            f'<main class="listing">\n<h1 class="listing-title">{name}</h1>\n'
            f'<div class="featured">\n<h2>Featured</h2>\n<ul>\n{featured}\n</ul>\n</div>\n'
            f'<ul class="article-list">\n' + "\n".join(links) + "\n</ul>\n"
            f"{self._render_pagination(source, page)}\n</main>"
        )
        return page_html(f"{source.name} | Page {page}", body)

    def _render_pagination(self, source: DemoSource, page: int) -> str:
        last = self._page_count(source)
        parts = []
        if page > 1:
            parts.append(f'<a rel="prev" class="prev" href="{_listing_path(source, page - 1)}">Previous</a>')
        for number in range(1, last + 1):
            if number == page:
                parts.append(f'<span class="current">{number}</span>')
            else:
                parts.append(f'<a class="page" href="{_listing_path(source, number)}">{number}</a>')
        if page < last:
            parts.append(f'<a rel="next" class="next" href="{_listing_path(source, page + 1)}">Next</a>')
        return '<nav class="pagination">' + " ".join(parts) + "</nav>"

    def _render_article(self, article: DemoArticle) -> str:
        source = article.source
        name = html.escape(source.name)
        paragraphs = "\n".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in article.paragraphs)
        newest = self._newest_first[source.slug][: MORE_FROM_LIMIT + 1]
        others = [other for other in newest if other.article_id != article.article_id]
        teasers = "\n".join(_render_teaser(other) for other in others[:MORE_FROM_LIMIT])
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{article.language}"><head><meta charset="utf-8">'
            f"<title>{html.escape(article.title)} | {name}</title></head>\n"
            "<body>\n"
            f'<nav class="site-nav"><a href="/">Home</a> <a href="/{source.slug}/">{name}</a></nav>\n'
            '<article class="article">\n'
            f'<h1 class="article-title">{html.escape(article.title)}</h1>\n'
            f'<div class="article-meta">Date: {_numeric_date(article.published)} | Source: {name} | '
            f'<a class="original" href="/{source.slug}/original/{article.article_id}">'
            "Read original version at source</a></div>\n"
            f'<div class="article-body">\n{paragraphs}\n</div>\n'
            "</article>\n"
            '<section class="more-from">\n'
            f"<h3>More From {name}</h3>\n"
            f"<ul>\n{teasers}\n</ul>\n"
            f'<a class="more-articles" href="/{source.slug}/">More Articles</a>\n'
            "</section>\n"
            "<footer>© Demo site</footer>\n"
            "</body></html>\n"
        )


def generate_site(
    size: int = 30,
    seed: int = 1,
    *,
    republications: bool = False,
    crawl_features: CrawlFeatures | None = None,
    multilingual: int = 0,
    hostile: bool = False,
    javascript: int = 0,
    javascript_traps: bool = False,
) -> DemoSite:
    """Build a site of `size` articles over three sources; the same seed and size give the same site.

    With `republications`, other sources also run copies of some articles (another headline, a dateline
    and a credit line, some with edited paragraphs), and some events get a different follow-up report
    the next day: more articles after the `size` originals, for deduplication to sort out. With
    `crawl_features`, the site also serves feeds, sitemaps, robots.txt, an archive and crawler traps.
    `multilingual` adds that many Korean and as many Russian articles after the English ones.
    `hostile=True` adds pages built to break parsers (see HOSTILE_PAGES), each of which must be rejected.
    `javascript` adds a /js/ section of that many articles whose links and text only scripts write, and
    `javascript_traps` two pages there that fail to render (a script error, a script that never loads).
    """
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    rng = Random(seed)
    seen_titles: set[str] = set()
    articles = []
    span = (LAST_DATE - FIRST_DATE).days
    for article_id in range(1, size + 1):
        source = SOURCES[(article_id - 1) % len(SOURCES)]
        title, lead = _unique_title(rng, seen_titles, article_id)
        published = FIRST_DATE + datetime.timedelta(days=_between(rng, 0, span))
        slug = slugify(title)
        articles.append(
            DemoArticle(
                source=source,
                article_id=article_id,
                slug=slug,
                title=title,
                published=published,
                paragraphs=_paragraphs(rng, lead),
                path=f"/{source.slug}/article/{article_id}-{slug}.html",
            )
        )
    if republications:
        articles += _republished_articles(Random(seed * 7919 + 5), articles)
    if multilingual:
        articles += _foreign_articles(Random(seed + 1_000_003), multilingual, len(articles) + 1)
    scripted = None
    if javascript:
        # Another seed: the section's titles are its own, not copies of the outlets' articles.
        drafts = generate_site(javascript, seed + 7_000_001).articles
        scripted = ScriptedSection(
            source_name=SCRIPTED_SOURCE.name,
            articles=tuple(
                dataclasses.replace(
                    draft,
                    source=SCRIPTED_SOURCE,
                    path=f"{SCRIPTED_SECTION}article/{draft.article_id}-{draft.slug}.html",
                )
                for draft in drafts
            ),
            traps=javascript_traps,
        )
    return DemoSite(
        seed=seed,
        sources=SOURCES,
        articles=tuple(articles),
        rejected_paths=tuple(_notice_path(source) for source in SOURCES),
        crawl_features=crawl_features,
        hostile=hostile,
        scripted=scripted,
    )


def slugify(title: str) -> str:
    """Lower-case ASCII words of the title joined by '-', at most MAX_SLUG_WORDS of them."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:MAX_SLUG_WORDS]) or "article"


def teaser(text: str, limit: int = TEASER_LIMIT) -> str:
    """The text cut to at most `limit` characters at a word boundary, without an ellipsis."""
    if len(text) <= limit:
        return text
    if text[limit] == " ":
        return text[:limit].rstrip()
    head = text[:limit].rsplit(" ", 1)[0].rstrip()
    return head or text[:limit]


class LoopbackServer:
    """Serves a site over HTTP from a daemon thread and records every request; subclasses answer them."""

    thread_name = "demosite"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.requests: collections.Counter[str] = collections.Counter()
        self.log: list[RequestLogEntry] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def respond(self, raw_path: str, headers: Mapping[str, str]) -> Response:
        """(status, content_type, body, extra_headers) for a request line's path and the request headers."""
        raise NotImplementedError

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError(f"{type(self).__name__} is already started")
        self._httpd = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() take ~0.1 s instead of the default 0.5 s, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record(self, raw_path: str) -> None:
        with self._lock:
            self.requests[raw_path] += 1

    def _log(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self.log.append(entry)


class DemoServer(LoopbackServer):
    """Serves a DemoSite over HTTP from a daemon thread and counts what it was asked for."""

    def __init__(
        self,
        site: DemoSite,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        required_headers: Mapping[str, str] | None = None,
        required_cookies: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(host, port)
        self.site = site
        # A site behind a key or a login: every page (robots.txt too) answers 401 without the required
        # Authorization, 403 without another required header or cookie.
        self.required_headers = dict(required_headers or {})
        self.required_cookies = dict(required_cookies or {})
        # Revisions: taken-down articles by path, and whether the path now redirects home; paths
        # that answer an error status for now (a listing the server fails to serve).
        self.taken_down: dict[str, tuple[DemoArticle, bool]] = {}
        self.failing: dict[str, int] = {}

    def respond(self, raw_path: str, headers: Mapping[str, str]) -> Response:
        refusal = self.refusal(headers)
        if refusal is not None:
            return refusal
        parts = urlsplit(raw_path)
        site = self.site
        taken_down = self.taken_down.get(parts.path or "/")
        if parts.path in self.failing:
            return self.failing[parts.path], HTML_CONTENT_TYPE, b"failing", {}
        if taken_down is not None and taken_down[1]:
            return 301, HTML_CONTENT_TYPE, b"", {"Location": "/"}
        if site.crawl_features is not None:
            return respond_with_crawl_features(self, site, parts.path or "/", headers)
        status, content_type, body = site.render(parts.path or "/", parts.query)
        return status, content_type, body, {}

    def refusal(self, headers: Mapping[str, str]) -> Response | None:
        """401 or 403 when the request lacks a header or cookie this server requires, else None."""
        for name, value in self.required_headers.items():
            if headers.get(name) != value:
                status = 401 if name.lower() == "authorization" else 403
                extra = {"WWW-Authenticate": 'Bearer realm="demo"'} if status == 401 else {}
                return status, HTML_CONTENT_TYPE, f"{status}: {name} required".encode(), extra
        if self.required_cookies:
            sent = SimpleCookie()
            sent.load(headers.get("Cookie") or "")
            for name, value in self.required_cookies.items():
                if name not in sent or sent[name].value != value:
                    return 403, HTML_CONTENT_TYPE, f"403: cookie {name} required".encode(), {}
        return None

    def add_articles(self, count: int) -> list[DemoArticle]:
        """Publish `count` more articles (the same site, grown); return the new ones."""
        site = self.site
        grown = generate_site(len(site.articles) + count, site.seed, crawl_features=site.crawl_features)
        self.site = grown
        return list(grown.articles[len(site.articles) :])

    # --- Revisions: edits between two crawls; nothing changes unless a test calls them.

    def edit_paragraph(self, article_id: int, index: int, text: str) -> None:
        from newsdesk.demosite.edits import with_paragraph

        self.site = with_paragraph(self.site, article_id, index, text)

    def retitle(self, article_id: int, title: str) -> None:
        from newsdesk.demosite.edits import with_title

        self.site = with_title(self.site, article_id, title)

    def take_down(self, article_id: int, redirect_home: bool = False) -> DemoArticle:
        """Delete an article: its page answers 404 (or redirects to the front page) and no listing has it."""
        from newsdesk.demosite.edits import without_article

        self.site, article = without_article(self.site, article_id)
        self.taken_down[article.path] = (article, redirect_home)
        return article

    def restore(self, article_id: int) -> None:
        from newsdesk.demosite.edits import with_article

        for path, (article, _) in list(self.taken_down.items()):
            if article.article_id == article_id:
                del self.taken_down[path]
                self.site = with_article(self.site, article)
                return
        raise KeyError(f"article {article_id} was not taken down")

    def unlist(self, article_id: int, listed: bool = False) -> None:
        """Leave an article out of every listing, feed and sitemap while its page still answers."""
        from newsdesk.demosite.edits import with_listing

        self.site = with_listing(self.site, article_id, listed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsdesk.demosite.site", description=__doc__)
    parser.add_argument("--size", type=int, default=30, help="total number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--multilingual", type=int, default=0, help="Korean and Russian articles, each")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--republications", action="store_true", help="add cross-source copies and next-day follow-ups"
    )
    parser.add_argument(
        "--crawl-features",
        action="store_true",
        help="serve feeds, sitemaps, robots.txt, an archive, crawler traps and conditional GET",
    )
    parser.add_argument("--hostile", action="store_true", help="add pages built to break parsers")
    parser.add_argument(
        "--javascript", type=int, default=0, help="a /js/ section of N articles written by scripts"
    )
    args = parser.parse_args(argv)

    def build_server() -> DemoServer:
        site = generate_site(
            args.size,
            args.seed,
            republications=args.republications,
            crawl_features=CrawlFeatures() if args.crawl_features else None,
            multilingual=args.multilingual,
            hostile=args.hostile,
            javascript=args.javascript,
        )
        return DemoServer(site, args.host, args.port)

    return serve_until_signalled(build_server)


def serve_until_signalled(build_server: Callable[[], LoopbackServer]) -> int:
    """Build and start a server, print its URL, and serve until SIGTERM or SIGINT; the exit status."""
    stop_requested = threading.Event()
    # Installed before the site is built, so a signal during a long generation still ends the run cleanly.
    previous = {
        signum: signal.signal(signum, lambda *_: stop_requested.set())
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        with build_server() as server:
            print(server.url, flush=True)
            # A timed wait keeps the main thread returning to the interpreter, where signal handlers run.
            while not stop_requested.wait(0.2):
                pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class DemoRequestHandler(BaseHTTPRequestHandler):
        # Keep-alive matters for crawl benchmarks; the timeout frees threads held by idle connections.
        protocol_version = "HTTP/1.1"
        timeout = 30
        # Headers and body leave in two writes; with Nagle on, the body waits for the client's delayed
        # ACK of the headers: ~40 ms a response on loopback (45 vs 1.1 ms a page, measured), which no
        # real server costs and which throttled every crawl of the demo site.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            server._record(self.path)
            status, content_type, body, extra_headers = server.respond(self.path, self.headers)
            user_agent = self.headers.get("User-Agent", "")
            conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
            server._log(RequestLogEntry(time.monotonic(), self.path, status, user_agent, conditional))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra_headers.items():
                self.send_header(name, value)
            try:
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
            except (ConnectionResetError, BrokenPipeError):
                self.close_connection = True  # the client gave up (a crawler dropping an oversized page)

        def log_message(self, format: str, *args: object) -> None:
            """Silent: tests and benchmarks would drown in one access-log line per request."""

    return DemoRequestHandler


def _ok(page: str) -> tuple[int, str, bytes]:
    return 200, HTML_CONTENT_TYPE, page.encode("utf-8")


def page_html(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f"<body>\n{body}\n<footer>© Demo site</footer>\n</body></html>\n"
    )


def _render_notice(source: DemoSource) -> str:
    name = html.escape(source.name)
    return page_html(
        f"Notice | {source.name}",
        f'<nav class="site-nav"><a href="/">Home</a> <a href="/{source.slug}/">{name}</a></nav>\n'
        "<h1>Notice</h1><p>This section is being updated.</p>",
    )


def _render_not_found(path: str) -> str:
    return page_html(
        "Not Found",
        f'<nav class="site-nav"><a href="/">Home</a></nav>\n'
        f"<h1>Not Found</h1><p>No page at {html.escape(path)}.</p>",
    )


def _render_teaser(article: DemoArticle) -> str:
    text = html.escape(teaser(article.paragraphs[0]))
    return (
        f'  <li><a href="{article.path}"><span class="teaser-hover">{text}</span></a>'
        f'<span class="date">{_long_date(article.published)}</span><p class="teaser">{text}</p></li>'
    )


# Republications: every REPUBLISH_EVERY-th original runs again elsewhere, alternately as an exact copy
# and with edits; every FOLLOW_UP_EVERY-th gets a different report of the same event the next day.
REPUBLISH_EVERY = 3
FOLLOW_UP_EVERY = 4
HEADLINE_REWRITES = (
    "{title}, Reports Say",
    "Report: {title}",
    "{title} - Full Text",
    "News in Brief: {title}",
)
CREDIT_LINES = ("Reprinted from {source}.", "This article was originally published by {source}.")
WORD_EDITS = (
    ("said", "stated"),
    ("expressed", "voiced"),
    ("important", "significant"),
    ("held", "conducted"),
)


def _republished_articles(rng: Random, originals: list[DemoArticle]) -> list[DemoArticle]:
    extra: list[DemoArticle] = []
    next_id = len(originals) + 1
    for position, original in enumerate(originals):
        if position % REPUBLISH_EVERY == 1:
            edited = (position // REPUBLISH_EVERY) % 2 == 1
            extra.append(_republish(rng, original, next_id, edited))
            next_id += 1
        if position % FOLLOW_UP_EVERY == 2:
            extra.append(_follow_up(rng, original, next_id))
            next_id += 1
    return extra


def _other_source(original: DemoArticle, step: int = 1) -> DemoSource:
    return SOURCES[(SOURCES.index(original.source) + step) % len(SOURCES)]


def _republish(rng: Random, original: DemoArticle, article_id: int, edited: bool) -> DemoArticle:
    """The original under another source: new headline, dateline and credit line, and edits if asked."""
    source = _other_source(original)
    title = _pick(rng, HEADLINE_REWRITES).format(title=original.title)
    day = original.published + datetime.timedelta(days=_between(rng, 0, 1))
    city = _pick(rng, CITIES).upper()
    paragraphs = list(original.paragraphs)
    paragraphs[0] = f"{city}, {MONTHS[day.month - 1]} {day.day} ({original.source.name}) -- {paragraphs[0]}"
    if edited:
        if len(paragraphs) > 4:
            del paragraphs[-1]
        target = _between(rng, 1, len(paragraphs) - 1)
        for old, new in WORD_EDITS:
            paragraphs[target] = paragraphs[target].replace(old, new)
        paragraphs[target] += " " + _capitalize(_pick(rng, _SENTENCE_TEMPLATES).fill(rng))
    paragraphs.append(_pick(rng, CREDIT_LINES).format(source=original.source.name))
    slug = slugify(title)
    return DemoArticle(
        source=source,
        article_id=article_id,
        slug=slug,
        title=title,
        published=day,
        paragraphs=tuple(paragraphs),
        path=f"/{source.slug}/article/{article_id}-{slug}.html",
        copy_of=original.article_id,
    )


def _follow_up(rng: Random, original: DemoArticle, article_id: int) -> DemoArticle:
    """Another report of the same event the next day: the same names and lead paragraph, new text."""
    source = _other_source(original, 2)
    title = f"{original.title}: Second Day"
    lead = _capitalize(_pick(rng, _SENTENCE_TEMPLATES).fill(rng))
    paragraphs = (original.paragraphs[0], *_paragraphs(rng, lead))
    slug = slugify(title)
    return DemoArticle(
        source=source,
        article_id=article_id,
        slug=slug,
        title=title,
        published=original.published + datetime.timedelta(days=1),
        paragraphs=paragraphs,
        path=f"/{source.slug}/article/{article_id}-{slug}.html",
        follows=original.article_id,
    )


def _listing_path(source: DemoSource, page: int) -> str:
    return f"/{source.slug}/" if page == 1 else f"/{source.slug}/page/{page}/"


def _notice_path(source: DemoSource) -> str:
    return f"/{source.slug}/article/0-notice.html"


def _numeric_date(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _long_date(day: datetime.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


_LISTING_PATH = re.compile(r"^/(?P<slug>[a-z]+)/(?:page/(?P<page>[1-9][0-9]*)/)?$")

# Text generation. Vocabulary follows the seed page; every choice goes through the one seeded Random.

LEADERS = (
    ("Kim Jong Un", "general secretary of the Workers’ Party of Korea and president of the State Affairs"),
    ("Vladimir Putin", "president of the Russian Federation"),
    ("Xi Jinping", "president of the People's Republic of China"),
    ("To Lam", "general secretary of the Communist Party of Viet Nam"),
    ("Thongloun Sisoulith", "president of the Lao People's Democratic Republic"),
    ("Miguel Díaz-Canel Bermúdez", "president of the Republic of Cuba"),
    ("Alexander Lukashenko", "president of the Republic of Belarus"),
)
OFFICIALS = (
    ("Choe Son Hui", "foreign minister of the DPRK"),
    ("Ri Yong Ho", "foreign minister"),
    ("Pak Thae Song", "premier of the Cabinet"),
    ("Pak In Chol", "chairman of the Supreme People's Assembly"),
    ("Yun Jong Ho", "minister of External Economic Relations"),
    ("Sergei Lavrov", "Russian foreign minister"),
    ("Alexandr Kozlov", "minister of Natural Resources and Ecology"),
    ("Yuri Trutnev", "deputy prime minister of Russia"),
    ("Dmitri Peskov", "press secretary of the president of Russia"),
    ("Wang Yi", "Chinese foreign minister"),
    ("Bui Thanh Son", "deputy prime minister of Viet Nam"),
    ("Bruno Rodríguez Parrilla", "Cuban foreign minister"),
)
PEOPLE = LEADERS + OFFICIALS
HOME_COUNTRIES = (
    "the DPRK",
    "Russia",
    "China",
    "Viet Nam",
    "Laos",
    "Cuba",
    "Belarus",
    "Mongolia",
    "Indonesia",
    "Nicaragua",
    "Iran",
    "Bulgaria",
)
PARTNERS = ("Russia", "China", "Viet Nam", "Laos", "Cuba", "Belarus", "Mongolia", "Indonesia", "Nicaragua")
RIVALS = ("the U.S.", "Japan", "the U.S. and its allies", "NATO", "the EU")
NATIONALITIES = (
    "Russian",
    "Chinese",
    "Vietnamese",
    "Lao",
    "Cuban",
    "Belarusian",
    "Mongolian",
    "Indonesian",
    "Nicaraguan",
    "Iranian",
    "Bulgarian",
    "Syrian",
    "Egyptian",
)
CITIES = (
    "Pyongyang",
    "Moscow",
    "Beijing",
    "Hanoi",
    "Vientiane",
    "Havana",
    "Minsk",
    "Ulaanbaatar",
    "Vladivostok",
)
FIELDS = (
    "Trade",
    "Economy",
    "Science",
    "Culture",
    "Railway",
    "Energy",
    "Fisheries",
    "Health",
    "Education",
    "Tourism",
    "Agriculture",
    "Sports",
)
DELEGATIONS = (
    "Government",
    "Parliamentary",
    "Friendship",
    "Economic",
    "Military",
    "Cultural",
    "Sports",
    "Women's Union",
    "Youth League",
    "Trade Union",
    "Journalists'",
)
MESSAGES = ("Greetings", "Sympathy", "Congratulatory", "Thanks", "Condolence")
LETTERS = ("Message", "Letter", "Gift", "Reply Message", "Floral Basket")
ISSUES = (
    "Sanctions",
    "Military Drills",
    "Arms Buildup",
    "Interference",
    "Hostile Policy",
    "Tariff Threats",
    "Nuclear Blackmail",
    "Human Rights Racket",
    "Bloc Politics",
)
EVENTS = (
    "Victory in Fatherland Liberation War",
    "Founding of the Republic",
    "Liberation of Korea",
    "Birth of Kim Il Sung",
    "Founding of the Workers' Party",
    "Signing of the Friendship Treaty",
)
VIEWS = (
    "the situation on the Korean peninsula",
    "peace and security in the region",
    "the strategic communication between the two countries",
    "the multipolar world order",
    "the equally beneficial economic and trade relations",
    "high-level visits and contacts",
)
ADVERBS = ("warmly", "cordially", "firmly", "solemnly", "once again", "sincerely")

TITLE_KINDS = (
    (
        "{leader} Holds Talks with {partner_leader}",
        "{leader_full} had talks with {partner_leader}, {partner_role}, on {month_day}.",
    ),
    (
        "{leader} Sends {message} Message to {partner_leader}",
        "{leader_full} sent a {message_lower} message to {partner_leader}, {partner_role}, on {month_day}.",
    ),
    (
        "{leader} Receives {letter} from {partner_leader}",
        "{leader_full} received {a_letter} from {partner_leader}, {partner_role}.",
    ),
    (
        "{delegation} Delegation of {country} Leaves for {partner}",
        "{a_delegation} delegation of {country} left {city} on {month_day} to visit {partner}.",
    ),
    (
        "{delegation} Delegation of {partner} Arrives in {city}",
        "{a_delegation} delegation of {partner} arrived in {city} on {month_day}.",
    ),
    (
        "{country}-{partner} Co-operation in {field} Discussed",
        "Talks on co-operation in {field_lower} between {country} and {partner} were held in {city}.",
    ),
    (
        "{country} and {partner} Sign Agreement on {field} Co-operation",
        "An agreement on co-operation in {field_lower} between {country} and {partner} was signed in {city}.",
    ),
    (
        "Reception Given to Mark {nth} Anniversary of {event}",
        "A reception was given in {city} on {month_day} to mark the {nth} anniversary of the {event_lower}.",
    ),
    (
        "{nth} Anniversary of Diplomatic Relations between {country} and {partner} Marked",
        "The {nth} anniversary of the establishment of diplomatic relations between {country} and {partner} "
        "was marked in {city}.",
    ),
    (
        "{country} Spokesperson Slams {rival} over {issue}",
        "The spokesperson for the foreign ministry of {country} slammed {rival} over its {issue_lower}.",
    ),
    (
        "{official} Meets {partner_official} in {city}",
        "{official_full} met {partner_official}, {partner_official_role}, in {city} on {month_day}.",
    ),
    (
        "Credentials of {nationality} Ambassador Presented to {leader}",
        "The credentials of the {nationality} ambassador were presented to {leader_full} on {month_day}.",
    ),
)

SENTENCES = (
    "{person_full} said that the visit would be an important occasion in developing the friendly relations "
    "between {country} and {partner}.",
    "Present at the talks from the {country} side was {person_full}.",
    "Both sides agreed to take positive measures to further energize the work of the intergovernmental "
    "committee for co-operation in {field_lower}.",
    "They had an in-depth discussion on {view}.",
    "{person} {adverb} expressed thanks for the invitation and stated the firm stand of the government to "
    "develop the tradition of friendship.",
    "Made at the meeting was a discussion on further expanding the bilateral co-operation in {field_lower}.",
    "The two sides exchanged views on {view} and reached a consensus.",
    "{person} invited {other_person} to visit {partner} at a convenient time and the invitation was "
    "readily accepted.",
    "The message expressed the belief that the relations between {country} and {partner} would grow "
    "stronger in the {nth} year of their diplomatic ties.",
    "Speeches were made at the reception in {city}.",
    "The spokesperson said {rival} is in no position to point its fingers at others over {view}.",
    "{a_delegation} delegation of {partner} was present on invitation.",
    "{person} noted that the {nth} anniversary of the {event_lower} is a day full of pride and glory.",
    "The talks proceeded in a friendly atmosphere on {month_day}.",
    "Officials of the ministry of {field_lower} and the embassy of {partner} in {city} were on hand.",
    "The delegation is expected to tour {city} and visit several institutions of {field_lower}.",
    "{person_full} stressed the importance of closer contacts between the governments and parliaments of "
    "the two countries.",
    "The document was signed by {person} and {other_person}.",
    "Noting that {rival} took a unilateral attitude in bad faith, {person} said peace will depend on "
    "its future attitude.",
    "Earlier in {month}, {country} and {partner} held a round of consultations in {city}.",
)


# rng.random() is the one draw Python keeps reproducible across versions, and it is several times cheaper
# than choice()/randint(), which matters when a benchmark generates thousands of articles.
def _pick(rng: Random, pool: tuple):
    return pool[int(rng.random() * len(pool))]


def _between(rng: Random, low: int, high: int) -> int:
    """An integer in [low, high], both ends included."""
    return low + int(rng.random() * (high - low + 1))


def _two(rng: Random, pool: tuple) -> tuple:
    """Two different entries of the pool."""
    first = int(rng.random() * len(pool))
    second = int(rng.random() * (len(pool) - 1))
    return pool[first], pool[second + (second >= first)]


def _with_article(phrase: str) -> str:
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def _draw_leaders(rng: Random, values: dict[str, str]) -> None:
    (leader, role), (partner_leader, partner_role) = _two(rng, LEADERS)
    values.update(
        leader=leader,
        leader_full=f"{leader}, {role},",
        partner_leader=partner_leader,
        partner_role=partner_role,
    )


def _draw_officials(rng: Random, values: dict[str, str]) -> None:
    (official, role), (partner_official, partner_role) = _two(rng, OFFICIALS)
    values.update(
        official=official,
        official_full=f"{official}, {role},",
        partner_official=partner_official,
        partner_official_role=partner_role,
    )


def _draw_people(rng: Random, values: dict[str, str]) -> None:
    (person, role), (other_person, _) = _two(rng, PEOPLE)
    values.update(person=person, person_full=f"{person}, {role},", other_person=other_person)


def _draw_countries(rng: Random, values: dict[str, str]) -> None:
    country, partner = _two(rng, HOME_COUNTRIES)
    values.update(country=country, partner=partner)


def _draw_date(rng: Random, values: dict[str, str]) -> None:
    month = _pick(rng, MONTHS)
    values.update(month=month, month_day=f"{month} {_between(rng, 1, 28)}")


def _draw_nth(rng: Random, values: dict[str, str]) -> None:
    values["nth"] = _ordinal(_between(rng, 1, 80))


def _draw_word(*names: str, words: tuple[str, ...], derive=None):
    """A drawer that picks one word and stores it (and, with `derive`, a derived form) under `names`."""

    def draw(rng: Random, values: dict[str, str]) -> None:
        word = _pick(rng, words)
        values[names[0]] = word
        if derive is not None:
            values[names[1]] = derive(word)

    return draw


_DRAWERS = (
    (("leader", "leader_full", "partner_leader", "partner_role"), _draw_leaders),
    (("official", "official_full", "partner_official", "partner_official_role"), _draw_officials),
    (("person", "person_full", "other_person"), _draw_people),
    (("country", "partner"), _draw_countries),
    (("month", "month_day"), _draw_date),
    (("nth",), _draw_nth),
    (("rival",), _draw_word("rival", words=RIVALS)),
    (("city",), _draw_word("city", words=CITIES)),
    (("nationality",), _draw_word("nationality", words=NATIONALITIES)),
    (("view",), _draw_word("view", words=VIEWS)),
    (("adverb",), _draw_word("adverb", words=ADVERBS)),
    (("field", "field_lower"), _draw_word("field", "field_lower", words=FIELDS, derive=str.lower)),
    (("issue", "issue_lower"), _draw_word("issue", "issue_lower", words=ISSUES, derive=str.lower)),
    (("message", "message_lower"), _draw_word("message", "message_lower", words=MESSAGES, derive=str.lower)),
    (
        ("letter", "a_letter"),
        _draw_word("letter", "a_letter", words=LETTERS, derive=lambda word: _with_article(word.lower())),
    ),
    (
        ("delegation", "a_delegation"),
        _draw_word(
            "delegation", "a_delegation", words=DELEGATIONS, derive=lambda word: _with_article(word.lower())
        ),
    ),
    (
        ("event", "event_lower"),
        _draw_word("event", "event_lower", words=EVENTS, derive=lambda word: word[0].lower() + word[1:]),
    ),
)
_DRAWER_BY_FIELD = {name: draw for names, draw in _DRAWERS for name in names}


@dataclass(frozen=True)
class _Template:
    """A format string and, worked out once, the drawers that fill exactly the fields it uses."""

    text: str
    drawers: tuple

    @classmethod
    def parse(cls, text: str) -> _Template:
        drawers: list = []
        for _, name, _, _ in string.Formatter().parse(text):
            if name and _DRAWER_BY_FIELD[name] not in drawers:
                drawers.append(_DRAWER_BY_FIELD[name])
        return cls(text, tuple(drawers))

    def fill(self, rng: Random) -> str:
        values: dict[str, str] = {}
        for draw in self.drawers:
            draw(rng, values)
        return self.text.format_map(values)


# The title and its lead sentence are one template so that both speak of the same people and places.
_TITLE_TEMPLATES = tuple(_Template.parse(title + "\n" + lead) for title, lead in TITLE_KINDS)
_SENTENCE_TEMPLATES = tuple(_Template.parse(sentence) for sentence in SENTENCES)


def _unique_title(rng: Random, seen: set[str], article_id: int) -> tuple[str, str]:
    """A title no earlier article has, and the lead sentence that goes with it."""
    for _ in range(50):
        title, lead = map(_capitalize, _pick(rng, _TITLE_TEMPLATES).fill(rng).split("\n"))
        if title not in seen:
            break
    else:
        # The vocabulary runs out only for very large sites; the id makes the title unique regardless.
        title = f"{title} (No. {article_id})"
    seen.add(title)
    return title, lead


def _paragraphs(rng: Random, lead: str) -> tuple[str, ...]:
    paragraphs = []
    for index in range(_between(rng, 3, 8)):
        count = _between(rng, 2, 5)
        sentences = [lead] if index == 0 else []
        used: list[int] = []
        while len(sentences) < count:
            # Redrawing a pattern already used keeps a paragraph from repeating itself.
            choice = int(rng.random() * len(_SENTENCE_TEMPLATES))
            if choice not in used:
                used.append(choice)
                sentences.append(_capitalize(_SENTENCE_TEMPLATES[choice].fill(rng)))
        paragraphs.append(" ".join(sentences))
    return tuple(paragraphs)


def _capitalize(text: str) -> str:
    return text[0].upper() + text[1:]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# Korean and Russian articles (generate_site(multilingual=N)): the same kinds of story, in the languages
# the archived state media also publish in, so language detection and the gazetteer are exercised on them.
FOREIGN_TEXT = {
    "ko": {
        "leaders": ("김정은동지께서", "최선희동지는", "리용호동지는"),
        "partners": ("로씨야련방 대통령 뿌찐", "중국 국가주석 시진핑", "중국 국무원 총리 리강"),
        "countries": ("로씨야", "중국", "베트남", "쿠바", "벨라루스", "몽골"),
        "cities": ("평양", "모스크바", "블라디보스토크", "베이징", "하노이"),
        "titles": (
            "{leader} {partner}과 회담을 진행하시였다",
            "{country} 정부대표단 {city}에 도착",
            "{country} 정부와의 친선협조관계를 발전시키기 위한 협정 조인",
        ),
        "sentences": (
            "{leader} {city}에서 {partner}과 회담을 진행하였다.",
            "회담에서는 두 나라 사이의 친선협조관계를 더욱 발전시키기 위한 문제들이 토의되였다.",
            "{country} 대표단은 {city}의 여러 단위들을 참관하였다.",
            "쌍방은 무역과 경제, 과학기술분야에서의 협조를 확대하기로 합의하였다.",
            "회담은 동지적이며 친선적인 분위기속에서 진행되였다.",
            "{leader} 조선반도와 지역의 평화와 안전을 보장하기 위한 문제에 대하여 언급하였다.",
        ),
    },
    "ru": {
        "leaders": ("Ким Чен Ын", "Чхве Сон Хи", "Ли Ён Хо"),
        "partners": ("Владимиром Путиным", "Сергеем Лавровым", "Си Цзиньпином"),
        "countries": ("России", "Китая", "Вьетнама", "Кубы", "Беларуси", "Монголии"),
        "cities": ("Пхеньяне", "Москве", "Владивостоке", "Пекине", "Ханое"),
        "titles": (
            "{leader} провёл переговоры с {partner}",
            "Правительственная делегация {country} прибыла в КНДР",
            "КНДР и правительство {country} подписали соглашение о сотрудничестве",
        ),
        "sentences": (
            "{leader} провёл переговоры с {partner} в {city}.",
            "Стороны обсудили вопросы дальнейшего развития дружественных отношений между двумя странами.",
            "Делегация {country} посетила ряд предприятий и учреждений в {city}.",
            "Стороны договорились расширять сотрудничество в области торговли, экономики и науки.",
            "Переговоры прошли в тёплой и дружественной атмосфере.",
            "{leader} подчеркнул важность обеспечения мира и безопасности на Корейском полуострове.",
        ),
    },
}


_FOREIGN_POOLS = (
    ("leader", "leaders"),
    ("partner", "partners"),
    ("country", "countries"),
    ("city", "cities"),
)


def _foreign_articles(rng: Random, per_language: int, first_id: int) -> list[DemoArticle]:
    articles = []
    span = (LAST_DATE - FIRST_DATE).days
    for language in ("ko", "ru"):
        text = FOREIGN_TEXT[language]
        for _ in range(per_language):
            article_id = first_id + len(articles)
            source = SOURCES[(article_id - 1) % len(SOURCES)]
            values = {name: _pick(rng, text[pool]) for name, pool in _FOREIGN_POOLS}
            title = f"{_pick(rng, text['titles']).format(**values)} (No. {article_id})"
            sentences = [sentence.format(**values) for sentence in text["sentences"]]
            paragraphs = tuple(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))
            articles.append(
                DemoArticle(
                    source=source,
                    article_id=article_id,
                    slug=slugify(title),
                    title=title,
                    published=FIRST_DATE + datetime.timedelta(days=_between(rng, 0, span)),
                    paragraphs=paragraphs,
                    path=f"/{source.slug}/article/{article_id}-{slugify(title)}.html",
                    language=language,
                )
            )
    return articles


if __name__ == "__main__":
    sys.exit(main())


# --- Hostile pages: what a crawler meets in the wild, each of which must end as a recorded rejection.

HUGE_PAGE_BYTES = 20 * 1024 * 1024
# Kind → the rejection the pipeline records (a download over the size limit never reaches parse).
HOSTILE_PAGES = {
    "empty": "empty_page",
    "textless": "no_text",
    "binary": "binary_content",
    "truncated": "truncated_html",
    "deeply-nested": "too_deeply_nested",
    "huge": "fetch_failed",
    "script-only": "no_text",
}


def _render_hostile(kind: str) -> tuple[int, str, bytes]:
    meta = "Date: 26/04/2019 | Source: Central News Agency |"
    paragraph = "<p>" + "A paragraph of ordinary article text that goes on for a while. " * 5 + "</p>\n"
    if kind == "empty":
        return 200, HTML_CONTENT_TYPE, b""
    if kind == "textless":
        return _ok(
            '<html><head><meta charset="utf-8"></head><body><div><div><span></span></div></div></body></html>'
        )
    if kind == "binary":
        return 200, HTML_CONTENT_TYPE, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
    if kind == "truncated":
        page = (
            f"<!DOCTYPE html><html><head><title>Cut off</title></head><body><h1>Cut off</h1><div>{meta}</div>"
        )
        return _ok(page + paragraph + '<p>The page ends in the middle of a <a href="/agency/art')
    if kind == "deeply-nested":
        return _ok(
            "<html><body>"
            + "<div>" * 5000
            + f"<h1>Deep</h1><div>{meta}</div>{paragraph}"
            + "</div>" * 5000
            + "</body></html>"
        )
    if kind == "huge":
        repeats = HUGE_PAGE_BYTES // len(paragraph) + 1
        return _ok(f"<html><body><h1>Huge</h1><div>{meta}</div>" + paragraph * repeats + "</body></html>")
    if kind == "script-only":
        script = f"<script>document.write('<h1>Rendered by script</h1>' + '{meta}');</script>"
        return _ok(f"<html><head>{script}</head><body>{script}<noscript></noscript></body></html>")
    raise ValueError(f"no hostile page of kind {kind!r}")
