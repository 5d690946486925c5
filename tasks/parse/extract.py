"""Extraction outside the seed layout: source hints, structured data, then trafilatura and htmldate."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html
import trafilatura
from htmldate import find_date

from newsdesk.kernel.messages import RelatedItem
from newsdesk.kernel.sources import ExtractionHints
from newsdesk.kernel.sources import compile_selector as _compile
from tasks.parse import titles
from tasks.parse.dates import (
    DateReading,
    date_from_url,
    day_first_for,
    in_source_zone,
    parse_date,
    publisher_day,
    same_moment_elsewhere,
    states_offset,
)
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
# Measured on the real-pages corpus (benchmarks/extraction); see README, "Parsing".
DATE_ORDER = ("structured", "url", "time_element", "htmldate")
TITLE_STRATEGY = "heading"
# The date written under the headline, when it names another day than the chain's, is the one readers see.
BYLINE_DATE = True
BYLINE_CHARS = 400
# A date beside the byline's has at most a short label before it ("Updated: "); more is a sentence.
SIDE_LABEL_CHARS = 15
# Longer text is a sentence of the article, whose dates are events, not the article's own.
BYLINE_PIECE_CHARS = 80
# Words before a date that make it the date of a change ("Update vom 3. Mai", "Zuletzt aktualisiert:").
UPDATE_LABEL = re.compile(
    r"updat|aktualisier|geändert|änderung|mis à jour|modifi|actualiza|aggiorna|bearbeitet|edited|revised",
    re.I,
)
# Words before a date that make it the publication date ("Erschienen am: 01.11.2023", "Published on").
PUBLISHED_LABEL = re.compile(
    r"\b(?:published|posted|erschienen|veröffentlicht|erstellt|publiziert|publié|publicado|pubblicato"
    r"|publicerad|julkaistu|gepubliceerd)\b",
    re.I,
)
# A date a label anywhere in the text calls the publication date, when it names another day than the chain.
LABELLED_DATE = True
FIRST_DIGIT = re.compile(r"\d")
UNREAD = {"script", "style", "noscript", "template", "svg"}
# htmldate's extensive search hands free text to dateparser: seconds for the first page a process sees
# (dateparser loads its languages), then tens of milliseconds at worst; it finds dates the fast pass misses.
HTMLDATE_EXTENSIVE = True
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
    declared_article: bool = False


def clean(text: str | None) -> str:
    r"""Whitespace collapsed to single spaces, none at either end.

    str.split() splits at exactly the characters `\s` matches, several times faster than re.sub: this
    runs on every piece of text a page's parse reads.
    """
    return " ".join((text or "").split())


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


def source_timezone(hints: ExtractionHints) -> dt.tzinfo:
    if not hints.timezone:
        return dt.UTC
    try:
        return ZoneInfo(hints.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


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
    }


# --- title

# Text of a heading as read: no inline styles or scripts, no ruby annotations (furigana) over the characters.
HEADING_TEXT = lxml.etree.XPath(
    ".//text()[not(ancestor::style) and not(ancestor::script) and not(ancestor::rt) and not(ancestor::rp)]"
)


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
    return titles.choose_title(headings, page_titles, site, strategy or TITLE_STRATEGY)


# Longer link text to the home page is a sentence or a teaser, not the site's name.
MAX_HOME_LINK_CHARS = 40


def _home_link_names(root: lxml.html.HtmlElement, url: str) -> set[str]:
    """The words of links to the site's own home page (its logo's alt text when the link has no words)."""
    host = (urlsplit(url).hostname or "").lower()
    names = set()
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        # "/", or "https://host/" with no path, query or fragment; no parsing of hundreds of other links
        if href not in ("/", "./") and href.partition("//")[2].rstrip("/").lower() != host:
            continue
        text = (
            clean(anchor.text_content()) or " ".join(clean(i.get("alt")) for i in anchor.iter("img")).strip()
        )
        if 0 < len(text) <= MAX_HOME_LINK_CHARS:
            names.add(text)
    return names


# Fewer words make a section's label ("News", "Security Blog"), not a headline.
MIN_SUBHEADING_WORDS = 3


def _first_subheading(root: lxml.html.HtmlElement) -> list[titles.Heading]:
    """A page without an <h1> headline sets its title as the first <h2> outside page chrome, if any (one
    hidden from view, or the site's logo, is none)."""
    for h2 in root.iter("h2"):
        if _in_chrome(h2) or not _is_headline(h2):
            continue
        heading = _heading(h2)
        if heading.text:
            return [heading] if len(heading.text.split()) >= MIN_SUBHEADING_WORDS else []
    return []


# --- dates


def _read_date(text: str | None, fetched_at: str, hints: ExtractionHints) -> DateReading | None:
    if not text:
        return None
    return parse_date(text, fetched_at, day_first=day_first_for(hints.date_locale), tz=source_timezone(hints))


def _time_element_date(root: lxml.html.HtmlElement) -> str | None:
    for xpath in (
        "//*[@itemprop='datePublished']/@content",
        "//*[@itemprop='datePublished']/@datetime",
        "//time[@pubdate]/@datetime",
        "//article//time/@datetime",
        # Last, any <time> outside page chrome: a masthead's clock or a footer's is not the article's date.
        "//time[not(ancestor::header or ancestor::footer or ancestor::nav or ancestor::aside)]/@datetime",
    ):
        found = root.xpath(xpath)
        if found:
            return found[0]
    return None


TIMESTAMPS = lxml.etree.XPath(
    "//time/@datetime | //*[@itemprop='datePublished']/@content | //*[@itemprop='datePublished']/@datetime"
)


def _htmldate(root: lxml.html.HtmlElement, url: str) -> str | None:
    try:
        return find_date(
            root, url=url, original_date=True, extensive_search=HTMLDATE_EXTENSIVE, outputformat="%Y-%m-%d"
        )
    except (ValueError, TypeError, lxml.etree.LxmlError):
        return None


def choose_published(
    root, data: dict[str, Any], url: str, fetched_at: str, hints: ExtractionHints, headline: str | None = None
):
    """(reading, method): the first of DATE_ORDER that yields a plausible date, unless the date written
    under the `headline` (`_byline_date`), or else one labelled as the publication (`_labelled_date`),
    names another day: readers see that one.

    A UTC timestamp from the page's own markup takes the offset the page writes it with elsewhere, the
    source's own time zone when the registry names one, or else the day in the URL when some time zone was
    living that day at that moment (`publisher_day`); a timestamp written without a zone takes, the same
    way, the one day the metadata states without a time.
    """
    finders = {
        "structured": lambda: data["published"],
        "time_element": lambda: _time_element_date(root),
        "htmldate": lambda: _htmldate(root, url),
    }
    chosen, chosen_method = None, None
    for method in DATE_ORDER:
        if method == "url":
            reading = date_from_url(url, fetched_at)
        else:
            reading = _read_date(finders[method](), fetched_at, hints)
        if reading is not None and reading.value is not None:
            if method in ("structured", "time_element"):
                reading = _with_publisher_offset(reading, root, data, fetched_at, hints)
                reading = in_source_zone(reading, source_timezone(hints))
                day_stated = date_from_url(url, fetched_at)
                if day_stated is None and not states_offset(reading.raw):
                    day_stated = _date_only_statement(data, fetched_at, hints)
                reading = publisher_day(reading, day_stated)
            chosen, chosen_method = reading, method
            break
    site = SiteName(data["site_names"], url)
    published_day = _day(chosen) if chosen is not None else None
    byline = (
        _byline_date(root, headline, site, fetched_at, hints, published_day)
        if BYLINE_DATE and headline
        else None
    )
    if byline is not None and (chosen is None or _day(byline) != _day(chosen)):
        return byline, "byline"
    labelled, is_update = None, False
    if LABELLED_DATE and byline is None:
        labelled, is_update = _labelled_date(root, fetched_at, hints)
    # An update's date stands against htmldate's guess, not against a date the page's markup states.
    if is_update and chosen_method not in (None, "htmldate"):
        labelled = None
    if labelled is not None and (chosen is None or _day(labelled) != _day(chosen)):
        return labelled, "labelled"
    return chosen, chosen_method


def _with_publisher_offset(reading: DateReading, root, data: dict[str, Any], fetched_at: str, hints):
    """A UTC timestamp the page also writes with its own offset (`<time>`, itemprop, meta): that one."""
    if not isinstance(reading.value, dt.datetime) or reading.value.utcoffset() != dt.timedelta(0):
        return reading
    for text in [*data["published_all"], *TIMESTAMPS(root)]:
        other = _read_date(str(text), fetched_at, hints)
        if other is not None and same_moment_elsewhere(reading, other):
            return other
    return reading


def _date_only_statement(data: dict[str, Any], fetched_at: str, hints) -> DateReading | None:
    """The day the page's metadata states as the publication's without a time, when it states one day: the
    day of a timestamp written without an offset, whose zone nobody knows."""
    readings = [_read_date(text, fetched_at, hints) for text in data["published_all"]]
    days = [r for r in readings if r is not None and type(r.value) is dt.date]
    return days[0] if len({r.value for r in days}) == 1 else None


def _day(reading: DateReading) -> dt.date | None:
    value = reading.value
    return value.date() if isinstance(value, dt.datetime) else value


def _texts_after(element: lxml.html.HtmlElement, limit: int) -> Iterator[str]:
    """The pieces of visible text that follow `element` in the document, `limit` characters in all.

    Walks forward from the element (its tail, its following siblings' subtrees, then its parent's), not
    over the whole document.
    """
    size = 0
    for piece in _following_text(element):
        piece = clean(piece)
        if piece:
            yield piece
            size += len(piece)
            if size >= limit:
                return


def _following_text(element: lxml.html.HtmlElement) -> Iterator[str]:
    """Text and tails after `element` in document order, scripts and styles unread."""
    node = element
    while node is not None:
        yield node.tail or ""
        for sibling in node.itersiblings():
            for part in sibling.iter():
                if part is not sibling and _unread_inside(part, sibling):
                    continue
                if isinstance(part.tag, str) and part.tag not in UNREAD:
                    yield part.text or ""
                if part is not sibling:
                    yield part.tail or ""
            yield sibling.tail or ""
        node = node.getparent()


def _unread_inside(part: lxml.html.HtmlElement, top: lxml.html.HtmlElement) -> bool:
    """Whether a script, style or the like holds `part` (`top` included)."""
    while part is not top:
        part = part.getparent()
        if part.tag in UNREAD:
            return True
    return False


def _byline_date(
    root, headline: str, site: SiteName, fetched_at: str, hints, published_day: dt.date | None = None
) -> DateReading | None:
    """The date a reader sees under the headline: the first one in a short piece of text (a byline, a
    dateline, not a sentence of the article) after the <h1> that holds the article's title.

    Written out, not relative ("2 hours ago" says less than the metadata's timestamp). A date labelled as
    an update that falls before `published_day` is a live ticker's entry: nothing is updated before it
    appears. None when a second date right beside the first is `published_day`: the byline agrees.
    """
    written = [(h, clean("".join(HEADING_TEXT(h)))) for h in root.iter("h1")]
    h1 = next((h for h, text in written if titles.agrees(text, headline)), None)
    if h1 is None:
        h1 = next((h for h, text in written if text and not site.is_named_by(text)), None)
    if h1 is None:
        return None
    day_first, tz = day_first_for(hints.date_locale), source_timezone(hints)
    first = None
    for piece in _texts_after(h1, BYLINE_CHARS):
        if first is not None:
            # Two dates side by side, the second the metadata's day: the byline confirms the metadata.
            second = parse_date(piece, fetched_at, day_first=day_first, tz=tz, relative=False)
            beside = (
                second is not None and second.value is not None and len(_label_of(piece)) <= SIDE_LABEL_CHARS
            )
            return None if beside and published_day and _day(second) == published_day else first
        if len(piece) > BYLINE_PIECE_CHARS:
            continue
        reading = parse_date(piece, fetched_at, day_first=day_first, tz=tz, relative=False)
        if reading is None or reading.value is None:
            continue
        if published_day and _day(reading) < published_day and UPDATE_LABEL.search(_label_of(piece)):
            continue
        first = reading
    return first


def _label_of(piece: str) -> str:
    """The words before the first digit of a piece of text: what it says the date that follows is."""
    digit = FIRST_DIGIT.search(piece)
    return piece[: digit.start()] if digit else piece


# A publication label's stem (its first letter may be a capital) with a digit soon after it: found in the
# page's whole text in one pass, so that only the few pages with one are walked element by element.
LABEL_STEMS = (
    "ubli", "ubblicat", "osted", "rschienen", "eröffentlicht", "rstellt", "ulkaistu", "pdated", "ktualisiert",
)  # fmt: skip
LABEL_NEAR_DIGIT = re.compile(r"(?P<stem>" + "|".join(LABEL_STEMS) + r")[^\d]{0,25}\d")
BODY_TEXT = lxml.etree.XPath("string(//body)")
TEXTS_WITH = lxml.etree.XPath("//body//text()[contains(., $stem)]")
# More labelled dates than an article shows: a list of teasers.
MAX_LABELS = 20


def _labelled_date(root, fetched_at: str, hints) -> tuple[DateReading | None, bool]:
    """(reading, whether it dates an update): the date a label anywhere in the page's text calls the
    publication date ("Erschienen am: 01.11.2023", "Published on 3 May 2020"; the date may stand in the
    next element), written out; when no label names the publication, the date labelled as the update
    ("Updated June 13, 2019"), the only one the page shows.

    None when labels name several days: a list of teasers, each with its own date, dates no one article.
    """
    stems = {match["stem"] for match in LABEL_NEAR_DIGIT.finditer(BODY_TEXT(root))}
    if not stems:
        return None, False
    day_first, tz = day_first_for(hints.date_locale), source_timezone(hints)
    published: list[DateReading] = []
    updated: list[DateReading] = []
    for text in (text for stem in stems for text in TEXTS_WITH(root, stem=stem)):
        piece, holder = clean(text), text.getparent() if text.is_text else text.getparent().getparent()
        if len(piece) > BYLINE_PIECE_CHARS or holder is None or holder.tag in UNREAD:
            continue
        label = _label_of(piece)
        update = bool(UPDATE_LABEL.search(label))
        if not update and not PUBLISHED_LABEL.search(label):
            continue
        if label == piece and text.is_text:  # the label alone: its date is inside its element, or next
            whole = clean(holder.text_content())
            following = next((t for t in _following_text(holder) if t.strip()), "")
            piece = whole if piece != whole and len(whole) <= BYLINE_PIECE_CHARS else f"{piece} {following}"
        reading = parse_date(
            piece[:BYLINE_PIECE_CHARS], fetched_at, day_first=day_first, tz=tz, relative=False
        )
        if reading is not None and reading.value is not None:
            (updated if update else published).append(reading)
            if len({_day(r) for r in published}) > 1 or len(published) + len(updated) >= MAX_LABELS:
                return None, False  # teasers: a page of them is not read to its end
    found, is_update = (published, False) if published else (updated, True)
    return (found[0], is_update) if found and len({_day(r) for r in found}) == 1 else (None, False)


# --- links, images, related items


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
            reading = _read_date(date_text.replace(text, " "), fetched_at, hints) if date_text else None
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
    found.title = hinted_text(root, hints, "title") or choose_title(root, data, url)
    found.subtitle = hinted_text(root, hints, "subtitle") or data["subtitle"] or _subtitle(root)
    found.lead = hinted_text(root, hints, "lead") or data["description"]
    found.section = hinted_text(root, hints, "section") or data["section"]
    found.authors = hinted_texts(root, hints, "authors") or data["authors"]
    hinted_date = hinted_text(root, hints, "date")
    reading = _read_date(hinted_date, fetched_at, hints)
    if reading is not None and reading.value is not None:
        found.published, found.date_method = reading, "hint"
    else:
        found.published, found.date_method = choose_published(root, data, url, fetched_at, hints, found.title)
    found.updated = _read_date(data["updated"], fetched_at, hints)
    container = _main_container(root)
    found.images = _unique_images(data["images"] + figure_images(container, url), url)
    found.outlinks = outlinks(container, url)
    found.related = related_items(root, url, fetched_at, hints)
    bodies = hinted(root, hints, "body")
    if bodies:
        found.body, found.method = [p for b in bodies for p in _paragraphs_from(b)], "hints"
    else:
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
