"""Unit tests for the site of real saved pages: loading, generation, and what its loopback server answers."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crawler.discovery import (
    alternate_feeds,
    feed_links,
    looks_like_article_url,
    robots_sitemaps,
    sitemap_entries,
)
from newsdesk.demosite.realsite import (
    FEED_LIMIT,
    PAGE_SIZE,
    ROUNDUP_PATH,
    RealPage,
    RealSite,
    RealSiteServer,
    generate_real_site,
    link_rot_targets,
    load_real_pages,
    sample_pages,
    sniff_charset,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = REPO_ROOT / "tests" / "golden"
EXPECTED = [json.loads(line) for line in (GOLDEN / "expected.jsonl").read_text(encoding="utf-8").splitlines()]


class AnchorCollector(HTMLParser):
    """Every <a> of a page: its attributes plus its text."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append({name: value or "" for name, value in attrs})


def anchors(page: bytes, css_class: str | None = None, rel: str | None = None) -> list[dict[str, str]]:
    collector = AnchorCollector()
    collector.feed(page.decode("utf-8"))
    return [
        anchor
        for anchor in collector.anchors
        if (css_class is None or css_class in anchor.get("class", "").split())
        and (rel is None or anchor.get("rel") == rel)
    ]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def pages() -> list[RealPage]:
    return load_real_pages(GOLDEN)


@pytest.fixture(scope="module")
def site(pages) -> RealSite:
    return generate_real_site(pages, seed=1)


@pytest.fixture(scope="module")
def server(site):
    with RealSiteServer(site) as running:
        yield running


def crawl_listing(server: RealSiteServer) -> list[bytes]:
    """The listing pages in order, following rel=next from page one."""
    bodies, seen, path = [], [], "/latest/"
    while path is not None:
        assert path not in seen, f"pagination loops back to {path}"
        seen.append(path)
        status, _, body = fetch(server.url + path)
        assert status == 200, path
        bodies.append(body)
        following = anchors(body, rel="next")
        path = following[0]["href"] if following else None
    assert tuple(seen) == server.site.listing_paths
    return bodies


def test_loader_reads_the_golden_shape(pages):
    assert len(pages) == len(EXPECTED) == 24
    by_url = {page.original_url: page for page in pages}
    for entry in EXPECTED:
        page = by_url[entry["url"]]
        assert page.file == GOLDEN / entry["path"]
        assert page.title == entry["title"]
        assert page.date == datetime.date.fromisoformat(entry["date"])
        assert page.with_snippets == tuple(entry["with"])
        assert page.read_bytes() == (GOLDEN / entry["path"]).read_bytes()


def test_loader_reads_the_evaldata_shape(tmp_path, pages):
    (tmp_path / "pages").mkdir()
    evaldata = {}
    for entry in EXPECTED[:2]:
        name = Path(entry["path"]).name
        shutil.copy(GOLDEN / entry["path"], tmp_path / "pages" / name)
        evaldata[entry["url"]] = {
            "file": name,
            **{key: entry[key] for key in ("title", "date", "with", "without")},
        }
    evaldata["https://example.org/undated"] = {
        "file": name,
        "title": None,
        "date": None,
        "with": [],
        "without": [],
    }
    (tmp_path / "evaldata.json").write_text(json.dumps(evaldata), encoding="utf-8")

    loaded = load_real_pages(tmp_path)

    golden = {page.original_url: page for page in pages}
    assert [page.original_url for page in loaded] == list(evaldata)
    for page in loaded[:2]:
        assert page.file == tmp_path / "pages" / page.file.name
        assert (page.title, page.date, page.with_snippets, page.without_snippets) == (
            golden[page.original_url].title,
            golden[page.original_url].date,
            golden[page.original_url].with_snippets,
            golden[page.original_url].without_snippets,
        )
        assert page.read_bytes() == golden[page.original_url].read_bytes()
    assert (loaded[2].title, loaded[2].date) == (None, None)


def test_loader_refuses_a_directory_without_either_index(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_real_pages(tmp_path)


def test_every_article_is_served_byte_for_byte_with_its_declared_charset(server, site, pages):
    assert len(site.articles) + len(site.robots_refused) == len(pages)
    declared = 0
    for path, page in [*site.articles.items(), *site.robots_refused.items()]:
        status, headers, body = fetch(server.url + path)
        saved = page.read_bytes()
        assert (status, body) == (200, saved), path
        charset = sniff_charset(saved)
        declared += charset is not None
        assert headers["Content-Type"] == (f"text/html; charset={charset}" if charset else "text/html")
    assert declared > 0


def test_article_paths_keep_the_original_path_and_avoid_the_sites_own(site):
    served = {**site.articles, **site.robots_refused}
    # https://www.golf.de/i7484_1.html keeps its path; no host where none was needed.
    assert {"/i7484_1.html", "/private/i7484_1.html"} & set(served)
    for path in site.articles:
        assert path != "/" and path not in site.listing_paths and not path.startswith("/private/")
        assert path.split("/")[1] not in (
            "latest",
            "topics",
            "tag",
            "video",
            "mirror",
            "partners",
            "sitemaps",
        )
    assert all(path.startswith("/private/") for path in site.robots_refused)
    assert 2 <= len(site.robots_refused) <= 3


def test_colliding_and_reserved_paths_move_under_their_original_host(pages):
    file = pages[0].file
    colliding = [
        RealPage("https://a.example/", file, "A", None),
        RealPage("https://b.example", file, "B", None),
        RealPage("https://c.example/news/item.php?id=1", file, "C", None),
        RealPage("https://d.example/news/item.php?id=2", file, "D", None),
        RealPage("https://e.example/latest/page/2/", file, "E", None),
        RealPage("https://f.example/private/x", file, "F", None),
        RealPage("hard::f.example-words.html", file, "G", None),
    ]
    site = generate_real_site(colliding, seed=3)
    placed = {**site.articles, **site.robots_refused}
    assert {page.title: path.removeprefix("/private") for path, page in placed.items()} == {
        "A": "/a.example/",
        "B": "/b.example/",
        "C": "/c.example/news/item.php",
        "D": "/d.example/news/item.php",
        "E": "/e.example/latest/page/2/",
        "F": "/f.example/private/x",
        "G": "/f.example-words.html",
    }


def test_listings_paginate_newest_first_and_link_every_page_once(server, site):
    bodies = crawl_listing(server)
    linked = []
    featured = []
    for body in bodies:
        entries = anchors(body, css_class="article-link")
        assert 0 < len(entries) <= PAGE_SIZE
        linked += [entry["href"] for entry in entries]
        featured += [entry["href"] for entry in anchors(body, css_class="featured-link")]

    expected = [*site.articles, *site.robots_refused, *site.mirrors, *site.republications]
    expected += [path for path, kind in site.not_articles.items() if kind in ("video", "roundup")]
    assert Counter(linked) == Counter(expected)
    assert sorted(featured) == sorted(site.tracking_variants)
    articles_in_order = [path for path in linked if path in site.articles]
    assert articles_in_order == list(site.newest_articles)
    days = [site.articles[path].date for path in articles_in_order]
    dated = [day for day in days if day is not None]
    assert dated == sorted(dated, reverse=True)
    assert days[len(dated) :] == [None] * (len(days) - len(dated))
    assert fetch(server.url + "/latest/page/1/")[0] == 404
    assert fetch(server.url + f"/latest/page/{len(bodies) + 1}/")[0] == 404


def test_tracking_variants_serve_their_article(server, site):
    assert site.tracking_variants
    for variant, article in site.tracking_variants.items():
        assert re.search(r"\?utm_source=\w+&utm_medium=\w+$", variant)
        assert fetch(server.url + variant)[2] == site.articles[article].read_bytes()


def test_the_home_page_links_the_listing_hubs_and_the_feed(server, site):
    status, _, body = fetch(server.url + "/")
    assert status == 200
    hrefs = {anchor["href"] for anchor in anchors(body)}
    assert "/latest/" in hrefs
    assert set(site.not_articles) <= hrefs
    assert alternate_feeds(body.decode("utf-8")) == [site.feed_path]


def test_the_feed_lists_the_newest_articles(server, site):
    status, headers, body = fetch(server.url + site.feed_path)
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    expected = [server.url + path for path in site.newest_articles[:FEED_LIMIT]]
    assert feed_links(body, server.url + site.feed_path) == expected
    assert len(expected) == len(site.articles)  # the golden site is smaller than the feed


def test_the_sitemap_index_and_its_children_list_every_article(server, site):
    index_url = server.url + "/sitemap.xml"
    kind, children = sitemap_entries(fetch(index_url)[2], index_url)
    assert kind == "sitemapindex"
    assert [child.url for child in children] == [server.url + path for path in site.sitemap_paths[1:]]
    assert all(child.lastmod for child in children)
    listed = []
    for child in children:
        kind, entries = sitemap_entries(fetch(child.url)[2], child.url)
        assert kind == "sitemap"
        listed += entries
    assert sorted(entry.url for entry in listed) == sorted(server.url + path for path in site.articles)
    for entry in listed:
        date = site.articles[entry.url.removeprefix(server.url)].date
        assert entry.lastmod == (date.isoformat() if date else None)


def test_robots_txt_disallows_private_and_names_the_sitemap(server, site):
    status, headers, body = fetch(server.url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode("utf-8")
    assert "Disallow: /private/" in text.splitlines()
    assert robots_sitemaps(text, server.url + "/robots.txt") == [server.url + "/sitemap.xml"]
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    assert not any(robots.can_fetch("newsdesk", server.url + path) for path in site.robots_refused)
    assert all(robots.can_fetch("newsdesk", server.url + path) for path in site.articles)


def test_conditional_get_answers_304_on_a_matching_validator(server, site):
    path = site.newest_articles[0]
    status, headers, _ = fetch(server.url + path)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(server.url + path, {"If-None-Match": headers["ETag"]})[:3:2] == (304, b"")
    assert fetch(server.url + path, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(server.url + path, {"If-None-Match": '"other"'})[0] == 200
    for own in ("/", "/latest/", site.feed_path, "/sitemap.xml", "/robots.txt", ROUNDUP_PATH):
        etag = fetch(server.url + own)[1]["ETag"]
        assert fetch(server.url + own, {"If-None-Match": etag})[0] == 304, own
    logged = [entry for entry in server.log if entry.path == path]
    assert [entry.conditional for entry in logged][-4:] == [False, True, True, True]


def test_unknown_paths_404_until_revived_and_taken_down_paths_go(site):
    with RealSiteServer(site) as server:
        missing = "/no/such/story.html"
        assert fetch(server.url + missing)[0] == 404
        page = server.revive(missing)
        status, headers, body = fetch(server.url + missing)
        assert (status, body) == (200, page) and b'content="article"' in body
        assert fetch(server.url + missing, {"If-None-Match": headers["ETag"]})[0] == 304
        with pytest.raises(ValueError):
            server.revive(site.newest_articles[0])

        gone = site.newest_articles[0]
        server.take_down(gone)
        assert fetch(server.url + gone)[0] == 410
        server.take_down(missing, status=404)
        assert fetch(server.url + missing)[0] == 404
        with pytest.raises(KeyError):
            server.take_down("/never/served")
        assert server.requests[missing] == 4
        assert [entry.status for entry in server.log if entry.path == missing] == [404, 200, 304, 404]


def test_pages_that_are_not_articles(server, site):
    kinds = Counter(site.not_articles.values())
    assert kinds["topic"] >= 3 and kinds["tag"] >= 1 and kinds["video"] == 1 and kinds["roundup"] == 1
    for path, kind in site.not_articles.items():
        status, _, body = fetch(server.url + path)
        assert status == 200, path
        text = body.decode("utf-8")
        assert "<h1>" in text
        if kind in ("topic", "roundup"):
            teasers = anchors(body, css_class="teaser-link")
            assert len(teasers) >= 15
            assert {teaser["href"] for teaser in teasers} <= set(site.articles)
            assert text.count('<p class="teaser">') == len(teasers)
        if kind == "tag":
            assert {anchor["href"] for anchor in anchors(body, css_class="article-link")} <= set(
                site.articles
            )
        if kind == "video":
            assert path.startswith("/video/")
            assert '<meta property="og:type" content="video.other">' in text
            assert "<video" in text
    assert looks_like_article_url(server.url + ROUNDUP_PATH)


def test_mirrors_are_byte_identical_and_republications_differ_slightly(server, site):
    assert site.mirrors and site.republications
    for mirror, original in site.mirrors.items():
        assert fetch(server.url + mirror)[2] == fetch(server.url + original)[2]
    for copy, original in site.republications.items():
        served, saved = fetch(server.url + copy)[2], fetch(server.url + original)[2]
        assert served != saved
        assert 0 < len(served) - len(saved) < 200
        assert served.startswith(saved[:100]) and served.endswith(saved[-100:])
        assert site.republication_edits[copy] in ("credit", "sentence")
    assert not set(site.mirrors) & set(site.republications)
    assert set(site.mirrors.values()) | set(site.republications.values()) <= set(site.articles)


def test_generation_is_deterministic_for_a_seed(pages, site):
    assert generate_real_site(list(reversed(pages)), seed=1) == site
    other = generate_real_site(pages, seed=2)
    assert other != site

    # The same pages at the same paths; another seed only moves other ones under /private/.
    def unprefixed(some: RealSite) -> set[str]:
        return {path.removeprefix("/private") for path in [*some.articles, *some.robots_refused]}

    assert unprefixed(other) == unprefixed(site)
    assert sample_pages(pages, 5, seed=4) == sample_pages(list(reversed(pages)), 5, seed=4)
    assert len(sample_pages(pages, 5, seed=4)) == 5
    assert sample_pages(pages, 100) == sorted(pages, key=lambda page: page.original_url)


def test_link_rot_targets_are_relative_links_the_site_does_not_serve(server, site):
    targets = link_rot_targets(site)
    assert targets
    for target in sorted(targets)[:5]:
        assert fetch(server.url + target)[0] == 404


def test_main_serves_until_sigterm():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsdesk.demosite.realsite",
            "--pages",
            str(GOLDEN),
            "--sample",
            "6",
            "--port",
            "0",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        site = generate_real_site(sample_pages(load_real_pages(GOLDEN), 6, seed=1), seed=1)
        path = site.newest_articles[0]
        assert fetch(url + path)[2] == site.articles[path].read_bytes()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
