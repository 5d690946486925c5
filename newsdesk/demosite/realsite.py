"""A local site of real saved pages, served byte for byte among listings, a feed, sitemaps and decoys."""

from __future__ import annotations

import argparse
import codecs
import datetime
import email.utils
import html
import json
import re
import string
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from random import Random
from urllib.parse import quote, unquote, urljoin, urlsplit

from newsdesk.demosite.crawling import XML_CONTENT_TYPE, Response, answer_conditional_get
from newsdesk.demosite.site import LoopbackServer, page_html, serve_until_signalled, teaser

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
HOME_PATH = "/"
LISTING_PATH = "/latest/"
PAGE_SIZE = 20
FEED_PATH = "/feed.xml"
FEED_LIMIT = 50
ROBOTS_PATH = "/robots.txt"
SITEMAP_INDEX_PATH = "/sitemap.xml"
SITEMAP_SIZE = 200
PRIVATE_PREFIX = "/private"
MIRROR_PREFIX = "/mirror"
REPUBLISHED_PREFIX = "/partners"
# A hub whose address has a date and a long slug, so a crawler guessing from the URL takes it for an article.
ROUNDUP_PATH = "/2020/05/weekly-roundup-of-the-best-stories-from-the-week"
ROUNDUP_DAY = datetime.date(2020, 5, 29)
VIDEO_PATH = "/video/harbour-festival-highlights-in-ninety-seconds"
TOPICS = ("world", "business", "culture", "science")
TAGS = ("analysis", "interview", "local")
HUB_LINKS = 20
TAG_LINKS = 8
MIRROR_SHARE = 0.03
REPUBLISHED_SHARE = 0.03
TRACKING_SHARE = 0.05
TRACKING_SOURCES = ("newsletter", "twitter", "facebook", "homepage")
TRACKING_MEDIA = ("email", "social", "web")
EDITS = ("credit", "sentence")
TOP_STORIES = 5
# Last-Modified of every page when no article has a date (otherwise the newest article's date).
DEFAULT_DAY = datetime.date(2024, 1, 1)
REVIVED_DAY = datetime.date(2024, 6, 1)
SITE_NAME = "Real Pages"
# First path segments the site's own pages live under; an article whose original path starts with one
# moves under its original host, so no article shadows a listing, a feed or the disallowed prefix.
RESERVED_SEGMENTS = frozenset(
    {"latest", "topics", "tag", "video", "mirror", "private", "partners", "sitemaps", "media"}
)
RESERVED_PATHS = frozenset({HOME_PATH, ROBOTS_PATH, FEED_PATH, SITEMAP_INDEX_PATH, ROUNDUP_PATH})
# What quote() leaves alone in a path: RFC 3986 pchar and "/", plus "%" so existing escapes survive.
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# Some corpus entries have a file name where the URL should be ("hard::site.com-words.html").
HOSTLESS = "saved-pages"
REPUBLISHED_SENTENCE = " Additional reporting by our partner desk."
CREDIT_LINE = '<p class="credit">First published by {host}. Republished with permission.</p>'

_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_DATE = re.compile(r"(\d{4})\D(\d{1,2})\D(\d{1,2})")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_LINK_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_BASE_HREF = re.compile(r"""<base\b[^>]*?\bhref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_H1_END = re.compile(rb"</h1\s*>", re.IGNORECASE)
_BODY_START = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_PARAGRAPH_OR_SCRIPT_END = re.compile(rb"</p\s*>|</script\s*>|<script\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RealPage:
    """One saved page and what an extractor should find in it; its bytes stay on disk until asked for."""

    original_url: str
    file: Path
    title: str | None
    date: datetime.date | None
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()

    def read_bytes(self) -> bytes:
        return self.file.read_bytes()


def load_real_pages(directory: Path | str) -> list[RealPage]:
    """The pages of a corpus directory: evaldata.json and pages/ (the full set) or expected.jsonl (golden)."""
    directory = Path(directory)
    if (directory / "evaldata.json").is_file():
        evaldata = json.loads((directory / "evaldata.json").read_text(encoding="utf-8"))
        entries = [(url, directory / "pages" / entry["file"], entry) for url, entry in evaldata.items()]
    elif (directory / "expected.jsonl").is_file():
        lines = (directory / "expected.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        entries = [(record["url"], directory / record["path"], record) for record in records]
    else:
        raise FileNotFoundError(f"{directory} has neither evaldata.json nor expected.jsonl")
    pages = []
    for url, file, entry in entries:
        if not file.is_file():
            raise FileNotFoundError(f"{file} (the page of {url}) is missing")
        pages.append(
            RealPage(
                original_url=url,
                file=file,
                title=entry.get("title") or None,
                date=parse_day(entry.get("date")),
                with_snippets=tuple(entry.get("with") or ()),
                without_snippets=tuple(entry.get("without") or ()),
            )
        )
    return pages


def parse_day(text: str | None) -> datetime.date | None:
    """A YYYY-MM-DD date, read leniently: the corpus also has "2022-01.26" and "2022-11-1"."""
    match = _DATE.search(text or "")
    if match is None:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def sample_pages(pages: Iterable[RealPage], size: int, seed: int = 1) -> list[RealPage]:
    """`size` of the pages, the same ones for the same pages and seed whatever their order; all if fewer."""
    ordered = sorted(pages, key=_page_order)
    if size >= len(ordered):
        return ordered
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    return sorted(_draw(Random(seed), ordered, size), key=_page_order)


def normalised_path(path: str) -> str:
    """A path as the site keys it: one leading slash, unsafe characters escaped, escapes in upper case.

    Escaped unreserved characters are decoded (RFC 3986, 6.2.2), so /%7Euser and /~user are one page.
    """
    quoted = quote(_without_dot_segments(path), safe=PATH_SAFE)
    return "/" + _ESCAPE.sub(_normalised_escape, quoted).lstrip("/")


def _without_dot_segments(path: str) -> str:
    """The path with its "." and ".." segments resolved (RFC 3986, 5.2.4), as clients send it."""
    segments: list[str] = []
    parts = path.split("/")
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment == ".":
            if last:
                segments.append("")
        elif segment == "..":
            if len(segments) > 1:
                segments.pop()
            if last:
                segments.append("")
        else:
            segments.append(segment)
    return "/".join(segments)


def _normalised_escape(match: re.Match) -> str:
    character = chr(int(match[0][1:], 16))
    return character if character in UNRESERVED else match[0].upper()


def sniff_charset(body: bytes) -> str | None:
    """The encoding a page declares (byte-order mark, or a <meta> charset in its head), if Python knows it."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    head_end = _HEAD_END.search(body)
    match = _META_CHARSET.search(body, 0, head_end.start() if head_end else 65536)
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    try:
        codecs.lookup(label)
    except LookupError:
        return None
    return label


def article_path_for(url: str) -> tuple[str, str]:
    """(original host, path) of a page's original URL: the path it would like on this site."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.netloc:
        return parts.netloc.lower(), normalised_path(parts.path or "/")
    return HOSTLESS, normalised_path("/" + url.rsplit(":", 1)[-1])


def edit_for_republication(body: bytes, kind: str, page: RealPage) -> tuple[bytes, str]:
    """The page as a partner republishes it, and the edit made: a 'credit' line or an added 'sentence'.

    A sentence goes at the end of the paragraph that holds one of the page's body snippets; a page where
    none is found gets the credit line instead, so every republication differs from its original.
    """
    charset = sniff_charset(body) or "utf-8"
    if kind == "sentence":
        for snippet in page.with_snippets:
            at = _paragraph_end_after(body, snippet.encode(charset, "ignore"))
            if at is not None:
                return body[:at] + REPUBLISHED_SENTENCE.encode(charset) + body[at:], "sentence"
    host = article_path_for(page.original_url)[0]
    credit = CREDIT_LINE.format(host=html.escape(host)).encode(charset, "xmlcharrefreplace")
    anchor = _H1_END.search(body) or _BODY_START.search(body)
    at = anchor.end() if anchor else 0
    return body[:at] + credit + body[at:], "credit"


def _paragraph_end_after(body: bytes, snippet: bytes) -> int | None:
    """Where the paragraph holding `snippet` closes: its first occurrence in a <p>, not in a script."""
    if len(snippet) < 8:
        return None
    start = body.find(snippet)
    while start != -1:
        end = _PARAGRAPH_OR_SCRIPT_END.search(body, start + len(snippet), start + len(snippet) + 8000)
        if end is not None and end.group(0).lower().startswith(b"</p"):
            return end.start()
        start = body.find(snippet, start + 1)
    return None


@dataclass(frozen=True)
class RealSite:
    """Real pages at their original paths, and everything around them; the fields are the ground truth.

    `articles`: path → page, the articles a polite crawler should index. `robots_refused`: path → page,
    articles under the disallowed prefix. `mirrors`: path → the article path it copies byte for byte.
    `republications`: path → the article path it copies with a small edit (`republication_edits` says
    which). `not_articles`: path → kind ('topic', 'tag', 'video', 'roundup'). `tracking_variants`: path
    and query → article path. Pages are read from disk on request; nothing here holds their bytes.
    """

    seed: int
    articles: dict[str, RealPage]
    robots_refused: dict[str, RealPage]
    mirrors: dict[str, str]
    republications: dict[str, str]
    republication_edits: dict[str, str]
    not_articles: dict[str, str]
    tracking_variants: dict[str, str]
    # Link text of every page that listings link to, and the one-line teasers of the hubs' articles.
    headlines: dict[str, str]
    teasers: dict[str, str]
    # The article paths each topic hub, tag page and the roundup link to.
    hub_links: dict[str, tuple[str, ...]]
    page_size: int = PAGE_SIZE
    feed_path: str = FEED_PATH

    def render(self, path: str, base: str) -> tuple[int, str, bytes, datetime.date]:
        """(status, content_type, body, last-modified day) of a normalised path; `base` is the site's URL."""
        newest = self.newest_day
        if path == HOME_PATH:
            return 200, HTML_CONTENT_TYPE, self._render_home().encode("utf-8"), newest
        if path == ROBOTS_PATH:
            return 200, "text/plain; charset=utf-8", _robots(base).encode("utf-8"), newest
        if path == FEED_PATH:
            return 200, XML_CONTENT_TYPE, self._render_feed(base).encode("utf-8"), newest
        if path == SITEMAP_INDEX_PATH:
            return 200, XML_CONTENT_TYPE, self._render_sitemap_index(base).encode("utf-8"), newest
        if path in self._sitemap_children:
            body = _urlset(base, [(p, self._day_of(p)) for p in self._sitemap_children[path]])
            return 200, XML_CONTENT_TYPE, body.encode("utf-8"), newest
        if path in self._entries_by_listing_path:
            return 200, HTML_CONTENT_TYPE, self._render_listing(path).encode("utf-8"), newest
        if path in self.not_articles:
            return 200, HTML_CONTENT_TYPE, self._render_not_article(path).encode("utf-8"), newest
        page = self.real_page_at(path)
        if page is None:
            return 404, HTML_CONTENT_TYPE, _render_not_found(path).encode("utf-8"), newest
        body = page.read_bytes()
        if path in self.republications:
            body = edit_for_republication(body, self.republication_edits[path], page)[0]
        # Served as saved, never transcoded: the charset is only what the page itself declares.
        charset = sniff_charset(body)
        content_type = f"text/html; charset={charset}" if charset else "text/html"
        return 200, content_type, body, self._day_of(path) or newest

    def real_page_at(self, path: str) -> RealPage | None:
        """The saved page a path serves (an article, a refused one, a mirror or a republication), if any."""
        if path in self.articles:
            return self.articles[path]
        if path in self.robots_refused:
            return self.robots_refused[path]
        original = self.mirrors.get(path) or self.republications.get(path)
        return self.articles[original] if original else None

    @property
    def listing_paths(self) -> tuple[str, ...]:
        return tuple(self._entries_by_listing_path)

    @property
    def sitemap_paths(self) -> tuple[str, ...]:
        return (SITEMAP_INDEX_PATH, *self._sitemap_children)

    @cached_property
    def served_paths(self) -> frozenset[str]:
        """Every path that answers 200 (queries aside)."""
        own = [HOME_PATH, ROBOTS_PATH, FEED_PATH, SITEMAP_INDEX_PATH, *self._sitemap_children]
        own += [*self._entries_by_listing_path, *self.not_articles]
        return frozenset(own + [*self.articles, *self.robots_refused, *self.mirrors, *self.republications])

    @cached_property
    def newest_day(self) -> datetime.date:
        days = [page.date for page in self.articles.values() if page.date]
        return max(days, default=DEFAULT_DAY)

    @cached_property
    def newest_articles(self) -> tuple[str, ...]:
        """Article paths, newest first, undated last; the path breaks ties so the order is stable."""
        return tuple(sorted(self.articles, key=self._newest_first_key))

    @cached_property
    def _listing_entries(self) -> tuple[str, ...]:
        entries = [*self.articles, *self.robots_refused, *self.mirrors, *self.republications]
        entries += [path for path, kind in self.not_articles.items() if kind in ("video", "roundup")]
        return tuple(sorted(entries, key=self._newest_first_key))

    @cached_property
    def _entries_by_listing_path(self) -> dict[str, tuple[str, ...]]:
        entries = self._listing_entries
        pages = max(1, -(-len(entries) // self.page_size))
        return {
            listing_path(number): entries[(number - 1) * self.page_size : number * self.page_size]
            for number in range(1, pages + 1)
        }

    @cached_property
    def _sitemap_children(self) -> dict[str, tuple[str, ...]]:
        articles = self.newest_articles
        return {
            f"/sitemaps/articles-{number}.xml": articles[start : start + SITEMAP_SIZE]
            for number, start in enumerate(range(0, len(articles), SITEMAP_SIZE), start=1)
        }

    @cached_property
    def _variants_by_article(self) -> dict[str, list[str]]:
        by_article: dict[str, list[str]] = {}
        for variant, article in self.tracking_variants.items():
            by_article.setdefault(article, []).append(variant)
        return by_article

    def _day_of(self, path: str) -> datetime.date | None:
        """The date a listing shows for a path: a copy has its original's (a republication, a day later)."""
        if path in self.articles:
            return self.articles[path].date
        if path in self.robots_refused:
            return self.robots_refused[path].date
        if path in self.mirrors:
            return self.articles[self.mirrors[path]].date
        if path in self.republications:
            day = self.articles[self.republications[path]].date
            return day + datetime.timedelta(days=1) if day else None
        if path == ROUNDUP_PATH:
            return ROUNDUP_DAY
        if path in self.not_articles:
            return self.newest_day
        return None

    def _newest_first_key(self, path: str) -> tuple[bool, int, str]:
        return _newest_first(self._day_of(path), path)

    def _headline(self, path: str) -> str:
        return self.headlines.get(path) or path

    def _render_home(self) -> str:
        top = "\n".join(
            _article_item(path, self._headline(path), None) for path in self.newest_articles[:TOP_STORIES]
        )
        body = (
            f"{_site_nav()}\n"
            f'<main class="home">\n<h1>{SITE_NAME}</h1>\n'
            f'<section class="top-stories">\n<h2>Top stories</h2>\n<ul>\n{top}\n</ul>\n'
            f'<a class="more" href="{LISTING_PATH}">All the latest</a>\n</section>\n'
            f"{self._render_sections()}\n</main>"
        )
        feed = f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="{FEED_PATH}">'
        return page_html(SITE_NAME, body).replace("</head>", feed + "</head>", 1)

    def _render_sections(self) -> str:
        links = [
            f'<li><a class="section-link" href="{path}">{html.escape(self._headline(path))}</a></li>'
            for path in self.not_articles
        ]
        return '<aside class="sections">\n<h2>Sections</h2>\n<ul>\n' + "\n".join(links) + "\n</ul>\n</aside>"

    def _render_listing(self, path: str) -> str:
        number = self.listing_paths.index(path) + 1
        entries = self._entries_by_listing_path[path]
        featured = [
            f'<li><a class="featured-link" href="{html.escape(variant)}">'
            f"{html.escape(self._headline(article))}</a></li>"
            for article in entries
            for variant in self._variants_by_article.get(article, ())
        ]
        items = "\n".join(
            _article_item(entry, self._headline(entry), self._day_of(entry)) for entry in entries
        )
        featured_block = (
            '<div class="featured">\n<h2>Featured</h2>\n<ul>\n' + "\n".join(featured) + "\n</ul>\n</div>\n"
            if featured
            else ""
        )
        body = (
            f"{_site_nav()}\n"
            f'<main class="listing">\n<h1 class="listing-title">Latest | Page {number}</h1>\n'
            f'{featured_block}<ul class="article-list">\n{items}\n</ul>\n'
            f"{_pagination(number, len(self.listing_paths))}\n</main>\n{self._render_sections()}"
        )
        return page_html(f"Latest | Page {number} | {SITE_NAME}", body)

    def _render_not_article(self, path: str) -> str:
        kind = self.not_articles[path]
        title = self._headline(path)
        if kind == "video":
            return _render_video(path, title)
        links = self.hub_links[path]
        if kind == "tag":
            items = "\n".join(_article_item(link, self._headline(link), None) for link in links)
            listing = f'<ul class="tagged">\n{items}\n</ul>'
        else:
            items = "\n".join(
                f'<li><a class="teaser-link" href="{html.escape(link)}">'
                f"{html.escape(self._headline(link))}</a>"
                f'<p class="teaser">{html.escape(self.teasers.get(link, ""))}</p></li>'
                for link in links
            )
            listing = f'<ul class="teasers">\n{items}\n</ul>'
        body = f'<main class="{kind}">\n<h1>{html.escape(title)}</h1>\n{listing}\n</main>'
        return page_html(f"{title} | {SITE_NAME}", f"{_site_nav()}\n{body}\n{self._render_sections()}")

    def _render_feed(self, base: str) -> str:
        items = []
        for path in self.newest_articles[:FEED_LIMIT]:
            day = self._day_of(path)
            published = f"<pubDate>{_http_date(day)}</pubDate>" if day else ""
            link = html.escape(base + path)
            items.append(
                f"<item><title>{html.escape(self._headline(path))}</title><link>{link}</link>"
                f'<guid isPermaLink="true">{link}</guid>{published}</item>'
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{SITE_NAME}</title><link>{html.escape(base)}/</link>"
            "<description>The newest saved pages</description>\n" + "\n".join(items) + "\n</channel></rss>\n"
        )

    def _render_sitemap_index(self, base: str) -> str:
        entries = []
        for path, articles in self._sitemap_children.items():
            days = [day for day in map(self._day_of, articles) if day]
            lastmod = f"<lastmod>{max(days).isoformat()}</lastmod>" if days else ""
            entries.append(f"<sitemap><loc>{html.escape(base + path)}</loc>{lastmod}</sitemap>")
        return _sitemap_document("sitemapindex", entries)


def generate_real_site(pages: Iterable[RealPage], seed: int = 1) -> RealSite:
    """A site around the pages; the same pages and seed (in any order) always give the same site."""
    rng = Random(seed)
    placed = _place_articles(sorted(pages, key=_page_order))
    paths = sorted(placed)
    # Two or three, so a crawler meets robots refusals, while the golden sample keeps most pages indexed.
    refused = sorted(_draw(rng, paths, 2 if len(paths) < 100 else 3)) if len(paths) > 3 else []
    indexed = [path for path in paths if path not in refused]
    articles = {path: placed[path] for path in indexed}
    mirror_count = _share(len(indexed), MIRROR_SHARE)
    copied = _draw(rng, indexed, mirror_count + _share(len(indexed), REPUBLISHED_SHARE))
    mirrored, republished = sorted(copied[:mirror_count]), sorted(copied[mirror_count:])
    republications = {REPUBLISHED_PREFIX + path: path for path in republished}
    republication_edits = {}
    for path, original in republications.items():
        page = articles[original]
        republication_edits[path] = edit_for_republication(page.read_bytes(), _pick(rng, EDITS), page)[1]
    tracking_variants = {}
    for path in sorted(_draw(rng, indexed, _share(len(indexed), TRACKING_SHARE))):
        query = f"utm_source={_pick(rng, TRACKING_SOURCES)}&utm_medium={_pick(rng, TRACKING_MEDIA)}"
        tracking_variants[f"{path}?{query}"] = path

    headlines = {path: _headline_of(page) for path, page in placed.items()}
    headlines |= {PRIVATE_PREFIX + path: headlines[path] for path in refused}
    headlines |= {MIRROR_PREFIX + path: headlines[path] for path in mirrored}
    headlines |= {REPUBLISHED_PREFIX + path: headlines[path] for path in republished}
    not_articles: dict[str, str] = {}
    hub_links: dict[str, tuple[str, ...]] = {}
    for path, kind, headline, links in _decoys(rng, articles):
        not_articles[path], headlines[path] = kind, headline
        if links is not None:
            hub_links[path] = links
    teased = {link for hub, links in hub_links.items() if not_articles[hub] != "tag" for link in links}
    return RealSite(
        seed=seed,
        articles=articles,
        robots_refused={PRIVATE_PREFIX + path: placed[path] for path in refused},
        mirrors={MIRROR_PREFIX + path: path for path in mirrored},
        republications=republications,
        republication_edits=republication_edits,
        not_articles=not_articles,
        tracking_variants=tracking_variants,
        headlines=headlines,
        teasers={path: _teaser_of(articles[path], headlines[path]) for path in sorted(teased)},
        hub_links=hub_links,
    )


def _decoys(
    rng: Random, articles: Mapping[str, RealPage]
) -> list[tuple[str, str, str, tuple[str, ...] | None]]:
    """(path, kind, headline, linked article paths) of each page that is not an article."""
    newest = sorted(articles, key=lambda path: _newest_first(articles[path].date, path))
    hubs = [(f"/topics/{topic}/", "topic", topic.capitalize(), HUB_LINKS) for topic in TOPICS]
    hubs += [(f"/tag/{tag}/", "tag", f"Tagged: {tag}", TAG_LINKS) for tag in TAGS]
    hubs.append((ROUNDUP_PATH, "roundup", "Weekly roundup: the best stories from the week", HUB_LINKS))
    decoys = []
    for path, kind, headline, size in hubs:
        chosen = set(_draw(rng, newest, size))
        decoys.append((path, kind, headline, tuple(link for link in newest if link in chosen)))
    decoys.append((VIDEO_PATH, "video", "Harbour festival highlights in ninety seconds", None))
    return decoys


def listing_path(number: int) -> str:
    """Page `number` of the listing; page one lives only at /latest/, as on most real sites."""
    return LISTING_PATH if number == 1 else f"{LISTING_PATH}page/{number}/"


def link_rot_targets(site: RealSite) -> set[str]:
    """Paths the articles' own relative links reach on this site that it does not serve (the link rot)."""
    origin = "http://site.invalid"
    targets = set()
    for path, page in site.articles.items():
        body = page.read_bytes()
        text = body.decode(sniff_charset(body) or "utf-8", "replace")
        base_tag = _BASE_HREF.search(text)
        page_url = origin + path
        if base_tag:
            page_url = urljoin(page_url, _attribute_value(base_tag.group(1)))
        for match in _LINK_HREF.finditer(text):
            href = _attribute_value(match.group(1))
            if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "data:")):
                continue
            try:
                resolved = urlsplit(urljoin(page_url, href))
            except ValueError:
                continue
            if f"{resolved.scheme}://{resolved.netloc}" != origin:
                continue
            target = normalised_path(resolved.path or "/")
            if target not in site.served_paths:
                targets.add(target)
    return targets


def site_statistics(site: RealSite) -> dict[str, int]:
    """The counts a benchmark reports about a site: what it serves and what a crawler should make of it."""
    return {
        "articles": len(site.articles),
        "listing_pages": len(site.listing_paths),
        "sitemap_children": len(site.sitemap_paths) - 1,
        "mirrors": len(site.mirrors),
        "republications": len(site.republications),
        "not_articles": len(site.not_articles),
        "robots_refused": len(site.robots_refused),
        "tracking_variants": len(site.tracking_variants),
        "link_rot_targets": len(link_rot_targets(site)),
    }


class RealSiteServer(LoopbackServer):
    """Serves a RealSite over HTTP and records every request; revive and take_down change it for tests."""

    thread_name = "realsite"

    def __init__(self, site: RealSite, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.site = site
        # Paths brought back to life (a 404 that now answers a small article) and paths taken down (status).
        self.revived: dict[str, bytes] = {}
        self.taken_down: dict[str, int] = {}

    def respond(self, raw_path: str, headers: Mapping[str, str]) -> Response:
        path = normalised_path(raw_path.partition("#")[0].partition("?")[0] or "/")
        if path in self.taken_down:
            status = self.taken_down[path]
            return status, HTML_CONTENT_TYPE, _render_gone(path, status).encode("utf-8"), {}
        if path in self.revived:
            status, content_type, body, day = 200, HTML_CONTENT_TYPE, self.revived[path], REVIVED_DAY
        else:
            base = f"http://{headers.get('Host', f'{self.host}:{self.port}')}"
            status, content_type, body, day = self.site.render(path, base)
        if status != 200:
            return status, content_type, body, {}
        return answer_conditional_get((status, content_type, body, {}), _http_date(day), headers)

    def revive(self, path: str) -> bytes:
        """Make a path that answers 404 answer 200 with a small article page; return that page."""
        path = normalised_path(path)
        if path in self.site.served_paths or path in self.revived:
            raise ValueError(f"{path} is already served")
        self.taken_down.pop(path, None)
        self.revived[path] = _render_revived(path).encode("utf-8")
        return self.revived[path]

    def take_down(self, path: str, status: int = 410) -> None:
        """Make a served path answer 410 Gone (or 404); listings still link it, as real sites' do."""
        path = normalised_path(path)
        if status not in (404, 410):
            raise ValueError(f"a taken-down page answers 404 or 410, not {status}")
        if path not in self.site.served_paths and path not in self.revived:
            raise KeyError(f"{path} is not served")
        self.revived.pop(path, None)
        self.taken_down[path] = status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsdesk.demosite.realsite", description=__doc__)
    parser.add_argument("--pages", type=Path, required=True, help="evaldata.json + pages/, or expected.jsonl")
    parser.add_argument("--sample", type=int, default=None, help="serve this many of the pages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766, help="0 picks a free port")
    parser.add_argument("--stats", action="store_true", help="print what the site holds and exit")
    args = parser.parse_args(argv)

    def build_site() -> RealSite:
        pages = load_real_pages(args.pages)
        if args.sample is not None:
            pages = sample_pages(pages, args.sample, args.seed)
        return generate_real_site(pages, args.seed)

    if args.stats:
        for name, count in site_statistics(build_site()).items():
            print(f"{name}: {count}")
        return 0
    return serve_until_signalled(lambda: RealSiteServer(build_site(), args.host, args.port))


def _page_order(page: RealPage) -> tuple[str, str]:
    return page.original_url, str(page.file)


def _place_articles(pages: Sequence[RealPage]) -> dict[str, RealPage]:
    """Path → page: the original path where it is free; under the original host where pages collide."""
    wanted: dict[str, list[RealPage]] = {}
    for page in pages:
        wanted.setdefault(article_path_for(page.original_url)[1], []).append(page)
    placed = {path: group[0] for path, group in wanted.items() if len(group) == 1 and not _is_reserved(path)}
    for path, group in sorted(wanted.items()):
        if len(group) == 1 and path in placed:
            continue
        for page in group:
            host = quote(article_path_for(page.original_url)[0], safe=".-:")
            candidate, number = normalised_path(f"/{host}{path}"), 2
            while candidate in placed:
                candidate, number = normalised_path(f"/{host}-{number}{path}"), number + 1
            placed[candidate] = page
    return placed


def _is_reserved(path: str) -> bool:
    return path in RESERVED_PATHS or path.split("/")[1] in RESERVED_SEGMENTS


def _share(count: int, share: float) -> int:
    """`share` of `count` items, rounded, and at least one when there are any."""
    return max(1, round(count * share)) if count else 0


# rng.random() is the one draw Python keeps reproducible across versions (as in site.py).
def _pick(rng: Random, pool: Sequence):
    return pool[int(rng.random() * len(pool))]


def _draw(rng: Random, items: Sequence, count: int) -> list:
    """`count` distinct items (all of them if fewer), by a partial Fisher-Yates shuffle."""
    pool = list(items)
    count = min(count, len(pool))
    for index in range(count):
        other = index + int(rng.random() * (len(pool) - index))
        pool[index], pool[other] = pool[other], pool[index]
    return pool[:count]


def _newest_first(day: datetime.date | None, path: str) -> tuple[bool, int, str]:
    return day is None, -day.toordinal() if day else 0, path


def _clean_text(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _page_text_head(page: RealPage) -> str:
    body = page.read_bytes()
    head_end = _HEAD_END.search(body)
    head = body[: head_end.start() if head_end else 200_000]
    return head.decode(sniff_charset(body) or "utf-8", "replace")


def _headline_of(page: RealPage) -> str:
    """Link text for a page: its expected title, else its <title>, else its address's last words."""
    if page.title and _clean_text(page.title):
        return _clean_text(page.title)
    match = _TITLE.search(_page_text_head(page))
    if match and _clean_text(html.unescape(match.group(1))):
        return _clean_text(html.unescape(match.group(1)))
    host, path = article_path_for(page.original_url)
    words = _clean_text(re.sub(r"[-_/.]+", " ", unquote(path)))
    return words or host


def _teaser_of(page: RealPage, headline: str) -> str:
    """One line about a page for a hub: its meta description, else a snippet of its body, else its title."""
    for tag in _META_TAG.findall(_page_text_head(page)):
        attributes = {name.lower(): _attribute_value(value) for name, value in _ATTRIBUTE.findall(tag)}
        names = (attributes.get("name", ""), attributes.get("property", ""))
        if any(name.lower() in ("description", "og:description") for name in names):
            text = _clean_text(html.unescape(attributes.get("content", "")))
            if text:
                return teaser(text)
    return teaser(_clean_text(page.with_snippets[0])) if page.with_snippets else teaser(headline)


def _attribute_value(raw: str) -> str:
    return html.unescape(raw.strip("\"'")).strip()


def _http_date(day: datetime.date) -> str:
    return email.utils.format_datetime(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), usegmt=True
    )


def _site_nav() -> str:
    return f'<nav class="site-nav"><a href="{HOME_PATH}">Home</a> <a href="{LISTING_PATH}">Latest</a></nav>'


def _article_item(path: str, headline: str, day: datetime.date | None) -> str:
    date = f' <span class="date">{day.isoformat()}</span>' if day else ""
    return f'<li><a class="article-link" href="{html.escape(path)}">{html.escape(headline)}</a>{date}</li>'


def _pagination(number: int, last: int) -> str:
    parts = []
    if number > 1:
        parts.append(f'<a rel="prev" class="prev" href="{listing_path(number - 1)}">Previous</a>')
    for other in range(1, last + 1):
        if other == number:
            parts.append(f'<span class="current">{other}</span>')
        else:
            parts.append(f'<a class="page" href="{listing_path(other)}">{other}</a>')
    if number < last:
        parts.append(f'<a rel="next" class="next" href="{listing_path(number + 1)}">Next</a>')
    return '<nav class="pagination">' + " ".join(parts) + "</nav>"


def _robots(base: str) -> str:
    return f"User-agent: *\nDisallow: {PRIVATE_PREFIX}/\n\nSitemap: {base}{SITEMAP_INDEX_PATH}\n"


def _urlset(base: str, dated_paths: Iterable[tuple[str, datetime.date | None]]) -> str:
    entries = []
    for path, day in dated_paths:
        lastmod = f"<lastmod>{day.isoformat()}</lastmod>" if day else ""
        entries.append(f"<url><loc>{html.escape(base + path)}</loc>{lastmod}</url>")
    return _sitemap_document("urlset", entries)


def _sitemap_document(root: str, entries: list[str]) -> str:
    """A sitemap (`urlset`) or sitemap index (`sitemapindex`) holding `entries`."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + f"\n</{root}>\n"
    )


def _render_video(path: str, title: str) -> str:
    slug = path.rsplit("/", 1)[-1]
    head = (
        '<meta property="og:type" content="video.other">'
        f'<meta property="og:title" content="{html.escape(title)}">'
        f'<meta property="og:video" content="/media/{slug}.mp4">'
    )
    body = (
        f'{_site_nav()}\n<main class="video">\n<h1>{html.escape(title)}</h1>\n'
        f'<video controls width="640" poster="/media/{slug}.jpg">'
        f'<source src="/media/{slug}.mp4" type="video/mp4"></video>\n'
        "<p>Boats, bands and fireworks: the weekend on the waterfront. Watch the best moments.</p>\n</main>"
    )
    return page_html(f"{title} | {SITE_NAME}", body).replace("</head>", head + "</head>", 1)


def _render_revived(path: str) -> str:
    words = _clean_text(re.sub(r"[-_/.]+", " ", unquote(path.rstrip("/").rsplit("/", 1)[-1])))
    title = (words or "Restored page").capitalize()
    body = (
        f'{_site_nav()}\n<article class="article">\n<h1 class="article-title">{html.escape(title)}</h1>\n'
        f'<p class="date">{REVIVED_DAY.isoformat()}</p>\n'
        "<p>This page was missing for a while and is back. The editors restored it from their archive "
        "after readers asked for it.</p>\n"
        "<p>Some of the links it once held may no longer work; the text itself is unchanged.</p>\n</article>"
    )
    return page_html(f"{title} | {SITE_NAME}", body).replace(
        "</head>", '<meta property="og:type" content="article"></head>', 1
    )


def _render_gone(path: str, status: int) -> str:
    heading = "Gone" if status == 410 else "Not Found"
    return page_html(
        heading, f"{_site_nav()}\n<h1>{heading}</h1><p>No page at {html.escape(path)} any more.</p>"
    )


def _render_not_found(path: str) -> str:
    return page_html("Not Found", f"{_site_nav()}\n<h1>Not Found</h1><p>No page at {html.escape(path)}.</p>")


if __name__ == "__main__":
    sys.exit(main())
