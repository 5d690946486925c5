"""Which of a page's dates is its publication date: structured data, the URL, <time>, the byline, labels.

Each candidate is read by `tasks.parse.dates`; this module chooses among them in the order measured best
on the real-pages corpus, and keeps a date only as precise as the page states it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html
from htmldate import find_date

from newsdesk.kernel.sources import ExtractionHints
from tasks.parse import titles
from tasks.parse.dates import (
    DAY_PATTERNS,
    DateReading,
    date_from_url,
    dateline_day,
    day_first_for,
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
# A month or a year alone states a date only in a piece this short ("März 2023", "Juche 112"); in a longer
# one it is a sentence's ("the album out in August 2022").
COARSE_PIECE_CHARS = 40
# Parts of a byline set side by side: "Foreign Trade · Issue: March 2023", "By A. Writer | 3 May 2023".
SEPARATOR = re.compile(r"\s[·•|]\s")
# A date under the headline this long before the chain's is an event's, not the article's.
OVERRIDE_SPAN = dt.timedelta(days=10 * 366)
# An agency dateline opens the article's first paragraph; the first few are looked at.
DATELINE_PARAGRAPHS = 5
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
    r"|publicerad|julkaistu|gepubliceerd|опубликовано|опубликован|дата публикации)\b"
    r"|입력|등록|게재|发布|發布|發佈|发表|發表|公開|配信|掲載|نشر|تاريخ النشر",
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
        _byline_date(root, headline, site, fetched_at, hints, published_day, choice)
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
    if chosen is None or chosen_method == "htmldate":
        dateline = _dateline_date(root, url, chosen, fetched_at, hints, choice.yearless)
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
    """htmldate's date, unless it is a 1 January the page never writes: htmldate fills a year it found
    alone (a copyright line, a year in the text) with January 1, a day no one stated."""
    day = _day(reading)
    if (day.month, day.day) != (1, 1):
        return True
    text = normal_text(BODY_TEXT(root))
    for pattern in DAY_PATTERNS:
        for match in pattern.finditer(text):
            found = parse_date(match.group(0), relative=False)
            if found is not None and found.value is not None and _day(found) == day:
                return True
    return False


def _dateline_date(
    root, url: str, chosen: DateReading | None, fetched_at: str, hints, yearless=None
) -> DateReading | None:
    """The day an agency dateline opening one of the first paragraphs states, or else a month and day
    under the headline (`yearless`), in the year the page gives: the chain's (`chosen`), the URL's
    beside that month, a Juche year the page states, or else the fetch's."""
    found = None
    for index, paragraph in enumerate(root.iter("p")):
        if index >= DATELINE_PARAGRAPHS:
            break
        found = dateline_day(paragraph.text_content())
        if found is not None:
            break
    found = found or yearless
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
    root,
    headline: str,
    site: SiteName,
    fetched_at: str,
    hints,
    published_day: dt.date | None = None,
    choice: DateChoice | None = None,
) -> tuple[DateReading | None, DateReading | None]:
    """(publication, update): the dates a reader sees under the headline, in short pieces of text (a
    byline, a dateline, not a sentence of the article) after the <h1> that holds the article's title.

    Written out, not relative ("2 hours ago" says less than the metadata's timestamp); a month or a year
    stated alone counts, as only that precise. A date labelled as an update is the update's; one dated
    before `published_day` is a live ticker's entry, nobody's update. The publication is None when a
    second date right beside the first is `published_day`: the byline agrees.
    """
    written = [(h, clean("".join(HEADING_TEXT(h)))) for h in root.iter("h1")]
    h1 = next((h for h, text in written if titles.agrees(text, headline)), None)
    if h1 is None:
        h1 = next((h for h, text in written if text and not site.is_named_by(text)), None)
    if h1 is None:
        # Table-built sites set the headline in a <b> or a cell, not an <h1>.
        h1 = next((e for e in HEADLINE_CANDIDATES(root) if titles.agrees(clean(e.text), headline)), None)
    if h1 is None:
        return None, None
    first, update = None, None
    for piece in _texts_after(h1, BYLINE_CHARS):
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
        if len(piece) > BYLINE_PIECE_CHARS:
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


def _label_of(piece: str) -> str:
    """The words before the first digit of a piece of text: what it says the date that follows is."""
    digit = FIRST_DIGIT.search(piece)
    return piece[: digit.start()] if digit else piece


# A publication label's stem (its first letter may be a capital) with a digit soon after it: found in the
# page's whole text in one pass, so that only the few pages with one are walked element by element.
LABEL_STEMS = (
    "ubli", "ubblicat", "osted", "rschienen", "eröffentlicht", "rstellt", "ulkaistu", "pdated", "ktualisiert",
    "публик", "бновл", "입력", "수정", "发布", "發布", "发表", "更新", "公開", "配信", "نشر", "تحديث",
)  # fmt: skip
LABEL_NEAR_DIGIT = re.compile(r"(?P<stem>" + "|".join(LABEL_STEMS) + r")[^\d０-９٠-٩]{0,25}[\d０-９٠-٩]")
BODY_TEXT = lxml.etree.XPath("string(//body)")
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
