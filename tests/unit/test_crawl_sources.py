"""Unit tests for the crawling fields of the source registry and the demo site's crawl features."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crawler.discovery import feed_links, sitemap_entries
from newsdesk.demosite.crawling import TRAPS, CrawlFeatures
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.sources import adhoc_source, check_schedule, load_sources, resolve_source

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTRY = """\
sources:
  - name: alpha
    start_urls: ["https://a.example/"]
    article_pattern: "/news/"
"""


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(ENTRY + extra, encoding="utf-8")
    return path


def test_the_shipped_registry_has_demo_generic_and_example_sources() -> None:
    sources = load_sources(REPO_ROOT / "sources.yaml")

    assert sources["demo"].allow_private
    assert sources["demo-feeds"].discovery == ["feed"]
    assert sources["demo-sitemaps"].discovery == ["sitemap"]
    assert sources["any-rss"].needs_url and sources["any-sitemap"].needs_url and sources["any-site"].needs_url
    examples = [s for s in sources.values() if s.example]
    assert len(examples) >= 2
    assert all("EXAMPLE" in s.description and not s.allow_private for s in examples)


def test_a_generic_source_needs_a_url() -> None:
    path = REPO_ROOT / "sources.yaml"

    with pytest.raises(ConfigError, match="--url"):
        resolve_source(path, "http://demo:1", "any-rss")
    source = resolve_source(path, "http://demo:1", "any-rss", "https://news.example/feed.xml")
    assert source.start_urls == ["https://news.example/feed.xml"]
    assert source.allowed_domains == ["news.example"]


def test_an_adhoc_source_uses_every_discovery_mode() -> None:
    source = resolve_source(REPO_ROOT / "sources.yaml", "http://demo:1", None, "http://127.0.0.1:9/", True)

    assert source == adhoc_source("http://127.0.0.1:9/", True).resolved("http://demo:1")
    assert source.discovery == ["auto"] and source.allow_private and source.allowed_domains == ["127.0.0.1"]


@pytest.mark.parametrize(
    "value",
    [
        "every 10s",
        "every 30m",
        "every 2h",
        "every 1d",
        "*/15 * * * *",
        "0 6 * * 1-5",
        "5,35 0 1 * *",
        "@daily",
    ],
)
def test_good_schedules(value: str) -> None:
    check_schedule(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("every 2s", "at least 5s between crawls"),
        ("hourly", "expected 'every N s|m|h|d', five cron fields"),
        ("61 * * * *", "61"),
        ("* * * 13 *", "13"),
        ("*/x * * * *", "x"),
    ],
)
def test_bad_schedules(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_schedule(value)


@pytest.mark.parametrize(
    ("extra", "field", "problem"),
    [
        ("    discovery: [listing, rss]\n", "discovery.1", "Input should be"),
        ("    schedule: every 2s\n", "schedule", "at least 5s between crawls"),
        ("    politeness: {concurency: 2}\n", "politeness.concurency", "Extra inputs are not permitted"),
        ("    politeness: {download_delay: -1}\n", "politeness.download_delay", "greater than or equal to 0"),
        ("    max_depth: 99\n", "max_depth", "less than or equal to 10"),
        ("    allow_privat: true\n", "allow_privat", "Extra inputs are not permitted"),
    ],
)
def test_a_typo_in_a_crawling_field_names_it(tmp_path: Path, extra: str, field: str, problem: str) -> None:
    path = write(tmp_path, extra)

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: source 'alpha', field {field}: ")
    assert problem in message


def test_a_start_url_must_be_absolute(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - name: alpha\n    start_urls: ['www.example.org/news']\n")

    with pytest.raises(ConfigError, match="field start_urls: .*not an absolute http"):
        load_sources(path)


def test_the_demo_site_crawl_features_are_off_by_default() -> None:
    site = generate_site(6, 1)

    assert site.crawl_features is None
    assert site.render("/robots.txt")[0] == 404
    assert site.render("/sitemap.xml")[0] == 404


def _get(url: str, headers: dict[str, str] | None = None):
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=10
        ) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_demo_site_serves_feeds_sitemaps_robots_and_conditional_gets() -> None:
    site = generate_site(9, 2, crawl_features=CrawlFeatures(page_size=2, crawl_delay=1.5))
    with DemoServer(site) as server:
        base = server.url
        every = {base + a.path for a in site.articles}

        status, _, robots = _get(base + "/robots.txt")
        assert status == 200
        assert b"Disallow: /private/" in robots and b"Crawl-delay: 1.5" in robots
        assert f"Sitemap: {base}/sitemap.xml".encode() in robots

        from_feeds = set()
        for path in ("/mfa/feed.rss", "/agency/feed.atom", "/daily/feed.rss"):
            status, _, body = _get(base + path)
            assert status == 200
            from_feeds |= set(feed_links(body, base + path))
        assert from_feeds == every

        kind, children = sitemap_entries(_get(base + "/sitemap.xml")[2], base + "/sitemap.xml")
        assert kind == "sitemapindex"
        from_sitemaps = set()
        for child in children:
            body = _get(child.url)[2]
            assert child.url.endswith("sections.xml") or body.startswith(b"\x1f\x8b")
            from_sitemaps |= {e.url for e in sitemap_entries(body, child.url)[1] if "/article/" in e.url}
        assert from_sitemaps == every

        assert (_get(base + "/mfa/page/2/")[0], _get(base + "/mfa/page/3/")[0]) == (200, 404)  # 3 per outlet
        status, headers, _ = _get(base + "/mfa/")
        assert _get(base + "/mfa/", {"If-None-Match": headers["ETag"]})[0] == 304
        assert _get(base + "/mfa/", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert _get(base + "/mfa/", {"If-None-Match": '"other"'})[0] == 200

        added = server.add_articles(2)
        assert [a.article_id for a in added] == [10, 11]
        assert server.site.articles[:9] == site.articles
        assert {e.path for e in server.log} >= {"/robots.txt", "/mfa/"}
        assert [e.status for e in server.log if e.path == "/mfa/"] == [200, 304, 304, 200]


def test_the_demo_site_traps() -> None:
    features = CrawlFeatures(traps=True, slow_seconds=0.1, oversize_bytes=50_000, retry_after_seconds=2)
    with DemoServer(generate_site(3, 1, crawl_features=features)) as server:
        base = server.url
        assert _get(base + TRAPS["missing"])[0] == 404
        assert _get(base + TRAPS["error"])[0] == 500
        status, headers, _ = _get(base + TRAPS["busy"])
        assert (status, headers["Retry-After"]) == (429, "2")
        assert _get(base + TRAPS["busy"])[0] == 200
        assert len(_get(base + TRAPS["huge"])[2]) >= 50_000
        assert _get(base + TRAPS["binary"])[1]["Content-Type"] == "application/pdf"
        request = urllib.request.Request(base + TRAPS["loop"])
        with pytest.raises(urllib.error.HTTPError, match="redirect"):
            urllib.request.urlopen(request, timeout=10)
        assert gzip.decompress(_get(base + "/sitemaps/mfa.xml.gz")[2]).startswith(b"<?xml")
