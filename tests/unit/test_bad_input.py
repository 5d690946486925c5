"""Unit tests for hostile input: every page built to break a parser ends as a Rejected with its reason."""

from __future__ import annotations

import base64

import pytest

from newsdesk.demosite.site import HOSTILE_PAGES, generate_site
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import FetchedPage
from tasks.parse.page import parse_page

URL = "https://archive.example.org/agency/article/1/"
META = "Date: 26/04/2019 | Source: Agency |"
PARAGRAPH = "<p>" + "Ordinary article text that goes on for a while. " * 6 + "</p>"


def page_from_bytes(body: bytes, content_type: str = "text/html; charset=utf-8") -> FetchedPage:
    return FetchedPage(
        url=URL,
        final_url=URL,
        crawl_source="test",
        fetched_at="2025-07-31T10:00:00+00:00",
        status=200,
        headers={"Content-Type": content_type},
        html=body.decode("utf-8", errors="replace"),
        body_base64=base64.b64encode(body).decode("ascii"),
    )


def reason(page: FetchedPage, **kwargs) -> str:
    with pytest.raises(Rejected) as caught:
        parse_page(page, **kwargs)
    return caught.value.reason


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", "empty_page"),
        ("<html><head><title>T</title></head><body><div><span></span></div></body></html>", "no_text"),
        (
            f"<html><head><script>var a = '{META}';</script></head><body><script>1</script></body></html>",
            "no_text",
        ),
        ("<html><body><style>p { color: red }</style><noscript></noscript></body></html>", "no_text"),
        (
            "<!DOCTYPE html><html><head><title>Cut</title></head><body>"
            f"<h1>Cut</h1><div>{META}</div>{PARAGRAPH}<p>Mid <a href='/x",
            "truncated_html",
        ),
        (
            "<html><body>"
            + "<div>" * 3000
            + f"<h1>Deep</h1><div>{META}</div>{PARAGRAPH}"
            + "</div>" * 3000
            + "</body></html>",
            "too_deeply_nested",
        ),
        (
            "<html><body>"
            + "<div>" * 200
            + f"<h1>Deep</h1>{PARAGRAPH * 3}"
            + "</div>" * 200
            + "</body></html>",
            "too_deeply_nested",
        ),
    ],
    ids=["empty", "textless", "script-only", "style-only", "truncated", "deeply-nested", "nested-past-limit"],
)
def test_hostile_markup_is_rejected_with_its_reason(html: str, expected: str) -> None:
    assert reason(page_from_bytes(html.encode("utf-8"))) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"%PDF-1.7\n" + bytes(range(256)) * 8,
        b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8,
        b"PK\x03\x04" + bytes(range(256)) * 8,
        b"<html>\x00\x00\x00" + bytes(range(256)) * 8,
    ],
    ids=["png", "pdf", "gzip", "zip", "nul-bytes"],
)
def test_binary_bodies_served_as_html_are_rejected(body: bytes) -> None:
    assert reason(page_from_bytes(body)) == "binary_content"


def test_a_20_mb_page_is_too_large() -> None:
    body = (f"<html><body><h1>Huge</h1><div>{META}</div>" + PARAGRAPH * 70_000 + "</body></html>").encode()
    assert len(body) > 20_000_000

    assert reason(page_from_bytes(body), max_bytes=5_000_000) == "too_large"


def test_a_long_but_sane_page_still_parses() -> None:
    body = f"<html><body><h1>Long</h1><div>{META}</div>{PARAGRAPH * 2000}</body></html>".encode()

    article = parse_page(page_from_bytes(body))

    assert article.title == "Long"
    assert len(article.body.split("\n\n")) == 2000


@pytest.mark.parametrize(
    "ending",
    ["</body>", "", "<p>Unclosed last paragraph", "<script>var a = 1;</script><p>After the script"],
)
def test_pages_without_closing_tags_but_not_cut_inside_one_parse(ending: str) -> None:
    body = f"<html><body><h1>T</h1><div>{META}</div>{PARAGRAPH}{ending}".encode()

    assert parse_page(page_from_bytes(body)).title == "T"


def test_a_page_cut_inside_a_script_is_truncated() -> None:
    body = f"<html><body><h1>T</h1><div>{META}</div>{PARAGRAPH}<script>var a = '<p>'".encode()

    assert reason(page_from_bytes(body)) == "truncated_html"


HOSTILE_SITE = generate_site(6, seed=3, hostile=True)


def test_hostile_pages_are_off_by_default_and_linked_when_on() -> None:
    assert generate_site(6, seed=3).hostile_paths == {}
    assert set(HOSTILE_SITE.hostile_paths.values()) == set(HOSTILE_PAGES)
    _, _, listing = HOSTILE_SITE.render(f"/{HOSTILE_SITE.sources[0].slug}/")
    for path in HOSTILE_SITE.hostile_paths:
        assert path.encode() in listing


@pytest.mark.parametrize("kind", sorted(HOSTILE_PAGES))
def test_every_hostile_demo_page_is_rejected_by_parse(kind: str) -> None:
    path = next(p for p, k in HOSTILE_SITE.hostile_paths.items() if k == kind)
    status, content_type, body = HOSTILE_SITE.render(path)
    assert status == 200

    # The huge page never reaches parse in a crawl (the download is cut at the same limit): too_large here.
    expected = "too_large" if HOSTILE_PAGES[kind] == "fetch_failed" else HOSTILE_PAGES[kind]
    assert reason(page_from_bytes(body, content_type), max_bytes=5_000_000) == expected
