"""Unit tests for language identification: the vectorised feature count is py3langid's own, in order."""

from __future__ import annotations

import random

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from tasks.enrich.language import SuffixLanguageIdentifier, load_identifier

TEXTS = [
    "",
    "a",
    "Kim Jong Un had talks with Vladimir Putin, president of the Russian Federation, on April 25.",
    "김정은동지께서 4월 25일 로씨야련방 대통령과 회담을 진행하시였다.",
    "Ким Чен Ын провёл переговоры с президентом Российской Федерации Владимиром Путиным.",
    "Le président de la Fédération de Russie a eu des entretiens avec le dirigeant nord-coréen.",
    "中华人民共和国外交部发言人在例行记者会上回答了提问。",
    "!!! ... --- 123 456",
    "THE MINISTRY OF FOREIGN AFFAIRS ISSUED A STATEMENT",
]


@pytest.fixture(scope="module")
def identifiers() -> tuple[SuffixLanguageIdentifier, LanguageIdentifier]:
    return load_identifier(), LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def random_bytes(count: int) -> list[bytes]:
    rng = random.Random(7)
    return [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) for _ in range(count)]


def test_feature_counts_are_the_automaton_walks_in_the_same_order(identifiers) -> None:
    fast, _ = identifiers
    texts = [fast._encode(text) for text in TEXTS] + random_bytes(50)
    for text in texts:
        expected = visit_counts(fast.tk_nextmove, fast._rowbase, fast.tk_output, text)
        counted = fast.feature_counts(text)
        assert (counted is None) == (expected is None), text
        if expected is not None:
            assert list(counted.items()) == list(expected.items()), text


@pytest.mark.parametrize("text", TEXTS)
def test_language_and_confidence_are_py3langids_exactly(identifiers, text: str) -> None:
    fast, reference = identifiers

    assert fast.classify(text) == reference.classify(text)
