"""How people's names are written: particles inside them, Korean given names, one canonical spelling."""

from __future__ import annotations

import re


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


KOREAN_SURNAMES = _wordset(
    """kim ri lee rhee pak park choe choi jo jang kang o han hyon hyun yun yoon jong jung ryu ko mun moon
    son song hong ho an ahn kwon ju ro no hwang sin shin jon chon jeon cho chung lim nam seo baek bae yoo"""
)
# Lowercase words that sit between a given name and a family name: "Ursula von der Leyen",
# "Luiz Inácio Lula da Silva", "Mahathir bin Mohamad". Outside a name most are ordinary words of some
# language, so they count only with a capitalised name word on both sides.
PARTICLES = _wordset("de van von bin binti bint ibn da di dos das du del della")
# Second words of two-word particles. Alone, "la" and "der" are articles, not parts of a name.
PARTICLE_PAIRS = frozenset({("von", "der"), ("van", "der"), ("van", "den"), ("van", "de"), ("de", "la")})
# Arabic articles are hyphenated to the family name: "Asaad al-Shibani", "Abdel Fattah el-Sisi". Written
# "Al-Sabah" they may also start a name, which no other particle may.
HYPHENATED_ARTICLES = frozenset({"al", "el"})
# One syllable as Korean is romanised (Revised, McCune-Reischauer and the DPRK's own): "jong", "hui",
# "gwon", "yeol". It tells "Kim Yo-jong" from "Hong Kong-based", whose second half is an English word.
_KOREAN_SYLLABLE = re.compile(
    r"(?:kk|tt|pp|ss|jj|tch|ch|ts|sh|ph|th|kh|[bcdghjklmnprst])?"
    r"[wy]?(?:ae|eo|eu|oe|ui|ou|a|e|i|o|u|ŏ|ŭ)"
    r"(?:ng|[klmnpt])?"
)
_KOREAN_SYLLABLE_MAX = 5


def particle_length(words: list[str], gaps: list[str], i: int) -> int:
    """How many words from `i` make a particle that may join two parts of a name (0 if none).

    `gaps[j]` is the text before `words[j]`. A particle is lowercase and separated by single spaces, or
    an Arabic article followed by a hyphen; whether a capitalised word follows is the caller's question.
    """
    word = words[i]
    if word in HYPHENATED_ARTICLES:
        return 1 if i + 1 < len(words) and gaps[i + 1] == "-" else 0
    if i > 0 and gaps[i] == " " and (words[i - 1].lower(), word) in PARTICLE_PAIRS:
        return 1  # "Alexander Van der Bellen": the pair's first word is capitalised, a name word already
    if word not in PARTICLES:
        return 0
    if i + 1 < len(words) and gaps[i + 1] == " " and (word, words[i + 1]) in PARTICLE_PAIRS:
        return 2
    return 1


def is_particle_surname(words: list[str], gaps: list[str]) -> bool:
    """ "De Gaulle", "Le Drian", "Von der Leyen": a family name alone, its particle capitalised.

    That is how articles name again someone named in full, not a full name of its own. "Al-Sabah",
    hyphenated, is a family name that may stand for a person.
    """
    lowered = [word.lower() for word in words]
    if len(words) < 2 or gaps[1] != " " or not (lowered[0] in PARTICLES or lowered[0] in ("le", "la")):
        return False
    particle = 2 if len(words) > 2 and (lowered[0], lowered[1]) in PARTICLE_PAIRS and gaps[2] == " " else 1
    return len(words) == particle + 1


def is_korean_syllable(word: str) -> bool:
    return len(word) <= _KOREAN_SYLLABLE_MAX and _KOREAN_SYLLABLE.fullmatch(word.lower()) is not None


def is_korean_name(words: list[str]) -> bool:
    """A family name and two given-name syllables: "Ri Yong Ho", "Ri Yong-ho" (split at the hyphen)."""
    return (
        len(words) == 3
        and words[0].lower() in KOREAN_SURNAMES
        and all(
            len(word) <= _KOREAN_SYLLABLE_MAX and word[:1].isalpha() and word[1:].islower()
            for word in words[1:]
        )
        and words[1][0].isupper()
        and (words[2][0].isupper() or is_korean_syllable(words[2]))
    )


def korean_canonical(words: list[str]) -> str:
    """One spelling of a Korean name, every syllable capitalised and apart: "Ri Yong-ho" -> "Ri Yong Ho".

    It is how KCNA writes names and how the gazetteer stores most Korean people; a person the gazetteer
    knows in another form ("Lee Jae-myung") is found there first and keeps that form.
    """
    return " ".join(word[0].upper() + word[1:] for word in words)


def korean_alias_variant(words: list[str]) -> list[str] | None:
    """The same Korean name with its given name hyphenated, "Hyon Song Wol" -> "Hyon Song wol".

    A gazetteer alias's capitalised words must be capitalised in the text, so "Hyon Song-wol" would miss
    an entry spelt "Hyon Song Wol" unless the lowercase spelling is indexed too.
    """
    if not is_korean_name(words) or not words[2][0].isupper():
        return None
    return [words[0], words[1], words[2].lower()]
