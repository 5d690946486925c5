"""Pure discovery helpers: what a response is, and the URLs its feed, sitemap or robots.txt lists."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
# Paths of pages that list other pages: never articles, whatever their shape.
LISTING_HINTS = re.compile(
    r"/(tag|tags|topic|topics|author|authors|category|categories|section|page|search|feed|feeds|rss|archive|"
    r"archives|index)(/|\.|$)|/(page|p)/\d+/?$|\.(xml|rss|atom)$",
    re.IGNORECASE,
)
DATE_IN_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|-)")
ARTICLE_WORDS = re.compile(r"/(article|articles|news|story|stories|post|posts)/[^/]+", re.IGNORECASE)
ID_AND_SLUG = re.compile(r"/\d{3,}[-_/][^/]*|[-_]\d{5,}(\.html?)?$")
SLUG = re.compile(r"/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?)?/?$", re.IGNORECASE)
# A further page of a listing: /page/3/, /p/3, ?page=3, ?paged=3, ?start=40 (page one has none of these).
PAGINATION_PATH = re.compile(r"/(page|p|seite|pagina)/\d+/?$", re.IGNORECASE)
PAGINATION_QUERY = re.compile(r"(^|&)(page|p|pg|paged|pagenum|start|offset)=\d+(&|$)", re.IGNORECASE)
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle"}
# Meta tags read with the HTML parser, so attribute order and quoting do not matter.
OG_TYPE = etree.XPath("//meta[@property='og:type' or @name='og:type']/@content")
JSON_LD = etree.XPath("//script[@type='application/ld+json']/text()")
MAX_JSON_LD = 10
MAX_JSON_LD_TYPES = 50
NOT_PAGES = re.compile(
    r"\.(pdf|jpe?g|png|gif|webp|svg|ico|bmp|tiff?|css|js|json|zip|gz|tgz|bz2|rar|7z|mp3|mp4|m4a|wav|ogg|"
    r"webm|avi|mov|mkv|docx?|xlsx?|pptx?|odt|ods|epub|exe|dmg|apk|woff2?|ttf|eot)$",
    re.IGNORECASE,
)
MAX_DECOMPRESSED = 50_000_000


@dataclass(frozen=True)
class SitemapEntry:
    """One <loc> of a sitemap: a page, or (in an index) another sitemap; lastmod as the file gave it."""

    url: str
    lastmod: str | None = None


def local_name(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def maybe_gunzip(body: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """The body, decompressed if it is gzip (sitemap.xml.gz); at most `limit` bytes, so no zip bomb."""
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"bad gzip data: {exc}") from exc
    if len(data) > limit:
        raise ValueError(f"decompressed size over {limit} bytes")
    return data


def parse_xml(body: bytes):
    """An lxml tree of possibly broken XML (unescaped &, unclosed tags), or None if nothing is left of it."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body.strip() or b"<empty/>", parser=parser)
    except etree.XMLSyntaxError:
        return None
    return root


def sniff_kind(content_type: str, body: bytes) -> str:
    """'feed', 'sitemap', 'sitemapindex', 'html', 'robots' or 'other' from the type and the first bytes."""
    content_type = content_type.lower()
    head = maybe_gunzip(body[:65536] if not body.startswith(GZIP_MAGIC) else body)[:2048].lstrip().lower()
    if b"<urlset" in head:
        return "sitemap"
    if b"<sitemapindex" in head:
        return "sitemapindex"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if "xml" in content_type:
        return "other-xml"
    if content_type.startswith("text/plain") and re.search(rb"(?im)^\s*(user-agent|sitemap)\s*:", head):
        return "robots"
    return "other"


def feed_links(body: bytes, feed_url: str) -> list[str]:
    """Absolute links of an RSS 2.0 / RSS 1.0 / Atom feed's entries, relative links and xml:base resolved."""
    root = parse_xml(maybe_gunzip(body))
    if root is None:
        return []
    links: list[str] = []
    for element in root.iter():
        name = local_name(element.tag)
        if name not in ("item", "entry"):
            continue
        link = _entry_link(element)
        if link:
            base = element.base or feed_url
            links.append(urljoin(urljoin(feed_url, base), link.strip()))
    return list(dict.fromkeys(links))


def _entry_link(entry) -> str | None:
    fallback = None
    for child in entry:
        if local_name(child.tag) != "link":
            continue
        href = child.get("href")
        if href is None:  # RSS: the link is the text
            if child.text and child.text.strip():
                return child.text.strip()
            continue
        if child.get("rel", "alternate") == "alternate":
            return href
        fallback = fallback or href
    if fallback:
        return fallback
    for child in entry:
        text = (child.text or "").strip()
        is_link = child.get("isPermaLink", "true") != "false" and text.startswith(
            ("http://", "https://", "/")
        )
        if local_name(child.tag) == "guid" and is_link:
            return text
    return None


# Not scrapy.utils.sitemap.Sitemap (API "subject to change"): it raises on non-XML bytes, lets an empty
# <loc/> erase a URL and reads <url> at any depth; 3 of 13 test, demo and hostile sitemaps came out different.
def sitemap_entries(body: bytes, sitemap_url: str) -> tuple[str, list[SitemapEntry]]:
    """('sitemapindex' | 'sitemap', entries) of a sitemap file, gzip or not, broken XML tolerated."""
    root = parse_xml(maybe_gunzip(body))
    if root is None:
        return "sitemap", []
    kind = "sitemapindex" if local_name(root.tag) == "sitemapindex" else "sitemap"
    entries = []
    for element in root:
        if local_name(element.tag) not in ("url", "sitemap"):
            continue
        loc = lastmod = None
        for child in element:
            name = local_name(child.tag)
            if name == "loc" and child.text:
                loc = child.text.strip()
            elif name == "lastmod" and child.text:
                lastmod = child.text.strip()
        if loc:
            entries.append(SitemapEntry(urljoin(sitemap_url, loc), lastmod))
    return kind, entries


# Not scrapy's sitemap_urls_from_robots: it keeps a trailing "# comment" in the URL and misses "Sitemap :".
def robots_sitemaps(text: str, robots_url: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt, as absolute URLs."""
    found = re.findall(r"(?im)^\s*sitemap\s*:\s*(\S+)", text)
    return [urljoin(robots_url, url) for url in found]


def looks_like_listing_url(url: str) -> bool:
    return bool(LISTING_HINTS.search(urlsplit(url).path))


def looks_like_pagination_url(url: str) -> bool:
    """A further page of some listing (page 2 onwards), which lists older articles than the page before it."""
    parts = urlsplit(url)
    return bool(PAGINATION_PATH.search(parts.path) or PAGINATION_QUERY.search(parts.query))


def looks_like_article_url(url: str) -> bool:
    """A generic guess from the URL alone: a date, an id, a long slug or an article-ish directory."""
    path = urlsplit(url).path
    if path in ("", "/") or looks_like_listing_url(url):
        return False
    return bool(
        DATE_IN_PATH.search(path)
        or ARTICLE_WORDS.search(path)
        or ID_AND_SLUG.search(path)
        or SLUG.search(path)
    )


def declared_types(root) -> tuple[str | None, list[str]]:
    """What a parsed page says it is: its og:type (attributes in any order) and its JSON-LD @types."""
    og_type = next((value.strip().lower() for value in OG_TYPE(root) if value.strip()), None)
    types: list[str] = []
    for text in JSON_LD(root)[:MAX_JSON_LD]:
        try:
            stack = [json.loads(text)]
        except (ValueError, RecursionError):
            continue
        while stack and len(types) < MAX_JSON_LD_TYPES:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                types.extend(k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str))
                stack.extend(v for key, v in item.items() if key == "@graph" or isinstance(v, dict | list))
    return og_type, types


def declares_article(root) -> bool:
    """Whether a parsed page declares itself an article (og:type, or a JSON-LD article type).

    Only a hint for where the crawler looks for links: whether a page is an article is the parse stage's
    decision, on its content, for every page the crawler fetches.
    """
    og_type, types = declared_types(root)
    return og_type == "article" or any(kind.lower() in ARTICLE_TYPES for kind in types)


def is_page_link(url: str) -> bool:
    """Whether a link may lead to a web page (not an image, a document, an archive or a stylesheet)."""
    return not NOT_PAGES.search(urlsplit(url).path)


def alternate_feeds(html: str) -> list[str]:
    """hrefs of <link rel="alternate" type="application/rss+xml|atom+xml"> in a page's head."""
    found = []
    for tag in re.findall(r"<link\b[^>]*>", html[:200_000], re.IGNORECASE):
        if re.search(r"""type=["']application/(rss|atom)\+xml""", tag, re.IGNORECASE):
            href = re.search(r"""href=["']([^"']+)""", tag, re.IGNORECASE)
            if href:
                found.append(href.group(1))
    return found
