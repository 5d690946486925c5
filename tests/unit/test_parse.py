"""Unit tests for the parse stage: the seed page, every demo article page, rejections and awkward input."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdesk.demosite.site import DemoArticle, generate_site, teaser
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import Article, FetchedPage
from tasks.parse.page import parse_page

SEED_PAGE = Path(__file__).resolve().parents[1] / "data" / "seed-article-page.txt"
SEED_URL = "https://archive.example.org/newstream/1556236800-12345/supreme-leader-holds-talks/"
FETCHED_AT = "2025-07-31T10:00:00+00:00"
SEED_TITLE = "Supreme Leader Kim Jong Un Holds Talks with President Vladimir Vladimirovich Putin"
SEED_SOURCE = "Ministry of Foreign Affairs (EN)"
# The dates under the 20 "More From" teasers of the seed page, in page order.
SEED_TEASER_DATES = [
    "2025-07-30", "2025-07-30", "2025-07-29", "2025-07-29", "2025-07-29",
    "2025-07-28", "2025-07-27", "2025-07-27", "2025-07-27", "2025-07-27",
    "2025-07-27", "2025-07-27", "2025-07-27", "2025-07-26", "2025-07-25",
    "2025-07-24", "2025-07-24", "2025-07-24", "2025-07-23", "2025-07-23",
]  # fmt: skip


def fetched(html_text: str, **changes) -> FetchedPage:
    fields = dict(
        url=SEED_URL,
        final_url=SEED_URL,
        crawl_source="test",
        fetched_at=FETCHED_AT,
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        html=html_text,
        run_id="run-1",
    )
    return FetchedPage(**(fields | changes))


def rejection(page: FetchedPage, **kwargs) -> Rejected:
    with pytest.raises(Rejected) as caught:
        parse_page(page, **kwargs)
    return caught.value


# --- The seed page


@dataclass(frozen=True)
class Seed:
    """The seed page's text, split into the parts the layout has."""

    title: str
    meta: str
    body: list[str]
    more_from: str
    teasers: list[tuple[str, str]]  # (text, "July 30, 2025")
    end: str


def read_seed() -> Seed:
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    more = next(i for i, line in enumerate(lines) if line.startswith("More From "))
    listing, end = lines[more + 1 : -1], lines[-1]
    teasers = []
    for i in range(0, len(listing), 3):
        text, date, again = listing[i : i + 3]
        assert text == again, "the seed page shows every teaser twice around its date"
        teasers.append((text, date))
    return Seed(lines[0], lines[1], lines[2:more], lines[more], teasers, end)


SEED = read_seed()


def seed_teaser_href(index: int) -> str:
    return f"/newstream/17538{index:05d}-{index}/"


# A script and a "Latest" sidebar that carry Date/Source lines of their own, shorter than the article's.
DISTRACTIONS = (
    "<script>var line = 'Date: 01/01/2000 | Source: Script |'; var more = 'More From nowhere';</script>",
    '<aside class="latest"><h4>Latest</h4><p><a href="/other/">Another article</a></p>'
    "<p>Date: 30/07/2025 | Source: Rodong Sinmun |</p></aside>\n",
)


def structured_seed_html(seed: Seed, distractions: tuple[str, str] = ("", "")) -> str:
    """The seed as its site lays it out: headings, a meta div, <p> paragraphs and a doubled teaser list."""
    e = html.escape
    meta_text = seed.meta.removesuffix(" | Read original version at source")
    items = "\n".join(
        f'<li><a href="{seed_teaser_href(i)}"><span class="hover">{e(text)}</span></a>'
        f'<span class="date">{date}</span><p class="teaser">{e(text)}</p></li>'
        for i, (text, date) in enumerate(seed.teasers)
    )
    paragraphs = "\n".join(f"<p>{e(line)}</p>" for line in seed.body)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(seed.title)} | {e(SEED_SOURCE)}</title>"
        f"{distractions[0]}</head>\n<body>\n"
        '<nav><a href="/">Home</a> <a href="/mfa/">Ministry of Foreign Affairs</a></nav>\n'
        f"{distractions[1]}"
        f'<article><h1 class="title">{e(seed.title)}</h1>\n'
        f'<div class="meta">{e(meta_text)} | '
        '<a href="/original/1">Read original version at source</a></div>\n'
        f'<div class="content">\n{paragraphs}\n</div></article>\n'
        f'<section class="more"><h3>{e(seed.more_from)}</h3>\n<ul>\n{items}\n</ul>\n'
        f'<a href="/more/">{e(seed.end)}</a></section>\n'
        "<footer><p>© News archive</p></footer>\n</body></html>\n"
    )


def flat_seed_html(seed: Seed, with_head: bool) -> str:
    """The seed with every line of the page a <p>, as the simplest sites of the kind publish it."""
    lines = [seed.title, seed.meta, *seed.body, seed.more_from]
    for text, date in seed.teasers:
        lines += [text, date, text]
    lines.append(seed.end)
    head = f"<head><title>{html.escape(seed.title)}</title></head>" if with_head else ""
    return (
        f"<html>{head}<body>\n"
        + "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
        + "\n</body></html>"
    )


def test_seed_page_has_the_expected_shape() -> None:
    assert SEED.title == SEED_TITLE
    assert len(SEED.body) == 12
    assert len(SEED.teasers) == 20
    assert SEED.end == "More Articles"


@pytest.mark.parametrize(
    "page_html",
    [
        structured_seed_html(SEED),
        structured_seed_html(SEED, DISTRACTIONS),
        flat_seed_html(SEED, with_head=True),
        flat_seed_html(SEED, with_head=False),
    ],
    ids=["structured", "structured-with-sidebar", "flat-with-title", "flat-no-head"],
)
def test_seed_page_parses_exactly(page_html: str) -> None:
    article = parse_page(fetched(page_html))

    assert article.title == SEED_TITLE
    assert article.published_at == "2019-04-26"
    assert article.published_at_raw == "26/04/2019"
    assert article.source == SEED_SOURCE
    assert article.body.split("\n\n") == SEED.body
    assert "Read original version" not in article.body
    assert article.warnings == []
    assert (article.url, article.final_url, article.crawl_source) == (SEED_URL, SEED_URL, "test")
    assert (article.fetched_at, article.run_id) == (FETCHED_AT, "run-1")

    assert [item.text for item in article.related] == [text for text, _ in SEED.teasers]
    assert len({item.text for item in article.related}) == 20
    assert [item.date for item in article.related] == SEED_TEASER_DATES
    assert article.related[0].date == "2025-07-30"
    assert article.related[-1].date == "2025-07-23"


def test_structured_seed_teasers_carry_absolute_links() -> None:
    article = parse_page(fetched(structured_seed_html(SEED)))

    assert [item.url for item in article.related] == [
        "https://archive.example.org" + seed_teaser_href(i) for i in range(20)
    ]


def test_flat_seed_teasers_have_no_links() -> None:
    article = parse_page(fetched(flat_seed_html(SEED, with_head=True)))

    assert {item.url for item in article.related} == {None}


# --- Every article page of the demo site

DEMO_BASE = "http://127.0.0.1:8765"
DEMO_SITE = generate_site(30, seed=1)


def demo_page(path: str, base: str = DEMO_BASE) -> FetchedPage:
    status, content_type, body = DEMO_SITE.render(path)
    return fetched(
        body.decode("utf-8"),
        url=base + path,
        final_url=base + path,
        crawl_source="demo",
        fetched_at="2025-08-01T00:00:00+00:00",
        status=status,
        headers={"Content-Type": content_type},
    )


def expected_related(article: DemoArticle) -> list[tuple[str, str, str]]:
    """The same source's newest other articles, as (teaser text, absolute URL, ISO date)."""
    others = [
        o for o in DEMO_SITE.articles if o.source == article.source and o.article_id != article.article_id
    ]
    others.sort(key=lambda o: (o.published, o.article_id), reverse=True)
    return [(teaser(o.paragraphs[0]), DEMO_BASE + o.path, o.published.isoformat()) for o in others[:20]]


def test_demo_site_has_thirty_articles_over_three_sources() -> None:
    assert len(DEMO_SITE.articles) == 30
    assert {a.source.name for a in DEMO_SITE.articles} == {
        "Ministry of Foreign Affairs (EN)",
        "Central News Agency",
        "The Daily Courier",
    }


@pytest.mark.parametrize("demo", DEMO_SITE.articles, ids=lambda a: a.path)
def test_every_demo_article_page_parses_to_its_article(demo: DemoArticle) -> None:
    article = parse_page(demo_page(demo.path))

    assert article.title == demo.title
    assert article.published_at == demo.published.isoformat()
    assert article.published_at_raw == demo.published.strftime("%d/%m/%Y")
    assert article.source == demo.source.name
    assert article.body == demo.body
    assert article.warnings == []

    related = [(item.text, item.url, item.date) for item in article.related]
    assert related == expected_related(demo)
    urls = [item.url for item in article.related]
    assert len(set(urls)) == len(urls) == 9
    assert len({item.text for item in article.related}) == 9
    assert DEMO_BASE + demo.path not in urls
    assert all(url.startswith(DEMO_BASE + f"/{demo.source.slug}/article/") for url in urls)


# --- Rejections

ARTICLE_HTML = (
    "<html><head><title>A title</title></head><body>"
    "<h1>A title</h1><div>Date: 26/04/2019 | Source: Agency | more</div>"
    "<p>The first paragraph.</p><p>The second paragraph.</p></body></html>"
)


@pytest.mark.parametrize("path", DEMO_SITE.rejected_paths)
def test_demo_notice_pages_are_not_articles(path: str) -> None:
    page = demo_page(path)
    assert page.status == 200

    assert rejection(page).reason == "not_an_article"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (dict(status=404), "http_404"),
        (dict(status=503), "http_503"),
        (dict(status=0, error="DNSLookupError: no such host", html=""), "fetch_failed"),
        (dict(status=200, error="ResponseNeverReceived"), "fetch_failed"),
        (dict(headers={"Content-Type": "image/jpeg"}), "not_html"),
        (dict(headers={"content-type": "application/pdf"}), "not_html"),
        (dict(html=""), "empty_page"),
        (dict(html="  \n\t "), "empty_page"),
        (dict(html="\x00\x01PNG\x00" + ARTICLE_HTML), "binary_content"),
        (dict(html="<html><body><h1>Home</h1><p>Welcome to our site.</p></body></html>"), "not_an_article"),
        (dict(html=ARTICLE_HTML.replace("26/04/2019", "April 26, 2019")), "not_an_article"),
        (dict(html=ARTICLE_HTML.replace("Source:", "From:")), "not_an_article"),
        (
            dict(html="<h1>T</h1><div>Date: 26/04/2019 | Source: Agency |</div><ul><li>x</li></ul>"),
            "empty_body",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_rejections_name_their_reason(changes: dict, reason: str) -> None:
    assert rejection(fetched(ARTICLE_HTML, **changes)).reason == reason


def test_demo_site_404_is_rejected_as_http_404() -> None:
    page = demo_page("/no/such/page.html")
    assert page.status == 404

    error = rejection(page)
    assert (error.reason, error.detail) == ("http_404", "server answered 404")


def test_html_content_types_are_accepted_whatever_their_case() -> None:
    for content_type in ("TEXT/HTML; charset=UTF-8", "application/xhtml+xml", "text/html"):
        page = fetched(ARTICLE_HTML, headers={"CONTENT-TYPE": content_type})
        assert parse_page(page).title == "A title"
    assert parse_page(fetched(ARTICLE_HTML, headers={})).title == "A title"


def test_a_page_over_max_bytes_is_too_large() -> None:
    limit = len(ARTICLE_HTML.encode("utf-8"))
    assert parse_page(fetched(ARTICLE_HTML), max_bytes=limit).title == "A title"

    error = rejection(fetched(ARTICLE_HTML), max_bytes=limit - 1)
    assert error.reason == "too_large"
    assert error.detail == f"{limit} bytes > limit {limit - 1}"


def test_max_bytes_counts_bytes_not_characters() -> None:
    korean = ARTICLE_HTML.replace("The first paragraph.", "조선중앙통신사 보도에 의하면 회담이 진행되였다.")
    size = len(korean.encode("utf-8"))
    assert len(korean) < size - 40

    assert parse_page(fetched(korean), max_bytes=size).source == "Agency"
    assert rejection(fetched(korean), max_bytes=len(korean)).reason == "too_large"


# --- Dates


@pytest.mark.parametrize(
    ("raw", "published_at", "warnings"),
    [
        ("31/02/2019", None, ["invalid_date"]),
        ("26/13/2019", None, ["invalid_date"]),
        ("00/04/2019", None, ["invalid_date"]),
        ("04/05/2019", "2019-05-04", []),
        ("1/2/2019", "2019-02-01", []),
        ("26/04/2031", None, ["date_in_future"]),
        ("02/08/2025", "2025-08-02", []),
        ("03/08/2025", None, ["date_in_future"]),
        ("01/01/1850", None, ["date_before_1900"]),
        ("01/01/1900", "1900-01-01", []),
    ],
)
def test_the_date_is_day_first_and_checked(raw: str, published_at: str | None, warnings: list[str]) -> None:
    article = parse_page(fetched(ARTICLE_HTML.replace("26/04/2019", raw)))

    assert article.published_at == published_at
    assert article.published_at_raw == raw
    assert article.warnings == warnings
    assert article.title == "A title"
    assert article.body == "The first paragraph.\n\nThe second paragraph."


# --- Mislabelled and awkward input

KOREAN_TITLE = "김정은동지께서 로씨야련방 대통령과 회담을 진행하시였다"
KOREAN_SOURCE = "조선중앙통신"
KOREAN_BODY = [
    "조선민주주의인민공화국 국무위원회 위원장이신 김정은동지께서 4월 25일 "
    "로씨야련방 대통령과 회담을 진행하시였다.",
    "회담에서는 쌍무관계를 더욱 발전시키기 위한 문제들이 토의되였다 — “친선” ‘협조’ © Café naïve.",
]
KOREAN_ARTICLE = (
    f"<h1>{KOREAN_TITLE}</h1><div class='meta'>Date: 26/04/2019 | Source: {KOREAN_SOURCE} | 원문</div>"
    + "".join(f"<p>{line}</p>" for line in KOREAN_BODY)
)


def assert_korean_article(article: Article) -> None:
    assert article.title == KOREAN_TITLE
    assert article.source == KOREAN_SOURCE
    assert article.published_at == "2019-04-26"
    assert article.body.split("\n\n") == KOREAN_BODY


@pytest.mark.parametrize(
    "page_html",
    [
        f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<html><body>{KOREAN_ARTICLE}</body></html>',
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{KOREAN_ARTICLE}</body></html>',
        f'<html><head><meta charset="euc-kr"></head><body>{KOREAN_ARTICLE}</body></html>',
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>'
        f"<body>{KOREAN_ARTICLE}</body></html>",
        f"\ufeff<!DOCTYPE html><html><body>{KOREAN_ARTICLE}</body></html>",
        KOREAN_ARTICLE,
    ],
    ids=["xml-declaration-latin1", "xhtml-utf8", "meta-euc-kr", "http-equiv-cp1251", "utf8-bom", "fragment"],
)
def test_mislabelled_text_is_kept_intact(page_html: str) -> None:
    assert_korean_article(parse_page(fetched(page_html)))


def test_bom_does_not_reach_the_title() -> None:
    page = "\ufeff<html><head><title>Fallback</title></head><body>" + ARTICLE_HTML + "</body></html>"

    article = parse_page(fetched(page))

    assert article.title == "A title"
    assert "\ufeff" not in article.body


def test_broken_unclosed_tags_still_parse() -> None:
    page = (
        "<html><head><title>T</title></head><body><div class=article><h1>Broken <b>title</h1>"
        "<div class=meta>Date: 26/04/2019 | Source: Agency | <a href=/o>Read original version at source</div>"
        "<p>One <i>unclosed<p>Two</span></table><p>Three &amp; four <br> five"
        "<h3>More From Agency</h3><ul><li><a href=/x>Teaser one<li>July 30, 2025<li>Teaser one"
        "<li><a href='/y'>Teaser two</a><li>July 29, 2025<li>Teaser two"
    )

    article = parse_page(fetched(page))

    assert article.title == "Broken title"
    assert article.source == "Agency"
    assert article.body == "One unclosed\n\nTwo\n\nThree & four five"
    assert [(item.text, item.url, item.date) for item in article.related] == [
        ("Teaser one", "https://archive.example.org/x", "2025-07-30"),
        ("Teaser two", "https://archive.example.org/y", "2025-07-29"),
    ]


def test_entities_and_odd_whitespace_are_normalised() -> None:
    page = (
        "<h1>Title&nbsp;with\n  spaces</h1><div>Date:&nbsp;26/04/2019 |  Source:\tAgency\n| x</div>"
        "<p>It&#8217;s a  paragraph\nover lines &amp; entities.</p>"
    )

    article = parse_page(fetched(page))

    assert article.title == "Title with spaces"
    assert article.source == "Agency"
    assert article.body == "It’s a paragraph over lines & entities."


def test_canonical_link_becomes_an_absolute_hint() -> None:
    page = ARTICLE_HTML.replace("<head>", '<head><link rel="canonical" href=" /canonical/page.html ">')

    article = parse_page(fetched(page))

    assert article.canonical_hint == "https://archive.example.org/canonical/page.html"
    assert parse_page(fetched(ARTICLE_HTML)).canonical_hint is None
