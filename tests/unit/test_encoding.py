"""Unit tests for decoding page bytes: wrong labels, BOMs and legacy encodings end without mojibake."""

from __future__ import annotations

import base64

import pytest

from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import FetchedPage
from tasks.parse.encoding import charset_from_content_type, decode_html
from tasks.parse.page import parse_page

KOREAN = (
    "김정은동지께서 로씨야련방 대통령과 회담을 진행하시였다. "
    "회담에서는 쌍무관계를 더욱 발전시키기 위한 문제들이 토의되였다."
)
FRENCH = "L’été à Paris : « déjà vu », naïve café — 5 € pour un crème, s’il vous plaît."
RUSSIAN = "Председатель Государственного совета провёл переговоры с президентом России."


def page_bytes(text: str, meta: str = "") -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return (
        f"<html><head>{head}<title>T</title></head><body><h1>{text[:20]}</h1>"
        f"<div>Date: 26/04/2019 | Source: Agency | x</div><p>{text}</p></body></html>"
    )


@pytest.mark.parametrize(
    ("text", "encoding", "header", "meta"),
    [
        (KOREAN, "euc-kr", "windows-1252", ""),
        (KOREAN, "euc-kr", None, "iso-8859-1"),
        (KOREAN, "cp949", "utf-8", ""),
        (KOREAN, "utf-8", "euc-kr", "euc-kr"),
        (KOREAN, "utf-8-sig", "windows-1252", ""),
        (FRENCH, "windows-1252", "utf-8", ""),
        (FRENCH, "windows-1252", "iso-8859-1", ""),
        (FRENCH, "utf-8-sig", None, "windows-1252"),
        (RUSSIAN, "windows-1251", "iso-8859-1", "windows-1251"),
        (RUSSIAN, "windows-1251", None, ""),
        (RUSSIAN, "utf-16", "utf-8", ""),
    ],
    ids=[
        "euc-kr-labelled-1252",
        "euc-kr-meta-latin1",
        "cp949-labelled-utf8",
        "utf8-labelled-euc-kr",
        "utf8-bom-labelled-1252",
        "1252-labelled-utf8",
        "1252-labelled-latin1",
        "utf8-bom-meta-1252",
        "1251-header-latin1-meta-1251",
        "1251-unlabelled",
        "utf16-bom-labelled-utf8",
    ],
)
def test_the_bytes_win_over_a_wrong_label(text: str, encoding: str, header: str | None, meta: str) -> None:
    body = page_bytes(text, meta).encode(encoding)

    decoded = decode_html(body, header)

    assert text in decoded.text
    assert "\ufffd" not in decoded.text
    assert "\ufeff" not in decoded.text


def test_a_wrong_label_is_reported() -> None:
    decoded = decode_html(page_bytes(KOREAN).encode("euc-kr"), "windows-1252")

    assert decoded.encoding == "cp949"
    assert decoded.label_ignored == "windows-1252"
    assert decode_html(page_bytes(KOREAN).encode("utf-8"), "utf-8").label_ignored is None


def test_charset_from_content_type() -> None:
    assert charset_from_content_type("text/html; charset=EUC-KR") == "EUC-KR"
    assert charset_from_content_type('text/html; charset="utf-8"') == "utf-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


def fetched_bytes(
    body: bytes, content_type: str = "text/html; charset=windows-1252", **changes
) -> FetchedPage:
    fields = dict(
        url="https://example.org/a/1",
        final_url="https://example.org/a/1",
        crawl_source="test",
        fetched_at="2025-07-31T10:00:00+00:00",
        status=200,
        headers={"Content-Type": content_type},
        html="mojibake the spider guessed",
        body_base64=base64.b64encode(body).decode("ascii"),
    )
    return FetchedPage(**(fields | changes))


def test_parse_reads_the_bytes_when_the_spider_sends_them() -> None:
    article = parse_page(fetched_bytes(page_bytes(KOREAN).encode("euc-kr")))

    assert article.body == KOREAN
    assert article.title == KOREAN[:20]


def test_pages_from_older_spiders_without_bytes_still_parse() -> None:
    page = fetched_bytes(b"", html=page_bytes(FRENCH), body_base64=None)

    assert parse_page(page).body == FRENCH
    assert FetchedPage.from_dict({k: v for k, v in page.to_dict().items() if k != "body_base64"}) == page


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"%PDF-1.4 binary", "binary_content"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary_content"),
        (b"\x1f\x8b\x08\x00compressed", "binary_content"),
        (b"", "empty_page"),
        (b"   \n ", "empty_page"),
    ],
)
def test_binary_and_empty_bodies_are_rejected(body: bytes, reason: str) -> None:
    page = fetched_bytes(body, html="")

    with pytest.raises(Rejected) as caught:
        parse_page(page)
    assert caught.value.reason == reason


def test_body_that_is_not_base64_is_a_bad_message() -> None:
    with pytest.raises(Rejected) as caught:
        parse_page(fetched_bytes(b"", body_base64="not base64 !!"))
    assert caught.value.reason == "bad_message"


def test_max_bytes_counts_the_served_bytes() -> None:
    body = page_bytes(KOREAN).encode("euc-kr")

    assert parse_page(fetched_bytes(body), max_bytes=len(body)).body == KOREAN
    with pytest.raises(Rejected) as caught:
        parse_page(fetched_bytes(body), max_bytes=len(body) - 1)
    assert caught.value.reason == "too_large"


def test_the_spider_hands_over_the_bytes_as_served() -> None:
    from scrapy.http import HtmlResponse, Request

    from crawler.spiders.news import NewsSpider
    from newsdesk.kernel.sources import Source

    source = Source(name="ko", start_urls=["https://example.org/"], article_pattern="/a/")
    from scrapy.utils.test import get_crawler

    spider = NewsSpider.from_crawler(get_crawler(NewsSpider), source=source, run_id="run-1")
    body = page_bytes(KOREAN).encode("euc-kr")
    response = HtmlResponse(
        "https://example.org/a/1",
        body=body,
        headers={"Content-Type": "text/html; charset=windows-1252"},
        request=Request("https://example.org/a/1"),
    )

    (payload,) = list(spider.parse_article(response))

    page = FetchedPage.from_dict(payload)
    assert base64.b64decode(page.body_base64) == body
    assert KOREAN not in page.html, "Scrapy trusts the wrong label; the bytes are what parse reads"
    assert parse_page(page).body == KOREAN
