"""Unit tests for titles in every script: the headline as the page states it, without the site's name."""

from __future__ import annotations

import pytest

from newsdesk.kernel.messages import FetchedPage
from tasks.parse.page import parse_page
from tasks.parse.titles import SiteName, clean_title, host_names, strip_site_name

PARAGRAPHS = [
    "The two leaders met in Moscow on Monday for their first summit in years, officials said after talks.",
    "They discussed economic cooperation, a railway link across the border and energy supplies.",
    "A joint statement was issued, and both sides described the meeting as frank and constructive.",
]
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def page(url: str, head: str, chrome: str = "", article: str = "") -> FetchedPage:
    html = (
        f'<html><head><meta charset="utf-8">{head}</head><body><header>{chrome}</header>'
        f"<article>{article}{BODY}</article></body></html>"
    )
    return FetchedPage(
        url=url,
        final_url=url,
        crawl_source="test",
        fetched_at="2023-03-21T10:00:00+00:00",
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        html=html,
    )


def site_name_meta(name: str) -> str:
    return f'<meta property="og:site_name" content="{name}">'


# (address, what <head> says besides <title>, page chrome, <title>, the headline)
OUTLETS = [
    # Xinhua: "_" or a dash glued to the site's name, which its logo's link to the home page says
    (
        "http://www.news.cn/politics/leaders/2023-03/20/c_1129446.htm",
        "",
        '<a href="http://www.news.cn/"><img src="/logo.png" alt="新华网"></a>',
        "习近平会见普京_新华网",
        "习近平会见普京",
    ),
    (
        "http://www.xinhuanet.com/politics/2023-03/20/c_1129446.htm",
        site_name_meta("新华网"),
        "",
        "习近平同普京举行会谈——新华网",
        "习近平同普京举行会谈",
    ),
    # People's Daily: a section's host links home to the whole site
    (
        "http://politics.people.com.cn/n1/2023/0320/c1024-32647.html",
        "",
        '<a href="http://www.people.com.cn/">人民网</a>',
        "习近平会见普京--人民网",
        "习近平会见普京",
    ),
    # NHK: the site's name is its address's first word, in Latin before Japanese
    (
        "https://www3.nhk.or.jp/news/html/20230321/k10014014471000.html",
        "",
        "",
        "岸田首相 ウクライナを訪問 ゼレンスキー大統領と会談へ | NHK",
        "岸田首相 ウクライナを訪問 ゼレンスキー大統領と会談へ",
    ),
    (
        "https://www.nhk.or.jp/politics/articles/statement/97000.html",
        "",
        "",
        "岸田首相がウクライナ訪問｜NHK政治マガジン",
        "岸田首相がウクライナ訪問",
    ),
    # Yonhap: a Hangul site name
    (
        "https://www.yna.co.kr/view/AKR20230321000100001",
        site_name_meta("연합뉴스"),
        "",
        "尹대통령, 日 방문 마치고 귀국 | 연합뉴스",
        "尹대통령, 日 방문 마치고 귀국",
    ),
    # KCNA and Rodong Sinmun: full-width minus and a horizontal bar before the name the logo gives
    (
        "http://www.kcna.kp/kp/article/q/5f0e9d1a2e1b.kcmsf",
        "",
        '<a href="http://www.kcna.kp/"><img alt="조선중앙통신"></a>',
        "김정은동지께서 새로 건설된 공장을 현지지도하시였다 －조선중앙통신",
        "김정은동지께서 새로 건설된 공장을 현지지도하시였다",
    ),
    (
        "http://www.rodong.rep.kp/ko/index.php?MTJAMjAyMy0wMy0yMS1IMDAxQA==",
        "",
        '<a href="http://www.rodong.rep.kp/ko/">로동신문</a><a href="/">로동신문</a>',
        "경애하는 김정은동지께서 현지지도하시였다 ― 로동신문",
        "경애하는 김정은동지께서 현지지도하시였다",
    ),
    # TASS and RIA: a Cyrillic name for a Latin address, a date glued after it
    (
        "https://tass.ru/politika/17318503",
        "",
        "",
        "Путин и Си Цзиньпин провели переговоры в Кремле - ТАСС",
        "Путин и Си Цзиньпин провели переговоры в Кремле",
    ),
    (
        "https://ria.ru/20230315/putin-1857721436.html",
        "",
        "",
        "Путин провел переговоры с Си Цзиньпином - РИА Новости, 15.03.2023",
        "Путин провел переговоры с Си Цзиньпином",
    ),
    # Al Jazeera: right to left, with a section between headline and name, direction marks around it
    (
        "https://www.aljazeera.net/news/politics/2023/3/20/putin-xi",
        site_name_meta("الجزيرة نت"),
        "",
        "\u200fبوتين يستقبل شي في موسكو\u200f | أخبار | الجزيرة نت",
        "بوتين يستقبل شي في موسكو",
    ),
    # DW, Le Monde, El País
    (
        "https://www.dw.com/de/putin-empfängt-xi-in-moskau/a-65047839",
        "",
        "",
        "Putin empfängt Xi in Moskau – DW – 20.03.2023",
        "Putin empfängt Xi in Moskau",
    ),
    (
        "https://www.lemonde.fr/international/article/2023/03/20/poutine-recoit-xi_6166158_3210.html",
        site_name_meta("Le Monde.fr"),
        "",
        "Vladimir Poutine reçoit Xi Jinping à Moscou - Le Monde",
        "Vladimir Poutine reçoit Xi Jinping à Moscou",
    ),
    (
        "https://elpais.com/internacional/2023-03-20/putin-recibe-a-xi.html",
        "",
        "",
        "Putin recibe a Xi en Moscú | Internacional | EL PAÍS",
        "Putin recibe a Xi en Moscú",
    ),
]
IDS = ["xinhua", "xinhua-dashes", "people", "nhk", "nhk-magazine", "yonhap", "kcna", "rodong"]
IDS += ["tass", "ria", "aljazeera", "dw", "lemonde", "elpais"]


@pytest.mark.parametrize(("url", "head", "chrome", "title", "headline"), OUTLETS, ids=IDS)
def test_a_title_only_the_head_states_loses_the_sites_name(url, head, chrome, title, headline) -> None:
    article = parse_page(page(url, f"<title>{title}</title>{head}", chrome))

    assert article.title == headline


@pytest.mark.parametrize(("url", "head", "chrome", "title", "headline"), OUTLETS, ids=IDS)
def test_an_og_title_with_the_sites_name_loses_it(url, head, chrome, title, headline) -> None:
    og_title = f'<meta property="og:title" content="{title}">'

    assert parse_page(page(url, og_title + head, chrome)).title == headline


@pytest.mark.parametrize(("url", "head", "chrome", "title", "headline"), OUTLETS, ids=IDS)
def test_the_h1_is_the_headline_whatever_the_title_adds(url, head, chrome, title, headline) -> None:
    article = parse_page(page(url, f"<title>{title}</title>{head}", chrome, f"<h1>{headline}</h1>"))

    assert article.title == headline


@pytest.mark.parametrize(
    ("url", "title", "expected"),
    [
        # hyphens inside Cyrillic words are no separators
        (
            "https://tass.ru/x",
            "Ростов-на-Дону встретил из-за рубежа гостей - ТАСС",
            "Ростов-на-Дону встретил из-за рубежа гостей",
        ),
        # a dash in a Chinese headline that names no site stays
        ("http://www.news.cn/x.htm", "中国-东盟博览会开幕", "中国-东盟博览会开幕"),
        # a headline that starts with a word like the address is not the site's name
        ("https://ria.ru/x", "Рост цен - что дальше", "Рост цен - что дальше"),
        # "Interfax" spelled in Cyrillic
        ("https://www.interfax.ru/world/1", "Переговоры завершились - Интерфакс", "Переговоры завершились"),
    ],
)
def test_only_parts_naming_the_site_are_cut(url: str, title: str, expected: str) -> None:
    assert strip_site_name(title, SiteName([], url)) == expected


def test_an_address_under_a_countrys_second_level_is_named_by_its_own_label() -> None:
    assert {"yna", "nhk", "people"} <= host_names("https://www.yna.co.kr/") | host_names(
        "https://www3.nhk.or.jp/"
    ) | host_names("http://politics.people.com.cn/")
    assert "co" not in host_names("https://www.yna.co.kr/")


def test_direction_marks_and_zero_width_spaces_are_not_part_of_a_title() -> None:
    assert clean_title("\u202bبوتين يستقبل شي\u202c\u200b") == "بوتين يستقبل شي"


def test_a_headline_starting_with_the_sites_name_is_kept() -> None:
    site = SiteName([], "https://www.bbc.com/news/1")

    assert strip_site_name("BBC chief resigns - Media news", site) == "BBC chief resigns - Media news"
    assert strip_site_name("Leaders meet in Moscow - BBC News", site) == "Leaders meet in Moscow"


def test_the_title_keeps_the_typographic_dashes_and_quotes_the_page_sets() -> None:
    head = (
        '<meta property="og:title" content="Tastings January - May 2020 in \'Halle\'">'
        "<title>Tastings January – May 2020 in ‘Halle’ - whisky.example</title>"
    )

    assert parse_page(page("https://whisky.example/tastings", head)).title == (
        "Tastings January – May 2020 in ‘Halle’"
    )
