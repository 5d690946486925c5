"""A held-out date panel: pages written without looking at the date reader, to measure it honestly.

The first panel (`date_panel.py`) guided the reader's improvements, so its figures overstate how well
the reader does on pages it has not seen. These pages were written separately, from how outlets print
dates, without reading the reader's code or its tests and without running it, and were not adjusted
after scoring. Layouts, outlets and phrasing are this module's own; only the `PanelCase` type is shared,
so `date_score` scores both panels alike.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.extraction.date_panel import PanelCase

# A crawl date after every publication date below; pages with another fetch time say so.
FETCHED_AT = "2025-02-15T03:00:00+00:00"


@dataclass(frozen=True)
class Site:
    """One outlet: its address, how it builds pages and the locale and zone a source config would give."""

    key: str
    name: str
    language: str
    layout: str
    base: str
    path: str  # an article's path; {n} is a number different for every page
    date_locale: str | None
    timezone: str | None
    section: str
    rights: str  # the footer line, often with a copyright year that is no publication date


@dataclass(frozen=True)
class Parts:
    """The places a page may print dates; each is an HTML fragment, empty when the page has none there."""

    head: str = ""  # metadata in <head>
    masthead: str = ""  # the site header strip: edition lines, today's clock
    kicker: str = ""  # above the headline
    byline: str = ""  # under the headline
    lead: str = ""  # opens the first paragraph: an agency dateline
    extra: tuple[str, ...] = ()  # further paragraphs of the article
    tail: str = ""  # after the article text
    aside: str = ""  # an information block beside the article
    teasers: tuple[str, ...] = ()  # links to other articles; undated ones when empty
    rights: str | None = None  # replaces the site's footer line


# Headline and paragraphs per language, none of them dated; pages take them in turn.
TEXTS: dict[str, list[tuple[str, list[str]]]] = {
    "en": [
        (
            "Rail Link Between Border Towns Reopens After Repairs",
            [
                "Passenger trains are running again between the two border towns after engineers finished "
                "replacing a bridge and several kilometres of track damaged by floods.",
                "Railway officials said freight services would resume next, once signalling on the mountain "
                "section has been tested, and that timetables would be published at stations.",
                "Traders on both sides welcomed the reopening, saying the road detour had doubled the cost "
                "of moving vegetables, timber and cement to market.",
            ],
        ),
        (
            "Fishermen Report Larger Catches Along the East Coast",
            [
                "Fishing cooperatives on the east coast report larger catches of squid and pollack than in "
                "the previous season, which they credit to colder water and new refrigerated boats.",
                "Processing plants in the harbour towns have added night shifts to keep up, and officials "
                "are studying how to extend cold storage before the next peak arrives.",
                "Marine scientists cautioned that stocks vary widely from one year to another and urged the "
                "cooperatives to keep to the agreed limits on nets and fishing days.",
            ],
        ),
        (
            "Ministers Discuss Water Sharing at Regional Meeting",
            [
                "Ministers from five countries met to discuss how to share the water of the rivers that "
                "cross their borders, as demand from farms and growing cities keeps rising.",
                "They agreed to exchange data from measuring stations along the rivers and to set up a "
                "working group of engineers that will report back to the ministers.",
                "Several delegations called for funds to repair old irrigation canals, which lose a large "
                "part of the water they carry before it reaches the fields.",
            ],
        ),
    ],
    "ko": [
        (
            "동해안 어촌 마을에 새 수산물 가공장 준공",
            [
                "동해안의 한 어촌 마을에 냉동 설비를 갖춘 새 수산물 가공장이 문을 열었다. 가공장은 하루 수"
                "십 톤의 "
                "오징어와 명태를 손질하고 얼려 보관할 수 있다.",
                "마을 협동조합 관계자는 그동안 잡은 물고기를 제때 처리하지 못해 값을 제대로 받지 못했다며 "
                "새 설비로 어민들의 소득이 늘어날 것으로 기대한다고 말했다.",
                "당국은 다른 항구 도시에도 비슷한 시설을 세우는 방안을 검토하고 있으며 전문가들은 어족 자원 "
                "보호를 위한 어획 제한도 함께 지켜야 한다고 강조했다.",
            ],
        ),
        (
            "청년 과학자들 새 농업기술 개발 성과 발표",
            [
                "농업과학원 소속 청년 과학자들이 가뭄에 강한 벼 품종과 물을 적게 쓰는 관개 방법을 개발했다고 "
                "발표했다.",
                "연구진은 여러 지역의 시험 포전에서 수확량이 눈에 띄게 늘었다며 내년부터 주요 곡창 지대에 새 "
                "기술을 보급할 계획이라고 밝혔다.",
                "농민들은 봄철 물 부족으로 모내기가 늦어지는 일이 잦았다며 새 방법이 현장에 빨리 도입되기를 "
                "바란다고 말했다.",
            ],
        ),
        (
            "국경 지역 철도 복구공사 마무리 단계",
            [
                "홍수로 끊겼던 국경 지역 철도의 복구공사가 마무리 단계에 들어섰다. 새 교량과 선로 수 킬로미"
                "터가 "
                "이미 완공됐다.",
                "철도 당국은 신호 설비 시험을 마치는 대로 여객 열차부터 운행을 재개하고 이어 화물 열차도 다"
                "시 "
                "운행할 예정이라고 밝혔다.",
                "지역 상인들은 그동안 먼 길로 돌아가야 해 운송비가 크게 늘었다며 철도 재개통을 반겼다.",
            ],
        ),
    ],
    "ru": [
        (
            "В регионах завершается подготовка к отопительному сезону",
            [
                "Коммунальные службы в большинстве регионов завершают подготовку к отопительному сезону: "
                "заменены изношенные трубы, проверены котельные и резервные источники питания.",
                "В министерстве отметили, что объём ремонтных работ оказался больше, чем планировалось, "
                "однако сроки удалось выдержать благодаря дополнительному финансированию.",
                "Жителей призвали заранее сообщать управляющим компаниям о неисправных батареях и окнах, "
                "чтобы устранить неполадки до наступления холодов.",
            ],
        ),
        (
            "Делегация обсудила расширение торговли с соседними странами",
            [
                "Правительственная делегация провела переговоры о расширении торговли и транспортного "
                "сообщения с соседними странами.",
                "Стороны договорились упростить оформление грузов на границе и открыть новые маршруты для "
                "перевозки зерна, удобрений и строительных материалов.",
                "По итогам встречи подписан меморандум о создании совместной рабочей группы, которая "
                "займётся подготовкой конкретных проектов.",
            ],
        ),
        (
            "Учёные представили новый сорт озимой пшеницы",
            [
                "Селекционеры научно-исследовательского института представили новый сорт озимой пшеницы, "
                "устойчивый к засухе и морозам.",
                "По словам авторов, на опытных полях сорт показал урожайность заметно выше районированных "
                "сортов, а зерно отличается высоким содержанием белка.",
                "Семена планируется передать хозяйствам южных областей, где в последние годы всё чаще "
                "случаются засушливые периоды.",
            ],
        ),
    ],
    "zh": [
        (
            "多地加快推进农田水利设施建设",
            [
                "记者从有关部门获悉，多地正加快推进农田水利设施建设，新建和改造灌溉渠道，提高抗旱排涝能力。",
                "有关负责人表示，各地将把资金重点投向粮食主产区，优先解决灌溉渠道老化、漏水严重等突出问题。",
                "专家指出，完善的水利设施是保障粮食稳产增产的重要基础，应当统筹规划、分步实施，确保工程质量"
                "。",
            ],
        ),
        (
            "沿海港口集装箱吞吐量保持增长",
            [
                "沿海主要港口集装箱吞吐量继续保持增长势头，外贸航线数量稳步增加，港口运行总体平稳有序。",
                "港口企业负责人介绍，自动化码头建设加快，装卸效率明显提升，船舶在港停留时间进一步缩短。",
                "业内人士认为，随着区域贸易合作不断深化，港口物流需求有望持续释放，但也需关注航运价格波动。",
            ],
        ),
        (
            "两国外长举行会谈 就双边关系交换意见",
            [
                "两国外长举行会谈，就双边关系以及共同关心的国际和地区问题深入交换意见。",
                "双方同意加强各领域务实合作，扩大贸易、投资和人文交流，推动两国关系持续健康稳定发展。",
                "会谈结束后，双方共同会见了记者，并签署了关于经济技术合作的协议。",
            ],
        ),
    ],
    "ja": [
        (
            "地方空港の国際線、運航再開へ調整",
            [
                "地方空港と近隣諸国を結ぶ国際線について、航空会社と自治体が運航再開に向けた調整を進めている"
                "。",
                "自治体の担当者は、観光客の回復に合わせて便数を段階的に増やしたいとしており、空港ターミナルの"
                "改修も前倒しで進める方針だ。",
                "地元の観光業界からは期待の声が上がる一方、人手不足で受け入れ態勢が十分に整わないとの懸念も"
                "出ている。",
            ],
        ),
        (
            "漁業資源の回復へ 新たな管理策を検討",
            [
                "水産庁は、不漁が続くサンマやスルメイカなどの資源回復に向け、新たな管理策の検討を始めた。",
                "漁獲量の上限を魚種ごとに見直すほか、産卵期の操業を制限することなどが柱となる見通しだ。",
                "漁業者の間には収入の減少を心配する声もあり、国は支援策もあわせて検討するとしている。",
            ],
        ),
        (
            "首脳会談で経済協力の拡大を確認",
            [
                "両国の首脳は会談し、エネルギーや先端技術の分野で経済協力を拡大していくことを確認した。",
                "会談では、サプライチェーンの強化に向けた協議の枠組みを新たに設けることでも一致した。",
                "また、地域の安全保障環境についても意見を交わし、緊密に連携していく方針を改めて確認した。",
            ],
        ),
    ],
    "de": [
        (
            "Bahnstrecke zwischen zwei Grenzstädten wieder geöffnet",
            [
                "Zwischen den beiden Grenzstädten fahren wieder Personenzüge, nachdem Ingenieure eine "
                "Brücke und mehrere Kilometer Gleis ersetzt haben, die das Hochwasser zerstört hatte.",
                "Der Güterverkehr soll folgen, sobald die Signaltechnik auf dem Gebirgsabschnitt geprüft "
                "ist, teilte die Bahngesellschaft mit.",
                "Händler auf beiden Seiten der Grenze begrüßten die Wiedereröffnung: Der Umweg über die "
                "Straße habe die Transportkosten fast verdoppelt.",
            ],
        ),
        (
            "Landwirte rechnen mit einer durchschnittlichen Ernte",
            [
                "Die Landwirte rechnen in diesem Jahr mit einer durchschnittlichen Getreideernte, nachdem "
                "ein nasses Frühjahr die Aussaat in vielen Regionen verzögert hatte.",
                "Der Bauernverband verwies auf große Unterschiede zwischen den Regionen: Im Norden seien die "
                "Erträge gut, im Süden habe Trockenheit dem Weizen zugesetzt.",
                "Die Preise für Futtergetreide dürften nach Einschätzung von Händlern stabil bleiben.",
            ],
        ),
        (
            "Außenminister beraten über Wasserversorgung in der Region",
            [
                "Die Außenminister von fünf Staaten haben über die Verteilung des Wassers der Flüsse "
                "beraten, die ihre Grenzen überqueren.",
                "Sie vereinbarten, Messdaten auszutauschen und eine Arbeitsgruppe aus Fachleuten "
                "einzusetzen, die den Ministern Vorschläge vorlegen soll.",
                "Mehrere Delegationen forderten Geld für die Sanierung alter Bewässerungskanäle, in denen "
                "ein großer Teil des Wassers versickert.",
            ],
        ),
    ],
    "fr": [
        (
            "La liaison ferroviaire entre deux villes frontalières rouvre",
            [
                "Les trains de voyageurs circulent de nouveau entre les deux villes frontalières, après le "
                "remplacement d'un pont et de plusieurs kilomètres de voie endommagés par les crues.",
                "Le fret devrait reprendre une fois la signalisation du tronçon de montagne contrôlée, a "
                "indiqué la compagnie ferroviaire.",
                "Les commerçants des deux côtés de la frontière se sont félicités de cette réouverture, le "
                "détour par la route ayant presque doublé le coût du transport.",
            ],
        ),
        (
            "Les pêcheurs de la côte est font état de prises plus abondantes",
            [
                "Les coopératives de pêche de la côte est signalent des prises de calmar plus abondantes que "
                "lors de la saison précédente, grâce à des eaux plus froides et à de nouveaux bateaux.",
                "Les usines de transformation ont ajouté des équipes de nuit, et les autorités étudient "
                "l'agrandissement des entrepôts frigorifiques.",
                "Les scientifiques appellent toutefois à respecter les quotas, les stocks variant fortement "
                "d'une année sur l'autre.",
            ],
        ),
        (
            "Les ministres discutent du partage de l'eau dans la région",
            [
                "Les ministres de cinq pays se sont réunis pour discuter du partage de l'eau des fleuves qui "
                "traversent leurs frontières.",
                "Ils sont convenus d'échanger les données de leurs stations de mesure et de créer un groupe "
                "de travail d'ingénieurs chargé de leur faire des propositions.",
                "Plusieurs délégations ont réclamé des fonds pour réparer les vieux canaux d'irrigation, qui "
                "perdent une grande partie de l'eau qu'ils transportent.",
            ],
        ),
    ],
    "es": [
        (
            "Reabren la línea ferroviaria entre dos ciudades fronterizas",
            [
                "Los trenes de pasajeros vuelven a circular entre las dos ciudades fronterizas después de "
                "que los ingenieros sustituyeran un puente y varios kilómetros de vía dañados por las "
                "inundaciones.",
                "El transporte de mercancías se reanudará cuando se haya comprobado la señalización del "
                "tramo de montaña, informó la compañía ferroviaria.",
                "Los comerciantes de ambos lados de la frontera celebraron la reapertura, ya que el desvío "
                "por carretera casi duplicaba el coste del transporte.",
            ],
        ),
        (
            "Los agricultores esperan una cosecha dentro de la media",
            [
                "Los agricultores esperan este año una cosecha de cereal dentro de la media, después de que "
                "una primavera lluviosa retrasara la siembra en muchas zonas.",
                "Las organizaciones agrarias señalaron grandes diferencias entre regiones: buenos "
                "rendimientos en el norte y daños por la sequía en el sur.",
                "Los comerciantes prevén que los precios del cereal para pienso se mantengan estables.",
            ],
        ),
        (
            "Los cancilleres debaten sobre el reparto del agua en la región",
            [
                "Los cancilleres de cinco países debatieron sobre el reparto del agua de los ríos que "
                "cruzan sus fronteras, ante la creciente demanda de la agricultura y las ciudades.",
                "Acordaron intercambiar los datos de sus estaciones de medición y crear un grupo de trabajo "
                "de ingenieros que presentará propuestas a los ministros.",
                "Varias delegaciones pidieron fondos para reparar los viejos canales de riego, que pierden "
                "buena parte del agua que transportan.",
            ],
        ),
    ],
    "ar": [
        (
            "إعادة افتتاح خط السكك الحديدية بين مدينتين حدوديتين",
            [
                "عادت قطارات الركاب إلى العمل بين المدينتين الحدوديتين بعد أن أنهى المهندسون استبدال جسر "
                "وعدة كيلومترات من السكة تضررت جراء الفيضانات.",
                "وقالت هيئة السكك الحديدية إن نقل البضائع سيُستأنف بعد الانتهاء من اختبار أنظمة الإشارات "
                "في المقطع الجبلي.",
                "ورحب التجار على جانبي الحدود بإعادة الافتتاح، مشيرين إلى أن الطريق البديل ضاعف تكلفة نقل "
                "الخضار والأخشاب والإسمنت.",
            ],
        ),
        (
            "الصيادون يسجلون زيادة في كميات الصيد على الساحل الشرقي",
            [
                "سجلت جمعيات الصيادين على الساحل الشرقي زيادة في كميات الصيد مقارنة بالموسم الماضي، "
                "وعزت ذلك إلى برودة المياه ودخول قوارب مبردة جديدة إلى الخدمة.",
                "وأضافت مصانع التعليب في المدن الساحلية نوبات عمل ليلية لمواكبة الكميات الكبيرة.",
                "وحذر علماء البحار من تقلب المخزون السمكي ودعوا إلى الالتزام بالحصص المتفق عليها.",
            ],
        ),
        (
            "وزراء الخارجية يبحثون تقاسم المياه في المنطقة",
            [
                "بحث وزراء خارجية خمس دول سبل تقاسم مياه الأنهار العابرة لحدودها في ظل تزايد الطلب من "
                "الزراعة والمدن.",
                "واتفق الوزراء على تبادل بيانات محطات القياس وتشكيل فريق عمل من المهندسين يرفع مقترحاته "
                "إلى الوزراء.",
                "ودعت عدة وفود إلى توفير التمويل اللازم لإصلاح قنوات الري القديمة التي تفقد جزءا كبيرا من "
                "المياه.",
            ],
        ),
    ],
}

# Undated links beside an article; pages that test dated teasers bring their own.
TEASERS: dict[str, tuple[str, ...]] = {
    "en": ("Port workers vote on new contract", "City council approves bus lanes", "Weather: snow expected"),
    "ko": ("항만 노동자들 새 계약 찬반 투표", "시의회 버스전용차로 승인", "주말 전국에 눈 예보"),
    "ru": ("Портовики проголосуют за новый договор", "В городе появятся выделенные полосы", "Погода"),
    "zh": ("港口工人就新合同投票", "市议会批准公交专用道", "天气：北方将迎降雪"),
    "ja": ("港湾労働者が新契約で投票", "市議会がバス専用レーン承認", "週末は各地で雪の予報"),
    "de": ("Hafenarbeiter stimmen über Vertrag ab", "Stadtrat billigt Busspuren", "Wetter: Schnee erwartet"),
    "fr": ("Les dockers votent sur leur contrat", "Des voies de bus approuvées", "Météo : neige attendue"),
    "es": ("Los estibadores votan el convenio", "El ayuntamiento aprueba carriles bus", "Tiempo: nieve"),
    "ar": (
        "عمال الميناء يصوتون على عقد جديد",
        "المجلس البلدي يقر مسارات للحافلات",
        "الطقس: توقع تساقط الثلوج",
    ),
}

MORE: dict[str, str] = {
    "en": "More stories",
    "ko": "관련 기사",
    "ru": "Читайте также",
    "zh": "相关新闻",
    "ja": "関連記事",
    "de": "Mehr zum Thema",
    "fr": "Sur le même sujet",
    "es": "Más noticias",
    "ar": "اقرأ أيضا",
}


def _teaser_items(site: Site, parts: Parts) -> list[str]:
    return list(parts.teasers or TEASERS[site.language])


def _rights(site: Site, parts: Parts) -> str:
    return parts.rights if parts.rights is not None else site.rights


def modern_layout(site: Site, headline: str, paragraphs: list[str], parts: Parts) -> str:
    """Semantic HTML5: <article> with a <header> and an <h1>, related links in a <section>."""
    first, *rest = paragraphs
    body = [f"<p>{parts.lead}{html.escape(first)}</p>"] + [f"<p>{html.escape(p)}</p>" for p in rest]
    body += [f"<p>{html.escape(p)}</p>" for p in parts.extra]
    teasers = "".join(
        f'<li><a href="/story/{i}">{t}</a></li>' for i, t in enumerate(_teaser_items(site, parts))
    )
    direction = ' dir="rtl"' if site.language == "ar" else ""
    return f"""<!DOCTYPE html>
<html lang="{site.language}"{direction}><head><meta charset="utf-8">
<title>{html.escape(headline)} | {site.name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{parts.head}</head>
<body><header class="site-header"><a class="brand" href="/">{site.name}</a>
{f'<div class="edition">{parts.masthead}</div>' if parts.masthead else ""}
<nav><a href="/">{site.section}</a></nav></header>
<main><article>
<header class="article-header">{f'<p class="kicker">{parts.kicker}</p>' if parts.kicker else ""}
<h1>{html.escape(headline)}</h1>{f'<div class="byline">{parts.byline}</div>' if parts.byline else ""}</header>
<div class="article-body">{"".join(body)}</div>
{f'<p class="article-end">{parts.tail}</p>' if parts.tail else ""}
</article>
{f'<aside class="article-info">{parts.aside}</aside>' if parts.aside else ""}
<section class="related"><h2>{MORE[site.language]}</h2><ul>{teasers}</ul></section></main>
<footer><p>{_rights(site, parts)}</p></footer></body></html>"""


def legacy_layout(site: Site, headline: str, paragraphs: list[str], parts: Parts) -> str:
    """An old table-built site: no <h1>, a bold headline cell, paragraphs split by <br>."""
    first, *rest = paragraphs
    text = "<br><br>".join(
        [parts.lead + html.escape(first)] + [html.escape(p) for p in [*rest, *parts.extra]]
    )
    row = '<tr><td class="{css}"{align}>{content}</td></tr>'
    teasers = "".join(
        f'<tr><td class="list">· <a href="#">{t}</a></td></tr>' for t in _teaser_items(site, parts)
    )
    return f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{site.name}</title>{parts.head}</head>
<body bgcolor="#ffffff" topmargin="0">
<table width="960" border="0" cellspacing="0" cellpadding="0">
<tr><td colspan="2" class="top"><img src="/images/logo.gif" alt="{site.name}"> {parts.masthead}</td></tr>
<tr><td width="700" valign="top"><table width="100%" border="0" cellpadding="4">
<tr><td class="cat">{site.section}</td></tr>
{row.format(css="kicker", align="", content=parts.kicker) if parts.kicker else ""}
<tr><td class="tit"><font size="4"><b>{html.escape(headline)}</b></font></td></tr>
{row.format(css="date", align=' align="right"', content=parts.byline) if parts.byline else ""}
<tr><td class="txt">{text}</td></tr>
{row.format(css="end", align="", content=parts.tail) if parts.tail else ""}
</table></td>
<td width="260" valign="top">{parts.aside}
<table width="100%"><tr><td class="box"><b>{MORE[site.language]}</b></td></tr>{teasers}</table></td></tr>
<tr><td colspan="2" class="copy" align="center">{_rights(site, parts)}</td></tr>
</table></body></html>"""


def portal_layout(site: Site, headline: str, paragraphs: list[str], parts: Parts) -> str:
    """A portal of nested <div>s: the headline an <h2>, the article body one div, a sidebar beside it."""
    first, *rest = paragraphs
    body = f"{parts.lead}{html.escape(first)}" + "".join(
        f"<p>{html.escape(p)}</p>" for p in [*rest, *parts.extra]
    )
    teasers = "".join(f"<li><a href='#'>{t}</a></li>" for t in _teaser_items(site, parts))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(headline)} - {site.name}</title>{parts.head}</head>
<body><div id="wrap"><div id="gnb"><span class="logo">{site.name}</span>
{f'<span class="today">{parts.masthead}</span>' if parts.masthead else ""}
<ul class="menu"><li>{site.section}</li></ul></div>
<div id="container"><div class="content">
<div class="view-head">{f'<div class="top-info">{parts.kicker}</div>' if parts.kicker else ""}
<h2 class="subject">{html.escape(headline)}</h2>
{f'<div class="info">{parts.byline}</div>' if parts.byline else ""}</div>
<div id="articleBody" class="view-cont">{body}</div>
{f'<div class="view-end">{parts.tail}</div>' if parts.tail else ""}</div>
<div class="side">{f'<div class="side-info">{parts.aside}</div>' if parts.aside else ""}
<div class="rank"><strong>{MORE[site.language]}</strong><ol>{teasers}</ol></div></div></div>
<div id="footer">{_rights(site, parts)}</div></div></body></html>"""


LAYOUTS: dict[str, Callable[[Site, str, list[str], Parts], str]] = {
    "modern": modern_layout,
    "legacy": legacy_layout,
    "portal": portal_layout,
}


def meta(**properties: str) -> str:
    """Open Graph article properties: meta(published_time=…, modified_time=…)."""
    return "".join(
        f'<meta property="article:{name}" content="{value}">' for name, value in properties.items()
    )


def json_ld(**fields: str) -> str:
    """A schema.org NewsArticle with the given date fields (datePublished, dateModified)."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **fields}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def time_element(iso: str, text: str) -> str:
    return f'<time datetime="{iso}">{text}</time>'


# fmt: off
AP = Site("ap", "AP News", "en", "modern", "https://apnews.com", "/article/{n:x}", "en-US",
          "America/New_York", "World", "Copyright 2025 The Associated Press. All Rights Reserved.")
NYT = Site("nyt", "The New York Times", "en", "modern", "https://www.nytimes.com",
           "/world/asia/story-{n}.html", "en-US", "America/New_York", "Asia Pacific",
           "© 2025 The New York Times Company")
RIDGEFIELD = Site("ridgefield", "The Ridgefield Courier", "en", "legacy", "http://www.ridgefieldcourier.com",
                  "/news/story.php?id={n}", "en-US", "America/Chicago", "Local News",
                  "Copyright © 1998-2025 The Ridgefield Courier. All rights reserved.")
LAKESHORE = Site("lakeshore", "Lakeshore Daily News", "en", "portal", "https://www.lakeshoredaily.com",
                 "/local/article_{n}.html", "en-US", "America/Detroit", "Local",
                 "© 2025 Lakeshore Daily News | Terms of Use | Privacy Policy")
HARBOR = Site("harbor", "Harbor City Tribune", "en", "modern", "https://www.harborcitytribune.com",
              "/news/local/{n}/", "en-US", "America/Chicago", "News", "© 2025 Harbor City Tribune")
GUARDIAN = Site("guardian", "The Guardian", "en", "modern", "https://www.theguardian.com", "/world/{n}",
                "en-GB", "Europe/London", "World news", "© 2025 Guardian News & Media Limited")
BBC = Site("bbc", "BBC News", "en", "modern", "https://www.bbc.com", "/news/articles/c{n}o", "en-GB",
           "Europe/London", "World", "Copyright 2025 BBC. All rights reserved.")
NORTHGATE = Site("northgate", "Northgate Evening Post", "en", "legacy", "http://www.northgatepost.co.uk",
                 "/news/{n}.htm", "en-GB", "Europe/London", "News", "© Northgate Evening Post")
REUTERS = Site("reuters", "Reuters", "en", "modern", "https://www.reuters.com",
               "/world/asia-pacific/item-{n}/", "en-US", None, "Asia Pacific",
               "© 2025 Reuters. All rights reserved")
KCNA_EN = Site("kcna-en", "KCNA", "en", "legacy", "http://www.kcna.kp", "/en/article/q/{n:x}.kcmsf", "en",
               "Asia/Pyongyang", "Latest News", "Copyright © 2000-2025 Korean Central News Agency")
RODONG_EN = Site("rodong-en", "Rodong Sinmun", "en", "portal", "http://www.rodong.rep.kp",
                 "/en/index.php?strPageID=SF01_02_01&newsID={n}", "en", "Asia/Pyongyang", "Politics",
                 "Copyright © 2025 Rodong Sinmun")
FLPH = Site("flph", "Foreign Languages Publishing House", "en", "legacy", "http://www.flph.kp",
            "/en/book/{n}", "en", "Asia/Pyongyang", "Books", "Foreign Languages Publishing House, Pyongyang")
YONHAP_EN = Site("yonhap-en", "Yonhap News Agency", "en", "modern", "https://en.yna.co.kr", "/view/AEN{n}",
                 "en", "Asia/Seoul", "North Korea",
                 "Copyright (C) 2025 Yonhap News Agency. All Rights Reserved.")
XINHUA_EN = Site("xinhua-en", "Xinhua", "en", "modern", "https://english.news.cn", "/detail/{n}.htm", "en",
                 "Asia/Shanghai", "World", "Copyright © 2000-2025 XINHUANET.com All rights reserved.")
NKNEWS = Site("nknews", "NK News", "en", "modern", "https://www.nknews.org", "/story/{n}/", "en-US",
              "Asia/Seoul", "Politics", "© 2025 Korea Risk Group. All rights reserved.")
KYODO_EN = Site("kyodo-en", "Kyodo News", "en", "portal", "https://english.kyodonews.net", "/news/{n}.html",
                "en", "Asia/Tokyo", "Japan", "All Rights Reserved, Copyright © Kyodo News")
AJ_EN = Site("aj-en", "Al Jazeera", "en", "modern", "https://www.aljazeera.com", "/news/story-{n}", "en-GB",
             "Asia/Qatar", "News", "© 2025 Al Jazeera Media Network")
THINKTANK = Site("thinktank", "Peninsula Policy Institute", "en", "portal", "https://www.peninsulapolicy.org",
                 "/reports/{n}/", "en-US", "America/New_York", "Reports", "© Peninsula Policy Institute")

YONHAP = Site("yonhap", "연합뉴스", "ko", "modern", "https://www.yna.co.kr", "/view/AKR{n}", "ko",
              "Asia/Seoul",
              "북한", "Copyright (C) 연합뉴스. 무단 전재-재배포, AI 학습 및 활용 금지")
KBS = Site("kbs", "KBS 뉴스", "ko", "portal", "https://news.kbs.co.kr", "/news/pc/view/view.do?ncd={n}", "ko",
           "Asia/Seoul", "정치", "Copyright © KBS. All rights reserved.")
HANKYOREH = Site("hankyoreh", "한겨레", "ko", "modern", "https://www.hani.co.kr", "/arti/politics/{n}.html",
                 "ko",
                 "Asia/Seoul", "정치", "ⓒ 한겨레신문사 무단 전재 및 재배포 금지")
TONGIL = Site("tongil", "통일뉴스", "ko", "legacy", "http://www.tongilnews.com",
              "/news/articleView.html?idxno={n}", "ko", "Asia/Seoul", "북한", "Copyright © 2025 통일뉴스")
KCNA_KO = Site("kcna-ko", "조선중앙통신", "ko", "legacy", "http://www.kcna.kp", "/kp/article/q/{n:x}.kcmsf",
               "ko",
               "Asia/Pyongyang", "최신기사", "Copyright © 2000-2025 조선중앙통신사")
RODONG_KO = Site("rodong-ko", "로동신문", "ko", "portal", "http://www.rodong.rep.kp",
                 "/ko/index.php?strPageID=SF01_02_01&newsID={n}", "ko", "Asia/Pyongyang", "정치",
                 "Copyright © 2025 로동신문")
URIMINZOKKIRI = Site("uriminzokkiri", "우리 민족끼리", "ko", "legacy", "http://www.uriminzokkiri.com",
                     "/index.php?ptype=cfoart&no={n}", "ko", "Asia/Pyongyang", "기사", "우리 민족끼리")
MONTHLY_KO = Site("monthly-ko", "월간 통일", "ko", "portal", "https://www.monthlytongil.kr", "/view/{n}",
                  "ko",
                  "Asia/Seoul", "특집", "월간 통일 © All rights reserved")

TASS = Site("tass", "ТАСС", "ru", "modern", "https://tass.ru", "/politika/{n}", "ru", "Europe/Moscow",
            "Политика", "© 2025 ТАСС Информационное агентство России")
RIA = Site("ria", "РИА Новости", "ru", "modern", "https://ria.ru", "/item/{n}.html", "ru", "Europe/Moscow",
           "В мире", "© 2025 МИА «Россия сегодня»")
KOMMERSANT = Site("kommersant", "Коммерсантъ", "ru", "portal", "https://www.kommersant.ru", "/doc/{n}", "ru",
                  "Europe/Moscow", "Экономика", "© 1991-2025 АО «Коммерсантъ». Все права защищены.")
IZVESTIA = Site("izvestia", "Известия", "ru", "modern", "https://iz.ru", "/{n}/novost", "ru", "Europe/Moscow",
                "Политика", "© 2025 Известия")
INTERFAX = Site("interfax", "Интерфакс", "ru", "portal", "https://www.interfax.ru", "/russia/{n}", "ru",
                "Europe/Moscow", "Россия", "© 1991-2025 «Интерфакс»")
GOVERNMENT_RU = Site("government-ru", "Правительство России", "ru", "portal", "http://government.ru",
                     "/news/{n}/", "ru", "Europe/Moscow", "Новости", "Правительство Российской Федерации")
MID = Site("mid", "МИД России", "ru", "legacy", "https://www.mid.ru", "/ru/foreign_policy/news/{n}/", "ru",
           "Europe/Moscow", "Новости", "© 2025 Министерство иностранных дел Российской Федерации")
RG = Site("rg", "Российская газета", "ru", "modern", "https://rg.ru", "/doc/{n}.html", "ru", "Europe/Moscow",
          "Экономика", "© 1998-2025 «Российская газета»")
MEZHDUNARODNAYA = Site("interaffairs", "Международная жизнь", "ru", "legacy", "https://interaffairs.ru",
                       "/jauthor/material/{n}", "ru", "Europe/Moscow", "Журнал", "«Международная жизнь»")
LENTA = Site("lenta", "Лента.ру", "ru", "modern", "https://lenta.ru", "/news/item-{n}/", "ru",
             "Europe/Moscow",
             "Экономика", "© 1999-2025 Lenta.ru")
VEDOMOSTI = Site("vedomosti", "Ведомости", "ru", "portal", "https://www.vedomosti.ru", "/economics/{n}", "ru",
                 "Europe/Moscow", "Экономика", "© 1999-2025 АО «Бизнес Ньюс Медиа»")

XINHUA = Site("xinhua", "新华网", "zh", "modern", "http://www.news.cn", "/politics/detail/{n}/c.html", "zh",
              "Asia/Shanghai", "时政", "Copyright © 2000-2025 XINHUANET.com All Rights Reserved.")
PEOPLE = Site("people", "人民网", "zh", "portal", "http://politics.people.com.cn", "/n1/c{n}.html", "zh",
              "Asia/Shanghai", "时政", "人民日报社概况 | 关于人民网 | 人民网版权所有，未经书面授权禁止使用")
GOV_CN = Site("gov-cn", "中国政府网", "zh", "legacy", "https://www.gov.cn", "/zhengce/content/{n}.htm", "zh",
              "Asia/Shanghai", "政策", "版权所有：中国政府网")
CGTN_ZH = Site("cgtn-zh", "CGTN", "zh", "modern", "https://news.cgtn.com", "/news/{n}/index.html", "zh",
               "Asia/Shanghai", "国际", "© 2025 China Global Television Network")
HUANQIU = Site("huanqiu", "环球网", "zh", "portal", "https://world.huanqiu.com", "/article/{n:x}", "zh",
               "Asia/Shanghai", "国际", "Copyright © 2025 Huanqiu.com All rights reserved.")
CHINANEWS = Site("chinanews", "中国新闻网", "zh", "legacy", "https://www.chinanews.com.cn",
                 "/gn/shipin/{n}.shtml",
                 "zh", "Asia/Shanghai", "国内", "本网站所刊载信息，不代表中新社和中新网观点。")
CHINADAILY = Site("chinadaily", "中国日报网", "zh", "modern", "https://cn.chinadaily.com.cn", "/a/{n}.html",
                  "zh",
                  "Asia/Shanghai", "国际",
                  "版权声明：本网登载内容，凡注明来源为“中国日报网”的，版权均属中国日报网所有")
CNA_ZH = Site("cna-zh", "中央社", "zh", "portal", "https://www.cna.com.tw", "/news/aopl/{n}.aspx", "zh",
              "Asia/Taipei", "國際", "本網站之文字、圖片及影音，非經授權，不得轉載")

NHK = Site("nhk", "NHK", "ja", "modern", "https://www3.nhk.or.jp", "/news/html/k{n}.html", "ja", "Asia/Tokyo",
           "国際", "Copyright NHK (Japan Broadcasting Corporation) All rights reserved.")
MAINICHI = Site("mainichi", "毎日新聞", "ja", "modern", "https://mainichi.jp", "/articles/{n}/k00/00m/030/",
                "ja",
                "Asia/Tokyo", "国際", "Copyright THE MAINICHI NEWSPAPERS. All rights reserved.")
NIKKEI = Site("nikkei", "日本経済新聞", "ja", "portal", "https://www.nikkei.com", "/article/DGXZQO{n}/", "ja",
              "Asia/Tokyo", "経済", "日本経済新聞社 All Rights Reserved.")
JIJI = Site("jiji", "時事ドットコム", "ja", "portal", "https://www.jiji.com", "/jc/article?k={n}", "ja",
            "Asia/Tokyo", "国際", "Copyright© JIJI PRESS LTD. All Rights Reserved.")
KANTEI = Site("kantei", "首相官邸", "ja", "legacy", "https://www.kantei.go.jp", "/jp/actions/{n}.html", "ja",
              "Asia/Tokyo", "総理の一日", "Copyright © Cabinet Public Relations Office")
MOFA = Site("mofa", "外務省", "ja", "legacy", "https://www.mofa.go.jp", "/mofaj/press/release/{n}.html", "ja",
            "Asia/Tokyo", "報道発表", "Copyright © Ministry of Foreign Affairs of Japan")
PREF = Site("pref", "北海道庁", "ja", "portal", "https://www.pref.hokkaido.lg.jp", "/ss/{n}.html", "ja",
            "Asia/Tokyo", "お知らせ", "Copyright © Hokkaido Government. All rights reserved.")
SEKAI = Site("sekai", "月刊 世界と日本", "ja", "modern", "https://www.sekai-nihon.jp", "/magazine/{n}/", "ja",
             "Asia/Tokyo", "特集", "© 世界と日本 編集部")
YAHOO = Site("yahoo-jp", "Yahoo!ニュース", "ja", "portal", "https://news.yahoo.co.jp", "/articles/{n:x}",
             "ja",
             "Asia/Tokyo", "国際", "© LY Corporation")
ASAHI = Site("asahi", "朝日新聞デジタル", "ja", "modern", "https://www.asahi.com", "/articles/ASS{n}.html",
             "ja",
             "Asia/Tokyo", "国際", "Copyright © The Asahi Shimbun Company. All rights reserved.")

SPIEGEL = Site("spiegel", "DER SPIEGEL", "de", "modern", "https://www.spiegel.de", "/ausland/artikel-{n}",
               "de",
               "Europe/Berlin", "Ausland", "© DER SPIEGEL 2025")
FAZ = Site("faz", "Frankfurter Allgemeine", "de", "modern", "https://www.faz.net",
           "/aktuell/politik/{n}.html",
           "de", "Europe/Berlin", "Politik", "© Frankfurter Allgemeine Zeitung GmbH 2025")
TAGESSCHAU = Site("tagesschau", "tagesschau.de", "de", "portal", "https://www.tagesschau.de",
                  "/ausland/asien/meldung-{n}.html", "de", "Europe/Berlin", "Ausland", "© tagesschau.de")
ZEIT = Site("zeit", "ZEIT ONLINE", "de", "modern", "https://www.zeit.de", "/politik/ausland/{n}", "de",
            "Europe/Berlin", "Politik", "© ZEIT ONLINE")
SZ = Site("sz", "Süddeutsche Zeitung", "de", "portal", "https://www.sueddeutsche.de", "/politik/text-{n}",
          "de",
          "Europe/Berlin", "Politik", "Copyright © Süddeutsche Zeitung Digitale Medien GmbH")
HANDELSBLATT = Site("handelsblatt", "Handelsblatt", "de", "modern", "https://www.handelsblatt.com",
                    "/politik/international/{n}.html", "de", "Europe/Berlin", "Politik",
                    "© Handelsblatt GmbH")
REGIONAL_DE = Site("kreisbote", "Kreisbote Unterland", "de", "legacy", "http://www.kreisbote-unterland.de",
                   "/lokales/artikel.php?id={n}", "de", "Europe/Berlin", "Lokales",
                   "© 2025 Kreisbote Unterland")
DW = Site("dw", "DW", "de", "modern", "https://www.dw.com", "/de/artikel/a-{n}", "de", "Europe/Berlin",
          "Welt",
          "© 2025 Deutsche Welle")
STANDARD = Site("standard", "DER STANDARD", "de", "portal", "https://www.derstandard.at", "/story/{n}", "de",
                "Europe/Vienna", "International", "© STANDARD Verlagsgesellschaft m.b.H. 2025")
NZZ = Site("nzz", "NZZ", "de", "modern", "https://www.nzz.ch", "/international/artikel-ld.{n}", "de",
           "Europe/Zurich", "International", "Copyright © Neue Zürcher Zeitung AG")

LE_MONDE = Site("lemonde", "Le Monde", "fr", "modern", "https://www.lemonde.fr",
                "/international/article/{n}.html",
                "fr", "Europe/Paris", "International", "© Le Monde")
LE_FIGARO = Site("lefigaro", "Le Figaro", "fr", "modern", "https://www.lefigaro.fr",
                 "/international/article-{n}",
                 "fr", "Europe/Paris", "International", "© Le Figaro 2025")
AFP_FR = Site("afp-fr", "AFP", "fr", "portal", "https://www.afp.com", "/fr/infos/{n}", "fr", "Europe/Paris",
              "Monde", "© Agence France-Presse 2025")
LE_PARISIEN = Site("leparisien", "Le Parisien", "fr", "portal", "https://www.leparisien.fr",
                   "/international/article-{n}.php", "fr", "Europe/Paris", "International", "© Le Parisien")
OUEST = Site("ouest", "Le Courrier de l'Ouest", "fr", "legacy", "http://www.courrier-ouest-journal.fr",
             "/actu/article.php?id={n}", "fr", "Europe/Paris", "Actualité", "© 2025 Le Courrier de l'Ouest")
DIPLO = Site("diplo", "Le Monde diplomatique", "fr", "portal", "https://www.monde-diplomatique.fr", "/{n}",
             "fr",
             "Europe/Paris", "Archives", "© Le Monde diplomatique")
FRANCE24 = Site("france24", "France 24", "fr", "modern", "https://www.france24.com", "/fr/asie-pacifique/{n}",
                "fr", "Europe/Paris", "Asie-Pacifique", "© 2025 Copyright France 24")
LAPRESSE = Site("lapresse", "La Presse", "fr", "modern", "https://www.lapresse.ca", "/international/{n}.php",
                "fr-CA", "America/Toronto", "International", "© La Presse Inc. Tous droits réservés.")

EL_PAIS = Site("elpais", "EL PAÍS", "es", "modern", "https://elpais.com", "/internacional/articulo-{n}.html",
               "es",
               "Europe/Madrid", "Internacional", "© EDICIONES EL PAÍS S.L.")
EFE = Site("efe", "EFE", "es", "portal", "https://efe.com", "/mundo/noticia-{n}/", "es", "Europe/Madrid",
           "Mundo",
           "© EFE 2025 Agencia EFE S.A.")
ABC = Site("abc", "ABC", "es", "modern", "https://www.abc.es", "/internacional/noticia-{n}.html", "es",
           "Europe/Madrid", "Internacional", "© Diario ABC, S.L. 2025")
LA_NACION = Site("lanacion", "LA NACION", "es", "modern", "https://www.lanacion.com.ar",
                 "/el-mundo/nota-{n}/",
                 "es-AR", "America/Argentina/Buenos_Aires", "El Mundo", "Copyright 2025 SA LA NACION")
CLARIN = Site("clarin", "Clarín", "es", "portal", "https://www.clarin.com", "/mundo/nota_{n}.html", "es-AR",
              "America/Argentina/Buenos_Aires", "Mundo", "Copyright 1996-2025 Clarín.com")
EL_COMERCIO = Site("elcomercio", "El Comercio", "es", "legacy", "https://elcomercio.pe",
                   "/mundo/nota-{n}-noticia/",
                   "es-PE", "America/Lima", "Mundo", "© Empresa Editora El Comercio")
DIPLO_ES = Site("diplo-es", "Le Monde diplomatique en español", "es", "portal", "https://mondiplo.com",
                "/{n}",
                "es", "Europe/Madrid", "Archivo", "© Le Monde diplomatique en español")
INFOBAE = Site("infobae", "infobae", "es", "modern", "https://www.infobae.com", "/america/mundo/nota-{n}/",
               "es-AR",
               "America/Argentina/Buenos_Aires", "América", "© 2025 Infobae")
EL_MUNDO = Site("elmundo", "EL MUNDO", "es", "modern", "https://www.elmundo.es", "/internacional/{n}.html",
                "es",
                "Europe/Madrid", "Internacional", "© Unidad Editorial Información General S.L.U.")

AJ_AR = Site("aj-ar", "الجزيرة نت", "ar", "modern", "https://www.aljazeera.net", "/news/item-{n}", "ar",
             "Asia/Qatar", "أخبار", "جميع الحقوق محفوظة © 2025 شبكة الجزيرة الإعلامية")
ALARABIYA = Site("alarabiya", "العربية", "ar", "modern", "https://www.alarabiya.net", "/arab-and-world/{n}",
                 "ar",
                 "Asia/Dubai", "العرب والعالم", "© 2025 العربية")
SANA = Site("sana", "سانا", "ar", "legacy", "https://sana.sy", "/?p={n}", "ar", "Asia/Damascus", "محليات",
            "الوكالة العربية السورية للأنباء - سانا")
ASHARQ = Site("asharq", "الشرق الأوسط", "ar", "portal", "https://aawsat.com", "/node/{n}", "ar",
              "Asia/Riyadh",
              "العالم", "© 2025 الشرق الأوسط")
SPA = Site("spa", "واس", "ar", "legacy", "https://www.spa.gov.sa", "/N{n}", "ar", "Asia/Riyadh", "محلي",
           "وكالة الأنباء السعودية")
AHRAM = Site("ahram", "بوابة الأهرام", "ar", "portal", "https://gate.ahram.org.eg", "/News/{n}.aspx", "ar",
             "Africa/Cairo", "عربي وعالمي", "جميع حقوق النشر محفوظة لمؤسسة الأهرام 2025")
AKHBAR_ELYOM = Site("akhbarelyom", "أخبار اليوم", "ar", "modern", "https://akhbarelyom.com",
                    "/news/newdetails/{n}/1",
                    "ar", "Africa/Cairo", "عربي ودولي", "جميع الحقوق محفوظة لمؤسسة أخبار اليوم")
WAM = Site("wam", "وام", "ar", "portal", "https://www.wam.ae", "/ar/article/{n:x}", "ar", "Asia/Dubai",
           "الإمارات",
           "وكالة أنباء الإمارات © 2025")
KHALEEJ = Site("khaleej", "الخليج", "ar", "modern", "https://www.alkhaleej.ae", "/{n}", "ar", "Asia/Dubai",
               "عربي ودولي", "جميع الحقوق محفوظة لدار الخليج")
AL_AKHBAR = Site("alakhbar", "الأخبار", "ar", "portal", "https://al-akhbar.com", "/Politics/{n}", "ar",
                 "Asia/Beirut", "سياسة", "© جريدة الأخبار")
ALARABI = Site("alarabi", "مجلة العربي", "ar", "legacy", "http://www.alarabi.com", "/article.php?id={n}",
               "ar",
               "Asia/Kuwait", "المجلة", "مجلة العربي - وزارة الإعلام - الكويت")
# fmt: on

CASES: list[PanelCase] = []


def page(
    site: Site,
    form: str,
    expected: str | None,
    *,
    path: str | None = None,
    fetched_at: str = FETCHED_AT,
    **parts,
) -> None:
    """Add the page `site` serves with these date-bearing parts; `expected` is the date a reader takes."""
    number = len(CASES)
    texts = TEXTS[site.language]
    same_language = sum(c.language == site.language for c in CASES)
    headline, paragraphs = texts[same_language % len(texts)]
    same_site = sum(c.id.rsplit("-", 1)[0] == site.key for c in CASES)
    CASES.append(
        PanelCase(
            id=f"{site.key}-{same_site + 1}",
            language=site.language,
            form=form,
            # An article number of the site's usual shape, different on every page and unlike a date.
            url=site.base + (path or site.path.format(n=4_810_000 + number * 6_133)),
            html=LAYOUTS[site.layout](site, headline, paragraphs, Parts(**parts)),
            date_locale=site.date_locale,
            timezone=site.timezone,
            fetched_at=fetched_at,
            date=expected,
            precision={10: "day", 7: "month", 4: "year"}[len(expected)] if expected else None,
        )
    )


# Datelines without a year: where the page states the year elsewhere (a URL, a header) that year
# holds; where it states none, the convention is the reader's: the latest such day not after the
# fetch. Pages fetched early in January with a late-December dateline test that inference.
EARLY_JANUARY = "2025-01-08T02:00:00+00:00"
LATE_JANUARY = "2025-01-20T02:00:00+00:00"

# fmt: off
# English.
page(AP, "written", "2024-12-03", byline="By ROBERT NOLAN · Published 6:05 AM EST, December 3, 2024",
     lead="WASHINGTON (AP) — ")
page(NYT, "updated", "2024-11-18", path="/2024/11/18/world/asia/rail-border-towns.html",
     byline=f"Published {time_element('2024-11-18T05:00:01-05:00', 'Nov. 18, 2024')}"
            " · Updated Nov. 19, 2024, 9:47 a.m. ET")
page(RIDGEFIELD, "numeric-mdy", "2024-10-07", byline="Posted: 10/07/2024 5:32 PM")
page(LAKESHORE, "updated", "2024-03-11",
     tail="This story was originally published 03/11/2024 and last updated 03/12/2024 at 8:05 a.m.")
page(GUARDIAN, "written", "2024-10-05", path="/world/2024/oct/05/rail-link-border-towns-reopens",
     byline="Helen Marsh in Belfast · Sat 5 Oct 2024 12.00 BST")
page(BBC, "written", "2024-09-12",
     byline=f"{time_element('2024-09-12T06:14:22.000Z', '12 September 2024')} · Share")
page(REUTERS, "updated", "2024-10-02",
     byline="By Josh Smith · October 2, 2024 8:15 PM GMT+9 Updated October 3, 2024")
page(RODONG_EN, "juche-day", "2024-08-15", kicker="Thursday, August 15, Juche 113 (2024)")
page(KCNA_EN, "dateline-no-year", "2024-12-28", lead="Pyongyang, December 28 (KCNA) -- ",
     fetched_at=LATE_JANUARY)
page(FLPH, "juche-year", "2023",
     aside="<p>Foreign Languages Publishing House<br>Pyongyang, Korea<br>Juche 112 (2023)</p>")
page(YONHAP_EN, "dateline-no-year", "2025-01-06", path="/view/AEN20250106001200315",
     lead="SEOUL, Jan. 6 (Yonhap) -- ")
page(XINHUA_EN, "dateline-no-year", "2025-02-03", lead="BEIJING, Feb. 3 (Xinhua) -- ")
page(NKNEWS, "written", "2024-10-22", byline="By Chad O'Carroll | October 22, 2024",
     head=json_ld(datePublished="2024-10-22T09:41:00+09:00"))
page(KYODO_EN, "written", "2024-11-27", byline="KYODO NEWS - Nov 27, 2024 - 20:45 | World, All")
page(AJ_EN, "written", "2025-01-09", byline="Published On 9 Jan 2025")
page(THINKTANK, "month", "2024-06",
     aside="<dl><dt>Report</dt><dd>Published June 2024</dd><dt>Pages</dt><dd>36</dd></dl>")
page(RIDGEFIELD, "year", "2023",
     tail="First published in the Ridgefield Community Guide, 2023. Reprinted with permission.")
page(LAKESHORE, "none", None, path="/about-us/", masthead="Saturday, February 15, 2025 · Today's e-Edition",
     extra=("The Lakeshore Daily News has served the county since 1887.",))
page(BBC, "none", None,
     aside="<dl><dt>Born</dt><dd>3 March 1962, Belfast</dd><dt>Office</dt><dd>Transport minister</dd></dl>",
     extra=("The line was first opened to passengers on 1 July 1911.",),
     teasers=("Bus strike called off · 12 February 2025", "Ferry fares rise · 10 February 2025"))
page(HARBOR, "meta-disagrees", "2024-08-19", byline="By Dana Ruiz · Aug. 19, 2024",
     head=meta(modified_time="2024-08-21T14:02:00-05:00"))
page(NORTHGATE, "numeric-dmy", "2024-04-09", byline="Posted 09/04/2024 at 16:20")
page(HARBOR, "numeric-mdy", "2024-12-05", byline="12/05/2024 7:41 a.m.")
page(LAKESHORE, "numeric-mdy", "2025-02-06", kicker="Posted Thursday, 02/06/2025")

# Korean.
page(YONHAP, "iso", "2024-10-15", path="/view/AKR20241015061300504", byline="송고시간2024-10-15 11:32",
     lead="(서울=연합뉴스) 김지연 기자 = ")
page(KBS, "updated", "2024-09-03", byline="입력 2024.09.03 (21:15) 수정 2024.09.04 (07:02)")
page(HANKYOREH, "updated", "2024-07-22", byline="등록 2024-07-22 18:05 수정 2024-07-23 08:10")
page(KBS, "ko-dotted", "2024-05-27", byline="입력 2024.05.27 (19:04)")
page(HANKYOREH, "ko-ymd", "2024-05-08", kicker="2024년 5월 8일 수요일")
page(KCNA_KO, "juche-day", "2024-03-01", byline="주체113(2024)년 3월 1일 금요일")
page(RODONG_KO, "juche-dotted", "2024-06-25", kicker="주체113(2024).6.25.")
page(URIMINZOKKIRI, "juche-day", "2024-09-09", byline="주체113(2024)년 9월 9일")
page(KCNA_KO, "juche-year", "2023", aside="<p>외국문출판사<br>주체112(2023)년 출판</p>")
page(URIMINZOKKIRI, "juche-year", "2022", tail="발행: 주체111년")
page(KCNA_KO, "dateline-no-year", "2024-12-31", lead="【평양 12월 31일발 조선중앙통신】 ",
     fetched_at=EARLY_JANUARY)
page(RODONG_KO, "dateline-no-year", "2024-11-03", masthead="2024년 기사 목록",
     lead="(평양 11월 3일발 조선중앙통신) ")
page(MONTHLY_KO, "month", "2024-04", kicker="월간 「통일」 2024년 4월호")
page(TONGIL, "year", "2022", tail="2022년 발간 · 통일연구 총서")
page(HANKYOREH, "none", None, path="/company/intro.html", masthead="2025년 2월 15일 토요일",
     extra=("한겨레는 1988년 국민주 신문으로 창간됐다.",))
page(KBS, "none", None,
     aside="<dl><dt>출생</dt><dd>1984년 1월 8일</dd><dt>직책</dt><dd>철도성 부상</dd></dl>",
     teasers=("항만 노동자 파업 철회 2025.02.14", "버스 요금 인상 2025.02.13"))
page(TONGIL, "ko-ymd", "2024-03-04", byline="기사입력 2024년 3월 4일 15:30")
page(YONHAP, "meta-disagrees", "2024-04-17", path="/view/AKR20240417008100504",
     byline="송고시간2024-04-17 07:10",
     head=meta(published_time="2024-04-16T22:10:00Z"))
page(KBS, "ko-dotted", "2024-06-03", byline="기사입력 2024.6.3 10:15")
page(URIMINZOKKIRI, "juche-dotted", "2024-10-10", byline="주체113(2024).10.10.")

# Russian.
page(TASS, "ru-genitive", "2024-10-15", byline="15 октября 2024, 12:40")
page(RIA, "updated", "2024-08-21", byline="09:15 21.08.2024 (обновлено: 11:40 22.08.2024)")
page(KOMMERSANT, "numeric-dmy", "2024-10-29", byline="Газета «Коммерсантъ» №199 от 29.10.2024, стр. 6")
page(IZVESTIA, "updated", "2024-11-05",
     byline="Опубликовано 5 ноября 2024, 11:00 · Обновлено 6 ноября 2024, 09:30")
page(INTERFAX, "dateline-no-year", "2024-12-03", lead="Москва. 3 декабря. INTERFAX.RU - ")
page(RIA, "dateline-no-year", "2024-09-17", path="/20240917/uchenye-1972435807.html",
     lead="МОСКВА, 17 сен — РИА Новости. ")
page(GOVERNMENT_RU, "ru-genitive", "2024-03-07", kicker="7 марта 2024 г.")
page(MID, "ru-genitive", "2024-02-22", byline="22 февраля 2024 года 15:00")
page(RG, "numeric-dmy", "2024-03-04", byline=time_element("2024-03-04T18:20:00+03:00", "04.03.2024 18:20"),
     kicker="Российская газета - Федеральный выпуск: №49(9291)")
page(MEZHDUNARODNAYA, "month", "2024-03", kicker="Журнал «Международная жизнь», март 2024")
page(VEDOMOSTI, "year", "2023", aside="<p>Ежегодный обзор отрасли<br>Год издания: 2023</p>")
page(TASS, "none", None, path="/tass-today", masthead="Сегодня: 15 февраля 2025, суббота",
     extra=("Агентство основано в 1904 году.",))
page(LENTA, "none", None,
     aside="<dl><dt>Дата рождения</dt><dd>12 апреля 1961 г.</dd><dt>Должность</dt><dd>министр</dd></dl>",
     teasers=("14 февраля 2025 · Портовики отказались от забастовки",
     "13 февраля 2025 · Автобусы подорожают"))
page(TASS, "dateline-no-year", "2024-12-25", lead="МОСКВА, 25 декабря. /ТАСС/. ", fetched_at=LATE_JANUARY)
page(KOMMERSANT, "meta-disagrees", "2024-06-13", byline="13.06.2024, 21:14",
     head=meta(modified_time="2024-06-14T09:30:00+03:00"))
page(LENTA, "ru-genitive", "2024-08-20",
     byline=time_element("2024-08-20T14:02:00+03:00", "14:02, 20 августа 2024"))
page(VEDOMOSTI, "ru-genitive", "2024-07-09", byline="Вторник, 9 июля 2024 г., 10:15")

# Chinese.
page(XINHUA, "iso", "2024-11-05", byline="2024-11-05 09:31:12　来源：新华网")
page(PEOPLE, "cjk-ymd", "2024-12-09", byline="2024年12月09日08:21 | 来源：人民网－人民日报")
page(PEOPLE, "cjk-ymd", "2024-03-08", tail="《 人民日报 》（ 2024年03月08日 第 03 版）")
page(GOV_CN, "cjk-fullwidth", "2024-09-02",
     aside="<p>发布时间：２０２４年９月２日</p><p>来源：国务院办公厅</p>")
page(CGTN_ZH, "updated", "2024-04-10", byline="发布时间：2024年4月10日 10:23 | 更新于2024年4月11日 08:00")
page(HUANQIU, "meta-disagrees", "2024-07-01", byline="环球网 2024-07-01 06:55",
     head=meta(published_time="2024-06-30T22:55:00Z"))
page(XINHUA, "dateline-no-year", "2024-12-30", lead="新华社北京12月30日电（记者李明）",
     fetched_at=EARLY_JANUARY)
page(XINHUA, "dateline-no-year", "2025-01-22", path="/world/20250122/5c3e8f1a9b2d4e6f/c.html",
     lead="新华社东京1月22日电 ")
page(CHINANEWS, "dateline-no-year", "2024-03-05", masthead="2024全国两会专题", lead="中新网3月5日电 ")
page(CGTN_ZH, "month", "2024-04", aside="<p>研究报告</p><p>发布日期：2024年4月</p>")
page(CHINADAILY, "year", "2023", aside="<p>出版时间：2023年</p>")
page(XINHUA, "none", None, path="/xhs/index.htm", masthead="2025年2月15日 星期六",
     extra=("新华社的前身是1931年11月7日在江西瑞金创建的红色中华通讯社。",))
page(HUANQIU, "none", None,
     teasers=("[2025-02-14] 港口工人就新合同投票", "[2025-02-13] 市议会批准公交专用道"))
page(CHINADAILY, "updated", "2024-02-01", byline="2024-02-01 10:05 | 来源：中国日报网 | 更新：2024-02-03")
page(CHINANEWS, "cjk-ymd", "2024-05-20", kicker="2024年5月20日 星期一")
page(CGTN_ZH, "cjk-ymd", "2024-08-09", byline=time_element("2024-08-09", "2024年8月9日"))
page(PEOPLE, "cjk-fullwidth", "2024-12-12", tail="《 人民日报海外版 》（ ２０２４年１２月１２日 第 ０４ 版）")
page(CNA_ZH, "numeric-ymd", "2024-10-10", byline="2024/10/10 14:25")

# Japanese.
page(NHK, "cjk-ymd", "2024-11-08", path="/news/html/20241108/k10014632811000.html",
     byline=time_element("2024-11-08T18:05", "2024年11月8日 18時05分"))
page(MAINICHI, "updated", "2024-06-03", byline="2024/6/3 05:00（最終更新 6/4 10:12）")
page(NIKKEI, "updated", "2024-10-01", byline="2024年10月1日 2:00 （2024年10月2日 5:16更新）")
page(JIJI, "cjk-ymd", "2024-09-27", byline="2024年09月27日15時40分")
page(NHK, "dateline-no-year", "2024-12-03", path="/news/html/20241203/k10014657001000.html",
     byline="12月3日 19時30分")
page(JIJI, "dateline-no-year", "2024-12-29", byline="12月29日17時12分", fetched_at=EARLY_JANUARY)
page(KANTEI, "ja-era", "2024-11-01", kicker="令和6年11月1日")
page(MOFA, "ja-era", "2019-05-01", byline="令和元年5月1日")
page(MOFA, "ja-era", "2019-04-30", byline="平成31年4月30日")
page(KANTEI, "ja-era", "2024-12-25", kicker="令和６年１２月２５日")
page(PREF, "cjk-fullwidth", "2024-10-01", aside="<p>掲載日：２０２４年１０月１日</p><p>担当：総務部</p>")
page(SEKAI, "month", "2024-03", kicker="2024年3月号")
page(PREF, "month", "2024-03", tail="令和6年3月発行")
page(SEKAI, "year", "2022", aside="<p>2022年刊行</p>")
page(NHK, "none", None, path="/info/about.html", masthead="本日は2025年2月15日（土）です",
     extra=("NHKは1925年にラジオ放送を開始した。",))
page(YAHOO, "none", None, aside="<dl><dt>生年月日</dt><dd>1965年4月2日</dd><dt>出身</dt><dd>北海道</dd></dl>",
     teasers=("港湾労働者が新契約で投票（2025年2月14日）", "市議会がバス専用レーン承認（2025年2月13日）"))
page(YAHOO, "updated", "2024-11-14", byline="2024/11/14(木) 10:02配信 · 最終更新:11/14(木) 13:40")
page(ASAHI, "meta-disagrees", "2024-06-14", byline="2024年6月14日 5時00分",
     head=meta(modified_time="2024-06-15T10:12:00+09:00"))

# German.
page(SPIEGEL, "numeric-dmy", "2024-12-03", byline="03.12.2024, 17.52 Uhr")
page(FAZ, "updated", "2024-11-19",
     byline="Veröffentlicht am 19.11.2024 um 18:10 · Aktualisiert am 20.11.2024 um 07:45")
page(TAGESSCHAU, "numeric-dmy", "2024-09-11", byline="Stand: 11.09.2024 16:22 Uhr")
page(ZEIT, "written", "2024-10-08", byline="8. Oktober 2024, 14:22 Uhr")
page(SZ, "written", "2024-04-17", kicker="Mittwoch, 17. April 2024")
page(HANDELSBLATT, "written", "2024-12-12", byline="12. Dez. 2024 - 09:40 Uhr")
page(REGIONAL_DE, "written", "2024-03-15", tail="Erschienen am 15. März 2024 in der Ausgabe Unterland.")
page(SPIEGEL, "dateline-no-year", "2025-01-28", lead="Frankfurt, 28. Jan (Reuters) - ")
page(ZEIT, "url-only", "2024-11-06", path="/news/2024-11/06/bahnstrecke-wieder-geoeffnet",
     lead="Berlin (dpa) - ")
page(REGIONAL_DE, "month", "2024-06", kicker="Monatsheft · Ausgabe Juni 2024")
page(DW, "year", "2023", aside="<p>Studie</p><p>Erschienen 2023</p>")
page(SZ, "none", None, path="/impressum", masthead="Samstag, 15. Februar 2025",
     extra=("Die Zeitung wurde 1945 gegründet.",))
page(STANDARD, "none", None, aside="<dl><dt>Geboren</dt><dd>3. März 1962 in Bonn</dd></dl>",
     teasers=("14.02.2025 · Hafenarbeiter stimmen ab", "13.02.2025 · Stadtrat billigt Busspuren"))
page(DW, "numeric-dmy", "2024-05-21", byline=time_element("2024-05-21T10:31:00Z", "21.05.2024"))
page(FAZ, "meta-disagrees", "2024-10-17", byline="17.10.2024, 11:02",
     head=json_ld(dateModified="2024-10-18T08:15:00+02:00"))
page(STANDARD, "written", "2025-01-07", byline="7. Jänner 2025, 16:45")
page(NZZ, "numeric-dmy", "2024-05-09", byline="09.05.2024, 05.30 Uhr")
page(SPIEGEL, "updated", "2024-03-04",
     byline="Aktualisiert am 05.03.2024, 09.10 Uhr • Zuerst veröffentlicht am 04.03.2024, 18.55 Uhr")

# French.
page(LE_MONDE, "updated", "2024-11-12",
     byline="Publié le 12 novembre 2024 à 18h30, modifié le 13 novembre 2024 à 09h02")
page(LE_FIGARO, "numeric-dmy", "2025-02-03", byline="Publié le 03/02/2025 à 07:15")
page(LE_FIGARO, "updated", "2024-06-20",
     byline="Publié le 20/06/2024 à 11:02, mis à jour le 21/06/2024 à 08:40")
page(AFP_FR, "written", "2024-12-05", lead="Genève, 5 déc 2024 (AFP) - ")
page(AFP_FR, "dateline-no-year", "2025-01-14", lead="Pékin, 14 janv (AFP) - ")
page(LE_PARISIEN, "written", "2024-10-01", byline="Le 1er octobre 2024 à 10h22")
page(OUEST, "written", "2024-12-02", byline="lundi 2 décembre 2024")
page(LE_PARISIEN, "written", "2024-02-14", byline="14 févr. 2024 à 19h05")
page(OUEST, "written", "2024-08-23", tail="Article paru le 23 août 2024.")
page(DIPLO, "month", "2024-07", kicker="Le Monde diplomatique · juillet 2024")
page(DIPLO, "year", "2023", aside="<p>Manière de voir</p><p>Paru en 2023</p>")
page(LE_MONDE, "none", None, path="/mentions-legales/", masthead="Samedi 15 février 2025",
     extra=("Le journal a été fondé en 1944.",))
page(FRANCE24, "none", None, aside="<dl><dt>Naissance</dt><dd>Né le 14 juillet 1952 à Lyon</dd></dl>",
     extra=("La ligne avait été inaugurée le 1er mai 1911.",))
page(LE_MONDE, "url-only", "2024-09-18",
     path="/international/article/2024/09/18/la-liaison-ferroviaire_6321.html")
page(LE_FIGARO, "meta-disagrees", "2024-09-09", byline="Publié le 09/09/2024 à 18:00",
     head=meta(modified_time="2024-09-10T07:40:00+02:00"))
page(FRANCE24, "numeric-dmy", "2024-03-27",
     byline=time_element("2024-03-27T14:35:00+01:00", "27/03/2024 - 14:35"))
page(LAPRESSE, "written", "2024-05-14", byline="Publié le 14 mai 2024 à 5 h 00")

# Spanish.
page(EL_PAIS, "written", "2024-10-22", byline="Madrid - 22 oct 2024 - 05:40 CEST")
page(EL_PAIS, "updated", "2024-03-11", byline="11 mar 2024 - 23:40 CET Actualizado: 12 mar 2024 - 08:15 CET")
page(EFE, "dateline-no-year", "2024-11-07", path="/espana/2024-11-07/reabre-linea-ferroviaria/",
     lead="Madrid, 7 nov (EFE).- ")
page(EFE, "dateline-no-year", "2024-12-30", lead="Bogotá, 30 dic (EFE).- ", fetched_at=EARLY_JANUARY)
page(ABC, "numeric-dmy", "2024-05-13", byline="13/05/2024 a las 20:15h.")
page(ABC, "updated", "2024-05-14", byline="Madrid 14/05/2024 Actualizado 15/05/2024 a las 09:10h.")
page(LA_NACION, "written", "2024-09-03", byline="Publicado el 3 de septiembre de 2024")
page(LA_NACION, "written", "2024-01-10", kicker="miércoles, 10 de enero de 2024")
page(CLARIN, "numeric-dmy", "2024-04-02", byline="02/04/2024 19:30")
page(EL_COMERCIO, "written", "2024-09-15", byline="Actualizado el 15 de setiembre de 2024, 07:12")
page(DIPLO_ES, "month", "2024-03", kicker="Edición de marzo de 2024")
page(DIPLO_ES, "year", "2023", tail="Publicado en 2023.")
page(EFE, "none", None, path="/quienes-somos/", masthead="Sábado, 15 de febrero de 2025",
     extra=("La agencia fue fundada en 1939.",))
page(CLARIN, "none", None, aside="<dl><dt>Nacimiento</dt><dd>24 de junio de 1987, Rosario</dd></dl>",
     teasers=("14/02/2025 - Los estibadores votan el convenio", "13/02/2025 - Carriles bus aprobados"))
page(INFOBAE, "written", "2024-08-27", byline="27 Ago, 2024 02:20 p.m. EST",
     head=json_ld(datePublished="2024-08-27T14:20:00-05:00"))
page(EL_MUNDO, "meta-disagrees", "2024-12-02", byline="Lunes, 2 diciembre 2024 - 10:21",
     head=meta(modified_time="2024-12-03T12:05:00+01:00"))
page(EL_COMERCIO, "numeric-dmy", "2024-07-28", tail="Lima, 28/07/2024")

# Arabic.
page(AJ_AR, "ar-month", "2024-10-15", byline="نُشر في 15 أكتوبر/تشرين الأول 2024")
page(ALARABIYA, "updated", "2024-11-12",
     byline="نشر في: 12 نوفمبر ,2024: 09:15 ص GST آخر تحديث: 13 نوفمبر ,2024: 11:40 ص GST")
page(SANA, "ar-levantine", "2024-10-10", kicker="١٠ تشرين الأول ٢٠٢٤", lead="دمشق-سانا ")
page(SANA, "ar-levantine", "2025-01-05", kicker="٥ كانون الثاني ٢٠٢٥", lead="حلب-سانا ")
page(ASHARQ, "ar-hijri", "2024-11-04", kicker="الاثنين - 2 جمادى الأولى 1446 هـ - 04 نوفمبر 2024 مـ")
page(SPA, "ar-hijri", "2024-04-17", byline="الأربعاء ٨ شوال ١٤٤٥هـ الموافق ١٧ أبريل ٢٠٢٤م")
page(AHRAM, "ar-indic", "2024-11-27", byline="٢٧-١١-٢٠٢٤ | ١٤:٣٠")
page(AKHBAR_ELYOM, "numeric-dmy", "2024-09-12", byline="الخميس، 12/09/2024 10:00 ص")
page(WAM, "dateline-no-year", "2024-12-03", lead="أبوظبي في 3 ديسمبر / وام / ")
page(SANA, "dateline-no-year", "2024-12-28", lead="دمشق، 28 كانون الأول (سانا) - ", fetched_at=EARLY_JANUARY)
page(KHALEEJ, "ar-month", "2024-09-10", byline="الثلاثاء 10 سبتمبر 2024")
page(ALARABI, "month", "2024-09", kicker="مجلة العربي - سبتمبر 2024")
page(AHRAM, "year", "2023", aside="<p>التقرير السنوي</p><p>سنة النشر: 2023</p>")
page(AJ_AR, "none", None, path="/aboutus/", extra=("تأسست شبكة الجزيرة عام 1996 في الدوحة.",))
page(AKHBAR_ELYOM, "none", None, masthead="السبت 15 فبراير 2025",
     extra=("وتعود فكرة المشروع إلى ثورة 23 يوليو 1952.",),
     teasers=("عمال الميناء يصوتون - 14 فبراير 2025", "مسارات للحافلات - 13 فبراير 2025"))
page(ALARABIYA, "meta-disagrees", "2024-09-26", byline="نشر في: 26 سبتمبر ,2024: 08:40 م GST",
     head=meta(modified_time="2024-09-27T06:10:00+04:00"))
page(AL_AKHBAR, "ar-levantine", "2024-06-14", kicker="الجمعة 14 حزيران 2024")
page(ASHARQ, "ar-month", "2024-07-07", byline=time_element("2024-07-07", "7 يوليو 2024"))
page(AJ_AR, "ar-indic", "2024-08-18", byline="١٨ أغسطس ٢٠٢٤")
page(AJ_AR, "updated", "2024-08-03",
     byline="نُشر في 3/8/2024 | آخر تحديث: 4/8/2024 10:15 (بتوقيت مكة المكرمة)")
# fmt: on
