"""Parse stage: a fetched page becomes an Article, or a Rejected with the reason why not."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from newsdesk.kernel.access import status_reason
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import Article, FetchedPage, RelatedItem
from newsdesk.kernel.redaction import redact_headers
from newsdesk.kernel.sources import ExtractionHints
from newsdesk.kernel.url_rules import UrlRules
from tasks.parse.article_or_not import evidence_of, not_an_article_because
from tasks.parse.dates import parse_date
from tasks.parse.encoding import charset_from_content_type, decode_html
from tasks.parse.extract import extract_article
from tasks.parse.text import clean

HTML_TYPES = ("text/html", "application/xhtml+xml")
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF")
# The state-media layout our users archive: "Date: 26/04/2019 | Source: Ministry of Foreign Affairs (EN) | …".
META_LINE = re.compile(r"Date:\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*\|\s*Source:\s*([^|\n]+?)\s*(?:\||$)")
MORE_FROM = re.compile(r"^More From\s+(\S.*)$")
MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
TEASER_DATE = re.compile(r"^(" + "|".join(MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})$", re.IGNORECASE)
END_OF_RELATED = {"more articles"}
# Not <noscript>: its text is shown without JavaScript, and lxml may close a page's content inside one.
INVISIBLE = {"script", "style"}
SCRIPT_TAG = re.compile(r"<(/?)script", re.IGNORECASE)
# Real pages stay far below this; hostile ones nest thousands deep to exhaust recursion.
MAX_DEPTH = 160
# An element with more than MAX_DEPTH ancestors exists when the path of MAX_DEPTH + 2 steps reaches one:
# linear in the page, where counting every element's ancestors is not.
NESTED_TOO_DEEP = lxml.etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 2) + ")")
SKIPPED_CONTAINERS = {"nav", "footer", "aside", "script", "style", "noscript", "header", "form"}
CANONICAL_LINKS = lxml.etree.XPath("//link[@rel='canonical']/@href")


def _content_type(page: FetchedPage) -> str:
    return {k.lower(): v for k, v in page.headers.items()}.get("content-type", "text/html")


def _page_bytes(page: FetchedPage) -> bytes | None:
    if page.body_base64 is None:
        return None
    try:
        return base64.b64decode(page.body_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected("bad_message", f"body_base64 is not base64: {exc}") from exc


def pack_body(body: bytes) -> str:
    """Bytes as the raw store keeps them: zlib-compressed, then base64 (Elasticsearch's `binary` type)."""
    return base64.b64encode(zlib.compress(body, 3)).decode("ascii")


def unpack_body(stored: str) -> bytes:
    return zlib.decompress(base64.b64decode(stored))


def raw_page(page: FetchedPage) -> dict[str, Any]:
    """What `newsdesk reparse` needs to rebuild the article: the served bytes and the headers."""
    body = _page_bytes(page)
    if body is None:
        body = page.html.encode("utf-8")
    # The crawler keeps no credential header; masked again here, as this is what the raw store keeps.
    return {"headers": redact_headers(page.headers), "body": pack_body(body), "body_bytes": len(body)}


def check_page(page: FetchedPage, max_bytes: int) -> str:
    """Reject, with a reason, what can never become an article, before any parsing effort; else its text."""
    if page.error or page.status == 0:
        raise Rejected("fetch_failed", page.error or "no response")
    if page.status >= 400:
        why = status_reason(page.status)
        raise Rejected(f"http_{page.status}", f"server answered {page.status}" + (f": {why}" if why else ""))
    content_type = _content_type(page)
    if not content_type.lower().startswith(HTML_TYPES):
        raise Rejected("not_html", f"content type {content_type!r}")
    body = _page_bytes(page)
    # Bytes, as the spider's DOWNLOAD_MAXSIZE counts them: a Korean character is three of them.
    size = len(body) if body is not None else len(page.html.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise Rejected("too_large", f"{size} bytes > limit {max_bytes}")
    if body is not None and body.startswith(BINARY_SIGNATURES):
        raise Rejected("binary_content", "the body is a binary file, not HTML")
    text = page.html if body is None else decode_html(body, charset_from_content_type(content_type)).text
    if not text.strip():
        raise Rejected("empty_page", "no content")
    if "\x00" in text[:4096]:
        raise Rejected("binary_content", "NUL bytes in the document")
    return text


def _load_tree(html: str) -> lxml.html.HtmlElement:
    try:
        # lxml refuses str input carrying an XML encoding declaration; bytes let it decide.
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise Rejected("unparseable_html", str(exc)) from exc


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
# Every element becomes an HtmlElement in C: lxml.html's own lookup calls Python for each element touched,
# a tenth of trafilatura's time (benchmarks/extraction); form and input classes are never used here.
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def check_tree(text: str, root: lxml.html.HtmlElement) -> None:
    """Reject pages that parse but can never hold a whole article: cut off, text-less, absurdly nested."""
    tail = text[-100_000:].rstrip()
    if tail.rfind("<") > tail.rfind(">") or _ends_inside_a_script(tail):
        raise Rejected("truncated_html", "the document ends inside a tag or a script: cut off in transit")
    if NESTED_TOO_DEEP(root):
        raise Rejected("too_deeply_nested", f"elements nested more than {MAX_DEPTH} deep")
    if not _has_visible_text(root):
        raise Rejected("no_text", "no visible text (markup or scripts only)")


def _ends_inside_a_script(tail: str) -> bool:
    """Whether the last script tag opens one (regex search: lower-casing 100 KB costs a millisecond)."""
    slashes = SCRIPT_TAG.findall(tail)
    return bool(slashes) and slashes[-1] == ""


def _has_visible_text(root: lxml.html.HtmlElement) -> bool:
    """Whether the body shows any text outside scripts and styles; stops at the first that it does."""
    body = root.find("body")
    if body is None:
        return False
    hidden = 0
    for event, element in lxml.etree.iterwalk(body, events=("start", "end")):
        invisible = element.tag in INVISIBLE
        if event == "start":
            hidden += invisible
            if not hidden and isinstance(element.tag, str) and element.text and element.text.strip():
                return True
        else:
            hidden -= invisible
            if not hidden and element is not body and element.tail and element.tail.strip():
                return True
    return False


def _in_skipped_container(element: lxml.html.HtmlElement) -> bool:
    return any(parent.tag in SKIPPED_CONTAINERS for parent in element.iterancestors())


def _find_meta(root: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, re.Match] | None:
    """The smallest element whose text holds the Date/Source line, outside navigation and sidebars."""
    best = None
    # Whitespace never splits "Date:" or "Source:", so the raw text tells which elements to normalise.
    for element, raw in _elements_holding(root, ("Source:", "Date:")):
        if element.tag in ("html", "head", "body"):
            continue
        text = clean(raw)
        # A sidebar's "Date: … | Source: …" line belongs to another article, and is shorter than ours.
        if element.tag in SKIPPED_CONTAINERS or _in_skipped_container(element):
            continue
        match = META_LINE.search(text)
        if match and (best is None or len(text) < best[2]):
            best = (element, match, len(text))
    return (best[0], best[1]) if best else None


def _elements_holding(
    element: lxml.html.HtmlElement, needles: tuple[str, ...]
) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """Elements (document order) whose text holds every needle, with that text.

    An element's text holds each descendant's, so a subtree whose root lacks a needle is not walked.
    """
    raw = element.text_content()
    if all(needle in raw for needle in needles):
        yield element, raw
        for child in element:
            if isinstance(child.tag, str):
                yield from _elements_holding(child, needles)


def _parse_day_first(day: str, month: str, year: str, fetched_at: str) -> tuple[str | None, str | None]:
    """Day/month/year as the layout's locale writes it; (ISO date, warning)."""
    reading = parse_date(f"{day}/{month}/{year}", fetched_at, day_first=True)
    if reading is None:
        return None, "invalid_date"
    return reading.iso, reading.problem


def _title(root: lxml.html.HtmlElement, meta: lxml.html.HtmlElement, order: dict) -> str:
    """The article's title, from the strongest signal the page offers.

    The last <h1> before the Date/Source line, else the first <h1>, else the page's <title>, else the
    text block just before the Date/Source line (layouts that set every line as a <p>).
    """
    headings = [h for h in root.iter("h1") if not _in_skipped_container(h)]
    before = [h for h in headings if order[h] < order[meta]]
    for heading in before[-1:] or headings[:1]:
        text = clean(heading.text_content())
        if text:
            return text
    candidates = root.xpath("//meta[@property='og:title']/@content") + root.xpath("//title/text()")
    for candidate in candidates:
        text = clean(candidate.split(" | ")[0])
        if text:
            return text
    ancestors = set(meta.iterancestors())
    blocks = [
        b
        for b in root.iter("p", "h2", "h3", "h4", "h5", "h6")
        if order[b] < order[meta] and b not in ancestors and not _in_skipped_container(b)
    ]
    for block in reversed(blocks):
        text = clean(block.text_content())
        if text:
            return text
    return ""


def _find_more_from(root: lxml.html.HtmlElement, after: int, order: dict) -> lxml.html.HtmlElement | None:
    for element, raw in _elements_holding(root, ("More", "From")):
        if order[element] <= after:
            continue
        text = clean(raw)
        if len(text) < 200 and MORE_FROM.match(text):
            # the innermost element carrying the heading text
            inner = [
                c
                for c in element.iter()
                if c is not element and isinstance(c.tag, str) and MORE_FROM.match(clean(c.text_content()))
            ]
            return inner[-1] if inner else element
    return None


def _body_paragraphs(root, meta, end_marker, order: dict) -> list[str]:
    start = order[meta]
    end = order[end_marker] if end_marker is not None else len(order)
    meta_text = clean(meta.text_content())
    paragraphs: list[str] = []
    for element in root.iter("p"):
        if not start < order[element] < end or _in_skipped_container(element):
            continue
        if meta in element.iterancestors():
            continue
        text = clean(element.text_content())
        if text and text != meta_text:
            paragraphs.append(text)
    return paragraphs


def _text_after(marker: lxml.html.HtmlElement) -> Iterator[tuple[str, str | None, bool]]:
    """The text after `marker` and its subtree, in document order, as (raw text, enclosing link, inside
    a skipped container), outside scripts and styles.

    That is the subtrees of the following siblings of the marker and of each of its ancestors. The text
    is not normalised yet: a caller stops at the end of what it reads.
    """
    for holder in (marker, *marker.iterancestors()):
        parent = holder.getparent()
        if parent is None:
            return
        lineage = (parent, *parent.iterancestors())
        href = next((a.get("href") for a in lineage if a.tag == "a" and a.get("href")), None)
        skipped = any(a.tag in SKIPPED_CONTAINERS for a in lineage)
        for sibling in holder.itersiblings():
            yield from _subtree_text(sibling, href, skipped)


def _subtree_text(
    top: lxml.html.HtmlElement, href: str | None, skipped: bool
) -> Iterator[tuple[str, str | None, bool]]:
    """`_text_after` within one subtree (not its tail), depth first with a stack of its own: a recursive
    generator would pass every piece of text up through one generator per level."""
    # Entries: (element, enclosing link, inside a skipped container, a tail it holds or None to open it).
    stack: list[tuple[Any, str | None, bool, str | None]] = [(top, href, skipped, None)]
    while stack:
        element, href, skipped, tail = stack.pop()
        if tail is not None:
            yield tail, href, skipped
            continue
        if not isinstance(element.tag, str) or element.tag in INVISIBLE:
            continue
        if element.tag == "a" and element.get("href"):
            href = element.get("href")
        if element.text and not element.text.isspace():
            yield element.text, href, skipped
        inner_skipped = skipped or element.tag in SKIPPED_CONTAINERS
        for child in reversed(element):
            if child.tail and not child.tail.isspace():
                stack.append((element, href, skipped, child.tail))
            stack.append((child, href, inner_skipped, None))


def _related_items(marker: lxml.html.HtmlElement, base_url: str) -> list[RelatedItem]:
    """The "More From" teasers, each once (the page shows every teaser twice), with its date and link."""
    items: list[dict] = []
    seen: set[str] = set()
    for raw, href, skipped in _text_after(marker):
        if skipped:
            continue
        text = clean(raw)
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


def parse_page(
    page: FetchedPage, max_bytes: int = 5_000_000, hints: ExtractionHints | None = None
) -> Article:
    """Turn one fetched page into an Article; raise Rejected(reason) when it is not one.

    The seed layout is read exactly; any other page goes through the source's hints and the fallback chain.
    """
    text = check_page(page, max_bytes)
    root = _load_tree(text)
    check_tree(text, root)
    found = _find_meta(root) if "Date:" in text and "Source:" in text else None
    article = _parse_seed_layout(page, root, *found) if found else _parse_elsewhere(page, root, hints)
    return article.replace(raw_page=raw_page(page))


def refuse_if_too_old(article: Article, rules: UrlRules | None) -> None:
    """Refuse an article older than its source's publication-date window (`urls.max_age_days`), judged
    at its fetch time, so a reparse judges it the same; an undated article is never too old."""
    if rules is None or rules.max_age is None:
        return
    fetched = dt.datetime.fromisoformat(article.fetched_at.replace("Z", "+00:00"))
    if rules.too_old(article.published_at, fetched):
        raise Rejected(
            "too_old", f"published {article.published_at}, more than {rules.max_age.days} days ago"
        )


def _parse_seed_layout(page: FetchedPage, root, meta, match: re.Match) -> Article:
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
    related = _related_items(marker, base_url) if marker is not None else []
    return Article(
        url=page.url,
        final_url=base_url,
        crawl_source=page.crawl_source,
        fetched_at=page.fetched_at,
        title=title,
        body="\n\n".join(paragraphs),
        source=clean(match.group(4)),
        published_at=published_at,
        published_at_raw=f"{match.group(1)}/{match.group(2)}/{match.group(3)}",
        published_precision="day" if published_at else None,
        related=related,
        canonical_hint=_canonical_hint(root, base_url),
        warnings=warnings,
        run_id=page.run_id,
        extraction="seed_layout",
    )


def _canonical_hint(root, base_url: str) -> str | None:
    canonical = CANONICAL_LINKS(root)
    return urljoin(base_url, canonical[0].strip()) if canonical else None


def _parse_elsewhere(page: FetchedPage, root, hints: ExtractionHints | None) -> Article:
    """Any layout but the seed's: hints, structured data, main-content extraction; thin pages are refused."""
    base_url = page.final_url or page.url
    canonical = _canonical_hint(root, base_url)
    found = extract_article(root, base_url, page.fetched_at, hints)
    body = "\n\n".join(found.body)
    evidence = evidence_of(found)
    because = not_an_article_because(evidence)
    if because:
        raise Rejected("not_an_article", f"{because}: {evidence.describe()}")
    warnings = [r.problem for r in (found.published, found.updated) if r is not None and r.problem]
    warnings += found.date_notes
    if found.published is None:
        warnings.append("no_date")
    return Article(
        url=page.url,
        final_url=base_url,
        crawl_source=page.crawl_source,
        fetched_at=page.fetched_at,
        title=found.title,
        body=body,
        source=found.site_name,
        published_at=found.published.iso if found.published else None,
        published_at_raw=found.published.raw if found.published else None,
        related=found.related,
        canonical_hint=canonical,
        warnings=warnings,
        run_id=page.run_id,
        subtitle=found.subtitle,
        updated_at=found.updated.iso if found.updated else None,
        updated_at_raw=found.updated.raw if found.updated else None,
        published_precision=found.published.precision if found.published else None,
        updated_precision=found.updated.precision if found.updated else None,
        authors=found.authors,
        lead=found.lead,
        section=found.section,
        images=found.images,
        outlinks=found.outlinks,
        extraction=f"{found.method}+{found.date_method}" if found.date_method else found.method,
    )
