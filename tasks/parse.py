"""Parse stage: a fetched page becomes an Article, or a Rejected with the reason why not."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from newsdesk.errors import Rejected
from newsdesk.messages import Article, FetchedPage, RelatedItem

HTML_TYPES = ("text/html", "application/xhtml+xml")
# The state-media layout our users archive: "Date: 26/04/2019 | Source: Ministry of Foreign Affairs (EN) | …".
META_LINE = re.compile(r"Date:\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*\|\s*Source:\s*([^|\n]+?)\s*(?:\||$)")
MORE_FROM = re.compile(r"^More From\s+(\S.*)$")
MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
TEASER_DATE = re.compile(r"^(" + "|".join(MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})$", re.IGNORECASE)
END_OF_RELATED = {"more articles"}
SKIPPED_CONTAINERS = {"nav", "footer", "aside", "script", "style", "noscript", "header", "form"}
EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_TOLERANCE = dt.timedelta(days=2)
WHITESPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def check_page(page: FetchedPage, max_bytes: int) -> None:
    """Reject, with a reason, what can never become an article, before any parsing effort."""
    if page.error or page.status == 0:
        raise Rejected("fetch_failed", page.error or "no response")
    if page.status >= 400:
        raise Rejected(f"http_{page.status}", f"server answered {page.status}")
    content_type = {k.lower(): v for k, v in page.headers.items()}.get("content-type", "text/html")
    if not content_type.lower().startswith(HTML_TYPES):
        raise Rejected("not_html", f"content type {content_type!r}")
    if not page.html.strip():
        raise Rejected("empty_page", "no content")
    # Bytes, as the spider's DOWNLOAD_MAXSIZE counts them: a Korean character is three of them.
    size = len(page.html.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise Rejected("too_large", f"{size} bytes > limit {max_bytes}")
    if "\x00" in page.html[:4096]:
        raise Rejected("binary_content", "NUL bytes in the document")


def _load_tree(html: str) -> lxml.html.HtmlElement:
    try:
        # lxml refuses str input carrying an XML encoding declaration; bytes let it decide.
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise Rejected("unparseable_html", str(exc)) from exc


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def _in_skipped_container(element: lxml.html.HtmlElement) -> bool:
    return any(parent.tag in SKIPPED_CONTAINERS for parent in element.iterancestors())


def _find_meta(root: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, re.Match] | None:
    """The smallest element whose text holds the Date/Source line, outside navigation and sidebars."""
    best = None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "head", "body"):
            continue
        text = normalise_space(element.text_content())
        if "Source:" not in text or "Date:" not in text:
            continue
        # A sidebar's "Date: … | Source: …" line belongs to another article, and is shorter than ours.
        if element.tag in SKIPPED_CONTAINERS or _in_skipped_container(element):
            continue
        match = META_LINE.search(text)
        if match and (best is None or len(text) < best[2]):
            best = (element, match, len(text))
    return (best[0], best[1]) if best else None


def _parse_day_first(day: str, month: str, year: str, fetched_at: str) -> tuple[str | None, str | None]:
    """Day/month/year as the layout's locale writes it; (ISO date, warning)."""
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None, "invalid_date"
    return _plausible(date, fetched_at)


def _plausible(date: dt.date, fetched_at: str) -> tuple[str | None, str | None]:
    try:
        fetched = dt.datetime.fromisoformat(fetched_at).date()
    except ValueError:
        fetched = dt.datetime.now(dt.UTC).date()
    if date < EARLIEST_DATE:
        return None, "date_before_1900"
    if date > fetched + FUTURE_TOLERANCE:
        return None, "date_in_future"
    return date.isoformat(), None


def _title(root: lxml.html.HtmlElement, meta: lxml.html.HtmlElement, order: dict) -> str:
    """The article's title, from the strongest signal the page offers.

    The last <h1> before the Date/Source line, else the first <h1>, else the page's <title>, else the
    text block just before the Date/Source line (layouts that set every line as a <p>).
    """
    headings = [h for h in root.iter("h1") if not _in_skipped_container(h)]
    before = [h for h in headings if order[h] < order[meta]]
    for heading in before[-1:] or headings[:1]:
        text = normalise_space(heading.text_content())
        if text:
            return text
    candidates = root.xpath("//meta[@property='og:title']/@content") + root.xpath("//title/text()")
    for candidate in candidates:
        text = normalise_space(candidate.split(" | ")[0])
        if text:
            return text
    ancestors = set(meta.iterancestors())
    blocks = [
        b
        for b in root.iter("p", "h2", "h3", "h4", "h5", "h6")
        if order[b] < order[meta] and b not in ancestors and not _in_skipped_container(b)
    ]
    for block in reversed(blocks):
        text = normalise_space(block.text_content())
        if text:
            return text
    return ""


def _find_more_from(root: lxml.html.HtmlElement, after: int, order: dict) -> lxml.html.HtmlElement | None:
    for element in root.iter():
        if not isinstance(element.tag, str) or order[element] <= after:
            continue
        text = normalise_space(element.text_content())
        if len(text) < 200 and MORE_FROM.match(text):
            # the innermost element carrying the heading text
            inner = [
                c
                for c in element.iter()
                if c is not element
                and isinstance(c.tag, str)
                and MORE_FROM.match(normalise_space(c.text_content()))
            ]
            return inner[-1] if inner else element
    return None


def _body_paragraphs(root, meta, end_marker, order: dict) -> list[str]:
    start = order[meta]
    end = order[end_marker] if end_marker is not None else len(order)
    meta_text = normalise_space(meta.text_content())
    paragraphs: list[str] = []
    for element in root.iter("p"):
        if not start < order[element] < end or _in_skipped_container(element):
            continue
        if meta in element.iterancestors():
            continue
        text = normalise_space(element.text_content())
        if text and text != meta_text:
            paragraphs.append(text)
    return paragraphs


def _text_tokens(element, href: str | None = None) -> Iterator[tuple[lxml.html.HtmlElement, str, str | None]]:
    """(element, text, enclosing link) in document order."""
    if element.tag == "a" and element.get("href"):
        href = element.get("href")
    if element.text and element.text.strip():
        yield element, normalise_space(element.text), href
    for child in element:
        if isinstance(child.tag, str) and child.tag not in ("script", "style"):
            yield from _text_tokens(child, href)
        if child.tail and child.tail.strip():
            yield element, normalise_space(child.tail), href


def _related_items(root, marker, order: dict, base_url: str) -> list[RelatedItem]:
    """The "More From" teasers, each once (the page shows every teaser twice), with its date and link."""
    start = order[marker]
    items: list[dict] = []
    seen: set[str] = set()
    for element, text, href in _text_tokens(root):
        if order[element] <= start or marker in element.iterancestors() or element is marker:
            continue
        if _in_skipped_container(element):
            continue
        if text.lower() in END_OF_RELATED:
            break
        date_match = TEASER_DATE.match(text)
        if date_match:
            if items and items[-1]["date"] is None:
                month = MONTHS.index(date_match.group(1).lower()) + 1
                try:
                    items[-1]["date"] = dt.date(
                        int(date_match.group(3)), month, int(date_match.group(2))
                    ).isoformat()
                except ValueError:
                    items[-1]["date"] = None
            continue
        if text in seen:
            if href and items and items[-1]["text"] == text and not items[-1]["url"]:
                items[-1]["url"] = urljoin(base_url, href)
            continue
        seen.add(text)
        items.append({"text": text, "url": urljoin(base_url, href) if href else None, "date": None})
    return [RelatedItem(**item) for item in items]


def parse_page(page: FetchedPage, max_bytes: int = 5_000_000) -> Article:
    """Turn one fetched page into an Article; raise Rejected(reason) when it is not one."""
    check_page(page, max_bytes)
    root = _load_tree(page.html)
    found = _find_meta(root)
    if found is None:
        raise Rejected("not_an_article", "no 'Date: DD/MM/YYYY | Source: NAME' line")
    meta, match = found
    order = {element: i for i, element in enumerate(root.iter())}
    title = _title(root, meta, order)
    if not title:
        raise Rejected("not_an_article", "no title")
    marker = _find_more_from(root, order[meta], order)
    paragraphs = _body_paragraphs(root, meta, marker, order)
    if not paragraphs:
        raise Rejected("empty_body", "no paragraphs after the Date/Source line")
    warnings: list[str] = []
    published_at, date_warning = _parse_day_first(*match.group(1, 2, 3), page.fetched_at)
    if date_warning:
        warnings.append(date_warning)
    base_url = page.final_url or page.url
    related = _related_items(root, marker, order, base_url) if marker is not None else []
    canonical = root.xpath("//link[@rel='canonical']/@href")
    return Article(
        url=page.url,
        final_url=base_url,
        crawl_source=page.crawl_source,
        fetched_at=page.fetched_at,
        title=title,
        body="\n\n".join(paragraphs),
        source=normalise_space(match.group(4)),
        published_at=published_at,
        published_at_raw=f"{match.group(1)}/{match.group(2)}/{match.group(3)}",
        related=related,
        canonical_hint=urljoin(base_url, canonical[0].strip()) if canonical else None,
        warnings=warnings,
        run_id=page.run_id,
    )
