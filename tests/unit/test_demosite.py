"""Unit tests for the demo news site: generation, page layout, and the loopback HTTP server."""

from __future__ import annotations

import datetime
import html
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsdesk.demosite.site import (
    HTML_CONTENT_TYPE,
    TRACKING_QUERY,
    DemoServer,
    DemoSite,
    generate_site,
    teaser,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


class LinkCollector(HTMLParser):
    """Collects every <a> as a dict of its attributes plus its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self._open_link: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open_link = {name: value or "" for name, value in attrs} | {"text": ""}
            self.links.append(self._open_link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open_link = None

    def handle_data(self, data: str) -> None:
        if self._open_link is not None:
            self._open_link["text"] += data


def links_of(page: bytes, css_class: str | None = None, rel: str | None = None) -> list[dict[str, str]]:
    collector = LinkCollector()
    collector.feed(page.decode("utf-8"))
    return [
        link
        for link in collector.links
        if (css_class is None or css_class in link.get("class", "").split())
        and (rel is None or link.get("rel") == rel)
    ]


def get_ok(site: DemoSite, path: str, query: str = "") -> str:
    status, content_type, body = site.render(path, query)
    assert (status, content_type) == (200, HTML_CONTENT_TYPE), path
    return body.decode("utf-8")


@pytest.fixture(scope="module")
def site() -> DemoSite:
    return generate_site(size=75, seed=7)


def crawl_listing(site: DemoSite, slug: str) -> tuple[list[str], list[str]]:
    """Follow rel=next from /{slug}/; return the listing pages visited and the article links, in order."""
    pages, article_links = [], []
    path: str | None = f"/{slug}/"
    while path is not None:
        assert path not in pages, f"pagination loops back to {path}"
        pages.append(path)
        status, _, body = site.render(path)
        assert status == 200
        article_links += [link["href"] for link in links_of(body, "article-link")]
        next_links = links_of(body, rel="next")
        assert len(next_links) <= 1
        path = next_links[0]["href"] if next_links else None
    return pages, article_links


# Generation


def test_same_seed_and_size_give_the_same_site_and_bytes():
    first, second = generate_site(40, seed=3), generate_site(40, seed=3)
    assert first == second
    paths = ["/", "/mfa/", "/agency/page/2/", *first.rejected_paths, *(a.path for a in first.articles)]
    for path in paths:
        assert first.render(path) == second.render(path)


def test_different_seed_gives_a_different_site():
    first, second = generate_site(30, seed=1), generate_site(30, seed=2)
    assert [a.title for a in first.articles] != [a.title for a in second.articles]
    assert first.render(first.articles[0].path) != second.render(second.articles[0].path)


def test_size_is_the_total_number_of_articles_spread_over_three_sources():
    site = generate_site(30, seed=1)
    assert [a.article_id for a in site.articles] == list(range(1, 31))
    assert [(s.slug, s.name) for s in site.sources] == [
        ("mfa", "Ministry of Foreign Affairs (EN)"),
        ("agency", "Central News Agency"),
        ("daily", "The Daily Courier"),
    ]
    for source in site.sources:
        assert sum(a.source == source for a in site.articles) == 10
    assert generate_site(0).articles == ()


def test_five_thousand_articles_have_unique_titles_and_paths():
    # How fast generation is belongs to the benchmarks, not here.
    big = generate_site(5000, seed=11)
    assert len(big.articles) == 5000
    assert len({a.title for a in big.articles}) == 5000
    assert len({a.path for a in big.articles}) == 5000
    get_ok(big, big.articles[-1].path)
    get_ok(big, "/daily/page/100/")


def test_titles_slugs_and_paths_follow_the_rules(site):
    assert len({a.title for a in site.articles}) == len(site.articles)
    for article in site.articles:
        assert "|" not in article.title and "\n" not in article.title
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+){0,7}", article.slug)
        assert article.path == f"/{article.source.slug}/article/{article.article_id}-{article.slug}.html"


def test_bodies_have_three_to_eight_paragraphs_and_no_lines_a_parser_would_mistake(site):
    for article in site.articles:
        assert 3 <= len(article.paragraphs) <= 8
        assert article.body == "\n\n".join(article.paragraphs)
        for paragraph in article.paragraphs:
            assert paragraph and "\n" not in paragraph
            assert not paragraph.startswith(("Date:", "More From"))


def test_dates_are_in_range_and_day_month_order_matters():
    articles = generate_site(300, seed=5).articles
    days = [a.published for a in articles]
    assert all(datetime.date(2019, 1, 1) <= day <= datetime.date(2025, 7, 31) for day in days)
    assert sum(day.day > 12 for day in days) > 100
    assert sum(day.day <= 12 for day in days) > 50


def test_teaser_cuts_at_a_word_boundary_without_ellipsis():
    assert teaser("short text") == "short text"
    text = "word " * 40
    cut = teaser(text)
    assert len(cut) <= 130 and text.startswith(cut) and cut.endswith("word") and "…" not in cut
    for article in generate_site(60, seed=9).articles:
        cut = teaser(article.paragraphs[0])
        rest = article.paragraphs[0][len(cut) :]
        assert len(cut) <= 130 and article.paragraphs[0].startswith(cut)
        assert rest == "" or rest.startswith(" ")
    assert teaser("a" * 200) == "a" * 130


# Pages


def test_home_links_every_source_listing(site):
    hrefs = [link["href"] for link in links_of(site.render("/")[2])]
    for source in site.sources:
        assert f"/{source.slug}/" in hrefs


def test_pagination_reaches_every_article_exactly_once_newest_first(site):
    for source in site.sources:
        pages, links = crawl_listing(site, source.slug)
        articles = [link for link in links if link not in site.rejected_paths]
        expected = [a for a in site.articles if a.source == source]
        assert len(articles) == len(set(articles)) == len(expected)
        assert set(articles) == {a.path for a in expected}
        by_path = {a.path: a for a in expected}
        dates = [by_path[path].published for path in articles]
        assert dates == sorted(dates, reverse=True)
        assert len(pages) == -(-len(expected) // 10)
        numbered = {link["href"] for link in links_of(site.render(pages[0])[2], "page")}
        assert numbered == set(pages[1:])


def test_unknown_listing_pages_are_404(site):
    _, links = crawl_listing(site, "mfa")
    last_page = -(-sum(a.source.slug == "mfa" for a in site.articles) // 10)
    assert site.render(f"/mfa/page/{last_page}/")[0] == 200
    for path in (f"/mfa/page/{last_page + 1}/", "/mfa/page/1/", "/mfa/page/0/", "/nosuch/"):
        assert site.render(path)[0] == 404, path


def test_featured_box_links_the_first_two_articles_under_a_tracking_url(site):
    for path in ("/agency/", "/agency/page/2/"):
        body = site.render(path)[2]
        plain = [link["href"] for link in links_of(body, "article-link")][:2]
        featured = re.search(rb'<div class="featured">.*?</div>', body, re.S).group(0)
        tracking = [link["href"] for link in links_of(featured)]
        assert tracking == [f"{href}?{TRACKING_QUERY}" for href in plain]
        for url in tracking:
            article_path, _, query = url.partition("?")
            assert site.render(article_path, query) == site.render(article_path)
            assert site.render(url) == site.render(article_path)


def test_article_page_matches_the_seed_layout(site):
    article = next(a for a in site.articles if a.published.day > 12)
    page = get_ok(site, article.path)
    day = article.published
    name = article.source.name
    assert page.startswith("<!DOCTYPE html>\n")
    assert f"<title>{html.escape(article.title)} | {name}</title>" in page
    assert f'<h1 class="article-title">{html.escape(article.title)}</h1>' in page
    assert (
        f'<div class="article-meta">Date: {day.day:02d}/{day.month:02d}/{day.year} | Source: {name} | '
        f'<a class="original" href="/{article.source.slug}/original/{article.article_id}">'
        "Read original version at source</a></div>"
    ) in page
    body = re.search(r'<div class="article-body">\n(.*?)\n</div>', page, re.S).group(1)
    assert body.count("<p>") == len(article.paragraphs)
    assert f"<h3>More From {name}</h3>" in page
    assert page.endswith("<footer>© Demo site</footer>\n</body></html>\n")


def test_more_from_shows_each_teaser_twice_and_never_the_page_itself(site):
    for article in site.articles:
        page = get_ok(site, article.path)
        block = page[page.index('<section class="more-from">') :]
        items = re.findall(
            r'<li><a href="([^"]+)"><span class="teaser-hover">([^<]*)</span></a>'
            r'<span class="date">([^<]+)</span><p class="teaser">([^<]*)</p></li>',
            block,
        )
        same_source = sorted(
            (a for a in site.articles if a.source == article.source and a != article),
            key=lambda a: (a.published, a.article_id),
            reverse=True,
        )
        assert [href for href, *_ in items] == [a.path for a in same_source[:20]]
        assert article.path not in block
        for (_, hover, date, shown), other in zip(items, same_source[:20], strict=True):
            assert hover == shown == html.escape(teaser(other.paragraphs[0]))
            assert date == f"{other.published:%B} {other.published.day}, {other.published.year}"


def test_more_from_lists_at_most_twenty_teasers():
    big = generate_site(90, seed=2)
    page = get_ok(big, big.articles[0].path)
    assert page.count('<p class="teaser">') == 20


def test_rejected_paths_look_like_articles_but_have_no_article_parts(site):
    assert site.rejected_paths == tuple(f"/{s.slug}/article/0-notice.html" for s in site.sources)
    for source, path in zip(site.sources, site.rejected_paths, strict=True):
        page = get_ok(site, path)
        assert "<h1>Notice</h1><p>This section is being updated.</p>" in page
        assert "Date:" not in page and "article-body" not in page
        first_listing = site.render(f"/{source.slug}/")[2]
        assert path in [link["href"] for link in links_of(first_listing, "article-link")]


def test_unknown_paths_and_original_links_are_404_html(site):
    article = site.articles[0]
    original = f"/{article.source.slug}/original/{article.article_id}"
    for path in ("/nope", "/mfa", original, "/mfa/article/x.html", "/mfa/article/0-notice.htm"):
        status, content_type, body = site.render(path)
        assert (status, content_type) == (404, HTML_CONTENT_TYPE)
        assert body.startswith(b"<!DOCTYPE html>")


# Server


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_server_serves_pages_over_http_and_counts_requests(site):
    article = site.articles[0]
    tracked = f"{article.path}?{TRACKING_QUERY}"
    with DemoServer(site) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert fetch(server.url + "/") == (200, HTML_CONTENT_TYPE, site.render("/")[2])
        plain = fetch(server.url + article.path)
        assert plain == (200, HTML_CONTENT_TYPE, site.render(article.path)[2])
        assert fetch(server.url + tracked) == plain
        assert fetch(server.url + article.path)[2] == plain[2]
        status, content_type, _ = fetch(server.url + "/missing")
        assert (status, content_type) == (404, HTML_CONTENT_TYPE)
        assert server.request_count == 5
        assert server.requests[article.path] == 2
        assert server.requests[tracked] == 1
        assert server.requests["/missing"] == 1


def test_server_stops_and_url_needs_a_running_server(site):
    server = DemoServer(site)
    with pytest.raises(RuntimeError):
        _ = server.url
    url = server.start().url
    server.stop()
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/", timeout=2)


def test_main_serves_until_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.demosite.site", "--size", "12", "--seed", "4", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        site = generate_site(12, seed=4)
        assert fetch(url + site.articles[3].path)[2] == site.render(site.articles[3].path)[2]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
