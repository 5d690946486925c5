"""A date panel: small pages in nine languages, laid out and dated as state and international outlets do.

Each case is one page built from an outlet's layout and the date text that outlet prints (under the
headline, in a byline, opening the body, in the URL), with the date a reader takes from it. Most pages
carry no metadata, as most state-media pages carry none: the panel measures reading the visible text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.extraction.date_panel_texts import TEASERS, TEXTS

# One instant after every date of the panel, as a crawl archiving these pages would have fetched them.
FETCHED_AT = "2024-06-01T06:00:00+00:00"
PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class PanelCase:
    """One page and the publication date it states (`date` None: it states none)."""

    id: str
    language: str
    form: str
    url: str
    html: str
    date_locale: str | None
    timezone: str | None
    fetched_at: str
    date: str | None
    precision: str | None


@dataclass(frozen=True)
class Outlet:
    """How one outlet builds its pages: layout, address, locale and the fixed lines around an article."""

    key: str
    site: str
    language: str
    layout: str
    base: str
    path: str
    date_locale: str | None = None
    timezone: str | None = None
    section: str = ""
    foot: str = ""
    signoff: str = ""


@dataclass(frozen=True)
class Slots:
    """The date-bearing lines of one page; any may be absent."""

    top: str | None = None  # under the headline
    byline: str | None = None
    lead: str | None = None  # opens the first paragraph: the dateline
    foot: str | None = None  # replaces the outlet's footer
    masthead: str | None = None  # in the site header, above the article
    head: str = ""  # metadata in <head>
    related: tuple[str, ...] = ()  # teasers beside the article
    extra: tuple[str, ...] = ()  # paragraphs after the article's own


def _line(tag: str, css: str, text: str | None) -> str:
    return f'<{tag} class="{css}">{html.escape(text)}</{tag}>' if text else ""


def _paragraphs(paragraphs: list[str], lead: str | None, signoff: str) -> str:
    first, *rest = paragraphs
    parts = [f"<p>{html.escape((lead or '') + first)}</p>"] + [f"<p>{html.escape(p)}</p>" for p in rest]
    if signoff:
        parts.append(f'<p class="signoff">{html.escape(signoff)}</p>')
    return "\n".join(parts)


def _footer(outlet: Outlet, slots: Slots) -> str:
    return html.escape(slots.foot if slots.foot is not None else outlet.foot)


def _extra(slots: Slots) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in slots.extra)


def _teasers(language: str, related: tuple[str, ...]) -> str:
    items = related or TEASERS[language]
    return "".join(f'<li><a href="/news/{i}">{html.escape(t)}</a></li>' for i, t in enumerate(items, 1))


def _document(outlet: Outlet, headline: str, slots: Slots, body: str) -> str:
    direction = ' dir="rtl"' if outlet.language == "ar" else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{outlet.language}"{direction}>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(headline)} - {html.escape(outlet.site)}</title>\n{slots.head}</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def state_layout(outlet: Outlet, headline: str, paragraphs: list[str], slots: Slots) -> str:
    """KCNA, Rodong Sinmun, SANA: a plain page, the date in brackets under the title, no sidebar."""
    body = f"""<div id="header"><a href="/"><img src="/images/logo.png" alt="{html.escape(outlet.site)}"></a>
{_line("span", "today", slots.masthead)}
<ul class="menu"><li><a href="/news">{html.escape(outlet.section or "News")}</a></li></ul></div>
<div class="article-wrap">
<div class="article-head"><h1 class="title">{html.escape(headline)}</h1>
{_line("p", "publish-time", slots.top)}{_line("p", "author", slots.byline)}</div>
<div class="content-wrapper">
{_paragraphs(paragraphs, slots.lead, outlet.signoff)}
</div></div>
<div id="footer">{_footer(outlet, slots)}</div>"""
    return _document(outlet, headline, slots, body)


def wire_layout(outlet: Outlet, headline: str, paragraphs: list[str], slots: Slots) -> str:
    """TASS, RIA, Xinhua, Yonhap: a news-agency page with a meta line and a list of latest news."""
    body = f"""<header class="site-header"><a class="logo" href="/">{html.escape(outlet.site)}</a>
{_line("div", "edition-date", slots.masthead)}
<nav><a href="/politics">{html.escape(outlet.section)}</a></nav></header>
<main><div class="news-header">
{_line("div", "rubric", outlet.section)}
<h1 class="news-header__title">{html.escape(headline)}</h1>
<div class="news-header__meta">{_line("span", "date", slots.top)}{_line("span", "author", slots.byline)}</div>
</div>
<div class="text-content" id="articleText">
{_paragraphs(paragraphs, slots.lead, outlet.signoff)}
{_extra(slots)}
</div>
<section class="latest"><h2>{html.escape(outlet.section)}</h2>
<ul>{_teasers(outlet.language, slots.related)}</ul></section></main>
<footer class="site-footer"><p>{_footer(outlet, slots)}</p></footer>"""
    return _document(outlet, headline, slots, body)


def newspaper_layout(outlet: Outlet, headline: str, paragraphs: list[str], slots: Slots) -> str:
    """BBC, Reuters, Le Monde, El País, Al Jazeera: an <article> with a byline block and a most-read aside."""
    body = f"""<div class="masthead"><a href="/">{html.escape(outlet.site)}</a>
{_line("span", "issue", slots.masthead)}</div>
<nav class="sections"><a href="/world">{html.escape(outlet.section)}</a></nav>
<article class="story">
<header class="story-header">
<span class="kicker">{html.escape(outlet.section)}</span>
<h1 class="headline">{html.escape(headline)}</h1>
{_line("div", "byline", slots.byline)}{_line("div", "article-dates", slots.top)}
</header>
<figure><img src="/media/photo.jpg" alt=""><figcaption>{html.escape(outlet.site)}</figcaption></figure>
<div class="article-body">
{_paragraphs(paragraphs, slots.lead, outlet.signoff)}
{_extra(slots)}
</div>
</article>
<aside class="most-read"><ol>{_teasers(outlet.language, slots.related)}</ol></aside>
<footer><small>{_footer(outlet, slots)}</small></footer>"""
    return _document(outlet, headline, slots, body)


def portal_layout(outlet: Outlet, headline: str, paragraphs: list[str], slots: Slots) -> str:
    """People's Daily, NHK, Naver: breadcrumbs, a title box with an info line, an editor's line."""
    body = f"""<div class="top-bar">{html.escape(outlet.site)}
{_line("span", "date-bar", slots.masthead)}</div>
<div class="path"><a href="/">{html.escape(outlet.site)}</a> &gt;
<a href="/channel">{html.escape(outlet.section)}</a></div>
<div class="layout clearfix"><div class="col-1">
<div class="title-box"><h1>{html.escape(headline)}</h1>
<div class="box01"><div class="fl">{html.escape(slots.top or "")}</div></div>
{_line("p", "writer", slots.byline)}</div>
<div class="rm_txt_con cf">
{_paragraphs(paragraphs, slots.lead, outlet.signoff)}
</div></div>
<div class="col-2"><h3>{html.escape(outlet.section)}</h3>
<ul>{_teasers(outlet.language, slots.related)}</ul></div></div>
<div class="footer"><p>{_footer(outlet, slots)}</p></div>"""
    return _document(outlet, headline, slots, body)


def table_layout(outlet: Outlet, headline: str, paragraphs: list[str], slots: Slots) -> str:
    """An older site built of tables, as some agencies still serve: title row, date row, text row."""
    body = f"""<table width="100%" class="main"><tr><td class="logo">{html.escape(outlet.site)}</td>
<td class="today">{html.escape(slots.masthead or "")}</td></tr></table>
<table width="780" align="center">
<tr><td class="ArticleTitle"><b>{html.escape(headline)}</b></td></tr>
<tr><td class="ArticleDate">{html.escape(slots.top or "")} {html.escape(slots.byline or "")}</td></tr>
<tr><td class="ArticleText">
{_paragraphs(paragraphs, slots.lead, outlet.signoff)}
</td></tr></table>
<table width="100%">
<tr><td class="copyright">{_footer(outlet, slots)}</td></tr></table>"""
    return _document(outlet, headline, slots, body)


LAYOUTS: dict[str, Callable[[Outlet, str, list[str], Slots], str]] = {
    "state": state_layout,
    "wire": wire_layout,
    "newspaper": newspaper_layout,
    "portal": portal_layout,
    "table": table_layout,
}


def published_meta(iso: str, *, modified: str | None = None, json_ld: bool = False) -> str:
    """The metadata a minority of these pages carry: OpenGraph article times, or a JSON-LD NewsArticle."""
    if json_ld:
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": iso}
        if modified:
            data["dateModified"] = modified
        return f'<script type="application/ld+json">{json.dumps(data)}</script>\n'
    tags = '<meta property="og:type" content="article">\n'
    tags += f'<meta property="article:published_time" content="{iso}">\n'
    if modified:
        tags += f'<meta property="article:modified_time" content="{modified}">\n'
    return tags


def modified_meta(iso: str) -> str:
    """A page whose metadata names only the last change, as some CMSs emit it."""
    return f'<meta property="article:modified_time" content="{iso}">\n'


# Outlets, by the language of their pages.
KCNA_EN = Outlet(
    "kcna-en", "KCNA", "en", "state", "http://www.kcna.kp", "/en/article/q/{n:08x}.kcmsf", "en",
    "Asia/Pyongyang", "Top News", "Copyright © 2000-2024 Korean Central News Agency", "-0-",
)  # fmt: skip
RODONG_EN = Outlet(
    "rodong-en", "Rodong Sinmun", "en", "state", "http://www.rodong.rep.kp", "/en/index.php?MTJAMjAyM{n}==",
    "en", "Asia/Pyongyang", "Politics", "Rodong Sinmun © 2024",
)  # fmt: skip
YONHAP_EN = Outlet(
    "yonhap-en", "Yonhap News Agency", "en", "wire", "https://en.yna.co.kr", "/view/AEN{n}", "en",
    "Asia/Seoul", "N. Korea", "Copyright (C) 2024 Yonhap News Agency. All Rights Reserved.", "(END)",
)  # fmt: skip
XINHUA_EN = Outlet(
    "xinhua-en", "Xinhua", "en", "wire", "https://english.news.cn", "/{n}/c.html", "en", "Asia/Shanghai",
    "World", "Copyright © 2000-2024 XINHUANET.com All rights reserved.", "Enditem",
)  # fmt: skip
TASS_EN = Outlet(
    "tass-en", "TASS", "en", "wire", "https://tass.com", "/politics/{n}", "en", "Europe/Moscow", "Politics",
    "© 2024 TASS Russian News Agency",
)  # fmt: skip
BBC = Outlet(
    "bbc", "BBC News", "en", "newspaper", "https://www.bbc.co.uk", "/news/world-asia-{n}", "en-GB",
    "Europe/London", "Asia", "Copyright 2024 BBC. All rights reserved.",
)  # fmt: skip
UK_LOCAL = Outlet(
    "uk-local", "Evening Courier", "en", "table", "https://www.eveningcourier.co.uk",
    "/news/story-{n}.html", "en-GB", "Europe/London", "Local news", "© Evening Courier 2024",
)  # fmt: skip
REUTERS = Outlet(
    "reuters", "Reuters", "en", "newspaper", "https://www.reuters.com", "/world/asia-pacific/talks-{n}/",
    "en-US", None, "Asia Pacific", "© 2024 Reuters. All rights reserved",
)  # fmt: skip
AP = Outlet(
    "ap", "AP News", "en", "newspaper", "https://apnews.com", "/article/{n:x}", "en-US", "America/New_York",
    "World News", "Copyright 2024 The Associated Press. All Rights Reserved.",
)  # fmt: skip
US_LOCAL = Outlet(
    "us-local", "The Valley Herald", "en", "portal", "https://www.valleyherald.com",
    "/news/local/article_{n}.html", "en-US", "America/Chicago", "Local",
    "© 2024 The Valley Herald, a local media company",
)  # fmt: skip
NKNEWS = Outlet(
    "nknews", "NK News", "en", "newspaper", "https://www.nknews.org", "/pro/analysis-{n}/", "en-US", None,
    "Analysis", "© 2024 Korea Risk Group",
)  # fmt: skip
AJ_EN = Outlet(
    "aj-en", "Al Jazeera", "en", "newspaper", "https://www.aljazeera.com", "/features/{n}", "en-GB",
    "Asia/Qatar", "Features", "© 2024 Al Jazeera Media Network",
)  # fmt: skip
KYODO_EN = Outlet(
    "kyodo-en", "Kyodo News", "en", "wire", "https://english.kyodonews.net", "/news/{n}.html", "en",
    "Asia/Tokyo", "World", "All Rights Reserved, Copyright © Kyodo News",
)  # fmt: skip
KCNA_KO = Outlet(
    "kcna-ko", "조선중앙통신", "ko", "state", "http://www.kcna.kp", "/kp/article/q/{n:08x}.kcmsf", "ko",
    "Asia/Pyongyang", "중요기사", "Copyright © 2000-2024 조선중앙통신사",
)  # fmt: skip
URIMINZOKKIRI = Outlet(
    "uriminzokkiri", "우리 민족끼리", "ko", "table", "http://uriminzokkiri.com",
    "/index.php?ptype=cgisas&mtype=view&no={n}", "ko", "Asia/Pyongyang", "기사",
    "Copyright © 2003-2024 《우리 민족끼리》",
)  # fmt: skip
RODONG_KO = Outlet(
    "rodong-ko", "로동신문", "ko", "state", "http://www.rodong.rep.kp",
    "/ko/index.php?strPageID=SF01_02_01&newsID={n}", "ko", "Asia/Pyongyang", "정치", "로동신문 © 2024",
)  # fmt: skip
YONHAP_KO = Outlet(
    "yonhap-ko", "연합뉴스", "ko", "wire", "https://www.yna.co.kr", "/view/AKR{n}", "ko", "Asia/Seoul",
    "북한",
    "<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지> Copyright (c) 2024 Yonhap News Agency",
)  # fmt: skip
HANKYOREH = Outlet(
    "hankyoreh", "한겨레", "ko", "newspaper", "https://www.hani.co.kr", "/arti/politics/defense/{n}.html",
    "ko", "Asia/Seoul", "국방", "ⓒ 한겨레신문 : 무단전재 및 재배포 금지",
)  # fmt: skip
NAVER = Outlet(
    "naver", "네이버 뉴스", "ko", "portal", "https://n.news.naver.com", "/article/001/00{n}", "ko",
    "Asia/Seoul", "정치", "Copyright ⓒ NAVER Corp. All Rights Reserved.",
)  # fmt: skip
TASS = Outlet(
    "tass", "ТАСС", "ru", "wire", "https://tass.ru", "/politika/{n}", "ru", "Europe/Moscow", "Политика",
    "© 2024 ТАСС Информационное агентство России",
)  # fmt: skip
RIA = Outlet(
    "ria", "РИА Новости", "ru", "wire", "https://ria.ru", "/{n}.html", "ru", "Europe/Moscow", "Политика",
    "© 2024 МИА «Россия сегодня»",
)  # fmt: skip
INTERFAX = Outlet(
    "interfax", "Интерфакс", "ru", "newspaper", "https://www.interfax.ru", "/world/{n}", "ru",
    "Europe/Moscow", "В мире", "© 1991—2024 Интерфакс",
)  # fmt: skip
KOMMERSANT = Outlet(
    "kommersant", "Коммерсантъ", "ru", "newspaper", "https://www.kommersant.ru", "/doc/{n}", "ru",
    "Europe/Moscow", "Мир", "© АО «Коммерсантъ», 2024",
)  # fmt: skip
RG = Outlet(
    "rg", "Российская газета", "ru", "portal", "https://rg.ru", "/{n}.html", "ru", "Europe/Moscow",
    "В мире", "© 1998—2024 ФГБУ «Редакция «Российской газеты»",
)  # fmt: skip
XINHUA = Outlet(
    "xinhua", "新华网", "zh", "wire", "http://www.news.cn", "/world/{n}.htm", "zh", "Asia/Shanghai", "国际",
    "Copyright © 2000-2024 XINHUANET.com All rights reserved.", "（完）",
)  # fmt: skip
PEOPLE = Outlet(
    "people", "人民网", "zh", "portal", "http://world.people.com.cn", "/n1/c1002-{n}.html", "zh",
    "Asia/Shanghai", "国际频道",
    "人民网版权所有，未经书面授权禁止使用 Copyright © 1997-2024 by www.people.com.cn. all rights reserved",
    "（责编：王晓、李明）",
)  # fmt: skip
CHINANEWS = Outlet(
    "chinanews", "中国新闻网", "zh", "portal", "https://www.chinanews.com.cn", "/gn/{n}.shtml", "zh",
    "Asia/Shanghai", "国内新闻",
    "本网站所刊载信息，不代表中新社和中新网观点。 Copyright ©1999-2024 chinanews.com",
)  # fmt: skip
CNA_TW = Outlet(
    "cna-tw", "中央社", "zh", "newspaper", "https://www.cna.com.tw", "/news/aopl/{n}.aspx", "zh-TW",
    "Asia/Taipei", "國際", "本網站之文字、圖片及影音，非經授權，不得轉載、公開播送或公開傳輸及利用。",
    "（編輯：林克倫）",
)  # fmt: skip
GOV_CN = Outlet(
    "gov-cn", "中国政府网", "zh", "table", "https://www.gov.cn", "/zhengce/content/{n}.htm", "zh",
    "Asia/Shanghai", "政策", "版权所有：中国政府网 | 主办单位：国务院办公厅",
)  # fmt: skip
NHK = Outlet(
    "nhk", "NHK", "ja", "portal", "https://www3.nhk.or.jp", "/news/html/k{n}.html", "ja", "Asia/Tokyo",
    "国際",
    "Copyright NHK (Japan Broadcasting Corporation) All rights reserved. 許可なく転載することを禁じます。",
)  # fmt: skip
KYODO = Outlet(
    "kyodo", "共同通信", "ja", "wire", "https://www.kyodo.co.jp", "/news/{n}.html", "ja", "Asia/Tokyo",
    "国際", "© 一般社団法人共同通信社",
)  # fmt: skip
ASAHI = Outlet(
    "asahi", "朝日新聞デジタル", "ja", "newspaper", "https://www.asahi.com", "/articles/ASR{n}.html", "ja",
    "Asia/Tokyo", "国際",
    "Copyright © The Asahi Shimbun Company. All rights reserved. 無断転載・複製を禁じます。",
)  # fmt: skip
GOV_JP = Outlet(
    "gov-jp", "外務省", "ja", "table", "https://www.mofa.go.jp", "/mofaj/press/release/press{n}.html", "ja",
    "Asia/Tokyo", "報道発表", "Copyright © The Ministry of Foreign Affairs of Japan",
)  # fmt: skip
JIJI = Outlet(
    "jiji", "時事ドットコム", "ja", "newspaper", "https://www.jiji.com", "/jc/article?k={n}", "ja",
    "Asia/Tokyo", "国際", "Copyright © JIJI PRESS LTD. All rights reserved.",
)  # fmt: skip
DW = Outlet(
    "dw", "DW", "de", "newspaper", "https://www.dw.com", "/de/nordkorea/a-{n}", "de", "Europe/Berlin",
    "Asien", "© 2024 Deutsche Welle | Datenschutz | Impressum",
)  # fmt: skip
SPIEGEL = Outlet(
    "spiegel", "DER SPIEGEL", "de", "newspaper", "https://www.spiegel.de", "/ausland/nordkorea-a-{n:x}",
    "de", "Europe/Berlin", "Ausland", "© DER SPIEGEL GmbH & Co. KG",
)  # fmt: skip
ZEIT = Outlet(
    "zeit", "ZEIT ONLINE", "de", "newspaper", "https://www.zeit.de", "/politik/ausland/{n}", "de",
    "Europe/Berlin", "Politik", "© ZEIT ONLINE",
)  # fmt: skip
REGIONAL_DE = Outlet(
    "regional-de", "Westfälische Rundschau", "de", "portal", "https://www.wr-online.de",
    "/politik/{n}.html", "de", "Europe/Berlin", "Politik", "© Westfälische Rundschau 2024",
)  # fmt: skip
AFP_FR = Outlet(
    "afp-fr", "AFP", "fr", "wire", "https://www.afp.com", "/fr/actus/{n}", "fr", "Europe/Paris",
    "International", "© AFP 2024 — Tous droits réservés",
)  # fmt: skip
LE_MONDE = Outlet(
    "le-monde", "Le Monde", "fr", "newspaper", "https://www.lemonde.fr", "/international/article/{n}.html",
    "fr", "Europe/Paris", "International", "© Le Monde 2024",
)  # fmt: skip
LE_FIGARO = Outlet(
    "le-figaro", "Le Figaro", "fr", "newspaper", "https://www.lefigaro.fr", "/international/{n}", "fr",
    "Europe/Paris", "International", "© Le Figaro 2024",
)  # fmt: skip
RFI = Outlet(
    "rfi", "RFI", "fr", "portal", "https://www.rfi.fr", "/fr/asie-pacifique/{n}", "fr", "Europe/Paris",
    "Asie-Pacifique", "© 2024 Copyright RFI - Tous droits réservés",
)  # fmt: skip
EFE = Outlet(
    "efe", "Agencia EFE", "es", "wire", "https://efe.com", "/mundo/{n}/", "es", "Europe/Madrid", "Mundo",
    "© EFE 2024. Está expresamente prohibida la redistribución y la redifusión de este contenido.",
)  # fmt: skip
EL_PAIS = Outlet(
    "el-pais", "El País", "es", "newspaper", "https://elpais.com", "/internacional/{n}.html", "es",
    "Europe/Madrid", "Internacional", "© Ediciones EL PAÍS S.L.",
)  # fmt: skip
PRENSA_LATINA = Outlet(
    "prensa-latina", "Prensa Latina", "es", "state", "https://www.prensa-latina.cu", "/noticia/{n}", "es",
    "America/Havana", "Mundo", "© 2024 Agencia Informativa Latinoamericana Prensa Latina S.A.",
)  # fmt: skip
INFOBAE = Outlet(
    "infobae", "Infobae", "es", "newspaper", "https://www.infobae.com", "/america/mundo/{n}/", "es-AR",
    "America/Argentina/Buenos_Aires", "Mundo", "© 2024 Infobae",
)  # fmt: skip
AJ_AR = Outlet(
    "aj-ar", "الجزيرة نت", "ar", "newspaper", "https://www.aljazeera.net", "/news/politics/{n}", "ar",
    "Asia/Qatar", "سياسة", "© 2024 شبكة الجزيرة الإعلامية",
)  # fmt: skip
SANA = Outlet(
    "sana", "سانا", "ar", "state", "https://sana.sy", "/?p={n}", "ar", "Asia/Damascus", "سياسة",
    "جميع الحقوق محفوظة © سانا 2024",
)  # fmt: skip
AHRAM = Outlet(
    "ahram", "الأهرام", "ar", "portal", "https://gate.ahram.org.eg", "/News/{n}.aspx", "ar", "Africa/Cairo",
    "عربي وعالمي", "جميع حقوق النشر محفوظة لبوابة الأهرام 2024",
)  # fmt: skip
XINHUA_AR = Outlet(
    "xinhua-ar", "شينخوا", "ar", "wire", "http://arabic.news.cn", "/{n}/c.html", "ar", "Asia/Shanghai",
    "العالم", "Copyright © 2000-2024 XINHUANET.com", "(النهاية)",
)  # fmt: skip
SPA = Outlet(
    "spa",
    "وكالة الأنباء السعودية",
    "ar",
    "table",
    "https://www.spa.gov.sa",
    "/{n}",
    "ar",
    "Asia/Riyadh",
    "دولي",
    "جميع الحقوق محفوظة لوكالة الأنباء السعودية © 2024",
)

CASES: list[PanelCase] = []


def case(
    outlet: Outlet,
    form: str,
    expected: str | None,
    *,
    path: str | None = None,
    fetched_at: str = FETCHED_AT,
    **slots,
) -> None:
    """Add the page `outlet` serves with these date lines; `expected` is the date a reader takes from it."""
    number = len(CASES)
    headline, paragraphs = TEXTS[outlet.language][number % len(TEXTS[outlet.language])]
    earlier = sum(c.id.rsplit("-", 1)[0] == outlet.key for c in CASES)
    CASES.append(
        PanelCase(
            id=f"{outlet.key}-{earlier + 1}",
            language=outlet.language,
            form=form,
            # A number of the outlet's usual shape, different for every page.
            url=outlet.base + (path or outlet.path.format(n=7_340_000 + number * 7919)),
            html=LAYOUTS[outlet.layout](outlet, headline, paragraphs, Slots(**slots)),
            date_locale=outlet.date_locale,
            timezone=outlet.timezone,
            fetched_at=fetched_at,
            date=expected,
            precision={10: "day", 7: "month", 4: "year"}[len(expected)] if expected else None,
        )
    )


# fmt: off
# English: agencies of the states themselves, the wires and the papers quoting them.
case(KCNA_EN, "juche-en", "2023-05-03", top="Juche 112 (2023), May 3", lead="Pyongyang, May 3 (KCNA) -- ")
case(KCNA_EN, "juche-dotted", "2023-05-03", top="Juche 112(2023).5.3.", lead="Pyongyang, May 3 (KCNA) -- ")
case(KCNA_EN, "juche-en", "2020-04-15", top="Juche 109 (2020), April 15",
     lead="Pyongyang, April 15 (KCNA) -- ")
case(KCNA_EN, "dateline-no-year", "2022-10-10", masthead="Juche 111 (2022)",
     lead="Pyongyang, October 10 (KCNA) -- ")
case(KCNA_EN, "juche-year", "2023", top="Juche 112 (2023)")
case(KCNA_EN, "none", None, extra=("The agency was founded in 1946 and publishes in eight languages.",))
case(RODONG_EN, "juche-en", "2023-05-03", top="May 3, Juche 112 (2023)")
case(RODONG_EN, "juche-dotted", "2021-01-09", top="Juche 110(2021).1.9.")
case(RODONG_EN, "dateline-no-year", "2023-05-03", lead="Pyongyang, May 3 (KCNA) -- ",
     foot="Carried in The Pyongyang Times, No. 18, Juche 112 (2023)")
case(YONHAP_EN, "iso-time", "2023-05-03", top="2023-05-03 07:10", lead="SEOUL, May 3 (Yonhap) -- ",
     path="/view/AEN20230503000300315")
case(YONHAP_EN, "updated", "2023-05-03", top="Published : 2023-05-03 10:30 Updated : 2023-05-04 09:12",
     lead="SEOUL, May 3 (Yonhap) -- ", path="/view/AEN20230503002251315")
case(YONHAP_EN, "dateline-no-year", "2022-11-14", lead="SEOUL, Nov. 14 (Yonhap) -- ",
     path="/view/AEN20221114004100315")
case(XINHUA_EN, "iso-time", "2023-03-21", top="Source: Xinhua | 2023-03-21 10:30:15 | Editor: Liu Kun",
     lead="BEIJING, March 21 (Xinhua) -- ", path="/20230321/8c1f0e4b/c.html")
case(XINHUA_EN, "dateline-no-year", "2023-01-09", lead="BEIJING, Jan. 9 (Xinhua) -- ",
     path="/20230109/3e7a/c.html")
case(TASS_EN, "dmy", "2023-03-15", top="15 MAR 2023, 10:30", lead="MOSCOW, March 15. /TASS/. ")
case(TASS_EN, "updated", "2023-03-15", top="15 MAR 2023, 22:40 Updated: 16 MAR 2023, 09:10",
     lead="MOSCOW, March 15. /TASS/. ")
case(BBC, "dmy", "2023-05-03", byline="By Laura Bicker, BBC News, Seoul", top="3 May 2023")
case(BBC, "updated", "2023-05-03", top="Published 3 May 2023 · Updated 5 May 2023",
     head=published_meta("2023-05-03T09:30:00+01:00", modified="2023-05-05T11:02:00+01:00"))
case(UK_LOCAL, "numeric-dmy", "2019-04-26", top="Posted on 26/04/2019 at 10:30", byline="By Sarah Jones")
case(UK_LOCAL, "numeric-dmy", "2023-05-03", top="Posted on 03/05/2023 at 14:05", byline="By Tom Clarke")
case(REUTERS, "mdy", "2023-05-03", top="May 3, 2023 10:30 AM GMT+9", lead="SEOUL, May 3 (Reuters) - ",
     path="/world/asia-pacific/north-korea-delegation-2023-05-03/", byline="By Hyonhee Shin")
case(REUTERS, "updated", "2023-05-03", top="May 3, 2023 10:30 AM GMT+9 · Updated May 4, 2023",
     byline="By Josh Smith", path="/article/us-northkorea-idUSKBN2W1023")
case(REUTERS, "dateline-no-year", "2023-03-21", lead="TOKYO, March 21 (Reuters) - ",
     path="/world/japan/farmers-spring-sowing-2023-03-21/")
case(AP, "mdy", "2023-05-02", top="Published 10:30 PM EDT, May 2, 2023", lead="SEOUL, South Korea (AP) — ",
     byline="By Kim Tong-hyung")
case(AP, "updated", "2023-05-03", byline="By Hyung-jin Kim | Published May 3, 2023 | Updated May 5, 2023",
     head=published_meta("2023-05-03T14:10:00Z", json_ld=True))
case(US_LOCAL, "numeric-mdy", "2023-05-03", top="Posted: 05/03/2023 10:30 AM EDT")
case(US_LOCAL, "numeric-mdy", "2019-04-26", top="04/26/2019 | 6:15 PM", byline="By Mike Peterson")
case(US_LOCAL, "numeric-mdy", "2023-01-09", top="Posted 1/9/2023", byline="Staff report")
case(NKNEWS, "mdy", "2023-05-03", byline="By Colin Zwirko | May 3, 2023", path="/2023/05/delegation-visit/")
case(NKNEWS, "month", "2023-03", top="Foreign Trade of the DPRK · Issue: March 2023",
     path="/pro/foreign-trade/")
case(NKNEWS, "month", "2023-03", top="Report · March 2023", byline="By Martyn Williams")
case(NKNEWS, "year", "2019", top="Published in 2019", byline="Research desk")
case(AJ_EN, "dmy", "2023-05-03", top="Published On 3 May 2023", path="/news/2023/5/3/delegation-leaves")
case(AJ_EN, "dmy", "2023-05-03", top="Wednesday 3rd May 2023", byline="By Faisal Edroos")
case(KYODO_EN, "mdy", "2023-03-21", top="KYODO NEWS - Mar 21, 2023 - 10:30 | All, World")
case(KYODO_EN, "mdy", "2023-03-21", top="March 21, 2023", lead="TOKYO - ",
     head=published_meta("2023-03-21T10:30:00+09:00"))
case(BBC, "none", None, byline="By BBC News staff")
case(YONHAP_EN, "none", None, path="/corrections-policy")
case(US_LOCAL, "none", None, top="Letters to the editor: how to submit")

# Korean: the North's agencies with Juche years, the South's wire, papers and portal.
case(URIMINZOKKIRI, "juche-ko", "2023-05-03", top="주체112(2023)년 5월 3일 《로동신문》")
case(URIMINZOKKIRI, "juche-ko", "2022-11-07", top="주체111(2022)년 11월 7일 《통일신보》")
case(KCNA_KO, "juche-ko", "2023-05-03", top="주체112(2023)년 5월 3일 수요일",
     lead="【평양 5월 3일발 조선중앙통신】 ")
case(KCNA_KO, "dateline-no-year", "2022-10-10", masthead="주체111(2022)년",
     lead="【평양 10월 10일발 조선중앙통신】 ")
case(KCNA_KO, "juche-year", "2023", top="주체112(2023)년")
case(RODONG_KO, "dateline-no-year", "2023-05-03", lead="【평양 5월 3일발 조선중앙통신】 ",
     path="/ko/index.php?strPageID=SF01_02_01&newsID=2023-05-03-0012")
case(HANKYOREH, "ko-ymd", "2023-05-03", top="2023년 5월 3일 수요일", byline="김지은 기자")
case(HANKYOREH, "ko-ymd", "2023-05-03", top="2023년 05월 03일(수)", byline="박민희 기자")
case(NAVER, "ko-ymd", "2023-05-03", top="기사입력 2023년 5월 3일 오전 7시 10분")
case(NAVER, "dotted-ymd", "2023-05-03", top="기사입력 2023.05.03. 오전 10:30")
case(NAVER, "dotted-ymd", "2023-05-03", top="2023.05.03 10:30", byline="이상훈 기자")
case(YONHAP_KO, "iso-time", "2023-05-03", top="송고시간2023-05-03 07:10",
     lead="(서울=연합뉴스) 홍길동 기자 = ", path="/view/AKR20230503000300504")
case(HANKYOREH, "updated", "2023-05-03", top="등록 2023-05-03 10:30 수정 2023-05-04 09:12")
case(NAVER, "updated", "2023-05-03", top="입력 2023.05.03. 오전 10:30 수정 2023.05.04. 오전 9:12")
case(NAVER, "updated", "2023-05-03", top="수정 2023-05-04 09:12 · 입력 2023-05-03 10:30",
     head=published_meta("2023-05-03T10:30:00+09:00", modified="2023-05-04T09:12:00+09:00"))
case(YONHAP_KO, "dateline-no-year", "2023-05-03", lead="(서울=연합뉴스) 김지훈 기자 = ",
     path="/view/AKR20230503012300504")
case(URIMINZOKKIRI, "month", "2023-05", top="월간 《조선》 2023년 5월호")
case(NAVER, "month", "2023-05", top="2023년 5월", byline="월간 통일 리포트")
case(HANKYOREH, "year", "2023", top="발행연도: 2023년")
case(YONHAP_KO, "none", None, path="/etc/about")
case(KCNA_KO, "none", None, extra=("통신사는 1946년에 창립되였다.",))
case(HANKYOREH, "iso-time", "2019-04-26", top="2019-04-26 18:15", byline="최현준 기자")

# Russian: TASS and RIA datelines, genitive months, the papers' numeric dates.
case(TASS, "ru-genitive", "2023-03-15", top="15 марта 2023, 10:30", lead="МОСКВА, 15 марта. /ТАСС/. ")
case(TASS, "ru-genitive", "2023-03-15", top="15 марта 2023, 01:15", lead="МОСКВА, 15 марта. /ТАСС/. ")
case(RG, "ru-genitive", "2023-03-15", top="15 марта 2023 г.", byline="Текст: Иван Петров")
case(INTERFAX, "ru-genitive", "2023-03-15", top="15 марта 2023 года 10:30",
     lead="Москва. 15 марта. INTERFAX.RU - ")
case(INTERFAX, "ru-genitive", "2022-12-01", top="1 декабря 2022, 00:01")
case(RIA, "dmy-dotted", "2023-03-15", top="10:30 15.03.2023", lead="МОСКВА, 15 мар — РИА Новости. ")
case(RIA, "updated", "2023-03-15", top="10:30 15.03.2023 (обновлено: 12:45 16.03.2023)",
     lead="МОСКВА, 15 мар — РИА Новости. ")
case(TASS, "updated", "2023-03-15", top="15 марта 2023, 22:40 · Обновлено 16 марта 2023, 09:10",
     lead="МОСКВА, 15 марта. /ТАСС/. ")
case(INTERFAX, "updated", "2023-03-15", top="Обновлено 16.03.2023 09:10 | Опубликовано 15.03.2023 22:40",
     head=published_meta("2023-03-15T22:40:00+03:00", json_ld=True))
case(KOMMERSANT, "dmy-dotted", "2023-03-15", top="Газета «Коммерсантъ» №45 от 15.03.2023, стр. 6",
     byline="Михаил Коростиков")
case(KOMMERSANT, "dmy-dotted", "2019-04-26", top="26.04.2019")
case(RIA, "dateline-no-year", "2023-03-15", lead="МОСКВА, 15 мар — РИА Новости. ",
     path="/20230315/delegatsiya-1858012345.html")
case(RG, "dateline-no-year", "2023-01-09", lead="МОСКВА, 9 января. /ТАСС/. ",
     path="/2023/01/09/delegaciia.html")
case(RG, "month", "2023-03", top="Международная жизнь, № 3, март 2023")
case(KOMMERSANT, "month", "2023-03", top="Журнал «Огонёк» · Март 2023")
case(INTERFAX, "year", "2023", top="Ежегодный доклад · 2023 год")
case(TASS, "none", None, path="/tass-today")
case(RIA, "none", None, path="/spravka/dossier.html", extra=("Агентство ведет историю с 1941 года.",))
case(RG, "ru-genitive", "2023-05-03", top="среда, 3 мая 2023")
case(TASS, "ru-abbrev", "2023-03-15", top="15 мар 2023, 10:30", lead="МОСКВА, 15 марта. /ТАСС/. ")

# Chinese: Xinhua's and the papers' datelines and times, full-width digits, the mainland and Taiwan.
case(PEOPLE, "cjk-ymd", "2023-03-21", top="2023年03月21日08:25 | 来源：人民网－人民日报")
case(PEOPLE, "cjk-ymd", "2023-03-21", top="《 人民日报 》（ 2023年03月21日 第 03 版）")
case(XINHUA, "iso-time", "2023-03-21", top="2023-03-21 10:30:15 来源：新华网",
     lead="新华社北京3月21日电（记者王晓明）")
case(XINHUA, "iso-time", "2023-03-21", top="2023-03-21 00:30:00 来源：新华网", lead="新华社北京3月21日电")
case(GOV_CN, "cjk-fullwidth", "2023-03-21", top="２０２３年３月２１日")
case(CHINANEWS, "cjk-ymd", "2023-03-21", top="2023年3月21日 星期二")
case(XINHUA, "dateline-no-year", "2023-03-21", lead="新华社北京3月21日电（记者刘华）",
     path="/world/2023-03/21/c_1129449123.htm")
case(CHINANEWS, "dateline-no-year", "2023-03-21", lead="中新网3月21日电 ",
     path="/gn/2023/03-21/9975123.shtml")
case(CHINANEWS, "updated", "2023-03-21", top="发布时间：2023-03-21 10:30 更新时间：2023-03-22 08:00")
case(PEOPLE, "updated", "2023-03-21", top="更新时间：2023-03-22 08:00:12 发布时间：2023-03-21 10:30:05",
     head=published_meta("2023-03-21T10:30:05+08:00"))
case(CNA_TW, "slash-ymd", "2023-03-21", top="2023/03/21 10:30", lead="（中央社記者陳家倫台北21日電）")
case(GOV_CN, "month", "2023-03", top="发布于 2023年3月")
case(CHINANEWS, "month", "2023-03", top="来源：《中国报道》 2023年3月")
case(GOV_CN, "year", "2023", top="年度报告 · 2023年")
case(XINHUA, "none", None, path="/xhsjj/intro.htm")
case(PEOPLE, "none", None, path="/GB/50142/index.html")
case(CHINANEWS, "cjk-ymd", "2023-03-21", top="2023年3月21日 10:30 来源：环球网")
case(GOV_CN, "cjk-fullwidth", "2022-12-01", top="发布日期：２０２２年１２月１日")
case(PEOPLE, "cjk-ymd", "2019-04-26", top="央视网 2019年04月26日 18:15")
case(XINHUA, "iso-time", "2023-05-03", top="2023-05-03 07:05:41", lead="新华社平壤5月3日电（记者江亚平）",
     head=published_meta("2023-05-02T23:05:41Z", json_ld=True))

# Japanese: NHK and the papers, Japan's era years (as ministries date their releases), full-width digits.
case(NHK, "cjk-ymd", "2023-03-21", top="2023年3月21日 10時30分")
case(NHK, "cjk-ymd", "2023-03-21", top="2023年3月21日 5時10分")
case(NHK, "dateline-no-year", "2023-03-21", top="3月21日 10時30分", lead="【ソウル支局】",
     path="/news/html/20230321/k10014014011000.html")
case(GOV_JP, "era", "2023-03-21", top="令和5年3月21日")
case(GOV_JP, "era", "2019-04-30", top="平成31年4月30日")
case(GOV_JP, "era", "2019-05-01", top="令和元年5月1日")
case(GOV_JP, "era", "2023-03-21", top="令和５年３月２１日")
case(ASAHI, "cjk-fullwidth", "2023-03-21", top="２０２３年３月２１日", byline="ソウル＝鈴木拓也")
case(NHK, "updated", "2023-03-21", top="2023年3月21日 10時30分 （最終更新 2023年3月22日 8時00分）")
case(ASAHI, "updated", "2023-03-21", top="公開日：2023年3月21日 更新日：2023年3月22日")
case(ASAHI, "updated", "2023-03-21", top="更新日：2023/03/22 公開日：2023/03/21",
     head=published_meta("2023-03-21T10:30:00+09:00", modified="2023-03-22T08:00:00+09:00"))
case(KYODO, "slash-ymd", "2023-03-21", top="2023/03/21 10:30 (JST)", lead="【北京共同】")
case(ASAHI, "cjk-ymd", "2023-03-21", top="2023年3月21日（火）", byline="北京＝畑宗太郎")
case(KYODO, "month", "2023-03", top="月刊 Kyodo Weekly 2023年3月号")
case(GOV_JP, "month", "2023-03", top="令和5年3月")
case(ASAHI, "year", "2023", top="2023年発行")
case(NHK, "none", None, path="/info/about.html")
case(KYODO, "none", None, path="/company/")
case(JIJI, "dateline-no-year", "2023-03-21", top="03月21日10時30分", lead="【ソウル時事】",
     path="/jc/article?k=2023032100123&g=int")
case(JIJI, "cjk-ymd", "2019-04-26", top="2019年4月26日")

# German: long and dotted dates, dpa and Reuters datelines, "Aktualisiert" beside the publication.
case(ZEIT, "de-long", "2023-05-03", top="3. Mai 2023, 10:30 Uhr", byline="Von Anna Schmidt")
case(REGIONAL_DE, "de-long", "2023-05-03", top="Mittwoch, 3. Mai 2023")
case(ZEIT, "de-long", "2022-12-01", top="1. Dezember 2022")
case(DW, "dmy-dotted", "2023-05-03", top="Datum 03.05.2023", byline="Autorin/Autor Esther Felden")
case(SPIEGEL, "dmy-dotted", "2023-05-03", top="03.05.2023, 10.30 Uhr", lead="Seoul – ")
case(REGIONAL_DE, "dmy-dotted", "2019-04-26", top="26.04.2019")
case(REGIONAL_DE, "updated", "2023-05-03", top="Veröffentlicht am 03.05.2023 | Aktualisiert am 04.05.2023")
case(SPIEGEL, "updated", "2023-05-03",
     top="Aktualisiert am 04.05.2023, 12.00 Uhr · Erschienen am 03.05.2023, 10.30 Uhr",
     head=published_meta("2023-05-03T10:30:00+02:00", modified="2023-05-04T12:00:00+02:00"))
case(ZEIT, "updated", "2023-05-03",
     top="Veröffentlicht am 3. Mai 2023, 10:30 Uhr Aktualisiert am 4. Mai 2023, 8:12 Uhr")
case(ZEIT, "dateline-no-year", "2023-05-03", lead="Berlin, 3. Mai (Reuters) - ",
     path="/politik/ausland/2023-05/delegation-suedostasien")
case(REGIONAL_DE, "dateline-no-year", "2023-05-03", lead="Seoul, 3. Mai (dpa) - ",
     path="/2023/05/03/delegation-suedostasien.html")
case(SPIEGEL, "month", "2023-05", top="DER SPIEGEL Ausgabe Mai 2023")
case(DW, "month", "2023-05", top="Dossier | Mai 2023")
case(REGIONAL_DE, "year", "2023", top="Erscheinungsjahr: 2023")
case(DW, "none", None, path="/de/über-uns/s-30688")
case(REGIONAL_DE, "none", None, extra=("Der Koreakrieg begann 1950 und endete mit einem Waffenstillstand.",))
case(REGIONAL_DE, "dmy-dotted", "2023-05-03", top="Veröffentlicht: 03.05.23, 10:30 Uhr")
case(DW, "de-long", "2023-05-03", byline="Von Anna Schmidt | 3. Mai 2023",
     head=published_meta("2023-05-03T08:30:00Z", json_ld=True))

# French: AFP datelines, "1er", numeric day-first, "modifié" and "Mis à jour".
case(LE_MONDE, "fr-long", "2023-05-03", top="Publié le 3 mai 2023 à 10h30", byline="Par Philippe Mesmer")
case(LE_MONDE, "fr-long", "2021-03-01", top="Publié le 1er mars 2021 à 18h05")
case(RFI, "fr-long", "2023-05-03", top="mercredi 3 mai 2023")
case(AFP_FR, "fr-long", "2022-12-01", top="Le 1er décembre 2022 à 08:00", lead="Paris (AFP) - ")
case(LE_FIGARO, "numeric-dmy", "2023-05-03", top="Publié le 03/05/2023 à 10:30",
     byline="Par Le Figaro avec AFP")
case(RFI, "numeric-dmy", "2019-04-26", top="Publié le : 26/04/2019 - 18:15")
case(LE_MONDE, "updated", "2023-05-03", top="Publié le 3 mai 2023 à 10h30, modifié le 4 mai 2023 à 08h12")
case(LE_FIGARO, "updated", "2023-05-03", top="Publié le 03/05/2023 à 10:30, Mis à jour le 04/05/2023 à 08:12")
case(RFI, "updated", "2023-05-03", top="Mis à jour le 04/05/2023 à 08h12 · Publié le 03/05/2023 à 10h30",
     head=published_meta("2023-05-03T10:30:00+02:00", modified="2023-05-04T08:12:00+02:00"))
case(LE_MONDE, "dateline-no-year", "2023-05-03", lead="Séoul, 3 mai (AFP) - ",
     path="/international/article/2023/05/03/une-delegation-part_6171234_3210.html")
case(RFI, "dateline-no-year", "2023-05-03", lead="Pyongyang, 3 mai (AFP) – ",
     path="/fr/asie-pacifique/20230503-une-délégation-part")
case(LE_MONDE, "month", "2023-05", top="Mai 2023, pages 4 et 5", path="/diplomatique/2023/05/A.html")
case(LE_FIGARO, "month", "2023-03", top="Numéro de mars 2023")
case(AFP_FR, "year", "2021", top="Publié en 2021")
case(AFP_FR, "none", None, path="/fr/qui-sommes-nous")
case(LE_MONDE, "none", None, extra=("La péninsule est divisée depuis 1953.",))
case(LE_FIGARO, "fr-long", "2023-05-02", top="Publié le 2 mai 2023 à 23h50")
case(LE_FIGARO, "fr-abbrev", "2019-04-26", top="Publié le 26 avr. 2019 à 18:15",
     head=modified_meta("2019-04-27T09:00:00+02:00"))

# Spanish: EFE and Prensa Latina datelines, "de" between the parts, El País's abbreviations.
case(EL_PAIS, "es-long", "2023-05-03", top="3 de mayo de 2023", byline="Macarena Vidal Liy")
case(EFE, "es-long", "2023-05-03", top="Publicado el 3 de mayo de 2023, 10:30")
case(EL_PAIS, "es-long", "2023-05-03", top="miércoles, 3 de mayo de 2023")
case(INFOBAE, "es-long", "2022-12-01", top="1 de diciembre de 2022")
case(EFE, "numeric-dmy", "2023-05-03", top="03/05/2023 10:30")
case(PRENSA_LATINA, "numeric-dmy", "2019-04-26", top="26/04/2019")
case(EL_PAIS, "updated", "2023-05-03",
     top="Madrid - 03 may 2023 - 10:30 CEST · Actualizado: 04 may 2023 - 08:12 CEST")
case(EFE, "updated", "2023-05-03", top="Publicado: 03/05/2023 10:30 | Actualizado: 04/05/2023 08:12")
case(INFOBAE, "updated", "2023-05-03",
     top="Actualizado el 4 de mayo de 2023 a las 08:12 · Publicado el 3 de mayo de 2023",
     head=published_meta("2023-05-03T13:30:00Z", modified="2023-05-04T11:12:00Z", json_ld=True))
case(EFE, "dateline-no-year", "2023-05-03", lead="Madrid, 3 may (EFE).- ",
     path="/espana/2023-05-03/una-delegacion/")
case(PRENSA_LATINA, "dateline-no-year", "2023-05-03", lead="La Habana, 3 may (Prensa Latina) ",
     path="/2023/05/03/una-delegacion-parte")
case(EL_PAIS, "es-abbrev", "2023-05-03", top="3 mayo 2023", byline="BBC News Mundo")
case(EL_PAIS, "month", "2023-05", top="Edición de mayo de 2023")
case(INFOBAE, "month", "2023-03", top="Marzo de 2023")
case(EFE, "year", "2023", top="Publicado en 2023")
case(EFE, "none", None, path="/quienes-somos/")
case(PRENSA_LATINA, "none", None, extra=("La agencia informa desde 1959 a lectores de todo el continente.",))
case(INFOBAE, "es-long", "2023-05-02", top="2 de mayo de 2023 · 22:40 hs")

# Arabic: Egyptian and Gulf month names, the Levant's Syriac ones, Arabic-Indic digits, Hijri beside them.
case(AHRAM, "ar-month", "2023-05-03", top="الأربعاء 03 مايو 2023")
case(AJ_AR, "ar-month", "2023-05-03", top="3 مايو 2023")
case(AHRAM, "ar-month", "2022-12-01", top="1 ديسمبر 2022")
case(SANA, "ar-levantine", "2023-05-03", top="3 أيار 2023", lead="دمشق-سانا ")
case(SANA, "ar-levantine", "2023-03-15", top="15 آذار 2023", lead="دمشق-سانا ")
case(SANA, "ar-levantine", "2023-05-03", top="الأربعاء، 3 أيار 2023")
case(AHRAM, "ar-indic", "2023-05-03", top="٣ مايو ٢٠٢٣")
case(SANA, "ar-indic", "2023-03-15", top="١٥ آذار ٢٠٢٣")
case(AJ_AR, "numeric-dmy", "2023-05-03", top="3/5/2023")
case(SPA, "ar-month", "2023-05-03", top="الأربعاء 13 شوال 1444 هـ - 3 مايو 2023 م")
case(AJ_AR, "updated", "2023-05-03", top="نشر في 3/5/2023 | آخر تحديث: 4/5/2023 08:12 (توقيت مكة المكرمة)",
     head=published_meta("2023-05-03T07:30:00Z", modified="2023-05-04T05:12:00Z"))
case(AHRAM, "updated", "2023-05-03", top="تاريخ النشر: 3 مايو 2023 - تحديث: 4 مايو 2023")
case(SANA, "updated", "2023-05-03", top="آخر تحديث: ٤ أيار ٢٠٢٣ · نشر في: ٣ أيار ٢٠٢٣")
case(XINHUA_AR, "dateline-no-year", "2023-03-21", lead="بكين 21 مارس (شينخوا) ",
     path="/20230321/a1b2c3/c.html")
case(AJ_AR, "dateline-no-year", "2023-05-03", lead="بيونغ يانغ - 3 مايو/أيار (الجزيرة) - ",
     path="/news/2023/5/3/وفد-حكومي")
case(AHRAM, "month", "2023-03", top="عدد مارس 2023")
case(SANA, "month", "2023-03", top="آذار 2023")
case(AJ_AR, "year", "2023", top="نشر عام 2023")
case(AJ_AR, "none", None, path="/aboutus")
case(SANA, "none", None, path="/?page_id=2")
case(AJ_AR, "ar-month", "2023-05-03", top="3 مايو/أيار 2023")
# fmt: on
