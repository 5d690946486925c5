"""Unit tests for pages outside the seed layout: structured data, source hints and the fallback chain."""

from __future__ import annotations

import dataclasses
import json

import pytest

from newsdesk.kernel.errors import ConfigError, Rejected
from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.sources import ExtractionHints, load_sources
from tasks.parse.page import parse_page
from tasks.parse.titles import SiteName, choose_title, strip_site_name

URL = "https://news.example.org/world/2019/04/26/leaders-meet/"
FETCHED_AT = "2025-07-31T10:00:00+00:00"
PARAGRAPHS = [
    "The two leaders met in Vladivostok on Thursday for their first summit, officials said after the talks.",
    "They discussed economic cooperation, a railway link across the border and the peninsula.",
    "A joint statement was not issued, but both sides described the meeting as frank and constructive.",
]
NAV = '<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/sport/">Sport</a></nav>'
FOOTER = (
    "<footer><p>Copyright Example News. All rights reserved. Privacy policy and terms of use.</p></footer>"
)


def page(head: str = "", article: str = "", url: str = URL) -> FetchedPage:
    html = f"<html><head>{head}</head><body>{NAV}<article>{article}</article>{FOOTER}</body></html>"
    return FetchedPage(
        url=url,
        final_url=url,
        crawl_source="test",
        fetched_at=FETCHED_AT,
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        html=html,
    )


BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
JSON_LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Leaders meet in Vladivostok",
    "alternativeHeadline": "First summit between the two",
    "datePublished": "2019-04-25T14:30:00+09:00",
    "dateModified": "2019-04-26T09:00:00+09:00",
    "author": [{"@type": "Person", "name": "Kim Min-ji"}, {"@type": "Person", "name": "Ivan Petrov"}],
    "articleSection": "World",
    "description": "The two leaders held their first summit.",
    "publisher": {"@type": "Organization", "name": "Example News"},
    "image": {
        "@type": "ImageObject",
        "url": "https://news.example.org/img/summit.jpg",
        "caption": "The summit",
    },
}


def test_json_ld_fills_the_article_fields() -> None:
    head = (
        "<title>Leaders meet in Vladivostok | Example News</title>"
        f'<script type="application/ld+json">{json.dumps(JSON_LD)}</script>'
    )
    article = parse_page(page(head, f"<h1>Leaders meet in Vladivostok</h1>{BODY}"))

    assert article.title == "Leaders meet in Vladivostok"
    assert article.subtitle == "First summit between the two"
    assert article.published_at == "2019-04-25T14:30:00+09:00"
    assert article.published_at_raw == "2019-04-25T14:30:00+09:00"
    assert article.updated_at == "2019-04-26T09:00:00+09:00"
    assert article.authors == ["Kim Min-ji", "Ivan Petrov"]
    assert article.section == "World"
    assert article.lead == "The two leaders held their first summit."
    assert article.source == "Example News"
    assert article.images[0] == {"url": "https://news.example.org/img/summit.jpg", "caption": "The summit"}
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.extraction == "trafilatura+structured"
    assert article.warnings == []


def test_opengraph_and_meta_tags_when_there_is_no_json_ld() -> None:
    head = (
        '<meta property="og:title" content="Leaders meet">'
        '<meta property="og:site_name" content="Example News">'
        '<meta property="article:published_time" content="2019-04-25T05:30:00Z">'
        '<meta name="author" content="Kim Min-ji">'
        '<meta property="og:image" content="/img/a.jpg">'
        "<title>Leaders meet - Example News</title>"
    )
    figure = (
        '<figure><img src="/img/b.jpg" alt="alt"><figcaption>Delegations at the table</figcaption></figure>'
    )
    article = parse_page(
        page(head, f"<h1>Leaders meet</h1>{figure}{BODY}<a href='https://other.org/x'>x</a>")
    )

    assert article.title == "Leaders meet"
    assert article.source == "Example News"
    assert article.published_at == "2019-04-25T05:30:00+00:00"
    assert article.authors == ["Kim Min-ji"]
    assert {
        "url": "https://news.example.org/img/b.jpg",
        "caption": "Delegations at the table",
    } in article.images
    assert "https://news.example.org/img/a.jpg" in [image["url"] for image in article.images]
    assert "https://other.org/x" in article.outlinks
    assert "https://news.example.org/sport/" not in article.outlinks


def test_a_date_only_in_the_url_is_used_last() -> None:
    article = parse_page(page("<title>Leaders meet</title>", f"<h1>Leaders meet</h1>{BODY}"))

    assert article.published_at == "2019-04-26"
    assert article.extraction in ("trafilatura+htmldate", "trafilatura+url")


def test_no_date_anywhere_is_a_warning_not_a_rejection() -> None:
    article = parse_page(page("<title>Leaders meet</title>", BODY, url="https://news.example.org/a/1"))

    assert article.published_at is None
    assert article.warnings == ["no_date"]


def test_a_future_structured_date_is_not_stored() -> None:
    data = dict(JSON_LD, datePublished="2031-01-01T00:00:00Z")
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    article = parse_page(page(head, f"<h1>Leaders meet in Vladivostok</h1>{BODY}", url="https://x.org/a/1"))

    assert article.published_at != "2031-01-01T00:00:00+00:00"
    assert article.published_at is None or article.published_at < "2026"


def test_source_hints_pick_the_fields() -> None:
    hints = ExtractionHints(
        title="h2.headline",
        body="div.story-text",
        date="//span[@class='when']",
        authors=".byline a",
        date_locale="en-US",
        timezone="Asia/Seoul",
    )
    article_html = (
        "<h1>Site banner</h1><h2 class='headline'>The real headline</h2>"
        "<span class='when'>04/05/2019 10:15</span><div class='byline'><a>A. Writer</a><a>B. Writer</a></div>"
        f"<div class='story-text'>{BODY}</div><div class='comments'><p>{'Spam comment. ' * 30}</p></div>"
    )
    article = parse_page(page("<title>x</title>", article_html), hints=hints)

    assert article.title == "The real headline"
    assert article.published_at == "2019-04-05T10:15:00+09:00"
    assert article.authors == ["A. Writer", "B. Writer"]
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.extraction.startswith("hints")


def test_hints_are_checked_when_the_registry_loads() -> None:
    with pytest.raises(ValueError, match="not a CSS selector or XPath"):
        ExtractionHints(body="div[")


@pytest.mark.parametrize(
    "html",
    [
        "<title>Home</title><h1>Welcome</h1><p>Welcome to our site.</p>",
        "<title>Contact</title><ul><li>Phone</li><li>Mail</li></ul>",
    ],
)
def test_thin_pages_are_not_articles(html: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_page(page("", html))
    assert caught.value.reason == "not_an_article"


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Leaders meet in Vladivostok | Example News", None, "Leaders meet in Vladivostok"),
        ("Example News - Leaders meet in Vladivostok", "Example News", "Leaders meet in Vladivostok"),
        ("Leaders meet in Vladivostok › Example News", "Example News", "Leaders meet in Vladivostok"),
        ("EXAMPLE NEWS|Leaders meet in Vladivostok", "Example News", "Leaders meet in Vladivostok"),
        ("News: A | B", "B", "News: A"),
        ("No separator here", None, "No separator here"),
        # A dash that names no site is part of the headline (before: the longest part won, "Leaders meet").
        ("Leaders meet – a first summit", None, "Leaders meet – a first summit"),
        ("Leaders meet – a first summit | Example News", "Example News", "Leaders meet – a first summit"),
        # the site's name in the middle, a motto after it
        ("Leaders meet : Example News | Since 1990 | Daily", "Example News", "Leaders meet"),
    ],
)
def test_site_names_are_stripped_from_page_titles(title: str, site: str | None, expected: str) -> None:
    assert strip_site_name(title, site) == expected


def test_the_site_name_is_recognised_from_the_host_name() -> None:
    site = SiteName([], "https://www.example-news.org/world/1")

    assert (
        strip_site_name("Leaders meet in Vladivostok - example-news.org", site)
        == "Leaders meet in Vladivostok"
    )
    assert (
        strip_site_name("EXAMPLE NEWS » Leaders meet in Vladivostok", site) == "Leaders meet in Vladivostok"
    )


@pytest.mark.parametrize(
    ("headings", "metadata", "expected"),
    [
        # the <h1> in an article <header> agrees with og:title once the site name is gone
        ([("Leaders meet", True)], ["Leaders meet | Example News"], "Leaders meet"),
        # the <h1> is one part of the page title: a kicker before it is not the headline
        ([("Leaders meet", False)], ["Leaders meet - Summit in Vladivostok - Example News"], "Leaders meet"),
        # quotes and dashes written differently still agree; the <h1>'s own typography is kept
        (
            [("„Frank talks“ – summit ends", False)],
            ['"Frank talks" - summit ends'],
            "„Frank talks“ – summit ends",
        ),
        # a kicker the <h1> adds before the headline is not part of it
        (
            [("Tunisia Big tasks for the new government", False)],
            ["Big tasks for the new government"],
            "Big tasks for the new government",
        ),
        # an <h1> that agrees with the whole title beats one that is only a part of it (a section name)
        (
            [("Notices", False), ("Tobacco tax law announced", False)],
            ["Customs - Notices - Tobacco tax law announced"],
            "Tobacco tax law announced",
        ),
        # an <h1> that names the site is not the headline
        ([("Example News", False)], ["Leaders meet | Example News"], "Leaders meet"),
        # no metadata agrees, but the page has one <h1> outside its chrome
        ([("Welcome!", False)], ["Law office Smith"], "Welcome!"),
        # ... or its one headline, repeated, sits in a <header>
        (
            [("Desktop 15 for Mac", True), ("Desktop 15 for Mac", True)],
            ["Run Windows on Mac"],
            "Desktop 15 for Mac",
        ),
        ([("Desktop 15", True), ("Support", True)], ["Run Windows on Mac"], "Run Windows on Mac"),
        # several unrelated <h1>s and no agreement: the metadata title
        ([("Most read", False), ("Weather", False)], ["Leaders meet | Example News"], "Leaders meet"),
        # entities escaped twice in metadata are decoded; a date stamp glued before the <h1> is dropped
        ([], ["Olive &amp;#038; Herb Bread"], "Olive & Herb Bread"),
        ([("27.01.2022 - Leaders meet", False)], ["Leaders meet"], "Leaders meet"),
        # a metadata title cut short at an unescaped quote: the page's title says it in full
        ([], ["Biden called ", 'Biden called "unfit" | Example News'], 'Biden called "unfit"'),
        # a label in an element of its own, longer than the headline, before the whole title
        (
            [("Press release of the Directorate of Health and Social Affairs :Vaccines stay open", False)],
            ["Vaccines stay open"],
            "Vaccines stay open",
        ),
    ],
)
def test_the_title_is_the_heading_the_metadata_agrees_with(headings, metadata, expected) -> None:
    assert choose_title(headings, metadata, SiteName(["Example News"], URL)) == expected


def test_heading_text_leaves_out_inline_styles_and_ruby_annotations() -> None:
    article = "<h1><style>.x{color:red}</style><ruby>子<rt>こ</rt></ruby>どもの法律</h1>" + BODY
    head = "<title>子どもの法律 | NEWS WEB EASY</title>"

    assert parse_page(page(head, article)).title == "子どもの法律"


@pytest.mark.parametrize(
    "heading",
    [
        '<h1><span class="kicker">Summit</span> <span class="headline">Leaders meet in Vladivostok</span>'
        "</h1>",
        # a separator hidden from view (or from screen readers) follows the kicker
        '<h1><span class="topic">Summit</span><span class="visually-hidden">: </span>'
        "<span>Leaders meet in Vladivostok</span></h1>",
        '<h1><span>Summit</span><span aria-hidden="true"> – </span>'
        "<span>Leaders meet in Vladivostok</span></h1>",
        # a label only screen readers get is not read either
        '<h1><span class="sr-only">Headline:</span> Leaders meet in Vladivostok</h1>',
    ],
)
def test_a_kicker_set_in_its_own_element_is_not_part_of_the_title(heading: str) -> None:
    head = "<title>Summit: Leaders meet in Vladivostok | Example News</title>"

    assert parse_page(page(head, heading + BODY)).title == "Leaders meet in Vladivostok"


def test_an_h1_written_as_one_piece_keeps_words_the_metadata_leaves_out() -> None:
    head = '<meta property="og:title" content="Leaders meet in Vladivostok">'
    one_piece = parse_page(page(head, "<h1>Frank talks: Leaders meet in Vladivostok</h1>" + BODY))
    kicker_element = parse_page(
        page(head, "<h1><small>Frank talks</small> Leaders meet in Vladivostok</h1>" + BODY)
    )

    assert one_piece.title == "Frank talks: Leaders meet in Vladivostok"
    assert kicker_element.title == "Leaders meet in Vladivostok"


def test_an_h1_mentioning_the_site_is_a_headline_and_a_site_suffix_on_it_is_cut() -> None:
    site = SiteName(["Summit"], URL)

    assert choose_title([("Leaders meet at the Summit", False)], ["Leaders meet | Summit"], site) == (
        "Leaders meet at the Summit"
    )
    assert choose_title([("Summit", False)], ["Leaders meet | Summit"], site) == "Leaders meet"
    assert choose_title([("Leaders meet | Summit", False)], ["Other words"], site) == "Leaders meet"


@pytest.mark.parametrize(
    "site_heading",
    [
        '<h1 id="site-title"><a href="/">Frank Talk</a></h1>',
        '<h1 class="logo"><a href="/"><span>F</span> <span>Frank Talk</span></a></h1>',
        '<h1 class="sr-only">Details</h1>',  # only screen readers get it
        # the site's logo link, with its motto, set inside a plain <h1>
        '<h1><a class="navbar-brand main-logo" href="/">Frank Talk, the first daily of the web</a></h1>',
    ],
)
def test_an_h1_marked_as_the_sites_logo_or_hidden_is_not_the_headline(site_heading: str) -> None:
    head = "<title>Leaders meet in Vladivostok</title>"
    article = parse_page(page(head, f"{site_heading}<h2>Leaders meet in Vladivostok</h2>{BODY}"))

    assert article.title == "Leaders meet in Vladivostok"


def test_the_words_of_a_link_to_the_home_page_name_the_site_in_a_title() -> None:
    head = "<title>两国领导人在符拉迪沃斯托克会晤-每日新闻</title>"
    home_link = '<p><a href="https://news.example.org/">每日新闻</a></p>'

    assert parse_page(page(head, home_link + BODY)).title == "两国领导人在符拉迪沃斯托克会晤"
    assert parse_page(page(head, BODY)).title == "两国领导人在符拉迪沃斯托克会晤-每日新闻"


def test_a_home_links_words_are_recognised_only_whole() -> None:
    site = SiteName([], URL).linked_home_as(["Home"])

    assert strip_site_name("Leaders meet | Home", site) == "Leaders meet"
    assert strip_site_name("Home office rules end – a guide", site) == "Home office rules end – a guide"


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        ("<h2>Leaders meet in Vladivostok</h2><h2>More news from Asia</h2>", "Leaders meet in Vladivostok"),
        # one only screen readers get is not the title
        (
            '<h2 class="sr-only">Navigation with access keys</h2><h2>Leaders meet in Vladivostok</h2>',
            "Leaders meet in Vladivostok",
        ),
        # a section's label is not a headline: the metadata's title
        ("<h2>World</h2><h2>Leaders meet in Vladivostok</h2>", "Example News: the world today"),
    ],
)
def test_a_page_without_an_h1_has_its_title_in_its_first_h2(headings: str, expected: str) -> None:
    head = "<title>Example News: the world today</title>"

    assert parse_page(page(head, headings + BODY)).title == expected


def test_an_h1_repeating_a_later_shorter_part_of_the_page_title_is_the_blog_name() -> None:
    head = "<title>Leaders meet in Vladivostok | Frank Talk Blog | Notes on diplomacy</title>"

    assert parse_page(page(head, "<h1>Frank Talk Blog</h1>" + BODY)).title == "Leaders meet in Vladivostok"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        # a trailing part holding the host's name: the site's name
        ("https://forum.example-news.org/t/1", "Leaders meet in Vladivostok - Example-News Community Forum"),
        # blog software's "Blog Archive" between the blog's name and the post's title
        ("https://franktalk.example.org/?p=1", "Frank Talk » Blog Archive » Leaders meet in Vladivostok"),
        # a page in a web archive is named by the address it was archived from
        (
            "https://web.archive.org/web/20140226054445/http://www.franktalk.example/2013/08/07/leaders/",
            "Franktalk » Leaders meet in Vladivostok",
        ),
    ],
)
def test_more_site_name_forms_are_cut_from_page_titles(url: str, title: str) -> None:
    assert parse_page(page(f"<title>{title}</title>", BODY, url=url)).title == "Leaders meet in Vladivostok"


def test_the_registry_carries_extraction_hints(tmp_path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(
        "sources:\n"
        "  - name: kcna\n"
        "    start_urls: ['https://kcna.example/']\n"
        "    article_pattern: '/article/'\n"
        "    extraction:\n"
        "      title: 'h1.article-title'\n"
        "      date: \"//span[@class='date']\"\n"
        "      date_locale: ko\n"
        "      timezone: Asia/Pyongyang\n"
    )

    hints = load_sources(registry)["kcna"].extraction

    assert (hints.title, hints.date, hints.date_locale) == ("h1.article-title", "//span[@class='date']", "ko")
    assert load_sources(registry)["kcna"].model_dump()["extraction"]["body"] is None


def test_a_bad_hint_names_its_source_and_field(tmp_path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(
        "sources:\n  - name: bad\n    start_urls: ['https://x.example/']\n    article_pattern: 'a'\n"
        "    extraction:\n      body: 'div[['\n"
    )

    with pytest.raises(ConfigError, match=r"source 'bad', field extraction.body"):
        load_sources(registry)


def test_structured_data_beats_the_url_and_time_elements_for_the_date() -> None:
    head = '<meta property="article:published_time" content="2019-04-25T14:30:00+09:00">'
    article = parse_page(page(head, f'<h1>Leaders meet</h1><time datetime="2011-01-01">old</time>{BODY}'))

    assert article.published_at == "2019-04-25T14:30:00+09:00"
    assert article.extraction == "trafilatura+structured"


def test_the_date_in_the_url_beats_time_elements_of_comments_and_teasers() -> None:
    comments = '<time datetime="2009-04-11 18:06:36">a reader, 2009</time>'
    article = parse_page(page("<title>Leaders meet</title>", f"<h1>Leaders meet</h1>{BODY}{comments}"))

    assert article.published_at == "2019-04-26"
    assert article.extraction == "trafilatura+url"


def test_a_utc_timestamp_is_stored_with_the_offset_the_page_itself_writes() -> None:
    head = '<meta property="article:published_time" content="2022-05-04T03:37:37+00:00">'
    byline = '<time datetime="2022-05-03T23:37:37-04:00">May 3, 2022</time>'
    article = parse_page(
        page(head, f"<h1>Leaders meet</h1>{byline}{BODY}", url="https://news.example.org/a/1")
    )

    assert article.published_at == "2022-05-03T23:37:37-04:00"


def jsonld_page(*objects: dict, url: str = "https://x.example/a"):
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(o)}</script>' for o in objects)
    return page(scripts, f"<h1>Leaders meet</h1>{BODY}", url=url)


def test_a_timestamp_without_a_zone_takes_the_day_the_page_states_without_a_time() -> None:
    # 23:35 in no named zone: the publisher's own calendar says the 11th
    article = parse_page(
        jsonld_page(
            dict(JSON_LD, datePublished="2022-05-10T23:35:55", dateModified="2022-05-11T04:10:00"),
            {"@type": "WebPage", "datePublished": "2022-05-11"},
        )
    )

    assert article.published_at == "2022-05-11"
    assert article.published_at_raw == "2022-05-10T23:35:55"


@pytest.mark.parametrize(
    ("published", "stated"),
    [
        # a timestamp in a named zone is the publisher's moment already
        ("2019-10-19T03:00:00.000Z", "2019-10-18"),
        # a day more than a time zone away is another event
        ("2022-05-10T08:35:55", "2022-05-12"),
    ],
)
def test_a_timestamp_keeps_its_day_against_a_stated_day_it_cannot_be(published: str, stated: str) -> None:
    article = parse_page(
        jsonld_page(dict(JSON_LD, datePublished=published), {"@type": "WebPage", "datePublished": stated})
    )

    assert article.published_at[:10] == published[:10]


def test_a_utc_timestamp_takes_the_day_on_the_sources_clock_when_the_registry_names_its_zone() -> None:
    head = '<meta property="article:published_time" content="2022-11-06T23:00:00.000Z">'
    hints = ExtractionHints(timezone="Europe/Berlin")
    article = parse_page(page(head, f"<h1>Leaders meet</h1>{BODY}", url="https://x.example/a"), hints=hints)

    assert article.published_at == "2022-11-07T00:00:00+01:00"


def test_a_time_element_outside_any_article_element_dates_the_page_when_nothing_else_does() -> None:
    # the header's <time> (today's date on a masthead) comes first in the page and is not the article's
    layout = (
        '<header><time datetime="2021-01-01">today</time></header><div class="content"><h1>Leaders meet</h1>'
        f'<div class="meta"><time datetime="2022-12-12 12:22">12.12.2022 12:22</time></div>{BODY}</div>'
    )
    fetched = dataclasses.replace(page(url="https://x.example/a"), html=f"<html><body>{layout}</body></html>")
    article = parse_page(fetched)

    assert article.published_at == "2022-12-12T12:22:00+00:00"
    assert article.extraction == "trafilatura+time_element"


META_DATE = '<meta property="article:published_time" content="2020-04-03T10:35:41Z">'


def test_the_date_written_under_the_headline_beats_a_metadata_date_that_disagrees() -> None:
    byline = '<p class="byline">By A. Writer</p><p class="byline">11 April 2020</p>'
    article = parse_page(page(META_DATE, f"<h1>Leaders meet</h1>{byline}{BODY}", url="https://x.example/a"))

    assert article.published_at == "2020-04-11"
    assert article.extraction == "trafilatura+byline"


def test_a_byline_on_the_metadatas_day_keeps_the_metadatas_timestamp() -> None:
    byline = "<p>3 April 2020</p>"
    article = parse_page(page(META_DATE, f"<h1>Leaders meet</h1>{byline}{BODY}", url="https://x.example/a"))

    assert article.published_at == "2020-04-03T10:35:41+00:00"


@pytest.mark.parametrize(
    ("byline", "published_at"),
    [
        # two dates side by side under the headline, the second the metadata's day: the metadata's date
        ("<p>11 April 2020</p><p>3 April 2020</p>", "2020-04-03T10:35:41+00:00"),
        # the second date is in a sentence of the article: the byline's date stands
        (
            "<p>11 April 2020</p><p>In the Federal Law Gazette of 3 April 2020 the act was published.</p>",
            "2020-04-11",
        ),
    ],
)
def test_a_byline_with_a_second_date_on_the_metadatas_day_keeps_the_metadata(byline, published_at) -> None:
    article = parse_page(page(META_DATE, f"<h1>Leaders meet</h1>{byline}{BODY}", url="https://x.example/a"))

    assert article.published_at == published_at


@pytest.mark.parametrize(
    "after_headline",
    [
        # a date inside a sentence of the article is an event, not the article's date
        "<p>The summit that opened on 11 April 2020 in the port city ended without a joint statement.</p>",
        # a relative date says less than the metadata's timestamp
        "<p>2 days ago</p>",
        # nobody reads a script
        '<div><script>var published = "11 April 2020";</script></div>',
    ],
)
def test_dates_in_sentences_and_relative_dates_are_no_byline(after_headline: str) -> None:
    article = parse_page(
        page(META_DATE, f"<h1>Leaders meet</h1>{after_headline}{BODY}", url="https://x.example/a")
    )

    assert article.published_at == "2020-04-03T10:35:41+00:00"


def test_the_byline_is_read_under_the_headline_not_under_the_sites_name() -> None:
    head = META_DATE + '<meta property="og:site_name" content="Example News">'
    layout = "<h1>Example News</h1><p>11 April 2020</p><h1>Leaders meet</h1><p>By A. Writer</p>"
    article = parse_page(page(head, layout + BODY, url="https://x.example/a"))

    assert article.published_at == "2020-04-03T10:35:41+00:00"


def test_an_update_under_the_headline_dated_before_the_publication_is_no_byline() -> None:
    # a live ticker: "Update vom 3. Mai" is an entry of the story, published on 4 May
    head = '<meta property="article:published_time" content="2020-05-04T14:50:00+02:00">'
    ticker = "<p>Update vom 03. Mai 2020, 16:05 Uhr:</p>"
    article = parse_page(page(head, f"<h1>Leaders meet</h1>{ticker}{BODY}", url="https://x.example/a"))

    assert article.published_at == "2020-05-04T14:50:00+02:00"


def test_an_update_under_the_headline_is_the_update_and_the_metadata_the_publication() -> None:
    byline = "<p>Updated April 11, 2020</p>"
    article = parse_page(page(META_DATE, f"<h1>Leaders meet</h1>{byline}{BODY}", url="https://x.example/a"))

    assert article.published_at == "2020-04-03T10:35:41+00:00"
    assert article.updated_at == "2020-04-11"


@pytest.mark.parametrize(
    "labelled",
    [
        "<p>Erschienen am: 11.04.2020</p>",
        "<p>Letzte Änderung: 03.04.2020 - 14:49:39<br>Erschienen am: 11.04.2020</p>",
        "<p><span>Published on</span> <span>April 11, 2020</span></p>",
        "<p>Published on <b>April 11, 2020</b></p>",
    ],
)
def test_a_date_labelled_as_the_publication_beats_a_metadata_date_that_disagrees(labelled: str) -> None:
    # above the headline, where no byline is read
    article = parse_page(page(META_DATE, f"{labelled}<h1>Leaders meet</h1>{BODY}", url="https://x.example/a"))

    assert article.published_at == "2020-04-11"
    assert article.extraction == "trafilatura+labelled"


@pytest.mark.parametrize(
    "labelled",
    [
        # teasers, each published on its own day
        "<ul><li>Other story <span>veröffentlicht am Januar 20, 2020</span></li>"
        "<li>Third story <span>veröffentlicht am Januar 1, 2020</span></li></ul>",
        # more labelled dates than an article shows, even on one day: a list of teasers
        "<ul>" + "<li>Story <span>Posted on</span> <span>April 11, 2020</span></li>" * 25 + "</ul>",
        # a change, not the publication
        "<p>Zuletzt aktualisiert: 11.04.2020</p>",
        # a sentence of the article
        "<p>The report was published on 11 April 2020 by the ministry, which had promised it for months.</p>",
        # nobody reads a script
        '<script>var label = "Published: 11.04.2020";</script>',
    ],
)
def test_labels_on_teasers_updates_and_sentences_date_no_article(labelled: str) -> None:
    # above the headline, where no byline is read
    article = parse_page(page(META_DATE, f"{labelled}<h1>Leaders meet</h1>{BODY}", url="https://x.example/a"))

    assert article.published_at == "2020-04-03T10:35:41+00:00"


def test_the_only_date_a_page_shows_is_its_update_when_the_markup_states_none() -> None:
    layout = (
        '<div class="recipe"><meta itemprop="dateCreated" content="01/01/2004">'
        '<div class="recipeDate"> Updated June 13, 2019 </div>'
        f"<h1>Pineapple upside-down cake</h1>{BODY}</div>"
    )
    fetched = dataclasses.replace(page(url="https://x.example/a"), html=f"<html><body>{layout}</body></html>")
    article = parse_page(fetched)

    assert article.published_at == "2019-06-13"


def test_an_update_label_stands_not_against_a_publication_date_in_the_markup() -> None:
    article = parse_page(
        page(
            META_DATE, f"<p>Updated April 11, 2020</p><h1>Leaders meet</h1>{BODY}", url="https://x.example/a"
        )
    )

    assert article.published_at == "2020-04-03T10:35:41+00:00"


SHORT_POST = (
    "<h1>Monster talk #1</h1><p>M: Who slips next on the ice? K: Not me, I have spikes on my boots.</p>"
)


def test_a_short_post_that_declares_itself_a_dated_article_is_kept() -> None:
    head = (
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2009-12-23">'
    )

    article = parse_page(page(head, SHORT_POST))

    assert article.title == "Monster talk #1"
    assert article.published_at == "2009-12-23"


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:published_time" content="2009-12-23">',  # dated, but not declared an article
        '<meta property="og:type" content="article">',  # declared, but no date anywhere
    ],
)
def test_a_short_page_without_both_signs_is_still_not_an_article(head: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_page(page(head, SHORT_POST, url="https://news.example.org/a/1"))
    assert caught.value.reason == "not_an_article"


def test_text_that_the_parser_closes_inside_a_noscript_still_counts() -> None:
    swallowed = f'<noscript><div id="no-js"></noscript><div><h1>Leaders meet</h1>{BODY}</div>'
    fetched = dataclasses.replace(page(), html=f"<html><body>{swallowed}</body></html>")

    assert parse_page(fetched).title == "Leaders meet"
