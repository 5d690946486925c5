"""JavaScript rendering: the `render:` block, the Scrapy settings it adds, and what plain crawls keep."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crawler import rendering
from crawler.rendering import PLAYWRIGHT_HANDLER, RenderBudgetMiddleware, RenderBudgetSpent, render_meta
from crawler.run import scrapy_settings
from newsdesk.demosite.javascript import LISTING_DATA_PATH, SITEMAP_PATH, TRAPS
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import Render, describe_problems, get_source, load_sources

ROOT = Path(__file__).resolve().parents[2]
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def _registry(tmp_path: Path, render: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - name: alpha\n    start_urls: ['https://example.org/']\n"
        f"    article_pattern: '/news/'\n{render}"
    )
    return path


def test_render_is_off_unless_a_source_asks_for_it() -> None:
    sources = load_sources(ROOT / "sources.yaml")
    rendering_sources = {name for name, source in sources.items() if source.render is not None}
    assert rendering_sources == {"demo-js"}
    assert sources["demo-js"].render == Render(
        javascript="both",
        max_pages=500,
        timeout=20,
        concurrency=2,
        wait_for="#article-list a, .article-body p",
    )


@pytest.mark.parametrize(
    ("render", "field", "problem"),
    [
        ("    render: {javascript: everything}\n", "render.javascript", "'listings', 'articles' or 'both'"),
        ("    render: {max_pages: 10}\n", "render.javascript", "Field required"),
        ("    render: {javascript: both, max_pages: 0}\n", "render.max_pages", "greater than 0"),
        ("    render: {javascript: both, timeout: 0}\n", "render.timeout", "greater than 0"),
        ("    render: {javascript: both, concurrency: 99}\n", "render.concurrency", "less than or equal"),
        ("    render: {javascript: both, wait_for: 'a[['}\n", "render.wait_for", "not a CSS selector"),
        ("    render: {javascript: both, wait: 2}\n", "render.wait", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_render_block_names_its_field(tmp_path: Path, render: str, field: str, problem: str) -> None:
    path = _registry(tmp_path, render)

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: source 'alpha', field {field}: ")
    assert problem in message


def test_sources_check_warns_when_no_chromium_is_installed(tmp_path: Path, monkeypatch) -> None:
    source = get_source(_registry(tmp_path, "    render: {javascript: articles}\n"), "alpha")
    monkeypatch.setattr("shutil.which", lambda name: None)

    assert any("no chromium" in problem for problem in describe_problems(source))


def test_a_plain_source_keeps_scrapys_handler_and_the_asyncio_reactor(tmp_path: Path) -> None:
    source = get_source(_registry(tmp_path, ""), "alpha")

    settings = scrapy_settings(Settings(), source.max_pages, source)

    assert PLAYWRIGHT_HANDLER not in settings.getdict("DOWNLOAD_HANDLERS").values()
    assert not any(name.startswith("PLAYWRIGHT_") for name in settings.attributes)
    assert "crawler.rendering.RenderBudgetMiddleware" not in settings.getdict("DOWNLOADER_MIDDLEWARES")
    # The reactor scrapy-playwright needs is the one every crawl already runs on.
    assert settings.get("TWISTED_REACTOR") == ASYNCIO_REACTOR


def test_a_rendering_source_gets_the_browser_handler_its_limits_and_the_system_chromium(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/chromium" if name == "chromium" else None)
    source = get_source(
        _registry(tmp_path, "    render: {javascript: both, max_pages: 7, timeout: 4.5, concurrency: 3}\n"),
        "alpha",
    )

    settings = scrapy_settings(Settings(), source.max_pages, source)

    assert settings.getdict("DOWNLOAD_HANDLERS") == {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == "/usr/bin/chromium"
    assert settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") == 4500
    assert settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 3
    assert settings.getint("PLAYWRIGHT_MAX_CONTEXTS") == 1
    assert settings.getint("NEWSDESK_RENDER_MAX_PAGES") == 7
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    # Added to the project's middlewares, not in their place.
    assert "crawler.rendering.RenderBudgetMiddleware" in middlewares
    assert "crawler.politeness.SafetyMiddleware" in middlewares
    assert settings.get("TWISTED_REACTOR") == ASYNCIO_REACTOR


def test_a_rendering_crawl_without_chromium_stops_before_it_starts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    source = get_source(_registry(tmp_path, "    render: {javascript: both}\n"), "alpha")

    with pytest.raises(ConfigError, match="no chromium is installed: run `make services-install`"):
        scrapy_settings(Settings(), source.max_pages, source)


def test_only_the_pages_a_source_renders_are_sent_to_the_browser() -> None:
    listings = Render(javascript="listings")
    articles = Render(javascript="articles", wait_for=".article-body p")

    assert render_meta(None, "https://example.org/news/1", article=True) == {}
    assert render_meta(listings, "https://example.org/news/1", article=True) == {}
    assert render_meta(listings, "https://example.org/latest/", article=False) == {"playwright": True}
    # A feed, a sitemap or robots.txt would become the browser's viewer page: read as served.
    for url in (
        "https://example.org/sitemap.xml",
        "https://example.org/feed.rss",
        "https://example.org/robots.txt",
    ):
        assert render_meta(listings, url, article=False) == {}
    assert render_meta(articles, "https://example.org/latest/", article=False) == {}
    meta = render_meta(articles, "https://example.org/news/1", article=True)
    assert meta["playwright"] is True
    (wait,) = meta["playwright_page_methods"]
    assert (wait.method, wait.args) == (rendering.wait_for, (".article-body p", 30_000))


def test_the_render_budget_refuses_pages_past_it_and_lets_plain_ones_through() -> None:
    class Stats:
        def __init__(self) -> None:
            self.values: dict[str, int] = {}

        def inc_value(self, key: str, count: int = 1) -> None:
            self.values[key] = self.values.get(key, 0) + count

    class Request:
        def __init__(self, rendered: bool) -> None:
            self.meta = {"playwright": True} if rendered else {}

    stats = Stats()
    budget = RenderBudgetMiddleware(2, stats)

    for _ in range(5):
        assert budget.process_request(Request(rendered=False)) is None
    assert budget.process_request(Request(rendered=True)) is None
    assert budget.process_request(Request(rendered=True)) is None
    with pytest.raises(RenderBudgetSpent):
        budget.process_request(Request(rendered=True))
    assert stats.values == {"newsdesk/render/pages": 2, "newsdesk/render/over_budget": 1}


def test_a_plain_crawl_never_imports_playwright() -> None:
    code = (
        "import sys\n"
        "from crawler.run import scrapy_settings\n"
        "from crawler.spiders.news import NewsSpider\n"
        "from newsdesk.kernel.settings import Settings\n"
        "from newsdesk.kernel.sources import get_source\n"
        "source = get_source(Settings().sources_file, 'demo')\n"
        "scrapy_settings(Settings(), source.max_pages, source)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('playwright', 'scrapy_playwright'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})


def test_the_services_installer_installs_chromium_only_when_missing(monkeypatch) -> None:
    from newsdesk.localstack import services

    installed: list[str] = []
    monkeypatch.setattr(services, "_apt_install", installed.append)
    monkeypatch.setattr(services.shutil, "which", lambda name: "/usr/bin/chromium")
    assert services.ensure_chromium_installed() == "/usr/bin/chromium"
    assert installed == []

    found = iter([None, "/usr/bin/chromium"])
    monkeypatch.setattr(services.shutil, "which", lambda name: next(found))
    assert services.ensure_chromium_installed() == "/usr/bin/chromium"
    assert installed == ["chromium"]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode("utf-8")


def test_the_scripted_section_serves_nothing_to_read_without_its_scripts() -> None:
    site = generate_site(size=3, seed=1, javascript=4, javascript_traps=True)
    assert site.scripted is not None and len(site.scripted.articles) == 4
    assert all(article.path.startswith("/js/article/") for article in site.scripted.articles)
    assert not {a.path for a in site.scripted.articles} & {a.path for a in site.articles}

    with DemoServer(site) as server:
        listing = _get(server.url + "/js/")
        data = _get(server.url + LISTING_DATA_PATH)
        sitemap = _get(server.url + SITEMAP_PATH)
        article = site.scripted.articles[0]
        page = _get(server.url + article.path)

    assert "/js/article/" not in listing  # the links come from articles.json, read by a script
    assert all(a.path in data for a in site.scripted.articles) and all(path in data for path in TRAPS)
    assert all(a.path in sitemap for a in site.scripted.articles)
    # The text is in the page only as data for the script, inside a script element.
    assert "<p>" not in page and 'id="article-data"' in page
    assert page.index(article.paragraphs[0][:40]) > page.index("<script")


def test_the_scripted_section_is_off_by_default() -> None:
    site = generate_site(size=3, seed=1)
    assert site.scripted is None
    assert site.render("/js/")[0] == 404


def test_rendering_module_names_the_handler_scrapy_playwright_ships() -> None:
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    assert rendering.PLAYWRIGHT_HANDLER.rsplit(".", 1)[1] == ScrapyPlaywrightDownloadHandler.__name__
