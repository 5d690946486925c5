"""Which of a page's dates is its publication date: structured data, the URL, <time>, the byline, labels.

Each candidate is read by `tasks.parse.dates`; this module chooses among them in the order measured best
on the real-pages corpus, and keeps a date only as precise as the page states it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html
from htmldate import find_date

from newsdesk.kernel.sources import ExtractionHints
from tasks.parse import titles
from tasks.parse.dates import (
    DAY_PATTERNS,
    LETTER,
    TIME_WORDS,
    DateReading,
    date_from_url,
    dateline_day,
    day_first_for,
    first_day_match,
    in_source_zone,
    month_day,
    normal_text,
    parse_date,
    publisher_day,
    same_moment_elsewhere,
    stated_year,
    states_offset,
    with_year,
)
from tasks.parse.text import HEADING_TEXT, clean, text_size
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
# A month or a year alone states a date only in a piece this short ("März 2023", "Juche 112"); in a longer
# one it is a sentence's ("the album out in August 2022").
COARSE_PIECE_CHARS = 40
# Parts of a byline set side by side: "Foreign Trade · Issue: March 2023", "By A. Writer | 3 May 2023".
SEPARATOR = re.compile(r"\s[·•|]\s")
# A date under the headline this long before the chain's is an event's, not the article's.
OVERRIDE_SPAN = dt.timedelta(days=10 * 366)
# What stands beside an article: its sidebar and menus.
BESIDE_TAGS = {"aside", "nav"}
# A page's frame above the article: the masthead, its clock ("Today is …"), the edition's date.
MASTHEAD_NAMES = re.compile(r"(?<![a-z])(?:today|edition|clock|date-?now)(?![a-z])", re.I)
# An agency dateline opens the article's first paragraph; the first few are looked at.
DATELINE_PARAGRAPHS = 5
DATELINE_SEARCH_CHARS = 1500
# A piece this large ending as a sentence ends is one ("Article paru le 23 août 2024." is a label's).
SENTENCE_ENDS = ("。", ".", "!", "?", "！", "？")
SENTENCE_SIZE = 30
# The lines right above a headline that may date it.
ABOVE_PIECES = 2
# Words before a date that make it the date of a change ("Update vom 3. Mai", "Zuletzt aktualisiert:",
# "Обновлено", "수정", "更新", "تحديث").
UPDATE_LABEL = re.compile(
    r"updat|aktualisier|geändert|änderung|mis à jour|modifi|actualiza|aggiorna|bearbeitet|edited|revised"
    r"|обновл|изменен|수정|업데이트|更新|修改|تحديث|تم التحديث|آخر تحديث",
    re.I,
)
# Words before a date that make it the publication date ("Erschienen am: 01.11.2023", "Published on",
# "Опубликовано", "입력", "发布时间", "公開", "نشر").
PUBLISHED_LABEL = re.compile(
    r"\b(?:published|posted|erschienen|veröffentlicht|erstellt|publiziert|publié|publicado|pubblicato"
    r"|publicerad|julkaistu|gepubliceerd|paru|parution|erschienen|опубликовано|опубликован|дата публикации"
    r"|год издания|издано|вышел)\b"
    r"|입력|등록|게재|발간|발행|发布|發布|發佈|发表|發表|出版|公開|配信|掲載|発行|نشر|تاريخ النشر|صدر",
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
    """A date the page states as one (metadata, a hint's element, a <time>): a month or a year alone is
    read as only that precise."""
    if not text:
        return None
    return _read(text, fetched_at, hints, coarse=True)


def _read(text: str, fetched_at: str, hints: ExtractionHints, *, coarse: bool, relative: bool = True):
    return parse_date(
        text,
        fetched_at,
        day_first=day_first_for(hints.date_locale),
        tz=source_timezone(hints),
        relative=relative,
        coarse=coarse,
        earliest=hints.founded,
    )


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


@dataclass
class DateChoice:
    """What a page says of its dates: the publication's and how it was found, an update the text states,
    and the dates refused on the way (in the future, before the source existed), with why."""

    published: DateReading | None = None
    method: str | None = None
    updated: DateReading | None = None
    refused: list[str] = field(default_factory=list)
    # A month and a day under the headline with no year ("03月21日10時30分"): (month, day, text).
    yearless: tuple[int, int, str] | None = None

    def refuse(self, method: str, reading: DateReading | None) -> None:
        if reading is not None and reading.value is None and reading.problem:
            self.refused.append(f"{reading.problem}: {reading.raw[:60]} ({method})")


def choose_published(
    root, data: dict[str, Any], url: str, fetched_at: str, hints: ExtractionHints, headline: str | None = None
) -> DateChoice:
    """The first of DATE_ORDER that yields a plausible date, unless the date written under the `headline`
    (`_byline_date`), or else one labelled as the publication (`_labelled_date`), names another day:
    readers see that one. A date labelled as an update is the update's, never the publication's, unless
    it is the only date the page shows. With no date but htmldate's guess, an agency dateline's day
    ("PYONGYANG, May 3 (KCNA) --") is the publication's.

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
    choice = DateChoice()
    chosen, chosen_method = None, None
    for method in DATE_ORDER:
        if method == "url":
            reading = date_from_url(url, fetched_at)
        else:
            reading = read_date(finders[method](), fetched_at, hints)
        choice.refuse(method, reading)
        if reading is None or reading.value is None:
            continue
        if method == "htmldate" and not _stated_by_page(reading, root):
            continue
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
    byline, byline_update = (
        _byline_date(
            root,
            headline,
            site,
            fetched_at,
            hints,
            published_day,
            choice,
            strict=chosen_method in (None, "htmldate"),
        )
        if BYLINE_DATE and headline
        else (None, None)
    )
    choice.updated = byline_update
    if byline is not None and chosen is not None and not _may_override(byline, chosen):
        byline = None
    if byline is not None and _stands_against(byline, chosen):
        choice.published, choice.method = byline, "byline"
        return choice
    if byline is None and byline_update is not None and chosen is None:
        # The only date under the headline is an update's: the nearest the page comes to its publication.
        choice.published, choice.method = byline_update, "byline"
        return choice
    labelled, is_update = None, False
    if LABELLED_DATE and byline is None:
        labelled, is_update = _labelled_date(root, fetched_at, hints, choice)
    if is_update:
        choice.updated = choice.updated or labelled
    # An update's date stands against htmldate's guess, not against a date the page's markup states.
    if is_update and chosen_method not in (None, "htmldate"):
        labelled = None
    if labelled is not None and chosen is not None and not _may_override(labelled, chosen):
        labelled = None
    if labelled is not None and _stands_against(labelled, chosen):
        choice.published, choice.method = labelled, "labelled"
        return choice
    if byline is None and (chosen is None or chosen_method == "htmldate"):
        above = _date_above(root, headline, site, fetched_at, hints)
        if above is not None and _stands_against(above, chosen):
            choice.published, choice.method = above, "above"
            return choice
    if chosen is None or chosen_method == "htmldate":
        dateline = _dateline_date(root, url, chosen, fetched_at, hints, choice.yearless, headline, site)
        if dateline is not None and _stands_against(dateline, chosen):
            choice.published, choice.method = dateline, "dateline"
            return choice
    choice.published, choice.method = chosen, chosen_method
    return choice


def _may_override(stated: DateReading, chosen: DateReading) -> bool:
    """Whether a date read in the page's text may stand against the chain's: only one that names a day,
    and not one decades before it (a birth date in an encyclopedia's card, a founding year). A month or a
    year alone under a headline is as often a report's period ("Januar 2022") or a volume's year."""
    if stated.coarse:
        return False
    return _day(stated) >= _day(chosen) - OVERRIDE_SPAN


def _stands_against(stated: DateReading, chosen: DateReading | None) -> bool:
    """Whether a date the page's text states replaces the chain's: when there is none, when they disagree,
    or when the text is more precise (a day under the headline, the metadata a year)."""
    return chosen is None or not _agree(stated, chosen) or _rank(stated) < _rank(chosen)


def _agree(stated: DateReading, chosen: DateReading) -> bool:
    """Whether two readings name the same day, or one's month or year holds the other's day."""
    if stated.coarse or chosen.coarse:
        coarser, finer = (stated, chosen) if _rank(stated) >= _rank(chosen) else (chosen, stated)
        return coarser.holds(_day(finer))
    return _day(stated) == _day(chosen)


def _rank(reading: DateReading) -> int:
    return {"month": 1, "year": 2}.get(reading.coarse or "", 0)


def _stated_by_page(reading: DateReading, root) -> bool:
    """htmldate's date, unless the page's text states that day only in a masthead's clock ("Today is
    …"), or it is a 1 January the page never writes: htmldate fills a year it found alone (a copyright
    line) with January 1, a day no one stated; nor one stated only in an <aside> or a <nav> (dated
    teasers). Elsewhere in a page's frame (a footer, a sidebar by its class, comments) the real-pages
    corpus often dates the article by what htmldate found there, so those stand."""
    day = _day(reading)
    places = [(element, written) for element, found, written in _days_in_text(root) if found == day]
    if not places:
        return (day.month, day.day) != (1, 1)
    return not all(
        _in_masthead_clock(element) or _in_side_tag(element) or _in_teaser_link(element, written)
        for element, written in places
    )


def _in_teaser_link(element, written: str) -> bool:
    """Whether a date is part of a teaser's link (`_teaser_link`)."""
    link = next((h for h in (element, *element.iterancestors()) if h.tag == "a"), None)
    return link is not None and _teaser_link(link)


def _in_side_tag(element) -> bool:
    """Whether an element sits in an <aside> or a <nav>: teasers and menus beside the article."""
    return any(holder.tag in BESIDE_TAGS for holder in (element, *element.iterancestors()))


def _days_in_text(root) -> Iterator[tuple[lxml.html.HtmlElement, dt.date, str]]:
    """(the element holding it, the day, as written) for each date written out in the page's visible
    text."""
    for text in DATED_TEXTS(root):
        holder = text.getparent() if text.is_text else text.getparent().getparent()
        if holder is None or holder.tag in UNREAD:
            continue
        normal = normal_text(str(text))
        for pattern in DAY_PATTERNS:
            for match in pattern.finditer(normal):
                found = parse_date(match.group(0), relative=False)
                if found is not None and found.value is not None:
                    yield holder, _day(found), match.group(0)


def _dateline_date(
    root, url: str, chosen, fetched_at: str, hints, yearless=None, headline=None, site=None
) -> DateReading | None:
    """The day an agency dateline opening one of the first paragraphs (or the first text after the
    headline) states, or else a month and day under the headline (`yearless`), in the year the page
    gives: the dateline's own, the chain's (`chosen`), the URL's beside that month, a Juche year the page
    states, or else the fetch's."""
    openings = [p.text_content() for p in islice(root.iter("p"), DATELINE_PARAGRAPHS)]
    element = _headline_element(root, headline, site) if site is not None else None
    if element is not None:
        openings += [t for t in islice(_texts_after(element, DATELINE_SEARCH_CHARS), 8) if len(t) > 40]
    found = next((d for d in map(dateline_day, openings) if d is not None), None)
    if found is not None and found[3] is not None:
        reading = with_year(found[0], found[1], found[2], found[3], fetched_at, hints.founded)
        return reading if reading.value is not None else None
    found = found[:3] if found is not None else yearless
    if found is None:
        return None
    month, day, raw = found
    if chosen is not None and chosen.value is not None:
        year = chosen.value.year
    else:
        year = stated_year(url, month) or stated_year(BODY_TEXT(root))
    reading = with_year(month, day, raw, year, fetched_at, hints.founded)
    return reading if reading.value is not None else None


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


def _texts_after(element: lxml.html.HtmlElement, limit: int, strict: bool = False) -> Iterator[str]:
    """The pieces of visible text that follow `element` in the document, `limit` characters in all.

    Walks forward from the element (its tail, its following siblings' subtrees, then its parent's), not
    over the whole document.
    """
    size = 0
    for piece in _following_text(element, strict):
        piece = clean(piece)
        if piece:
            yield piece
            size += len(piece)
            if size >= limit:
                return


def _following_text(element: lxml.html.HtmlElement, strict: bool = False) -> Iterator[str]:
    """Text and tails after `element` in document order, scripts and styles unread; `strict` leaves what
    stands beside an article unread too (`_beside_the_article`: an aside, a fact box; `_teaser_link`).

    Strict reading is for pages whose markup states no date: there a date beside the article would be
    invented. Where the markup states one, the real-pages corpus keeps bylines in asides (`aside.meta`),
    definition lists and links, and the byline must still be read there."""
    node = element
    while node is not None:
        yield node.tail or ""
        for sibling in node.itersiblings():
            yield from _text_within(sibling, strict)
            yield sibling.tail or ""
        node = node.getparent()


def _text_within(element, strict: bool) -> Iterator[str]:
    """An element's text and its children's, with their tails, minus what `_following_text` leaves unread."""
    if not isinstance(element.tag, str) or element.tag in UNREAD:
        return
    if strict and (_beside_the_article(element) or (element.tag == "a" and _teaser_link(element))):
        return
    yield element.text or ""
    for child in element:
        yield from _text_within(child, strict)
        yield child.tail or ""


def _teaser_link(link) -> bool:
    """Whether a link's text is a teaser for another story with its date ("Bus strike called off · 12
    February 2025"): a date and other words, not a permalink's date and time alone."""
    text = normal_text(link.text_content())
    match = first_day_match(text)
    if match is None:
        return False
    written = match[1].group(0)
    return bool(LETTER.search(TIME_WORDS.sub("", text.replace(written, " "))))


def _beside_the_article(element) -> bool:
    """Whether an element holds what stands beside an article rather than its byline: an <aside> or a
    <nav>, or a fact box ("Born 3 March 1962") without a publication label. Class names are not
    trusted: the real-pages corpus has an article's lead in a "lay-sidebar" and its date in a <footer>."""
    tag = element.tag
    if tag in BESIDE_TAGS:
        return True
    if tag == "dl":
        text = element.text_content()
        return not (PUBLISHED_LABEL.search(text) or UPDATE_LABEL.search(text))
    return False


def _in_page_chrome(element) -> bool:
    """Whether an element sits in the page's frame: beside the article (`_beside_the_article`), or in a
    masthead's clock ("Today is …", the edition's date)."""
    for holder in (element, *element.iterancestors()):
        if holder.tag == "body":
            return False
        names = f"{holder.get('class', '')} {holder.get('id', '')}"
        if _beside_the_article(holder) or MASTHEAD_NAMES.search(names):
            return True
    return False


def _in_masthead_clock(element) -> bool:
    """Whether an element shows the day the page is read, not the article's: "Today is …", an edition."""
    for holder in (element, *element.iterancestors()):
        if holder.tag == "body":
            return False
        if MASTHEAD_NAMES.search(f"{holder.get('class', '')} {holder.get('id', '')}"):
            return True
    return False


def _byline_date(
    root,
    headline: str,
    site: SiteName,
    fetched_at: str,
    hints,
    published_day: dt.date | None = None,
    choice: DateChoice | None = None,
    strict: bool = False,
) -> tuple[DateReading | None, DateReading | None]:
    """(publication, update): the dates a reader sees under the headline, in short pieces of text (a
    byline, a dateline, not a sentence of the article) after the <h1> that holds the article's title.

    Written out, not relative ("2 hours ago" says less than the metadata's timestamp); a month or a year
    stated alone counts, as only that precise. A date labelled as an update is the update's; one dated
    before `published_day` is a live ticker's entry, nobody's update. The publication is None when a
    second date right beside the first is `published_day`: the byline agrees.
    """
    h1 = _headline_element(root, headline, site)
    if h1 is None:
        return None, None
    first, update = None, None
    for piece in _texts_after(h1, BYLINE_CHARS, strict):
        if first is not None and len(piece) <= BYLINE_PIECE_CHARS and UPDATE_LABEL.search(_label_of(piece)):
            # "Updated: …" on the line after the byline's date: the update's, and the byline stands.
            if update is None:
                update = next(
                    (
                        r
                        for is_update, r in _labelled_readings(piece, fetched_at, hints)
                        if is_update and r is not None and r.value is not None
                    ),
                    None,
                )
            continue
        if first is not None:
            # Two dates side by side, the second the metadata's day: the byline confirms the metadata.
            second = _read(piece, fetched_at, hints, coarse=False, relative=False)
            beside = (
                second is not None and second.value is not None and len(_label_of(piece)) <= SIDE_LABEL_CHARS
            )
            return (None if beside and published_day and _day(second) == published_day else first), update
        if len(piece) > BYLINE_PIECE_CHARS or _is_sentence(piece):
            continue
        if choice is not None and choice.yearless is None and len(piece) <= COARSE_PIECE_CHARS:
            choice.yearless = month_day(piece) if parse_date(piece, relative=False) is None else None
        for is_update, reading in _labelled_readings(piece, fetched_at, hints):
            if choice is not None:
                choice.refuse("byline", reading)
            if reading is None or reading.value is None:
                continue
            if is_update:
                if update is None and not (published_day and _day(reading) < published_day):
                    update = reading
            elif first is None:
                first = reading
    return first, update


def _headline_element(root, headline: str | None, site: SiteName) -> lxml.html.HtmlElement | None:
    """The element that holds the article's headline: the <h1> that agrees with the title, else the first
    <h1> that is not the site's name, else a <b>, a cell or an <h2> holding the title (table-built sites
    set the headline there)."""
    if not headline:
        return None
    written = [(h, clean("".join(HEADING_TEXT(h)))) for h in root.iter("h1")]
    h1 = next((h for h, text in written if titles.agrees(text, headline)), None)
    if h1 is None:
        h1 = next((h for h, text in written if text and not site.is_named_by(text)), None)
    if h1 is None:
        h1 = next((e for e in HEADLINE_CANDIDATES(root) if titles.agrees(clean(e.text), headline)), None)
    return h1


def _date_above(root, headline: str | None, site: SiteName, fetched_at: str, hints) -> DateReading | None:
    """A date in the short line or two right above the headline ("Thursday, August 15, Juche 113 (2024)"
    over a Rodong Sinmun headline), not in the page's frame: read only when the page states no other."""
    element = _headline_element(root, headline, site)
    if element is None:
        return None
    nearest = PRECEDING_TEXTS(element)[-ABOVE_PIECES:][::-1]
    for text in nearest:
        holder = text.getparent() if text.is_text else text.getparent().getparent()
        piece = clean(str(text))
        if (
            holder is None
            or holder.tag in UNREAD
            or _in_page_chrome(holder)
            or len(piece) > BYLINE_PIECE_CHARS
            or _is_sentence(piece)
        ):
            continue
        readings = [(u, r) for u, r in _labelled_readings(piece, fetched_at, hints) if r and r.value]
        if readings:
            # A publication before an update: False sorts first.
            return min(readings, key=lambda pair: pair[0])[1]
    return None


def _labelled_readings(piece: str, fetched_at: str, hints) -> list[tuple[bool, DateReading | None]]:
    """(whether it dates an update, reading) for each labelled stretch of a short piece of text:
    "Published 10 June 2019, updated 13 June 2019" holds two dates, each named by the label before it."""
    starts = {0, *(m.start() for m in UPDATE_LABEL.finditer(piece))} | _published_starts(piece)
    starts = sorted(starts | {m.end() for m in SEPARATOR.finditer(piece)})
    stretches = [piece[a:b] for a, b in zip(starts, [*starts[1:], len(piece)], strict=True)]
    found = []
    for stretch in stretches:
        reading = _read(stretch, fetched_at, hints, coarse=len(stretch) <= COARSE_PIECE_CHARS, relative=False)
        if reading is not None:
            found.append((bool(UPDATE_LABEL.search(_label_of(stretch))), reading))
    return found


def _published_starts(piece: str) -> set[int]:
    return {m.start() for m in PUBLISHED_LABEL.finditer(piece)}


def _is_sentence(piece: str) -> bool:
    """Whether a short piece of text is a sentence of the article ("NHKは1925年にラジオ放送を開始した。"),
    whose dates are events: it ends as sentences do and says more than a byline."""
    return piece.endswith(SENTENCE_ENDS) and text_size(piece) > SENTENCE_SIZE


def _label_of(piece: str) -> str:
    """The words before the first digit of a piece of text: what it says the date that follows is."""
    digit = FIRST_DIGIT.search(piece)
    return piece[: digit.start()] if digit else piece


# A publication label's stem (its first letter may be a capital) with a digit soon after it: found in the
# page's whole text in one pass, so that only the few pages with one are walked element by element.
LABEL_STEMS = (
    "ubli", "ubblicat", "osted", "rschienen", "eröffentlicht", "rstellt", "ulkaistu", "pdated", "ktualisiert",
    "paru", "Paru", "arution", "публик", "бновл", "издан", "입력", "수정", "발간", "발행", "发布", "發布",
    "发表", "出版", "更新", "公開", "配信", "掲載", "発行", "نشر", "تحديث", "صدر",
)  # fmt: skip
LABEL_NEAR_DIGIT = re.compile(r"(?P<stem>" + "|".join(LABEL_STEMS) + r")[^\d０-９٠-٩]{0,25}[\d０-９٠-٩]")
BODY_TEXT = lxml.etree.XPath("string(//body)")
# Text that holds a digit: where a written date can be.
DATED_TEXTS = lxml.etree.XPath("//body//text()[translate(., '0123456789０１２３４５６７８９', '') != .]")
PRECEDING_TEXTS = lxml.etree.XPath("preceding::text()[normalize-space()]")
HEADLINE_CANDIDATES = lxml.etree.XPath(
    "//body//*[self::b or self::strong or self::td or self::h2 or self::div][text()]"
)
TEXTS_WITH = lxml.etree.XPath("//body//text()[contains(., $stem)]")
# More labelled dates than an article shows: a list of teasers.
MAX_LABELS = 20


def _labelled_date(
    root, fetched_at: str, hints, choice: DateChoice | None = None
) -> tuple[DateReading | None, bool]:
    """(reading, whether it dates an update): the date a label anywhere in the page's text calls the
    publication date ("Erschienen am: 01.11.2023", "Published on 3 May 2020"; the date may stand in the
    next element), written out; when no label names the publication, the date labelled as the update
    ("Updated June 13, 2019"), the only one the page shows.

    None when labels name several days: a list of teasers, each with its own date, dates no one article.
    """
    stems = {match["stem"] for match in LABEL_NEAR_DIGIT.finditer(BODY_TEXT(root))}
    if not stems:
        return None, False
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
        piece = piece[:BYLINE_PIECE_CHARS]
        reading = _read(piece, fetched_at, hints, coarse=len(piece) <= COARSE_PIECE_CHARS, relative=False)
        if choice is not None:
            choice.refuse("labelled", reading)
        if reading is not None and reading.value is not None:
            (updated if update else published).append(reading)
            if len({_day(r) for r in published}) > 1 or len(published) + len(updated) >= MAX_LABELS:
                return None, False  # teasers: a page of them is not read to its end
    found, is_update = (published, False) if published else (updated, True)
    return (found[0], is_update) if found and len({_day(r) for r in found}) == 1 else (None, False)


# --- links, images, related items
