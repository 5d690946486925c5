"""Unit tests for crawl discovery: feeds, sitemaps, robots.txt, article heuristics, politeness helpers."""

from __future__ import annotations

import email.utils
import gzip

import lxml.html
import pytest

from crawler.discovery import (
    alternate_feeds,
    declares_article,
    feed_links,
    is_page_link,
    looks_like_article_url,
    maybe_gunzip,
    robots_sitemaps,
    sitemap_entries,
    sniff_kind,
)
from crawler.politeness import is_private_address, retry_after_seconds
from newsdesk.state.crawl_state import known_form, url_digest

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>https://site.example/news/a-b-c-d.html</link></item>
<item><title>B</title><link> /news/relative-one.html </link></item>
<item><title>C</title><guid>https://site.example/news/from-guid.html</guid></item>
</channel></rss>"""

BROKEN_RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News & views</title>
<item><title>Trade & talks</title><link>/news/one.html</link></item>
<item><title>Second</title><link>/news/two.html</link></item>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/world/">
<link rel="self" href="feed.atom"/>
<entry><title>A</title><link rel="edit" href="/edit/1"/><link rel="alternate" href="article/1.html"/></entry>
<entry><title>B</title><link href="https://other.example/x.html"/></entry>
</feed>"""


def test_rss_links_are_absolute_and_relative_ones_resolved() -> None:
    assert feed_links(RSS, "https://site.example/feed.xml") == [
        "https://site.example/news/a-b-c-d.html",
        "https://site.example/news/relative-one.html",
        "https://site.example/news/from-guid.html",
    ]


def test_broken_rss_is_tolerated() -> None:
    assert feed_links(BROKEN_RSS, "https://site.example/rss") == [
        "https://site.example/news/one.html",
        "https://site.example/news/two.html",
    ]


def test_atom_uses_the_alternate_link_and_xml_base() -> None:
    assert feed_links(ATOM, "https://site.example/world/feed.atom") == [
        "https://site.example/world/article/1.html",
        "https://other.example/x.html",
    ]


def test_garbage_is_no_links() -> None:
    assert feed_links(b"\x00\x01 not xml at all", "https://site.example/") == []


SITEMAP_INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://site.example/s1.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
<sitemap><loc>https://site.example/s2.xml</loc></sitemap></sitemapindex>"""
URLSET = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> https://site.example/news/a.html </loc><lastmod>2024-05-01T10:00:00Z</lastmod></url>
<url><loc>https://site.example/news/b.html</loc></url></urlset>"""


def test_a_sitemap_index_lists_sitemaps_with_lastmod() -> None:
    kind, entries = sitemap_entries(SITEMAP_INDEX, "https://site.example/sitemap.xml")

    assert kind == "sitemapindex"
    assert [(e.url, e.lastmod) for e in entries] == [
        ("https://site.example/s1.xml.gz", "2024-05-01"),
        ("https://site.example/s2.xml", None),
    ]


def test_a_gzip_urlset_is_read() -> None:
    kind, entries = sitemap_entries(gzip.compress(URLSET), "https://site.example/s1.xml.gz")

    assert kind == "sitemap"
    assert [e.url for e in entries] == [
        "https://site.example/news/a.html",
        "https://site.example/news/b.html",
    ]
    assert entries[0].lastmod == "2024-05-01T10:00:00Z"


def test_a_gzip_bomb_is_refused() -> None:
    with pytest.raises(ValueError, match="decompressed size"):
        maybe_gunzip(gzip.compress(b"0" * 10_000), limit=1000)


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("application/xml", URLSET, "sitemap"),
        ("application/x-gzip", gzip.compress(SITEMAP_INDEX), "sitemapindex"),
        ("text/xml", RSS, "feed"),
        ("application/atom+xml", ATOM, "feed"),
        ("text/html; charset=utf-8", b"<!DOCTYPE html><html></html>", "html"),
        ("", b"<html><body>x</body></html>", "html"),
        ("application/pdf", b"%PDF-1.4", "other"),
        ("text/plain", b"User-agent: *\nDisallow: /x\n", "robots"),
    ],
)
def test_sniff_kind(content_type: str, body: bytes, kind: str) -> None:
    assert sniff_kind(content_type, body) == kind


def test_robots_sitemap_lines() -> None:
    text = (
        "User-agent: *\nDisallow: /private/\nSitemap: https://site.example/sitemap.xml\nsitemap: /other.xml\n"
    )

    assert robots_sitemaps(text, "https://site.example/robots.txt") == [
        "https://site.example/sitemap.xml",
        "https://site.example/other.xml",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://site.example/2024/05/03/talks-held-in-city/", True),
        ("https://site.example/news/some-story", True),
        ("https://site.example/mfa/article/7-xi-jinping-receives.html", True),
        ("https://site.example/world/leaders-hold-talks-on-trade-ties", True),
        ("https://site.example/politics-12345678", True),
        ("https://site.example/", False),
        ("https://site.example/tag/trade/", False),
        ("https://site.example/author/jane-doe/", False),
        ("https://site.example/mfa/page/2/", False),
        ("https://site.example/feed.xml", False),
        ("https://site.example/about", False),
    ],
)
def test_generic_article_url_heuristics(url: str, expected: bool) -> None:
    assert looks_like_article_url(url) is expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<head><meta property="og:type" content="article"></head>', True),
        ('<head><meta content="article" property="og:type"></head>', True),
        ("<head><meta content='article' name=og:type></head>", True),
        ('<head><meta property="og:type" content="website"></head><article><h1>x</h1></article>', False),
        ('<script type="application/ld+json">{"@type": "NewsArticle"}</script>', True),
        (
            '<script type="application/ld+json">'
            '{"@graph": [{"@type": ["WebPage"]}, {"@type": "BlogPosting"}]}</script>',
            True,
        ),
        ('<script type="application/ld+json">{"@type": "CollectionPage"}</script>', False),
        ("<body><h1>Section</h1><ul><li>a</li></ul></body>", False),
    ],
)
def test_a_page_declares_itself_an_article_in_any_attribute_order(html: str, expected: bool) -> None:
    assert declares_article(lxml.html.fromstring(f"<html>{html}</html>")) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://site.example/2024/05/story", True),
        ("https://site.example/2024/05/story.html", True),
        ("https://site.example/files/report.pdf", False),
        ("https://site.example/img/photo.JPG", False),
        ("https://site.example/media/clip.mp4", False),
    ],
)
def test_only_links_that_may_be_pages_are_fetched_as_articles(url: str, expected: bool) -> None:
    assert is_page_link(url) is expected


def test_alternate_feeds_in_the_head() -> None:
    html = (
        '<head><link rel="alternate" type="application/rss+xml" href="/feed.rss">'
        '<link rel="stylesheet" href="/s.css">'
        '<link type="application/atom+xml" rel="alternate" href="a.atom">'
    )

    assert alternate_feeds(html) == ["/feed.rss", "a.atom"]


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.9", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("fd00::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
        ("not-an-ip", False),
    ],
)
def test_private_addresses(address: str, private: bool) -> None:
    assert is_private_address(address) is private


def test_retry_after_seconds_and_dates() -> None:
    now = 1_700_000_000.0
    later = email.utils.formatdate(now + 30, usegmt=True)

    assert retry_after_seconds(b"5") == 5.0
    assert retry_after_seconds(later, now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_known_form_drops_tracking_and_fragments_only() -> None:
    assert (
        known_form("HTTP://Site.Example/a.html?utm_source=x&id=3&fbclid=y#top")
        == "http://site.example/a.html?id=3"
    )
    assert url_digest("https://site.example/a.html?utm_medium=web") == url_digest(
        "https://site.example/a.html"
    )
    assert url_digest("https://site.example/a.html?id=1") != url_digest("https://site.example/a.html?id=2")
    assert len(url_digest("https://site.example/")) == 16
