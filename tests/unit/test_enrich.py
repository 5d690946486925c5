"""Unit tests for the enrich stage: language detection and word counts."""

from __future__ import annotations

import pytest

from newsdesk.messages import Article
from tasks.enrich import count_words, detect_language, enrich_article

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


def test_enrich_article_sets_language_and_word_count_of_the_body() -> None:
    article = Article(
        url="https://news.example.org/a",
        final_url="https://news.example.org/a",
        crawl_source="demo",
        fetched_at="2025-08-01T00:00:00+00:00",
        title="Talks Held",
        body=SENTENCES["en"],
        doc_id="abc",
    )

    enriched = enrich_article(article)

    assert enriched.language == "en"
    assert enriched.word_count == 31
    assert enriched.replace(language=None, word_count=None) == article


def test_enrich_article_on_a_korean_article() -> None:
    article = Article(
        url="https://news.example.kr/a",
        final_url="https://news.example.kr/a",
        crawl_source="kcna",
        fetched_at="2025-08-01T00:00:00+00:00",
        title="김정은동지께서 회담을 진행하시였다",
        body=SENTENCES["ko"],
    )

    enriched = enrich_article(article)

    assert enriched.language == "ko"
    assert enriched.word_count == 17
