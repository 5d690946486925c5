"""Demo-site edits for revision tests: edit a paragraph or headline; delete, unlist or restore an article."""

from __future__ import annotations

import dataclasses

from newsdesk.demosite.site import DemoArticle, DemoSite


def _article(site: DemoSite, article_id: int) -> DemoArticle:
    for article in site.articles:
        if article.article_id == article_id:
            return article
    raise KeyError(f"no article {article_id} on the demo site")


def _replaced(site: DemoSite, article: DemoArticle) -> DemoSite:
    articles = tuple(article if a.article_id == article.article_id else a for a in site.articles)
    # A new site object: its cached listings and paths are built afresh from the edited articles.
    return dataclasses.replace(site, articles=articles)


def with_paragraph(site: DemoSite, article_id: int, index: int, text: str) -> DemoSite:
    """The site with paragraph `index` (0-based) of one article replaced; its address stays the same."""
    article = _article(site, article_id)
    paragraphs = list(article.paragraphs)
    paragraphs[index] = text
    return _replaced(site, dataclasses.replace(article, paragraphs=tuple(paragraphs)))


def with_title(site: DemoSite, article_id: int, title: str) -> DemoSite:
    """The site with one article's headline changed; its address (and slug) stays the same."""
    return _replaced(site, dataclasses.replace(_article(site, article_id), title=title))


def without_article(site: DemoSite, article_id: int) -> tuple[DemoSite, DemoArticle]:
    """The site with one article taken down (gone from its page, listings, feeds and sitemaps)."""
    article = _article(site, article_id)
    kept = tuple(a for a in site.articles if a.article_id != article_id)
    return dataclasses.replace(site, articles=kept), article


def with_article(site: DemoSite, article: DemoArticle) -> DemoSite:
    """The site with a taken-down article back in its place."""
    articles = sorted((*site.articles, article), key=lambda a: a.article_id)
    return dataclasses.replace(site, articles=tuple(articles))


def with_listing(site: DemoSite, article_id: int, listed: bool) -> DemoSite:
    """The site with one article left out of (or back in) every listing, feed and sitemap; its page stays."""
    _article(site, article_id)
    unlisted = site.unlisted - {article_id} if listed else site.unlisted | {article_id}
    return dataclasses.replace(site, unlisted=frozenset(unlisted))
