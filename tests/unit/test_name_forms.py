"""Unit tests for people's names in their written forms: particles, Korean, Chinese and Japanese names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.enrich.entities import canonical_person, find_entities
from tasks.enrich.gazetteer import Gazetteer, load_gazetteer
from tasks.enrich.names import is_korean_name, is_korean_syllable, particle_length


@pytest.fixture(scope="module")
def bundled() -> Gazetteer:
    return load_gazetteer()


def people(text: str, gazetteer: Gazetteer) -> list[tuple[str, int]]:
    return [(found.name, found.count) for found in find_entities(text, gazetteer) if found.kind == "person"]


# One case per particle: each name is unknown to the gazetteer, so the rules alone must find it whole.
PARTICLE_NAMES = {
    "de": ("Charles de Gaulle said the war was over.", "Charles de Gaulle"),
    "van": ("Dutch minister Caspar van Veldkamp arrived on Monday.", "Caspar van Veldkamp"),
    "von": ("Chancellor Otto von Bismarck arrived on Monday.", "Otto von Bismarck"),
    "von der": ("Ursula von der Leyen said the package was ready.", "Ursula von der Leyen"),
    "van der": ("Dutch official Frans van der Berg said the talks went well.", "Frans van der Berg"),
    "Van der": ("Austrian President Alexander Van der Bellen arrived.", "Alexander Van der Bellen"),
    "de la": ("The poet Jean de la Fontaine wrote the fables.", "Jean de la Fontaine"),
    "bin": ("Crown Prince Mohammed bin Salman received the delegation.", "Mohammed bin Salman"),
    "binti": ("Minister Zuraida binti Kamaruddin said the plan was ready.", "Zuraida binti Kamaruddin"),
    "ibn": ("Envoy Faisal ibn Farhan said the talks were useful.", "Faisal ibn Farhan"),
    "al-": ("Syrian foreign minister Asaad al-Shibani said the talks were useful.", "Asaad al-Shibani"),
    "Al-": ("Kuwaiti foreign minister Abdullah Al-Yahya arrived in Seoul.", "Abdullah Al-Yahya"),
    "el-": ("President Abdel Fattah el-Sisi received the envoy.", "Abdel Fattah el-Sisi"),
    "da": ("Brazilian President Luiz Inácio Lula da Silva arrived in Beijing.", "Luiz Inácio Lula da Silva"),
    "di": ("Italian envoy Pietro di Lorenzo said the talks were useful.", "Pietro di Lorenzo"),
    "dos": ("José Eduardo dos Santos said the talks were useful.", "José Eduardo dos Santos"),
    "das": ("Maria das Neves said the talks were useful.", "Maria das Neves"),
    "du": ("Ambassador Marie du Plessis presented her credentials.", "Marie du Plessis"),
    "del": ("Minister Juan del Castillo said the talks were useful.", "Juan del Castillo"),
    "della": ("Envoy Paolo della Rovere said the talks were useful.", "Paolo della Rovere"),
    "Le": ("French foreign minister Jean-Yves Le Drian said the talks were useful.", "Jean-Yves Le Drian"),
    "La": ("Senator Ignazio La Russa said the talks were useful.", "Ignazio La Russa"),
}


@pytest.mark.parametrize("with_gazetteer", [True, False], ids=["bundled", "rules-only"])
@pytest.mark.parametrize("particle", sorted(PARTICLE_NAMES))
def test_a_name_with_a_particle_is_one_person(
    particle: str, with_gazetteer: bool, bundled: Gazetteer
) -> None:
    text, name = PARTICLE_NAMES[particle]

    assert people(text, bundled if with_gazetteer else Gazetteer()) == [(name, 1)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("President Ursula von der Leyen arrived. Von der Leyen said it was ready.", "Ursula von der Leyen"),
        ("Minister Jean-Yves Le Drian arrived. Le Drian said the talks went well.", "Jean-Yves Le Drian"),
        ("President Luiz Inácio Lula da Silva arrived. Lula da Silva said so.", "Luiz Inácio Lula da Silva"),
        ("Minister Asaad al-Shibani arrived. Al-Shibani said the talks went well.", "Asaad al-Shibani"),
        ("Saudi minister Adel Al-Jubeir arrived. Al-Jubeir said the talks went well.", "Adel Al-Jubeir"),
    ],
)  # fmt: skip
def test_a_name_with_a_particle_named_again_shorter_is_the_same_person(text: str, name: str) -> None:
    assert people(text, Gazetteer()) == [(name, 2)]


@pytest.mark.parametrize(
    "text",
    [
        "De Gaulle said the war was over.",
        "de Gaulle said the war was over.",
        "Von der Leyen said the package was ready.",
        "Le Drian said the talks were useful.",
        "Worshippers gathered at the al-Aqsa mosque on Friday.",
        "Lawyers argued the rule applied de facto and de jure in Paris.",
    ],
)
def test_a_particle_never_starts_a_full_name(text: str) -> None:
    assert people(text, Gazetteer()) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A particle before a lowercase word, or before a country, stays outside the name.
        ("President Emmanuel Macron de facto ended the debate.", [("Emmanuel Macron", 1)]),
        ("President Nicolás Maduro de Venezuela said the talks went well.", [("Nicolás Maduro", 1)]),
        ("Pierre Dupont said the talks went well, de Gaulle would have agreed.", [("Pierre Dupont", 1)]),
        # Particles inside a sentence, between two capitalised words that are not one name.
        ("The envoy said Paris da Roma was a slogan, not a name.", []),
    ],
)
def test_particles_in_a_sentence_are_not_glued_into_names(
    text: str, expected: list[tuple[str, int]], bundled: Gazetteer
) -> None:
    assert people(text, bundled) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Minister of Defence said the drills would go ahead.", []),
        ("The president of France said the talks went well.", []),
        ("Minister of Defence Pierre Dupont said the drills would go ahead.", [("Pierre Dupont", 1)]),
        ("The Office of the President said the talks went well.", []),
    ],
)
def test_role_phrases_are_not_names(text: str, expected: list[tuple[str, int]], bundled: Gazetteer) -> None:
    assert people(text, bundled) == expected


def test_a_title_after_an_organisation_starts_the_name_it_precedes() -> None:
    found = find_entities(
        "European Commission President Ursula von der Leyen said it was ready.", Gazetteer()
    )

    assert [(f.name, f.kind) for f in found] == [
        ("European Commission", "organisation"),
        ("Ursula von der Leyen", "person"),
    ]


def test_particles_are_recognised_only_where_a_name_may_continue() -> None:
    words = ["Ursula", "von", "der", "Leyen", "al", "Shibani", "la", "Fontaine"]
    gaps = ["", " ", " ", " ", " ", "-", " ", " "]

    assert [particle_length(words, gaps, i) for i in range(len(words))] == [0, 2, 1, 0, 1, 0, 0, 0]


# Korean names: spaced, hyphenated with either case, in Hangul when the gazetteer knows them.
RI_YONG_HO = ["Ri Yong Ho", "Ri Yong-ho", "Ri Yong-Ho", "리용호"]
KIM_JONG_UN = ["Kim Jong Un", "Kim Jong-un", "Kim Jong-Un"]


KOREAN_CASES = [
    pytest.param(
        spelling, name, with_gazetteer, id=f"{spelling}-{'bundled' if with_gazetteer else 'rules-only'}"
    )
    for spellings, name in ((RI_YONG_HO, "Ri Yong Ho"), (KIM_JONG_UN, "Kim Jong Un"))
    for spelling in spellings
    for with_gazetteer in (True, False)
    if with_gazetteer or spelling.isascii()  # Hangul names are known from the gazetteer only
]


@pytest.mark.parametrize(("spelling", "name", "with_gazetteer"), KOREAN_CASES)
def test_a_korean_name_has_one_spelling(
    spelling: str, name: str, with_gazetteer: bool, bundled: Gazetteer
) -> None:
    found = people(f"{spelling} visited the factory on Monday.", bundled if with_gazetteer else Gazetteer())

    assert found == [(name, 1)]


def test_every_spelling_of_a_korean_name_counts_for_one_person(bundled: Gazetteer) -> None:
    text = "Ri Yong-ho arrived. Ri Yong Ho met the envoy. 리용호 said the talks were useful. Ri Yong-Ho left."

    assert people(text, bundled) == [("Ri Yong Ho", 4)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Kim Yo-jong, vice department director, issued a statement.", "Kim Yo Jong"),
        ("Pak Myong-ho met the delegation at the airport.", "Pak Myong Ho"),
        ("Bank of Korea Governor Rhee Chang-yong said rates would hold.", "Rhee Chang Yong"),
    ],
)
def test_an_unknown_korean_name_is_spelt_with_its_syllables_apart(text: str, name: str) -> None:
    assert people(text, Gazetteer()) == [(name, 1)]


def test_a_korean_name_the_gazetteer_spells_hyphenated_keeps_that_spelling(bundled: Gazetteer) -> None:
    assert people("Lee Jae Myung met Lee Jae-myung's aides.", bundled) == [("Lee Jae-myung", 2)]


def test_a_gazetteer_korean_name_matches_its_hyphenated_spelling_without_rules(tmp_path: Path) -> None:
    user = tmp_path / "gazetteer.yaml"
    user.write_text("people:\n  Hyon Song Wol: [현송월]\n", encoding="utf-8")

    found = find_entities("Hyon Song-wol led the troupe.", load_gazetteer(user), rules=False)

    assert [(f.name, f.kind) for f in found] == [("Hyon Song Wol", "person")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hong Kong-based firms said the rules were clear.", []),
        ("Park Lane-style hotels said the rules were clear.", []),
        ("Kim Jong Un-led talks ended on Monday.", [("Kim Jong Un", 1)]),
    ],
)
def test_a_hyphenated_english_word_is_not_a_korean_syllable(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert people(text, Gazetteer()) == expected


@pytest.mark.parametrize(
    ("word", "syllable"),
    [("jong", True), ("hui", True), ("gwon", True), ("yeol", True), ("myung", True)]
    + [("based", False), ("style", False), ("led", False)],
)
def test_korean_syllables(word: str, syllable: bool) -> None:
    assert is_korean_syllable(word) is syllable


def test_korean_names_are_canonical_with_syllables_apart() -> None:
    assert canonical_person(["Ri", "Yong", "ho"], ["", " ", "-"]) == "Ri Yong Ho"
    assert canonical_person(["Comrade", "Kim", "Jong", "Un"], ["", " ", " ", "-"]) == "Kim Jong Un"
    assert is_korean_name(["Kim", "Yo", "jong"])
    assert not is_korean_name(["Hong", "Kong", "based"])


# Chinese and Japanese names in Latin script: family name first (Chinese, and Japanese as some outlets
# write it) or given name first (Japanese as most English outlets write it), one canonical name each.
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Xi Jinping said the two countries would cooperate.", "Xi Jinping"),
        ("President Xi arrived in Moscow on Monday.", "Xi Jinping"),
        ("Wang Yi said the two countries would cooperate.", "Wang Yi"),
        ("Premier Li Qiang said the two countries would cooperate.", "Li Qiang"),
        ("Fumio Kishida said the two countries would cooperate.", "Fumio Kishida"),
        ("Kishida Fumio said the two countries would cooperate.", "Fumio Kishida"),
        ("Prime Minister Kishida Fumio arrived in Seoul.", "Fumio Kishida"),
        ("Ishiba Shigeru said the two countries would cooperate.", "Shigeru Ishiba"),
    ],
)
def test_chinese_and_japanese_names_have_one_canonical_name(text: str, name: str, bundled: Gazetteer) -> None:
    assert people(text, bundled) == [(name, 1)]


def test_both_orders_of_a_japanese_name_count_for_one_person(bundled: Gazetteer) -> None:
    text = "Fumio Kishida arrived. Kishida Fumio said the talks were useful. Kishida left on Monday."

    assert people(text, bundled) == [("Fumio Kishida", 3)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Japanese minister Iwaya Takeshi said the talks were useful.", "Iwaya Takeshi"),
        ("Japanese minister Takeshi Iwaya said the talks were useful.", "Takeshi Iwaya"),
        ("Foreign ministry spokesperson Mao Ning said the talks were useful.", "Mao Ning"),
    ],
)
def test_an_unknown_east_asian_name_keeps_the_order_it_is_written_in(text: str, name: str) -> None:
    assert people(text, Gazetteer()) == [(name, 1)]


@pytest.mark.parametrize(
    ("words", "name"), [(["Kishida", "Fumio"], "Fumio Kishida"), (["Ishiba", "Shigeru"], "Shigeru Ishiba")]
)
def test_a_japanese_name_in_family_name_first_order_is_one_gazetteer_mention(
    words: list[str], name: str, bundled: Gazetteer
) -> None:
    [mention] = bundled.find(words)

    assert (mention.entry.name, mention.start, mention.end) == (name, 0, 2)
