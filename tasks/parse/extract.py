"""Extraction outside the seed layout: source hints, structured data, then trafilatura and htmldate."""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import trafilatura

from newsdesk.kernel.messages import RelatedItem
from newsdesk.kernel.sources import ExtractionHints
from newsdesk.kernel.sources import compile_selector as _compile
from tasks.parse import titles
from tasks.parse.dates import (
    DateReading,
)
from tasks.parse.page_dates import DateChoice, choose_published, read_date
from tasks.parse.text import HEADING_TEXT, clean, text_size
from tasks.parse.titles import SiteName

# trafilatura and htmldate log every page they find nothing in; the parse stage reports that itself.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.ERROR)

ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|WebPage|LiveBlogPosting|Posting", re.I)
PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "date", "pubdate", "publishdate", "publish-date", "publication_date", "dc.date", "dc.date.issued",
    "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date", "article.published",
    "citation_publication_date", "citation_date", "originalpublicationdate",
)  # fmt: skip
UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
SECTION_META = ("article:section", "section", "parsely-section", "category")
DESCRIPTION_META = ("og:description", "description", "twitter:description", "dc.description")
SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher")
CHROME = {"nav", "header", "footer", "aside", "script", "style", "noscript", "form"}
RELATED_BLOCK = re.compile(r"related|more-from|morefrom|read-more|readmore|recommended|also-read", re.I)
SUBTITLE_CLASS = re.compile(r"sub-?title|subhead|standfirst|dek\b|kicker|strapline|summary|teaser", re.I)
MIN_BODY_CHARS = 200
# A page that declares itself an article (og:type, JSON-LD) and is dated may be a short post, not a stub.
MIN_DECLARED_ARTICLE_CHARS = 80
INVISIBLE = ("style", "svg")
SCRIPTS_BUT_JSON_LD = lxml.etree.XPath("//script[not(@type='application/ld+json')]")
# Measured on the real-pages corpus (benchmarks/extraction).
TITLE_STRATEGY = "heading"
TRAFILATURA_OPTIONS = {"include_comments": False, "include_tables": True, "deduplicate": False}
MAX_IMAGES = 20
MAX_OUTLINKS = 300
MAX_RELATED = 30


@dataclass
class Extracted:
    """What the fallback chain found; `method` names what produced the body."""

    title: str = ""
    body: list[str] = field(default_factory=list)
    method: str = ""
    subtitle: str | None = None
    published: DateReading | None = None
    updated: DateReading | None = None
    authors: list[str] = field(default_factory=list)
    lead: str | None = None
    section: str | None = None
    site_name: str | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    outlinks: list[str] = field(default_factory=list)
    related: list[RelatedItem] = field(default_factory=list)
    date_method: str | None = None
    # Dates refused on the way and how a date was completed ("year_from_fetch_time"): the article's warnings.
    date_notes: list[str] = field(default_factory=list)
    declared_article: bool = False
    og_type: str | None = None
    declared_types: list[str] = field(default_factory=list)
    # The texts of the page's links, read before the body extractor prunes the tree: a body made of
    # them is a list of other pages (a hub, a tag page), not an article.
    link_texts: list[str] = field(default_factory=list)


def _in_chrome(element: lxml.html.HtmlElement) -> bool:
    return any(parent.tag in CHROME for parent in element.iterancestors())


# --- per-source hints

compile_selector = functools.lru_cache(maxsize=256)(_compile)


def hinted(root: lxml.html.HtmlElement, hints: ExtractionHints, name: str) -> list[lxml.html.HtmlElement]:
    expression = getattr(hints, name)
    if not expression:
        return []
    found = compile_selector(expression)(root)
    return [e for e in found if isinstance(e, lxml.html.HtmlElement)] if isinstance(found, list) else []


def hinted_texts(root: lxml.html.HtmlElement, hints: ExtractionHints, name: str) -> list[str]:
    expression = getattr(hints, name)
    if not expression:
        return []
    found = compile_selector(expression)(root)
    values = found if isinstance(found, list) else [found]
    texts = [clean(v.text_content() if isinstance(v, lxml.html.HtmlElement) else str(v)) for v in values]
    return list(dict.fromkeys(t for t in texts if t))


def hinted_text(root: lxml.html.HtmlElement, hints: ExtractionHints, name: str) -> str | None:
    texts = hinted_texts(root, hints, name)
    return texts[0] if texts else None


# --- structured data: JSON-LD, OpenGraph and meta tags


def _json_ld_objects(root: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, RecursionError):
            continue
        stack = [data]
        while stack and len(objects) < 50:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
                if isinstance(item.get("mainEntity"), dict):
                    stack.append(item["mainEntity"])
    return objects


def _kind(obj: dict[str, Any]) -> str:
    value = obj.get("@type", "")
    return " ".join(value) if isinstance(value, list) else str(value)


def _is_article(obj: dict[str, Any]) -> bool:
    return bool(ARTICLE_TYPES.search(_kind(obj))) and not re.search("Page$", _kind(obj))


def _article_object(objects: list[dict[str, Any]]) -> dict[str, Any]:
    ranked = [o for o in objects if _is_article(o)]
    pages = [o for o in objects if re.search("WebPage", _kind(o))]
    return (ranked or pages or [{}])[0]


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [clean(value)] if value.strip() and not value.startswith("http") else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _meta_values(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), []).append(clean(content))
    return values


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _text_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return clean(value) if isinstance(value, str) and value.strip() else None


def structured_data(root: lxml.html.HtmlElement) -> dict[str, Any]:
    """Fields named by JSON-LD first, then OpenGraph and meta tags."""
    objects = _json_ld_objects(root)
    obj = _article_object(objects)
    meta = _meta_values(root)
    images = []
    for image in obj.get("image") if isinstance(obj.get("image"), list) else [obj.get("image")]:
        if isinstance(image, str):
            images.append({"url": image, "caption": None})
        elif isinstance(image, dict) and isinstance(image.get("url"), str):
            images.append({"url": image["url"], "caption": _text_of(image.get("caption"))})
    images += [{"url": url, "caption": _first(meta, ("og:image:alt",))} for url in meta.get("og:image", [])]
    authors = _names(obj.get("author")) or [
        a for key in AUTHOR_META for value in meta.get(key, []) for a in _names(value)
    ]
    publisher = obj.get("publisher")
    return {
        "title": _text_of(obj.get("headline")) or _text_of(obj.get("name")),
        "og_titles": [t for key in ("og:title", "twitter:title", "dc.title") for t in meta.get(key, [])[:1]],
        "subtitle": _text_of(obj.get("alternativeHeadline")),
        "published": _text_of(obj.get("datePublished")) or _first(meta, PUBLISHED_META),
        # Every publication timestamp the page states, to find one written with the publisher's offset.
        "published_all": [_text_of(o.get("datePublished")) for o in objects if o.get("datePublished")]
        + [value for key in PUBLISHED_META for value in meta.get(key, [])],
        "updated": _text_of(obj.get("dateModified")) or _first(meta, UPDATED_META),
        "authors": list(dict.fromkeys(authors)),
        "section": _text_of(obj.get("articleSection")) or _first(meta, SECTION_META),
        "description": _text_of(obj.get("description")) or _first(meta, DESCRIPTION_META),
        "site_name": _text_of(publisher) if publisher else _first(meta, SITE_META),
        "site_names": [_text_of(publisher)] + [name for key in SITE_META for name in meta.get(key, [])],
        "images": images,
        "article_body": _text_of(obj.get("articleBody")),
        "declared_article": (_first(meta, ("og:type",)) or "").lower() == "article" or _is_article(obj),
        "og_type": _first(meta, ("og:type",)),
        "declared_types": list(dict.fromkeys(kind for o in objects if (kind := _kind(o))))[:8],
    }


# --- title

# A kicker (topic line) set in its own element inside an <h1>, above or before the headline proper.
KICKER_CLASS = re.compile(
    r"kicker|dachzeile|overline|topline|toptitle|roofline|eyebrow|supertitle|overtitle|pretitle|spitzmarke",
    re.I,
)
# Text a screen reader gets but nobody sees ("Headline:"), or a separator hidden from view.
HIDDEN_CLASS = re.compile(
    r"sr-only|visually-?hidden|screen-reader|(?<![\w-])(?:invisible|hidden)(?![\w-])", re.I
)
PUNCTUATION_ONLY = re.compile(r"^[\W_]*$")


def _heading(h1: lxml.html.HtmlElement) -> titles.Heading:
    """An <h1>'s visible headline: without a kicker set in its own element, nor text hidden from view.

    A punctuation-only element hidden from view (" – " with aria-hidden or a hidden class) separates a
    kicker from the headline: what comes before it is the kicker.
    """
    pieces: list[tuple[str, lxml.html.HtmlElement]] = []
    for text in HEADING_TEXT(h1):
        holder = text.getparent()
        if text.is_tail:
            holder = holder.getparent()
        pieces.append((str(text), holder))
    kept: list[tuple[str, lxml.html.HtmlElement]] = []
    for text, holder in pieces:
        marks = _elements_between(holder, h1)
        hidden = any(HIDDEN_CLASS.search(e.get("class", "")) or e.get("aria-hidden") == "true" for e in marks)
        if hidden and PUNCTUATION_ONLY.match(text) and text.strip() and kept:
            kept = []  # everything before a hidden separator is a kicker
            continue
        if hidden or any(KICKER_CLASS.search(e.get("class", "")) for e in marks):
            continue
        kept.append((text, holder))
    if not clean("".join(text for text, _ in kept)):
        kept = pieces
    whole = clean("".join(text for text, _ in kept))
    one_piece = len({id(holder) for text, holder in kept if text.strip()}) <= 1
    return titles.Heading(whole, _in_chrome(h1), one_piece)


def _elements_between(element: lxml.html.HtmlElement, top: lxml.html.HtmlElement) -> list:
    """`element` and its ancestors below `top`."""
    between = []
    while element is not None and element is not top:
        between.append(element)
        element = element.getparent()
    return between


# An <h1> that holds the site's logo or name (themes mark it so), not a headline.
SITE_HEADING = re.compile(r"logo|site-?title|site-?name|branding|brand\b", re.I)


def _is_headline(h1: lxml.html.HtmlElement) -> bool:
    """Not the site's logo or name (marked on the <h1> or on a link inside it), and not hidden from view
    (only screen readers get it)."""
    marks = " ".join(f"{e.get('class', '')} {e.get('id', '')}" for e in (h1, *h1.iter("a")))
    return not SITE_HEADING.search(marks) and not HIDDEN_CLASS.search(h1.get("class", ""))


def _headings(root: lxml.html.HtmlElement) -> list[titles.Heading]:
    """Each <h1>'s headline, whether it sits in page chrome (a header, a nav, an aside…), and whether it
    is one piece of text (no element inside it that could hold a kicker)."""
    return [_heading(h) for h in root.iter("h1") if _is_headline(h)]


def choose_title(
    root: lxml.html.HtmlElement, data: dict[str, Any], url: str, strategy: str | None = None
) -> str:
    """The <h1> the metadata agrees with, else a metadata title without the site name (tasks/titles.py).

    `strategy` names an alternative the benchmark measures against ("metadata" trusts the metadata first).
    """
    site = SiteName(data["site_names"], url).linked_home_as(_home_link_names(root, url))
    page_titles = [data["title"], *data["og_titles"], clean(root.findtext(".//title"))]
    headings = [h for h in _headings(root) if h.text] or _first_subheading(root)
    title = titles.choose_title(headings, page_titles, site, strategy or TITLE_STRATEGY)
    if not headings and (not title or site.is_named_by(title) or title in LOGO_NAMES(root)):
        # Only the site's name in <title>: a table-built page whose headline is in bold type.
        return titles.choose_title(_emphasised_headline(root), page_titles, site, strategy or TITLE_STRATEGY)
    return title


# Longer link text to the home page is a sentence or a teaser, not the site's name.
MAX_HOME_LINK_CHARS = 40


# A link to a site's home page: "/", or an address with no path but an index page ("http://www.people.com.cn/",
# "//news.cn/index.htm"), compared by the domain its owner registered (a section's host links to the whole).
HOME_ADDRESS = re.compile(r"^(?:https?:)?//([^/?#]+?)(?::\d+)?/?(?:index\.[a-z]+)?$", re.I)


def _home_link_names(root: lxml.html.HtmlElement, url: str) -> set[str]:
    """The words of links to the site's own home page (its logo's alt text when the link has no words)."""
    site = titles.registered_domain((urlsplit(url).hostname or "").lower())
    names = set()
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        # no parsing of hundreds of other links: only an address with nothing after its host is read
        home = HOME_ADDRESS.match(href)
        if href not in ("/", "./") and not (home and titles.registered_domain(home.group(1)) == site):
            continue
        text = (
            clean(anchor.text_content()) or " ".join(clean(i.get("alt")) for i in anchor.iter("img")).strip()
        )
        if 0 < len(text) <= MAX_HOME_LINK_CHARS:
            names.add(text)
    return names


# Fewer words make a section's label ("News", "Security Blog"), not a headline.
MIN_SUBHEADING_WORDS = 3


# Bold or large type, or an element whose class names a headline, not inside a link.
EMPHASISED = lxml.etree.XPath(
    "//body//*[(self::b or self::strong or self::font[@size]"
    " or contains(@class, 'tit') or contains(@class, 'headline') or contains(@class, 'subject'))"
    " and not(ancestor-or-self::a)]"
)
MIN_HEADLINE_SIZE = 16
# What a site's logo image says: its name.
LOGO_NAMES = lxml.etree.XPath(
    "//body//img[contains(@src, 'logo') or contains(@class, 'logo')"
    " or ancestor::*[contains(@class, 'logo')]]/@alt"
)
MAX_HEADLINE_CHARS = 200


def _first_subheading(root: lxml.html.HtmlElement) -> list[titles.Heading]:
    """A page without an <h1> headline sets its title as the first <h2> outside page chrome, if any (one
    hidden from view, or the site's logo, is none)."""
    for h2 in root.iter("h2"):
        if _in_chrome(h2) or not _is_headline(h2):
            continue
        heading = _heading(h2)
        if heading.text:
            return [heading] if _long_enough(heading.text) else []
    return []


def _long_enough(headline: str) -> bool:
    # Han, kana and Hangul headlines have few spaces: their size counts, not their words.
    return len(headline.split()) >= MIN_SUBHEADING_WORDS or text_size(headline) >= MIN_HEADLINE_SIZE


def _emphasised_headline(root: lxml.html.HtmlElement) -> list[titles.Heading]:
    """A page built of tables sets its headline in bold type or in a cell named for it
    (`<td class="tit"><font size="4"><b>…</b></font></td>`): the first such text outside page chrome and
    outside links."""
    for element in EMPHASISED(root):
        if _in_chrome(element):
            continue
        text = clean(element.text_content())
        if _long_enough(text) and len(text) <= MAX_HEADLINE_CHARS:
            return [titles.Heading(text, False, True)]
    return []


# --- dates


def _main_container(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for xpath in ("//article", "//main", "//*[@role='main']", "//body"):
        found = root.xpath(xpath)
        if found:
            return max(found, key=lambda e: len(e.text_content())) if xpath == "//article" else found[0]
    return root


def outlinks(container: lxml.html.HtmlElement, base_url: str) -> list[str]:
    if container.tag in CHROME or _in_chrome(container):
        return []
    # One pass over the chrome's links, not a walk up from every link.
    in_chrome = {anchor for part in container.iter(*CHROME) for anchor in part.iter("a")}
    links: dict[str, None] = {}
    for anchor in container.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or anchor in in_chrome:
            continue
        url = urljoin(base_url, href).split("#")[0]
        if urlsplit(url).scheme in ("http", "https") and url != base_url:
            links[url] = None
        if len(links) >= MAX_OUTLINKS:
            break
    return list(links)


def figure_images(container: lxml.html.HtmlElement, base_url: str) -> list[dict[str, Any]]:
    images = []
    for image in container.iter("img"):
        src = image.get("src") or image.get("data-src")
        if not src or src.startswith("data:") or _in_chrome(image):
            continue
        figure = next((p for p in image.iterancestors() if p.tag == "figure"), None)
        caption_element = figure.find(".//figcaption") if figure is not None else None
        caption = caption_element.text_content() if caption_element is not None else None
        images.append({"url": urljoin(base_url, src), "caption": clean(caption or image.get("alt")) or None})
        if len(images) >= MAX_IMAGES:
            break
    return images


def related_items(root: lxml.html.HtmlElement, base_url: str, fetched_at: str, hints) -> list[RelatedItem]:
    """Teasers in blocks marked as related / more-from, each once, with a date when one is beside it."""
    items: dict[str, RelatedItem] = {}
    blocks = hinted(root, hints, "related") if hints.related else None
    if blocks is None:
        blocks = [
            e
            for e in root.iter("section", "div", "aside", "ul")
            if RELATED_BLOCK.search(f"{e.get('class', '')} {e.get('id', '')}")
        ]
    for block in blocks:
        if any(parent in blocks for parent in block.iterancestors()):
            continue
        for anchor in block.iter("a"):
            text, href = clean(anchor.text_content()), anchor.get("href")
            if not text or not href or len(text) < 15:
                continue
            url = urljoin(base_url, href)
            if url in items:
                continue
            holder = anchor.getparent()
            date_text = clean(holder.text_content()) if holder is not None else ""
            reading = read_date(date_text.replace(text, " "), fetched_at, hints) if date_text else None
            date = reading.value.isoformat()[:10] if reading is not None and reading.value else None
            items[url] = RelatedItem(text=text, url=url, date=date)
            if len(items) >= MAX_RELATED:
                return list(items.values())
    return list(items.values())


# --- body


def _paragraphs_from(element: lxml.html.HtmlElement) -> list[str]:
    blocks = [clean(p.text_content()) for p in element.iter("p", "h2", "h3", "li", "blockquote")]
    blocks = [b for b in blocks if b]
    return blocks or [clean(element.text_content())]


def drop_invisible(root: lxml.html.HtmlElement) -> None:
    """Scripts (but JSON-LD, which trafilatura falls back on), styles and SVG icons; their tails kept.

    Not <noscript> or <template>: some pages keep their text there (trafilatura finds it; measured).
    """
    lxml.etree.strip_elements(root, *INVISIBLE, with_tail=False)
    for script in SCRIPTS_BUT_JSON_LD(root):
        script.drop_tree()


def trafilatura_body(root: lxml.html.HtmlElement, url: str) -> list[str]:
    """The main text as trafilatura finds it (comments left out), one paragraph per line it returns."""
    text = trafilatura.extract(root, url=url, with_metadata=False, **TRAFILATURA_OPTIONS)
    return [clean(line) for line in (text or "").split("\n") if clean(line)]


def extract_article(
    root: lxml.html.HtmlElement, url: str, fetched_at: str, hints: ExtractionHints | None = None
) -> Extracted:
    """Every field the chain can find; the tree is handed to trafilatura last, which prunes it."""
    hints = hints or ExtractionHints()
    data = structured_data(root)
    found = Extracted(site_name=data["site_name"], authors=data["authors"], section=data["section"])
    found.declared_article = data["declared_article"]
    found.og_type, found.declared_types = data["og_type"], data["declared_types"]
    found.title = hinted_text(root, hints, "title") or choose_title(root, data, url)
    found.subtitle = hinted_text(root, hints, "subtitle") or data["subtitle"] or _subtitle(root)
    found.lead = hinted_text(root, hints, "lead") or data["description"]
    found.section = hinted_text(root, hints, "section") or data["section"]
    found.authors = hinted_texts(root, hints, "authors") or data["authors"]
    hinted_date = hinted_text(root, hints, "date")
    reading = read_date(hinted_date, fetched_at, hints)
    if reading is not None and reading.value is not None:
        choice = DateChoice(reading, "hint")
    else:
        choice = choose_published(root, data, url, fetched_at, hints, found.title)
    found.published, found.date_method = choice.published, choice.method
    found.updated = read_date(data["updated"], fetched_at, hints) or choice.updated
    found.date_notes = choice.refused + [r.note for r in (found.published, found.updated) if r and r.note]
    container = _main_container(root)
    found.images = _unique_images(data["images"] + figure_images(container, url), url)
    found.outlinks = outlinks(container, url)
    found.related = related_items(root, url, fetched_at, hints)
    bodies = hinted(root, hints, "body")
    if bodies:
        found.body, found.method = [p for b in bodies for p in _paragraphs_from(b)], "hints"
    else:
        found.link_texts = link_texts(root)
        # Everything else is read: the body extractor never looks into scripts, styles or icons.
        drop_invisible(root)
        found.body, found.method = trafilatura_body(root, url), "trafilatura"
        if len(" ".join(found.body)) < MIN_BODY_CHARS and data["article_body"]:
            found.body, found.method = [data["article_body"]], "json_ld"
    # The headline is the title, not the body's first paragraph.
    headings = {found.title.casefold(), (found.subtitle or "").casefold()}
    while found.body and found.body[0].casefold() in headings:
        found.body = found.body[1:]
    return found


def link_texts(root: lxml.html.HtmlElement, shortest: int = 12) -> list[str]:
    """The distinct visible texts of the page's links, the short ones ("More", "Next") left out."""
    found = {}
    for anchor in root.iter("a"):
        if anchor.get("href") is None:
            continue
        text = clean(anchor.text_content())
        if len(text) >= shortest:
            found[text] = None
    return list(found)


def _subtitle(root: lxml.html.HtmlElement) -> str | None:
    for heading in root.iter("h1"):
        if _in_chrome(heading):
            continue
        following = heading.getnext()
        if following is not None and (
            following.tag == "h2" or SUBTITLE_CLASS.search(following.get("class", "") or "")
        ):
            text = clean(following.text_content())
            return text if 0 < len(text) < 400 else None
        return None
    return None


def _unique_images(images: list[dict[str, Any]], base_url: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for image in images:
        url = urljoin(base_url, image["url"].strip())
        if url not in seen or (image.get("caption") and not seen[url].get("caption")):
            seen[url] = {"url": url, "caption": image.get("caption")}
    return list(seen.values())[:MAX_IMAGES]
