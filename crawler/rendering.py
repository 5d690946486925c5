"""JavaScript rendering for the sources that ask for it: a headless Chromium behind scrapy-playwright.

Only a crawl of a source with `render:` installs the Playwright download handler, and within it only the
requests marked by `render_meta` go through the browser: every other request (robots.txt, feeds,
sitemaps, and the pages the source does not render) keeps Scrapy's own HTTP handler.
"""

from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.sources import Render

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Pages a browser would show as something else than the document: an XML viewer for a feed or a sitemap,
# a text page for robots.txt. They are read as served.
UNRENDERED_SUFFIXES = (".xml", ".xml.gz", ".gz", ".rss", ".atom", ".rdf", "/robots.txt", ".json", ".txt")
# What a page does not need to be read: images, fonts and media cost the browser bandwidth and time.
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
# Chromium in a container or as root has no user namespace for its sandbox; the crawl process is the
# boundary there. /dev/shm is 64 MB in a default container, too small for Chromium's shared memory.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


class RenderBudgetSpent(IgnoreRequest):
    """Raised when a page would be rendered after the crawl's budget of rendered pages was spent."""


def find_chromium() -> str:
    """The path of Debian's `chromium`; ConfigError, naming the fix, when it is not installed."""
    found = shutil.which("chromium")
    if found is None:
        raise ConfigError(
            "this source renders JavaScript (render:) and no chromium is installed: "
            "run `make services-install` (or apt-get install chromium)"
        )
    return found


def render_settings(render: Render, chromium: str) -> dict[str, Any]:
    """The Scrapy settings a rendering crawl adds to the plain ones."""
    return {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True, "args": CHROMIUM_ARGS},
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": render.timeout * 1000,
        # One context, so the cap on pages per context caps the browser's pages.
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": render.concurrency,
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.rendering.skips_resource",
        "NEWSDESK_RENDER_MAX_PAGES": render.max_pages,
        "DOWNLOADER_MIDDLEWARES": {"crawler.rendering.RenderBudgetMiddleware": 120},
    }


def skips_resource(request) -> bool:
    """Whether the browser leaves a sub-resource of a rendered page unfetched (Playwright's request)."""
    return request.resource_type in SKIPPED_RESOURCES


def is_rendered_kind(url: str) -> bool:
    """Whether a discovery URL is a page a browser can render (not a feed, sitemap or robots.txt)."""
    return not urlsplit(url).path.lower().endswith(UNRENDERED_SUFFIXES)


def render_meta(render: Render | None, url: str, article: bool) -> dict[str, Any]:
    """The request meta that sends a page through the browser, or {} when it is fetched as served."""
    if render is None:
        return {}
    if article and not render.articles:
        return {}
    if not article and not (render.listings and is_rendered_kind(url)):
        return {}
    meta: dict[str, Any] = {"playwright": True}
    if render.wait_for:
        from scrapy_playwright.page import PageMethod

        meta["playwright_page_methods"] = [PageMethod(wait_for, render.wait_for, render.timeout * 1000)]
    return meta


async def wait_for(page, selector: str, timeout_ms: float) -> bool:
    """Wait until the page shows `selector`; False when it did not in time. The page is read either way:
    a page of another kind (a home page linked from a listing) shows what it has, and the parse stage
    judges an article whose script failed on its content."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_selector(selector, timeout=timeout_ms)
    except PlaywrightTimeout:
        return False
    return True


def waited_in_vain(request_meta: dict[str, Any]) -> bool:
    """Whether a rendered page was read without showing what its source waits for."""
    return any(method.result is False for method in request_meta.get("playwright_page_methods") or ())


class RenderBudgetMiddleware:
    """Counts the pages sent to the browser and refuses those past the crawl's budget."""

    def __init__(self, budget: int, stats) -> None:
        self.budget = budget
        self.stats = stats
        self.rendered = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("NEWSDESK_RENDER_MAX_PAGES"), crawler.stats)

    def process_request(self, request, spider=None):
        if not request.meta.get("playwright"):
            return None
        if self.rendered >= self.budget:
            self.stats.inc_value("newsdesk/render/over_budget")
            raise RenderBudgetSpent(f"the crawl's {self.budget} rendered pages are spent")
        self.rendered += 1
        self.stats.inc_value("newsdesk/render/pages")
        return None
