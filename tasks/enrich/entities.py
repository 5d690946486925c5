"""Named entities: gazetteer matches plus rules for unlisted names, each normalised to one canonical form."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tasks.enrich.gazetteer import TOKEN, Gazetteer, Mention
from tasks.enrich.names import (
    is_korean_name,
    is_particle_surname,
    korean_canonical,
    particle_length,
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = _wordset(
    """president comrade minister chairman chairwoman chairperson premier mr mrs ms dr ambassador secretary
    general marshal leader spokesman spokeswoman spokesperson envoy senator governor mayor king queen prince
    princess pope director professor commander representative vice deputy chancellor sheikh emir lieutenant
    colonel admiral counsellor councillor chief supreme respected dear beloved excellency his her mister
    counterpart aide adviser advisor official diplomat lawmaker activist journalist economist analyst
    madam sir lord lady judge justice prosecutor captain major sergeant foreign prime first gen col adm lt
    sen rep gov"""
)
ROLE_STARTS = _wordset(
    """foreign minister president deputy vice first chairman chairwoman chairperson premier secretary general
    head director ambassador spokesman spokeswoman spokesperson envoy assistant member leader chief commander
    governor mayor editor professor prime senior former acting defence defense interior finance justice the
    a an who whose permanent special executive managing founder ceo"""
)
SPEECH_VERBS = _wordset(
    """said says told stressed noted added stated emphasized emphasised underlined pointed expressed called
    urged warned met visited received sent attended announced declared insisted argued wrote asked replied
    congratulated thanked invited signed"""
)
# Capitalised words that are never part of a person's name, whatever the context.
NOT_NAME = _wordset(
    """the a an this that these those it its in on at of for and or but to by with from as after before
    during while when where why how what which who both all each every some any many more most other such
    no not yes if then than there here our your their we they he she i you also however meanwhile moreover
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday today yesterday tomorrow ministry committee commission party
    assembly council agency company corporation bank university institute organization organisation union
    administration army navy forces office department academy association federation front league alliance
    court parliament duma senate congress cabinet embassy group fund authority service bureau secretariat
    republic democratic people kingdom state states affairs government national international central
    federal regional region world news press daily times post herald tribune north south east west
    northern southern eastern western korean russian chinese american soviet socialist communist workers
    foreign defence defense economic economy trade science technology culture railways railway energy
    security peace war victory liberation fatherland day anniversary talks summit meeting conference
    declaration treaty agreement statement message letter report source date read original version more
    articles article photo video page home"""
)
ORG_HEADS = _wordset(
    """ministry committee commission party assembly council agency company corporation bank university
    institute organization organisation union administration army navy forces office department academy
    association federation front league alliance court parliament duma senate congress cabinet embassy
    group fund authority service bureau secretariat railways airlines"""
)
ORG_CONNECTORS = frozenset({"of", "for", "and", "on", "the", "de", "du", "des", "der", "für"})
PATRONYMIC = re.compile(r"(ovich|evich|ovna|evna|ich|ichna)$")
# Capitalised words in a name; particles ("von der") do not count.
MAX_NAME_WORDS = 4
_PUNCTUATION_GAP = re.compile(r"[^\s\-]")
# A word and the text before it: every \w starts a TOKEN, so what lies between two words is all \W.
_GAP_AND_WORD = re.compile(rf"(\W*)({TOKEN.pattern})")


@dataclass(frozen=True)
class Found:
    """An entity found in one document, with how often it is mentioned."""

    name: str
    kind: str
    count: int
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of `text` and, for each, the text between it and the word before."""
    pairs = _GAP_AND_WORD.findall(text)
    return [word for _, word in pairs], [gap for gap, _ in pairs]


def _is_latin_capitalised(word: str) -> bool:
    return word[:1].isupper() and word[0] < "\u0250" and not word.isdigit()


def _name_like(word: str, capitalised: bool) -> bool:
    if not capitalised or (len(word) > 1 and word.isupper()):  # acronyms are not names
        return False
    lower = word.lower()
    return lower not in NOT_NAME and lower not in TITLES


def _joins(gap: str) -> bool:
    """Words separated by `gap` may belong to one name: spaces, or a hyphen with no space ("Díaz-Canel")."""
    if gap == " ":  # most gaps
        return True
    return not _PUNCTUATION_GAP.search(gap) and (gap == "-" or "-" not in gap) and "\n" not in gap


def canonical_person(words: list[str], gaps: list[str]) -> str:
    """A name without titles or Russian patronymic: "Vladimir Vladimirovich Putin" -> "Vladimir Putin".

    A Korean name has its syllables apart and capitalised ("Ri Yong-ho" -> "Ri Yong Ho"); particles
    keep their case and hyphen ("Ursula von der Leyen", "Asaad al-Shibani").
    """
    while words and words[0].lower() in TITLES:
        words, gaps = words[1:], gaps[1:]
    if is_korean_name(words):
        return korean_canonical(words)
    if len(words) == 3 and PATRONYMIC.search(words[1].lower()):
        words, gaps = [words[0], words[2]], [gaps[0], " "]
    return joined(words, gaps)


def joined(words: list[str], gaps: list[str]) -> str:
    """Words put back together with one space, or a hyphen where they were hyphenated."""
    text = words[0]
    for gap, word in zip(gaps[1:], words[1:], strict=True):
        text += ("-" if gap == "-" else " ") + word
    return text


def _shaped_like_a_name(run: list[str]) -> bool:
    """Names that need no context: "Ri Yong Ho" (Korean), "Vladimir Vladimirovich Putin" (a patronymic)."""
    return is_korean_name(run) or (len(run) == 3 and bool(PATRONYMIC.search(run[1].lower())))


def _person_evidence(
    words: list[str], gaps: list[str], owner: list[str | None], start: int, end: int
) -> bool:
    run = words[start:end]
    if end - start < 2 or is_particle_surname(run, gaps[start:end]):
        return False
    if _shaped_like_a_name(run):
        return True
    if start > 0 and words[start - 1].lower() in TITLES and _joins(gaps[start]):
        return True
    if end < len(words):
        following, gap = words[end].lower(), gaps[end].strip()
        if gap == "," and following in ROLE_STARTS:
            return True
        # "Alexandr Matsegora, Russian ambassador": a nationality, then the role.
        if gap == "," and end + 1 < len(words) and owner[end] == "country" and words[end + 1] in ROLE_STARTS:
            return True
        said = gap == "" and following in SPEECH_VERBS
        if said and _name_word_count(run, gaps[start:end]) <= _said_limit(run):
            return True
    return False


def _covered(mentions: list[Mention], size: int) -> list[str | None]:
    """For each word, the kind of entity it already belongs to, if any."""
    owner: list[str | None] = [None] * size
    for mention in mentions:
        for i in range(mention.start, mention.end):
            owner[i] = mention.entry.kind
    return owner


def _rule_people(
    words: list[str], gaps: list[str], owner: list[str | None], capitalised: list[bool]
) -> list[tuple[int, int]]:
    """Spans of capitalised words that context (a title, a role, a verb) or their shape marks as a name."""
    spans, end = [], 0
    for i in _true_positions(capitalised):
        if i < end or owner[i] is not None or not _name_like(words[i], True):
            continue
        end, name_words = i + 1, 1
        while name_words < MAX_NAME_WORDS:
            step = _name_goes_on(words, gaps, owner, capitalised, i, end)
            if not step:
                break
            end, name_words = end + step, name_words + 1
        if _person_evidence(words, gaps, owner, i, end):
            spans.append((i, end))
    return spans


def _name_goes_on(
    words: list[str], gaps: list[str], owner: list[str | None], capitalised: list[bool], start: int, end: int
) -> int:
    """How many words from `end` continue the name begun at `start`: a capitalised word, a particle and the
    capitalised word after it ("von der Leyen"), or a Korean syllable after a hyphen ("Yo-jong"); 0 if none.
    """
    if end >= len(words) or owner[end] is not None or not _joins(gaps[end]):
        return 0
    if _name_like(words[end], capitalised[end]):
        return 1
    if end - start == 2 and gaps[end] == "-" and is_korean_name([*words[start:end], words[end]]):
        return 1
    particle = particle_length(words, gaps, end)
    after = end + particle
    if not particle or after >= len(words) or owner[after] is not None or not _joins(gaps[after]):
        return 0
    return particle + 1 if _name_like(words[after], capitalised[after]) else 0


def _said_limit(run: list[str]) -> int:
    """How many name words a speech verb may follow: four if a particle is inside ("Luiz Inácio Lula da Silva
    said"), which a title never has, else three."""
    return MAX_NAME_WORDS if any(word[:1].islower() for word in run[1:-1]) else 3


def _name_word_count(run: list[str], gaps: list[str]) -> int:
    """Words of a name, neither particles nor the second half of a hyphenated word: "Ursula von der Leyen"
    and "Jean-Yves Le Drian" have two and three, as a speech verb after four capitalised words is more often
    a title and a name ("Foreign Ministry Spokesperson Mao Ning said")."""
    return sum(word[:1].isupper() and gap != "-" for word, gap in zip(run, gaps, strict=True))


def _rule_organisations(
    words: list[str], gaps: list[str], owner: list[str | None], capitalised: list[bool]
) -> list[tuple[int, int]]:
    """Capitalised runs that hold an organisation's head word: "Ministry of Natural Resources"."""
    found, after = [], 0
    for i in _true_positions(capitalised):
        if i < after or words[i].lower() == "the" or _owned_by_name(owner[i]):
            continue
        end = i + 1
        while end < len(words) and _joins(gaps[end]) and not _owned_by_name(owner[end]):
            next_capitalised = end + 1 < len(words) and capitalised[end + 1]
            connects = words[end] in ORG_CONNECTORS and next_capitalised
            if not (capitalised[end] or connects):
                break
            end += 1
        # "Committee for Co-operation": a capitalised half of a hyphenated word ends the name before it.
        while end - 1 > i and end < len(words) and gaps[end] == "-" and not capitalised[end]:
            end -= 1
        heads = [j for j in range(i, end) if words[j].lower() in ORG_HEADS and owner[j] is None]
        if heads:
            end = _before_titled_name(words, capitalised, heads[0] + 1, end)
        while end - 1 > i and words[end - 1] in ORG_CONNECTORS:
            end -= 1
        if end - i >= 2 and heads and end - i <= 10:
            found.append((i, end))
        after = max(end, i + 1)
    return found


def _before_titled_name(words: list[str], capitalised: list[bool], start: int, end: int) -> int:
    """Where an organisation's name ends if a title and a name follow its head word: "European Commission
    President Ursula von der Leyen" ends before "President", "Office of the President" runs on."""
    for j in range(start, end):
        if words[j].lower() not in TITLES:
            continue
        after = j
        while after < len(words) and words[after].lower() in TITLES:
            after += 1
        if after < len(words) and _name_like(words[after], capitalised[after]):
            return j
    return end


def _true_positions(flags: list[bool]) -> list[int]:
    return [i for i, flag in enumerate(flags) if flag]


def _owned_by_name(kind: str | None) -> bool:
    return kind in ("person", "organisation")


def is_headline_case(title: str) -> bool:
    """ "Minister Presents Credentials": every word capitalised, so capitals say nothing about names."""
    long_words = [word for word in TOKEN.findall(title) if len(word) >= 4 and word[0].isalpha()]
    capitalised = sum(word[0].isupper() for word in long_words)
    return len(long_words) >= 3 and capitalised >= 0.75 * len(long_words)


def find_entities(text: str, gazetteer: Gazetteer, rules: bool = True, title: str = "") -> list[Found]:
    """Every person, organisation, place and country in `title` and `text`: canonical, counted, most first.

    In a headline-case title, rules name only people shaped like names or named again in the text.
    """
    words, gaps = _words(f"{title}\n{text}" if title else text)
    headline_words = len(TOKEN.findall(title)) if title and is_headline_case(title) else 0
    mentions = gazetteer.find(words)
    counts: Counter[tuple[str, str]] = Counter()
    details: dict[tuple[str, str], Found] = {}
    for mention in mentions:
        entry = mention.entry
        key = (entry.kind, entry.name)
        counts[key] += 1
        details[key] = Found(entry.name, entry.kind, 0, entry.country, entry.lat, entry.lon)
        if entry.kind == "place" and entry.country and entry.country in gazetteer.countries:
            # A city places the story in its country too (a map of "where" needs both).
            country = gazetteer.countries[entry.country]
            details[("country", country.name)] = Found(
                country.name, "country", 0, country.key, country.lat, country.lon
            )
            counts[("country", country.name)] += 1
    if rules:
        _add_rule_entities(words, gaps, _covered(mentions, len(words)), counts, details, headline_words)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    return [_with_count(details[key], count) for key, count in ranked]


def _add_rule_entities(
    words: list[str],
    gaps: list[str],
    owner: list[str | None],
    counts: Counter[tuple[str, str]],
    details: dict[tuple[str, str], Found],
    headline_words: int,
) -> None:
    # Computed once: both rules test most words for it, some more than once.
    capitalised = [_is_latin_capitalised(word) for word in words]
    # Organisations first: "Ministry of Natural Resources said" is not a person called "Natural Resources".
    for start, end in _rule_organisations(words, gaps, owner, capitalised):
        name = joined(words[start:end], gaps[start:end])
        counts[("organisation", name)] += 1
        details.setdefault(("organisation", name), Found(name, "organisation", 0))
        owner[start:end] = ["organisation"] * (end - start)
    surnames: dict[str, str] = {}
    rule_people: list[str] = []
    spans = _rule_people(words, gaps, owner, capitalised)
    in_headline = [(s, e) for s, e in spans if s < headline_words and not _shaped_like_a_name(words[s:e])]
    for start, end in [span for span in spans if span not in in_headline] + in_headline:
        name = canonical_person(words[start:end], gaps[start:end])
        if (" " not in name and "-" not in name) or (
            (start, end) in in_headline and ("person", name) not in counts
        ):
            continue
        counts[("person", name)] += 1
        details[("person", name)] = Found(name, "person", 0)
        rule_people.append(name)
        if not is_korean_name(name.split()):
            # The last word as the text splits it: "Shibani" is how "Asaad al-Shibani" is named again.
            surnames.setdefault(TOKEN.findall(name)[-1], name)
        owner[start:end] = ["person"] * (end - start)
    people = [name for kind, name in counts if kind == "person"]
    for short, full in _longer_forms(rule_people, people).items():
        counts[("person", full)] += counts.pop(("person", short))
        del details[("person", short)]
        surnames = {word: full if name == short else name for word, name in surnames.items()}
    # A surname alone ("Lavrov said") is the person named in full elsewhere in the article.
    if surnames:
        for i, word in enumerate(words):
            if word in surnames and owner[i] is None:
                counts[("person", surnames[word])] += 1


def _longer_forms(found_by_rules: list[str], people: list[str]) -> dict[str, str]:
    """Each name found by rules that ends a longer name of `people`, and the longest such name:
    "Lula da Silva" -> "Luiz Inácio Lula da Silva". In one article the two are one person. A particle may
    be capitalised in the shorter form only, at the start of a sentence ("Al-Shibani said")."""
    forms = {}
    for short in dict.fromkeys(found_by_rules):
        tail = f" {short.casefold()}"
        longer = [full for full in people if full.casefold().endswith(tail)]
        if longer:
            forms[short] = max(longer, key=len)
    return forms


def _with_count(found: Found, count: int) -> Found:
    return Found(found.name, found.kind, count, found.country, found.lat, found.lon)
