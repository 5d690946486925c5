"""Article or not: decided by the parse stage on the page's content, whatever the page declares."""

from __future__ import annotations

import pytest

from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import FetchedPage
from tasks.parse.article_or_not import PageEvidence, body_link_share, not_an_article_because
from tasks.parse.page import parse_page

STORY = (
    "The harbour authority said on Tuesday that the new pier would open to ferries in the spring, "
    "two years later than first planned, after storms damaged the foundations twice.",
    "Engineers had to drive the piles deeper into the seabed than the original design called for, "
    "the authority's director told a meeting of the town council.",
    "Residents who had campaigned for the pier welcomed the date but asked for a timetable that "
    "serves early commuters as well as summer visitors.",
)


def _page(head: str, body: str) -> FetchedPage:
    html = f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"
    return FetchedPage(
        url="http://site.test/x",
        final_url="http://site.test/x",
        crawl_source="test",
        fetched_at="2026-05-01T10:00:00+00:00",
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        html=html,
    )


def _article_body(title: str = "Harbour pier to open in spring") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in STORY)
    return (
        "<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav>"
        f"<main><h1>{title}</h1><time datetime='2026-04-30'>30 April 2026</time>{paragraphs}</main>"
    )


def _verdict(head: str, body: str) -> str | None:
    try:
        parse_page(_page(head, body))
    except Rejected as exc:
        assert exc.reason == "not_an_article", exc
        return exc.detail
    return None


@pytest.mark.parametrize(
    "meta",
    [
        '<meta property="og:type" content="article">',
        '<meta content="article" property="og:type">',
        '<meta content="website" property="og:type">',
        '<meta property="og:type" content="video.other">',
        "",
    ],
    ids=["og-article", "og-article-reversed", "og-website", "og-video-other", "no-structured-data"],
)
def test_a_real_article_is_an_article_whatever_it_declares(meta: str) -> None:
    assert _verdict(f"<title>Harbour pier - Town News</title>{meta}", _article_body()) is None


def _teasers(count: int, with_summaries: bool) -> str:
    items = []
    for i in range(count):
        summary = f"<p>Short summary number {i} of a story told elsewhere.</p>" if with_summaries else ""
        items.append(
            f"<li><h3><a href='/2026/04/story-{i}'>Headline of the story number {i} today</a></h3>"
            f"{summary}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def test_a_hub_page_of_teasers_is_not_an_article() -> None:
    body = f"<main><h1>Topic: Harbours</h1>{_teasers(18, with_summaries=True)}</main>"
    detail = _verdict('<meta property="og:type" content="website">', body)
    assert detail is not None and detail.startswith("a list of teasers")
    assert "18 of 18 paragraphs open with a link" in detail and "og:type website" in detail


def test_a_tag_page_is_not_an_article_even_when_its_theme_says_article() -> None:
    body = f"<main><h1>Tag: ferries</h1>{_teasers(25, with_summaries=False)}</main>"
    detail = _verdict('<meta content="article" property="og:type">', body)
    assert detail is not None and detail.startswith("a list of links to other pages")


def test_a_video_page_with_a_caption_is_not_an_article() -> None:
    body = (
        "<main><h1>Watch: the new pier from the air</h1>"
        "<video src='/media/pier.mp4' controls></video><p>Drone footage of the harbour.</p></main>"
    )
    detail = _verdict('<meta property="og:type" content="video.other">', body)
    assert detail is not None and detail.startswith("too little text")
    assert "og:type video.other" in detail


def test_the_link_share_charges_each_paragraph_with_the_link_texts_it_holds() -> None:
    share, links, led = body_link_share(
        ["Headline of one story", "A sentence of body text with no link in it at all."],
        ["Headline of one story", "Some link that is not in the body"],
    )
    assert links == 1 and led == 1
    assert share == pytest.approx(len("Headline of one story") / (21 + 50))


def test_a_declared_article_made_mostly_of_links_stays_an_article_below_the_declared_limit() -> None:
    evidence = PageEvidence(
        has_title=True, body_chars=1500, link_share=0.75, links_in_body=35, dated=True, declared_article=True
    )
    assert not_an_article_because(evidence) is None
    undeclared = PageEvidence(
        has_title=True, body_chars=1500, link_share=0.75, links_in_body=35, dated=True, declared_article=False
    )
    assert not_an_article_because(undeclared) == "a list of links to other pages"


def test_an_article_older_than_its_source_window_is_refused_as_too_old() -> None:
    from newsdesk.kernel.sources import Source
    from newsdesk.kernel.url_rules import UrlRules
    from tasks.parse.page import refuse_if_too_old

    article = parse_page(_page("<title>Harbour pier</title>", _article_body()))
    assert article.published_at.startswith("2026-04-30")
    source = {"name": "t", "start_urls": ["http://site.test/"]}
    refuse_if_too_old(article, UrlRules.from_source(Source(**source, urls={"max_age_days": 7})))
    refuse_if_too_old(article, None)
    four_days_later = article.replace(fetched_at="2026-05-04T10:00:00+00:00")
    with pytest.raises(Rejected) as caught:
        refuse_if_too_old(four_days_later, UrlRules.from_source(Source(**source, urls={"max_age_days": 3})))
    assert caught.value.reason == "too_old"
