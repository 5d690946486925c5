"""Unit tests for the enrich stage: language, entities, countries, keywords, stats and the enricher chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.messages import Article
from tasks.enrich.enricher import (
    Enricher,
    count_words,
    detect_language,
    document_enrichment,
    enrich_article,
    enrichment,
    text_article,
)
from tasks.enrich.entities import canonical_person, find_entities
from tasks.enrich.gazetteer import Gazetteer
from tasks.enrich.keywords import extract_keywords

SEED_PAGE = Path(__file__).resolve().parents[1] / "data" / "seed-article-page.txt"

SENTENCES = {
    "en": "Kim Jong Un had talks with Vladimir Putin, president of the Russian Federation, on April 25. "
    "Both sides agreed to take positive measures to further energize the work of the committee.",
    "ko": "김정은동지께서 4월 25일 로씨야련방 대통령과 회담을 진행하시였다. "
    "회담에서는 두 나라 사이의 친선관계를 더욱 발전시키기 위한 문제들이 토의되였다.",
    "ru": "Ким Чен Ын провёл переговоры с президентом Российской Федерации Владимиром Путиным. "
    "Стороны договорились расширять сотрудничество в области торговли и экономики.",
    "fr": "Le président de la Fédération de Russie a eu des entretiens avec le dirigeant nord-coréen. "
    "Les deux parties ont convenu de renforcer la coopération dans les domaines du commerce et de l'énergie.",
}


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher.build()


def article(title: str, body: str, **changes) -> Article:
    fields = dict(
        url="https://news.example.org/a",
        final_url="https://news.example.org/a",
        crawl_source="test",
        fetched_at="2025-08-01T00:00:00+00:00",
        title=title,
        body=body,
        doc_id="abc",
    )
    return Article(**{**fields, **changes})


def seed_article() -> Article:
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    body = lines[2 : lines.index("More From Ministry of Foreign Affairs (EN)")]
    return article(lines[0], "\n\n".join(body))


def names(text: str, gazetteer, kind: str) -> list[str]:
    return [found.name for found in find_entities(text, gazetteer) if found.kind == kind]


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_language_is_detected_on_realistic_sentences(language: str) -> None:
    detected, confidence = detect_language(SENTENCES[language])

    assert detected == language
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "Putin", "Kim Jong", "회담 진행", "!!! ... ---"])
def test_too_short_text_has_no_language(text: str) -> None:
    assert detect_language(text) == (None, 0.0)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("One", 1),
        ("On April 25, 2019 the talks began.", 7),
        ("Kim Jong Un , general secretary", 5),
        ("co-operation in the DPRK-Russia committee", 7),
        ("김정은동지께서 4월 25일 회담을 진행하시였다.", 5),
        ("Café naïve – “quoted” text", 4),
        ("line one\n\nline two", 4),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_the_seed_article_yields_its_people_countries_and_language(enricher: Enricher) -> None:
    enriched = enrich_article(seed_article(), enricher)

    assert enriched.language == "en"
    assert enriched.language_confidence > 0.9
    assert {"Kim Jong Un", "Vladimir Putin", "Ri Yong Ho", "Choe Son Hui", "Sergei Lavrov"} <= set(
        enriched.people
    )
    assert {"KP", "RU", "US"} <= set(enriched.countries)
    assert enriched.country_names[enriched.countries.index("KP")] == "North Korea"
    assert enriched.enrich_errors == []


def test_the_seed_article_counts_each_mention_under_one_canonical_name(enricher: Enricher) -> None:
    enriched = enrich_article(seed_article(), enricher)
    counts = {(e["type"], e["name"]): e["count"] for e in enriched.entities}

    # Title: "Supreme Leader Kim Jong Un", "President Vladimir Vladimirovich Putin"; body: 5 and 4 more.
    assert counts[("person", "Kim Jong Un")] == 6
    assert counts[("person", "Vladimir Putin")] == 5
    assert not [
        name for kind, name in counts if kind == "person" and ("Vladimirovich" in name or " " not in name)
    ]
    assert counts[("country", "United States")] == 3
    assert enriched.people[:2] == ["Kim Jong Un", "Vladimir Putin"]
    assert {"lat": 39.0339, "lon": 125.7543} in enriched.geo
    assert all(set(point) == {"lat", "lon"} for point in enriched.geo)


def test_people_not_in_the_gazetteer_are_found_by_rules(enricher: Enricher) -> None:
    people = enrich_article(seed_article(), enricher).people

    assert {
        "Yuri Trutnev",
        "Yuri Ushakov",
        "Oleg Belozerov",
        "Alexandr Matsegora",
        "Anatoli Yanovski",
    } <= set(people)
    assert not {"Far East", "Russian Railways", "Korean", "DPRK"} & set(people)


KIM_TEXTS = [
    "Supreme Leader Kim Jong Un inspected the factory.",
    "Comrade Kim Jong Un inspected the factory.",
    "Respected Comrade Kim Jong Un , President of the State Affairs, inspected the factory.",
    "Kim Jong Un , general secretary of the Workers' Party of Korea, inspected the factory.",
    "The factory was inspected by Kim Jong-un on Monday.",
]
# A hyphenated name with no title or role is known only from the gazetteer, so rules alone skip that case.
KIM_CASES = [
    pytest.param(text, with_gazetteer, id=f"{'gazetteer' if with_gazetteer else 'rules-only'}-{n}")
    for n, text in enumerate(KIM_TEXTS)
    for with_gazetteer in (True, False)
    if with_gazetteer or "Kim Jong-un on" not in text
]


@pytest.mark.parametrize(("text", "with_gazetteer"), KIM_CASES)
def test_kim_jong_un_has_one_canonical_name(text: str, with_gazetteer: bool, enricher: Enricher) -> None:
    gazetteer = enricher.gazetteer if with_gazetteer else Gazetteer()

    people = names(text, gazetteer, "person")

    assert people == ["Kim Jong Un"] if with_gazetteer else people in (["Kim Jong Un"], ["Kim Jong-Un"])


@pytest.mark.parametrize(
    "text",
    [
        "Vladimir Vladimirovich Putin arrived in the city.",
        "President Putin arrived in the city.",
        "President Vladimir Putin arrived in the city.",
        "The visit of Putin's delegation ended.",
        "Владимир Путин прибыл в город. Путина встретили.",
    ],
)
def test_putin_has_one_canonical_name(text: str, enricher: Enricher) -> None:
    assert names(text, enricher.gazetteer, "person") == ["Vladimir Putin"]


def test_patronymic_and_titles_are_stripped_without_the_gazetteer() -> None:
    assert names("Vladimir Vladimirovich Putin said it was time.", Gazetteer(), "person") == [
        "Vladimir Putin"
    ]
    assert (
        canonical_person(["President", "Yuri", "Ivanovich", "Trutnev"], ["", " ", " ", " "]) == "Yuri Trutnev"
    )
    assert canonical_person(["Miguel", "Díaz", "Canel"], ["", " ", "-"]) == "Miguel Díaz-Canel"


def test_a_surname_alone_counts_for_the_person_named_in_full_earlier() -> None:
    found = find_entities(
        "Foreign minister Ivan Petrenko arrived. Petrenko said the talks went well.", Gazetteer()
    )

    assert [(f.name, f.kind, f.count) for f in found] == [("Ivan Petrenko", "person", 2)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The DPRK rejected the claim.", "KP"),
        ("The Democratic People's Republic of Korea rejected the claim.", "KP"),
        ("The Democratic People’s Republic of Korea rejected the claim.", "KP"),
        ("Analysts in north Korea rejected the claim.", "KP"),
        ("Officials of the U.S. rejected the claim.", "US"),
        ("The US rejected the claim.", "US"),
        ("The Russian Federation rejected the claim.", "RU"),
        ("Russia rejected the claim.", "RU"),
        ("Президент Российской Федерации отверг это.", "RU"),
        ("로씨야련방 대통령이 말하였다.", "RU"),
        ("Talks were held in Pyongyang.", "KP"),
    ],
)
def test_countries_are_normalised_to_iso_codes(text: str, code: str, enricher: Enricher) -> None:
    found = [f for f in find_entities(text, enricher.gazetteer) if f.kind == "country"]

    assert [f.country for f in found] == [code]
    assert found[0].lat is not None and found[0].lon is not None


@pytest.mark.parametrize(
    "text",
    [
        "Let us talk about it.",
        "It is in the north of the country.",
        "They went to Latin America.",
        "As he said.",
    ],
)
def test_common_words_and_regions_are_not_countries(text: str, enricher: Enricher) -> None:
    assert [f.country for f in find_entities(text, enricher.gazetteer) if f.kind == "country"] == []


def test_a_dprk_russia_compound_names_both_countries(enricher: Enricher) -> None:
    found = find_entities("The DPRK-Russia relations and the DPRK-U.S. summit.", enricher.gazetteer)

    assert {(f.country, f.count) for f in found if f.kind == "country"} == {("KP", 2), ("RU", 1), ("US", 1)}


def test_organisations_come_from_the_gazetteer_and_from_rules(enricher: Enricher) -> None:
    text = (
        "A spokesman for the Ministry of Natural Resources said the KCNA report and the "
        "Workers' Party of Korea plenary were noted."
    )

    organisations = names(text, enricher.gazetteer, "organisation")

    assert set(organisations) == {
        "Ministry of Natural Resources",
        "Korean Central News Agency",
        "Workers' Party of Korea",
    }


def test_keywords_prefer_repeated_phrases_and_skip_stopwords() -> None:
    body = (
        "The intergovernmental committee met in spring. The intergovernmental committee discussed railway "
        "co-operation. Railway co-operation and energy projects were on the agenda of the "
        "intergovernmental committee."
    )

    keywords = extract_keywords("Committee discusses railway co-operation", body, "en")

    assert keywords[0] == "intergovernmental committee"
    assert any("railway" in keyword.lower() for keyword in keywords)
    assert not {"the", "and", "were", "of"} & {k.lower() for k in keywords}
    assert len(keywords) <= 10


def test_word_count_and_reading_time(enricher: Enricher) -> None:
    enriched = enrich_article(article("Title", "word " * 450), enricher)

    assert enriched.word_count == 450
    assert enriched.reading_time_minutes == 2.2


def test_a_failing_enricher_is_recorded_and_the_others_still_run(enricher: Enricher) -> None:
    def broken(_article: Article, _enricher: Enricher) -> dict:
        raise RuntimeError("gazetteer exploded")

    chain = (("language", enricher.chain[0][1]), ("entities", broken), ("stats", enricher.chain[3][1]))
    partial = Enricher(enricher.gazetteer, chain)

    enriched = enrich_article(seed_article(), partial)

    assert enriched.enrich_errors == ["entities: RuntimeError: gazetteer exploded"]
    assert enriched.language == "en" and enriched.word_count > 400
    assert enriched.people == [] and enriched.countries == []


def test_the_chain_is_configured_by_name_and_rejects_unknown_names(enricher: Enricher) -> None:
    only_language = Enricher.build(["language"])

    changes = enrichment(seed_article(), only_language)

    assert set(changes) == {"language", "language_confidence", "enrich_errors"}
    assert only_language.fields == ("language", "language_confidence")
    with pytest.raises(ConfigError, match="unknown enrichers"):
        Enricher.build(["language", "sentiment"])


def test_a_user_gazetteer_adds_aliases_and_new_entries(tmp_path: Path) -> None:
    extra = tmp_path / "gazetteer.yaml"
    extra.write_text(
        "people:\n  Kim Jong Un: [Dear Respected Marshal]\n  Hyon Song Wol: [Hyon Song-wol]\n"
        "countries:\n  KP: [Hermit Kingdom]\n",
        encoding="utf-8",
    )
    custom = Enricher.build(gazetteer_file=extra)

    found = find_entities(
        "The Dear Respected Marshal met Hyon Song-wol in the Hermit Kingdom.", custom.gazetteer
    )

    assert {(f.name, f.kind) for f in found} >= {("Kim Jong Un", "person"), ("Hyon Song Wol", "person")}
    assert [f.country for f in found if f.kind == "country"] == ["KP"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("countries:\n  XX: [Nowhere]\n", "unknown ISO 3166 country code"),
        ("villains: {}\n", "unknown sections"),
        ("people:\n  Someone: {nested: 1}\n", "must be a list of strings"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_a_bad_user_gazetteer_is_a_config_error(tmp_path: Path, content: str, error: str) -> None:
    extra = tmp_path / "gazetteer.yaml"
    extra.write_text(content, encoding="utf-8")

    with pytest.raises(ConfigError, match=error):
        Enricher.build(gazetteer_file=extra)


def test_a_missing_user_gazetteer_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Enricher.build(gazetteer_file=tmp_path / "missing.yaml")


@pytest.mark.parametrize("language", ["ko", "ru"])
def test_korean_and_russian_articles_get_language_people_and_countries(
    language: str, enricher: Enricher
) -> None:
    enriched = enrich_article(article("", SENTENCES[language]), enricher)

    assert enriched.language == language
    assert enriched.people == ["Kim Jong Un"] + (["Vladimir Putin"] if language == "ru" else [])
    assert enriched.countries == ["RU"]


def test_enrich_article_without_an_enricher_uses_the_bundled_chain() -> None:
    plain = article("Talks Held", SENTENCES["en"])

    enriched = enrich_article(plain)

    assert enriched.language == "en"
    assert enriched.word_count == 31
    assert enriched.people == ["Kim Jong Un", "Vladimir Putin"]
    assert enriched.replace(**{f: getattr(plain, f) for f in enrichment(plain, Enricher.build())}) == plain


def test_an_indexed_document_is_enriched_from_its_title_and_body(enricher: Enricher) -> None:
    source = {
        "doc_id": "d1",
        "url": "https://news.example.org/d1",
        "title": "Lavrov Meets Choe Son Hui",
        "body": "Sergei Lavrov met Choe Son Hui in Moscow. Lavrov said the talks were useful.",
        "first_fetched_at": "2026-01-01T00:00:00+00:00",
    }

    changes = document_enrichment(source, enricher)

    assert set(changes) == set(enricher.fields) | {"enrich_errors"}
    assert changes["people"] == ["Sergei Lavrov", "Choe Son Hui"]
    assert changes["countries"] == ["RU"]
    assert "title" not in changes and "body" not in changes


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ("Title\nFirst line.\n\nSecond line.\n", "Title", "First line.\n\nSecond line."),
        ("\n\n  Title  \nBody", "Title", "Body"),
        ("Only a title", "Only a title", ""),
        ("", "", ""),
    ],
)
def test_a_text_file_becomes_an_article(text: str, title: str, body: str) -> None:
    article = text_article(text, "file.txt")

    assert (article.title, article.body, article.url) == (title, body, "file.txt")
