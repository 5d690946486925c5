"""Article or not, decided on what the parse stage extracted from the page, never on its URL.

The evidence: the title, how much main text there is and how much of it is the text of links (a hub or a
tag page is a list of other pages' headlines), whether a date was found, and what the page declares about
itself (og:type, JSON-LD @type). What a page declares is weak evidence: real articles are marked
og:type "website" or "video.other", and a tag page can carry "article" from its theme.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tasks.parse.extract import MIN_BODY_CHARS, MIN_DECLARED_ARTICLE_CHARS, Extracted
from tasks.parse.text import text_size

# A body at least this much made of link texts lists other pages: teaser lists (headline links and one-line
# summaries) reach ~0.5. Of the 990 real pages, 988 articles stay below 0.34; the two above it declare
# themselves articles (a blog post of links at 0.75, a news article at 0.50), so a page that does is
# judged a list only when nearly all its text is links.
MAX_LINK_SHARE = 0.45
MAX_DECLARED_ARTICLE_LINK_SHARE = 0.85
# Or most of its paragraphs open with a link text: a list of teasers (headline linked, a summary after).
MIN_TEASERS = 5
TEASER_SHARE = 0.6
# JSON-LD types that describe a page of other pages.
LISTING_TYPES = ("CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage")


@dataclass(frozen=True)
class PageEvidence:
    """What the decision read, kept with the verdict so a "not an article" can be checked by a person."""

    has_title: bool
    # The body's size in Latin characters (`text_size`: Han, kana and Hangul count twice).
    body_chars: int
    link_share: float
    links_in_body: int
    dated: bool
    declared_article: bool
    og_type: str | None = None
    declared_types: tuple[str, ...] = ()
    paragraphs: int = 0
    link_led_paragraphs: int = 0

    def describe(self) -> str:
        parts = [
            f"{self.body_chars} characters of text",
            f"{self.link_share:.0%} of it link text ({self.links_in_body} links)",
            f"{self.link_led_paragraphs} of {self.paragraphs} paragraphs open with a link",
            "dated" if self.dated else "no date",
            f"og:type {self.og_type}" if self.og_type else "no og:type",
        ]
        if self.declared_types:
            parts.append("JSON-LD " + ", ".join(self.declared_types))
        if not self.has_title:
            parts.insert(0, "no title")
        return "; ".join(parts)


def body_link_share(paragraphs: list[str], link_texts: Iterable[str]) -> tuple[float, int, int]:
    """The share of the body's characters that are the text of some link on the page, how many links
    that is (each paragraph is charged with the link texts it contains, at most its own length), and how
    many paragraphs open with a link text (a teaser: the headline linked, a summary after it)."""
    links = sorted(set(link_texts), key=len, reverse=True)
    total = linked = count = led = 0
    for paragraph in paragraphs:
        total += len(paragraph)
        opening = paragraph.lstrip("-•*· ")
        charged = 0
        for text in links:
            if len(text) <= len(paragraph) and text in paragraph:
                charged += len(text)
                count += 1
                led += opening.startswith(text)
                if charged >= len(paragraph):
                    break
        linked += min(charged, len(paragraph))
    return (linked / total if total else 0.0), count, led


def evidence_of(found: Extracted) -> PageEvidence:
    share, links, led = body_link_share(found.body, found.link_texts)
    return PageEvidence(
        has_title=bool(found.title),
        body_chars=text_size("\n\n".join(found.body)),
        link_share=share,
        links_in_body=links,
        paragraphs=len(found.body),
        link_led_paragraphs=led,
        dated=found.published is not None,
        declared_article=found.declared_article,
        og_type=found.og_type,
        declared_types=tuple(found.declared_types),
    )


def not_an_article_because(evidence: PageEvidence) -> str | None:
    """None for an article; otherwise why not, in words that name the evidence."""
    if not evidence.has_title:
        return "no title"
    least = MIN_DECLARED_ARTICLE_CHARS if evidence.declared_article and evidence.dated else MIN_BODY_CHARS
    if evidence.body_chars < least:
        return f"too little text, fewer than {least} characters"
    most = MAX_DECLARED_ARTICLE_LINK_SHARE if evidence.declared_article else MAX_LINK_SHARE
    if evidence.link_share >= most:
        return "a list of links to other pages"
    if (
        not evidence.declared_article
        and evidence.link_led_paragraphs >= MIN_TEASERS
        and evidence.link_led_paragraphs >= TEASER_SHARE * evidence.paragraphs
    ):
        return "a list of teasers, each opening with a link"
    listing_type = next((t for t in evidence.declared_types if t in LISTING_TYPES), None)
    if listing_type and not evidence.declared_article and evidence.link_share >= MAX_LINK_SHARE / 2:
        return f"declares itself a {listing_type} and its text is mostly links"
    return None
