"""Keyphrases: frequent runs of content words, scored by count, length and an appearance in the title."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

# Hyphenated compounds ("co-operation") are one keyword word, unlike in entity matching.
KEYWORD_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# A word and the text before it: every \w starts a KEYWORD_WORD, so what lies between two words is all \W.
_GAP_AND_WORD = re.compile(rf"(\W*)({KEYWORD_WORD.pattern})")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


MAX_PHRASE_WORDS = 3
MIN_WORD_LENGTH = 3

STOPWORDS = {
    "en": _wordset(
        """a about above after again against all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further had has
        have having he her here hers herself him himself his how i if in into is it its itself just me more
        most my myself no nor not now of off on once only or other our ours ourselves out over own same she
        should so some such than that the their theirs them themselves then there these they this those
        through to too under until up very was we were what when where which while who whom why will with
        would you your yours yourself said says say told stated added noted would may might must shall one
        two three first second new also well several various recent recently including according since
        upon within without among toward towards per via however further once again still yet already
        next last year years day days time times people way made make making held hold holds took take"""
    ),
    "ru": _wordset(
        """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
        вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
        нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
        чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
        совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
        наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
        эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
        всю между также это который которые которая которых заявил заявила сообщил года году"""
    ),
    "fr": _wordset(
        """au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me même mes moi
        mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
        vos votre vous été être avoir est sont ont a été aussi cette entre plus"""
    ),
    "de": _wordset(
        """der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es an er
        hat aus bei sind noch nach wird einer um am sie einen über so zum war haben nur oder aber vor zur
        bis mehr durch man dass sein wurde"""
    ),
    "es": _wordset(
        """de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya o
        este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos
        durante todos uno les ni contra otros ese eso ante ellos e esto fue ha"""
    ),
}


def extract_keywords(title: str, body: str, language: str | None, limit: int = 10) -> list[str]:
    """The `limit` best keyphrases of the article, as first written in it."""
    stopwords = STOPWORDS.get(language or "", frozenset())
    keys: list[str] = []  # every phrase of every run, lower-cased
    forms: list[str] = []  # the same phrases as written
    for run in _content_runs(body, stopwords):
        lowered = [word.lower() for word in run]
        keys += lowered
        forms += run
        # Most runs are a word or two long: each longer phrase is a call less for them.
        for n in range(2, min(len(run), MAX_PHRASE_WORDS) + 1):
            keys += _phrases(lowered, n)
            forms += _phrases(run, n)
    counts = Counter(keys)
    # Backwards, so that each phrase keeps the form it was first written in.
    first_form = dict(zip(reversed(keys), reversed(forms), strict=True))
    first_seen = {key: order for order, key in enumerate(counts)}
    title_words = {word.lower() for word in KEYWORD_WORD.findall(title)}

    def score(key: str) -> float:
        words = key.split()
        in_title = sum(word in title_words for word in words) / len(words)
        early = 1.0 / (1 + first_seen[key] / 200)
        return counts[key] * (1 + 0.6 * (len(words) - 1)) * (1 + in_title) * (1 + early)

    # Without a stop-word list a phrase is trusted only when repeated. Names are the entity enricher's
    # business: a keyphrase of capitalised words only is a name.
    candidates = [
        key
        for key, count in counts.items()
        if (count >= 2 or (" " in key and stopwords)) and not _is_name(first_form[key])
    ]
    chosen: list[str] = []
    for key in sorted(candidates, key=lambda k: (-score(k), first_seen[k])):
        if any(key in other or other in key for other in chosen):
            continue
        chosen.append(key)
        if len(chosen) == limit:
            break
    return [first_form[key] for key in chosen]


def _is_name(phrase: str) -> bool:
    return all(word[:1].isupper() for word in phrase.split())


def _phrases(words: list[str], size: int) -> Iterator[str]:
    """Every run of `size` consecutive words, joined by spaces, in order."""
    return map(" ".join, zip(*[words[i:] for i in range(size)], strict=False))


def _content_runs(text: str, stopwords: frozenset[str]) -> list[list[str]]:
    """Runs of content words not broken by punctuation or a stop word."""
    runs: list[list[str]] = []
    run: list[str] = []
    for gap, word in _GAP_AND_WORD.findall(text):
        # Punctuation or a line break between two words ends a run; plain spaces do not.
        breaks = gap != " " and gap != "" and (not gap.isspace() or "\n" in gap)
        content = len(word) >= MIN_WORD_LENGTH and not word.isdigit() and word.lower() not in stopwords
        if run and (breaks or not content):
            runs.append(run)
            run = []
        if content:
            run.append(word)
    if run:
        runs.append(run)
    return runs
