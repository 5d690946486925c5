"""The demo site's /js/ section: article links and article text that exist only once a script has run.

The listing at /js/ is an empty list that a script fills from /js/articles.json; each article page is an
empty `<article>` that a script writes from a JSON blob in the page. A crawler that does not run scripts
finds no article on the listing, and no text on an article page (reached through /js/sitemap.xml).
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.demosite.site import DemoArticle

SECTION = "/js/"
LISTING_PATH = "/js/"
LISTING_DATA_PATH = "/js/articles.json"
SITEMAP_PATH = "/js/sitemap.xml"
HANGING_SCRIPT_PATH = "/js/hang.js"
# Longer than any navigation timeout a test gives the browser: the page's load event never comes in time.
HANG_SECONDS = 10.0
# Pages that fail to render, each listed with the articles (only with `traps=True`): path -> kind.
TRAPS = {
    "/js/article/broken-script.html": "script_error",
    "/js/article/hanging-script.html": "hangs",
}
HTML_CONTENT_TYPE = "text/html; charset=utf-8"

_FILL_LISTING = """
fetch("/js/articles.json").then((answer) => answer.json()).then((items) => {
  const list = document.getElementById("article-list");
  for (const item of items) {
    const link = document.createElement("a");
    link.className = "article-link";
    link.href = item.path;
    link.textContent = item.title;
    const entry = document.createElement("li");
    entry.appendChild(link);
    list.appendChild(entry);
  }
});
"""

_WRITE_ARTICLE = """
const data = JSON.parse(document.getElementById("article-data").textContent);
const article = document.getElementById("article");
const title = document.createElement("h1");
title.className = "article-title";
title.textContent = data.title;
const meta = document.createElement("div");
meta.className = "article-meta";
meta.textContent = "Date: " + data.date + " | Source: " + data.source;
const body = document.createElement("div");
body.className = "article-body";
for (const text of data.paragraphs) {
  const paragraph = document.createElement("p");
  paragraph.textContent = text;
  body.appendChild(paragraph);
}
article.append(title, meta, body);
"""


@dataclass(frozen=True)
class ScriptedSection:
    """The /js/ section: its articles (ground truth for tests) and, with `traps`, pages that never render."""

    source_name: str
    articles: tuple[DemoArticle, ...]
    traps: bool = False

    @property
    def trap_paths(self) -> dict[str, str]:
        return dict(TRAPS) if self.traps else {}

    def render(self, path: str) -> tuple[int, str, bytes] | None:
        """(status, content_type, body) for a path of the section; None for a path it does not serve."""
        if path == LISTING_PATH:
            return _ok(self._listing())
        if path == LISTING_DATA_PATH:
            return 200, "application/json", json.dumps(self._listed()).encode("utf-8")
        if path == SITEMAP_PATH:
            return 200, "application/xml; charset=utf-8", self._sitemap().encode("utf-8")
        article = self._by_path.get(path)
        if article is not None:
            return _ok(self._article(article))
        kind = self.trap_paths.get(path)
        if kind is not None:
            return _ok(_trap_page(kind))
        if path == HANGING_SCRIPT_PATH and self.traps:
            time.sleep(HANG_SECONDS)
            return 200, "text/javascript", b"document.title = 'too late';"
        return None

    @property
    def _by_path(self) -> dict[str, DemoArticle]:
        return {article.path: article for article in self.articles}

    def _listed(self) -> list[dict[str, str]]:
        newest = sorted(self.articles, key=lambda a: (a.published, a.article_id), reverse=True)
        items = [{"path": a.path, "title": a.title, "date": a.published.isoformat()} for a in newest]
        items += [{"path": path, "title": kind, "date": ""} for path, kind in self.trap_paths.items()]
        return items

    def _listing(self) -> str:
        name = html.escape(self.source_name)
        return _page(
            f"{self.source_name} | Latest",
            f'<nav class="site-nav"><a href="/">Home</a> <a href="{LISTING_PATH}">{name}</a></nav>\n'
            f'<main class="listing">\n<h1 class="listing-title">{name}</h1>\n'
            '<ul id="article-list" class="article-list"></ul>\n</main>\n'
            f"<script>{_FILL_LISTING}</script>",
        )

    def _sitemap(self) -> str:
        urls = [a.path for a in self.articles] + list(self.trap_paths)
        entries = "\n".join(f"  <url><loc>{html.escape(url)}</loc></url>" for url in urls)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}\n</urlset>\n"
        )

    def _article(self, article: DemoArticle) -> str:
        data = {
            "title": article.title,
            "date": article.published.strftime("%d/%m/%Y"),
            "source": self.source_name,
            "paragraphs": list(article.paragraphs),
        }
        # `</` never appears inside the blob, so no text of it can close its script element.
        blob = json.dumps(data).replace("</", "<\\/")
        name = html.escape(self.source_name)
        return _page(
            f"{article.title} | {self.source_name}",
            f'<nav class="site-nav"><a href="/">Home</a> <a href="{LISTING_PATH}">{name}</a></nav>\n'
            '<article class="article" id="article"></article>\n'
            f'<script id="article-data" type="application/json">{blob}</script>\n'
            f"<script>{_WRITE_ARTICLE}</script>",
        )


def _trap_page(kind: str) -> str:
    if kind == "script_error":
        script = (
            "<script>const data = null; document.getElementById('article').textContent = data.text;</script>"
        )
    else:
        script = f'<script src="{HANGING_SCRIPT_PATH}"></script>'
    return _page(kind, f'<article class="article" id="article"></article>\n{script}')


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f"<body>\n{body}\n<footer>© Demo site</footer>\n</body></html>\n"
    )


def _ok(page: str) -> tuple[int, str, bytes]:
    return 200, HTML_CONTENT_TYPE, page.encode("utf-8")
