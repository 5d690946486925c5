"""Dates as state and international media write them: each form read to the precision the page states."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.sources import ExtractionHints
from tasks.parse.dates import date_from_url, dateline_day, month_day, parse_date, with_year
from tasks.parse.page import parse_page

FETCHED = "2026-01-10T00:00:00+00:00"
BODY = (
    "<p>The delegation visited the machine plant and the cooperative farm and spoke with the managers about "
    "the plan, the harvest and the new equipment that arrived from the capital in spring this year.</p>"
    "<p>Workers showed the visitors the new lines and explained how the output had grown since the last "
    "visit, and the managers set out the tasks for the months ahead in detail.</p>"
)


def page(header: str = "", body: str = BODY, *, url: str = "https://agency.test/news/1", head: str = ""):
    html = f"<html><head>{head}<title>Plant visited</title></head><body><h1>Plant visited</h1>{header}{body}"
    return FetchedPage(
        url=url,
        final_url=url,
        crawl_source="agency",
        fetched_at=FETCHED,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        html=html + "</body></html>",
    )


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        # Juche years, with a month and a day, in both scripts, and alone
        ("Juche 112 (2023), May 3", "2023-05-03", "day"),
        ("Juche 112.5.3", "2023-05-03", "day"),
        ("주체112(2023)년 5월 3일", "2023-05-03", "day"),
        ("주체112년 5월 3일 수요일", "2023-05-03", "day"),
        ("주체112(2023)년", "2023", "year"),
        ("Juche 112", "2023", "year"),
        # Russian genitive months, г. and года
        ("15 марта 2023 г.", "2023-03-15", "day"),
        ("15 марта 2023 года, 14:05", "2023-03-15T14:05:00+00:00", "time"),
        ("3 мая 2023", "2023-05-03", "day"),
        ("март 2023", "2023-03", "month"),
        ("2023 г.", "2023", "year"),
        # Chinese and Japanese year-month-day, full-width digits, era years
        ("２０２３年３月２１日", "2023-03-21", "day"),
        ("2023年3月21日 下午2:30", "2023-03-21T14:30:00+00:00", "time"),
        ("2023年3月21日 10时30分", "2023-03-21T10:30:00+00:00", "time"),
        ("令和5年3月21日", "2023-03-21", "day"),
        ("令和元年5月1日", "2019-05-01", "day"),
        ("平成31年4月30日", "2019-04-30", "day"),
        ("2023年3月", "2023-03", "month"),
        ("2023年", "2023", "year"),
        # Korean
        ("2023년 5월 3일 (수) 오후 2:30", "2023-05-03T14:30:00+00:00", "time"),
        ("2023년 5월", "2023-05", "month"),
        # German, French, Spanish
        ("3. Mai 2023", "2023-05-03", "day"),
        ("1er mars 2021", "2021-03-01", "day"),
        ("3 de mayo de 2023", "2023-05-03", "day"),
        ("marzo de 2023", "2023-03", "month"),
        # Arabic month names, both calendars' names, Arabic-Indic digits
        ("15 مارس 2023", "2023-03-15", "day"),
        ("15 آذار 2023", "2023-03-15", "day"),
        ("15 آذار/مارس 2023", "2023-03-15", "day"),
        ("١٥ تشرين الأول ٢٠٢٣", "2023-10-15", "day"),
        # English, a month alone
        ("March 2023", "2023-03", "month"),
    ],
)
def test_each_form_is_read_to_the_precision_it_states(text: str, iso: str, precision: str) -> None:
    reading = parse_date(text, FETCHED, coarse=True)

    assert reading is not None and reading.problem is None
    assert (reading.iso, reading.precision) == (iso, precision)


def test_a_month_or_year_alone_is_read_only_where_asked_and_never_given_a_day() -> None:
    assert parse_date("March 2023", FETCHED) is None
    reading = parse_date("Juche 112", FETCHED, coarse=True)
    assert reading.value == dt.date(2023, 1, 1) and reading.iso == "2023"


@pytest.mark.parametrize(
    ("locale", "iso"),
    [
        ("ru", "2019-05-04"),
        ("de", "2019-05-04"),
        ("ko", "2019-05-04"),
        (None, "2019-05-04"),
        ("en-US", "2019-04-05"),
    ],
)
def test_numeric_dates_follow_the_sources_locale(locale, iso) -> None:
    article = parse_page(page("<p>04/05/2019</p>"), hints=ExtractionHints(date_locale=locale))

    assert article.published_at == iso


@pytest.mark.parametrize(
    ("dateline", "month_day"),
    [
        ("PYONGYANG, May 3 (KCNA) -- Kim Jong Un inspected", (5, 3)),
        ("SEOUL, March 5 (Yonhap) -- South Korea", (3, 5)),
        ("МОСКВА, 15 марта. /ТАСС/. Президент России", (3, 15)),
        ("Madrid, 3 may (EFE).- El Gobierno", (5, 3)),
        ("新华社北京3月21日电 国家主席", (3, 21)),
        ("【3月21日 AFP】東京", (3, 21)),
        ("(평양 5월 3일발 조선중앙통신) 김정은", (5, 3)),
    ],
)
def test_agency_datelines_give_a_month_and_a_day(dateline: str, month_day) -> None:
    found = dateline_day(dateline)
    assert found is not None and found[:2] == month_day


@pytest.mark.parametrize(
    "sentence", ["Yesterday, May 3 was a holiday.", "On May 3 the plant opened (again)."]
)
def test_sentences_are_no_datelines(sentence: str) -> None:
    assert dateline_day(sentence) is None


def test_a_dateline_takes_the_year_the_page_states_or_the_fetchs_not_a_later_one() -> None:
    assert with_year(5, 3, "x", 2023, FETCHED).iso == "2023-05-03"
    from_fetch = with_year(12, 30, "x", None, FETCHED)
    assert from_fetch.iso == "2025-12-30" and from_fetch.note == "year_from_fetch_time"


def test_a_dateline_dates_a_page_that_states_no_other_day() -> None:
    dateline = "<p>PYONGYANG, May 3 (KCNA) -- The delegation visited the machine plant on Wednesday.</p>"
    article = parse_page(page(body=dateline + BODY, url="https://agency.test/2023/news/1"))

    assert (article.published_at, article.published_precision) == ("2025-05-03", "day")
    assert "year_from_fetch_time" in article.warnings
    assert article.extraction.endswith("+dateline")


def test_a_copyright_year_is_no_publication_date() -> None:
    # htmldate reads a lone year as 1 January of it; the page never states that day.
    article = parse_page(
        page(body=BODY + "<footer><p>Copyright 2024 Agency. All rights reserved.</p></footer>")
    )

    assert article.published_at is None and "no_date" in article.warnings


def test_a_year_alone_under_the_headline_is_stored_with_year_precision() -> None:
    article = parse_page(page("<p class='date'>Juche 112</p>"))

    assert (article.published_at, article.published_precision) == ("2023", "year")


@pytest.mark.parametrize(
    "byline",
    [
        "<p>Published: 10 June 2019 | Updated: 13 June 2019</p>",
        "<p>Updated 13 June 2019 (first published 10 June 2019)</p>",
        "<p>Опубликовано: 10 июня 2019</p><p>Обновлено: 13 июня 2019</p>",
        "<p>입력 2019.06.10 09:00</p><p>수정 2019.06.13 10:00</p>",
        "<p>发布时间：2019年6月10日</p><p>更新时间：2019年6月13日</p>",
        "<p>Veröffentlicht am 10.06.2019, aktualisiert am 13.06.2019</p>",
        "<p>Publicado el 10 de junio de 2019. Actualizado el 13 de junio de 2019</p>",
    ],
)
def test_the_first_publication_is_published_at_and_the_update_updated_at(byline: str) -> None:
    article = parse_page(page(byline))

    assert article.published_at[:10] == "2019-06-10"
    assert article.updated_at[:10] == "2019-06-13"


def test_a_date_in_the_future_is_refused_and_the_reason_recorded() -> None:
    head = '<meta property="article:published_time" content="2031-05-03T10:00:00Z">'
    article = parse_page(page("<p>3 May 2023</p>", head=head))

    assert article.published_at == "2023-05-03"
    assert any(w.startswith("date_in_future") and "(structured)" in w for w in article.warnings)


def test_a_date_before_the_source_existed_is_refused() -> None:
    article = parse_page(page("<p>3 May 1931</p>"), hints=ExtractionHints(founded=1946))

    assert article.published_at is None
    assert any(w.startswith("date_before_source_founded") for w in article.warnings)
    assert (
        parse_date("3 May 1931", FETCHED, earliest=dt.date(1946, 1, 1)).problem
        == "date_before_source_founded"
    )


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("Published in 2019", "2019", "year"),
        ("Publié en 2021", "2021", "year"),
        ("نشر عام 2023", "2023", "year"),
        ("Issue: March 2023", "2023-03", "month"),
        ("Международная жизнь, № 3, март 2023", "2023-03", "month"),
        ("월간 《조선》 2023년 5월호", "2023-05", "month"),
        ("令和5年3月", "2023-03", "month"),
    ],
)
def test_a_year_or_month_with_a_short_label_is_a_statement(text: str, iso: str, precision: str) -> None:
    reading = parse_date(text, FETCHED, coarse=True)

    assert (reading.iso, reading.precision) == (iso, precision)


@pytest.mark.parametrize("text", ["Copyright 2024", "© 2000-2024 Agency", "All rights reserved 2024"])
def test_a_copyright_year_is_no_statement(text: str) -> None:
    assert parse_date(text, FETCHED, coarse=True) is None


def test_an_agency_story_id_in_the_url_states_its_day() -> None:
    reading = date_from_url("https://www.yna.co.kr/view/AKR20230503012300504")
    assert reading.iso == "2023-05-03"
    assert date_from_url("https://example.test/item/7648841202301015") is None


def test_a_headline_in_a_table_cell_has_its_date_in_the_next_cell() -> None:
    table = (
        "<table><tr><td class='ArticleTitle'><b>Plant visited</b></td></tr>"
        "<tr><td class='ArticleDate'>令和5年3月21日</td></tr>"
        f"<tr><td>{BODY}</td></tr></table>"
    )
    html = f"<html><head><title>Plant visited</title></head><body>{table}</body></html>"
    article = parse_page(dataclasses.replace(page(), html=html))

    assert (article.published_at, article.published_precision) == ("2023-03-21", "day")


def test_a_month_and_day_under_the_headline_take_the_year_beside_that_month_in_the_url() -> None:
    article = parse_page(page("<p>03月21日10時30分</p>", url="https://agency.test/article?k=2023032100123"))

    assert article.published_at == "2023-03-21"
    assert "year_from_fetch_time" not in article.warnings


def test_a_dateline_takes_the_juche_year_the_masthead_states() -> None:
    masthead = "<span class='today'>주체111(2022)년</span>"
    dateline = "<p>【평양 10월 10일발 조선중앙통신】 정부 대표단이 동남아시아 여러 나라를 공식방문하였다.</p>"
    html = f"<html><body>{masthead}<h1>Plant visited</h1>{dateline}{BODY}</body></html>"
    article = parse_page(dataclasses.replace(page(), html=html))

    assert article.published_at == "2022-10-10"


@pytest.mark.parametrize(
    ("text", "month_and_day"),
    [
        ("03月21日10時30分", (3, 21)),
        ("May 3, 10:30 am", (5, 3)),
        ("5월 3일 오후 2:30", (5, 3)),
        ("3 мая", (5, 3)),
    ],
)
def test_a_month_and_day_alone_in_a_byline_is_read(text: str, month_and_day) -> None:
    assert month_day(text)[:2] == month_and_day


@pytest.mark.parametrize("text", ["-bis 3. April-", "Meeting on May 3", "Deadline: 3 мая"])
def test_a_month_and_day_beside_other_words_is_an_events(text: str) -> None:
    assert month_day(text) is None


def test_a_day_under_the_headline_is_finer_than_a_year_in_the_metadata() -> None:
    head = '<meta property="article:published_time" content="2023">'
    article = parse_page(page("<p>3 May 2023</p>", head=head))

    assert (article.published_at, article.published_precision) == ("2023-05-03", "day")


@pytest.mark.parametrize(
    "frame",
    [
        # a masthead's clock
        "<div class='today'>Saturday, February 15, 2025</div><h1>Plant visited</h1>",
        # dated teasers beside the article
        "<h1>Plant visited</h1><aside><ul><li><a href='/x'>Bus strike called off · 12 February 2025</a></li>"
        "</ul></aside>",
        # a fact box: a birth date
        "<h1>Plant visited</h1><dl><dt>Born</dt><dd>3 March 1962, Belfast</dd></dl>",
        # a sentence of the article, short as Chinese sentences are
        "<h1>Plant visited</h1><p>新华社的前身是1931年11月7日在江西瑞金创建的红色中华通讯社。</p>",
    ],
)
def test_dates_in_the_pages_frame_or_its_sentences_date_no_article(frame: str) -> None:
    html = f"<html><head><title>Plant visited</title></head><body>{frame}{BODY}</body></html>"
    article = parse_page(dataclasses.replace(page(), html=html))

    assert article.published_at is None and "no_date" in article.warnings


def test_a_date_just_above_the_headline_dates_a_page_that_states_no_other() -> None:
    html = (
        "<html><head><title>Plant visited</title></head><body><div class='view-head'>"
        "<div class='top-info'>Thursday, August 15, Juche 113 (2024)</div><h2>Plant visited in the east</h2>"
        f"</div>{BODY}</body></html>"
    )
    article = parse_page(dataclasses.replace(page(), html=html))

    assert (article.published_at, article.extraction.split("+")[1]) == ("2024-08-15", "above")


def test_a_table_built_page_without_a_headline_element_has_its_bold_headline_as_title() -> None:
    html = (
        "<html><head><title>조선중앙통신</title></head><body><table>"
        "<tr><td class='top'><img src='/logo.gif' alt='조선중앙통신'></td></tr>"
        "<tr><td class='tit'><font size='4'><b>국경 지역 철도 복구공사 마무리 단계</b></font></td></tr>"
        "<tr><td class='date'>주체113(2024)년 3월 1일 금요일</td></tr>"
        f"<tr><td class='txt'>{BODY}</td></tr></table></body></html>"
    )
    article = parse_page(dataclasses.replace(page(), html=html))

    assert article.title == "국경 지역 철도 복구공사 마무리 단계"
    assert article.published_at == "2024-03-01"


@pytest.mark.parametrize(
    ("opening", "iso"),
    [
        ("Москва. 3 декабря. INTERFAX.RU - Правительственная делегация провела переговоры", "2025-12-03"),
        ("Genève, 5 déc 2024 (AFP) - Les trains de voyageurs circulent de nouveau", "2024-12-05"),
        ("دمشق، 28 كانون الأول (سانا) - عادت قطارات الركاب إلى العمل بين المدينتين", "2025-12-28"),
        ("أبوظبي في 3 ديسمبر / وام / بحث وزراء خارجية خمس دول سبل تقاسم مياه الأنهار", "2025-12-03"),
    ],
)
def test_datelines_in_more_forms(opening: str, iso: str) -> None:
    month, day, raw, year = dateline_day(opening)
    assert with_year(month, day, raw, year, FETCHED_LATE).iso == iso


FETCHED_LATE = "2026-01-05T00:00:00+00:00"


def test_a_juche_date_with_dots_in_korean() -> None:
    assert parse_date("주체113(2024).6.25.", FETCHED).iso == "2024-06-25"


def test_a_date_labelled_as_appeared_at_the_end_of_an_article() -> None:
    article = parse_page(page(body=BODY + "<p>Article paru le 23 août 2024.</p>"))

    assert article.published_at == "2024-08-23"
