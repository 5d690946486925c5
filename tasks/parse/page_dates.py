"""Which of a page's dates is its publication date: structured data, the URL, <time>, the byline, labels.

Each candidate is read by `tasks.parse.dates`; this module chooses among them in the order measured best
on the real-pages corpus, and keeps a date only as precise as the page states it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html
from htmldate import find_date

from newsdesk.kernel.sources import ExtractionHints
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
from tasks.parse.text import HEADING_TEXT, clean
from tasks.parse.titles import SiteName

# Measured on the real-pages corpus (benchmarks/extraction); see README, "Parsing".
DATE_ORDER = ("structured", "url", "time_element", "htmldate")
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


def source_timezone(hints: ExtractionHints) -> dt.tzinfo:
    if not hints.timezone:
        return dt.UTC
    try:
        return ZoneInfo(hints.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def read_date(text: str | None, fetched_at: str, hints: ExtractionHints) -> DateReading | None:
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
            reading = read_date(finders[method](), fetched_at, hints)
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
        other = read_date(str(text), fetched_at, hints)
        if other is not None and same_moment_elsewhere(reading, other):
            return other
    return reading


def _date_only_statement(data: dict[str, Any], fetched_at: str, hints) -> DateReading | None:
    """The day the page's metadata states as the publication's without a time, when it states one day: the
    day of a timestamp written without an offset, whose zone nobody knows."""
    readings = [read_date(text, fetched_at, hints) for text in data["published_all"]]
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
