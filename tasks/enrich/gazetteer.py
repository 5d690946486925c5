"""The gazetteer: canonical people, organisations, places and countries, and a matcher for their aliases."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsdesk.kernel.errors import ConfigError
from tasks.enrich.names import korean_alias_variant

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_GAZETTEER = DATA_DIR / "gazetteer.yaml"
GEODATA_FILE = DATA_DIR / "geodata.json"
KINDS = ("person", "organisation", "place", "country")

# Hyphens split words on purpose: "DPRK-Russia" must yield both countries, and "Díaz-Canel" is then
# tokenised the same way in the text and in the alias. A possessive "'s" is a word of its own ("Putin's").
TOKEN = re.compile(r"\w+(?:['’](?!s\b)\w+)*")
MAX_ALIAS_TOKENS = 8
# Russian declines names ("Путин", "Путина", "Путиным"); these endings map a form back to the alias.
_RU_ENDINGS = ("", "а", "у", "ом", "ым", "е", "ой", "ы", "и", "ом", "ою", "ей", "ого", "ому", "ым", "ем")
_RU_STEM_ENDINGS = {
    "ая": ("ой", "ую", "ою"),
    "ий": ("ого", "ому", "им", "ом", "ие", "их"),
    "ый": ("ого", "ому", "ым", "ом", "ые", "ых"),
    "ой": ("ого", "ому", "ым", "ом"),
    "а": ("ы", "и", "е", "у", "ой", "ою", "ей"),
    "я": ("и", "е", "ю", "ей", "ею"),
    "й": ("я", "ю", "ем", "е", "и"),
    "ь": ("я", "ю", "ем", "е", "и", "ью"),
}
_ACRONYM_MAX = 6
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def is_hangul(text: str) -> bool:
    return "\uac00" <= text[0] <= "\ud7a3"


def is_cyrillic(text: str) -> bool:
    return "\u0400" <= text[0] <= "\u04ff"


def normal_key(word: str) -> str:
    return word.casefold().replace("’", "'").replace("ё", "е")


def russian_forms(word: str) -> Iterator[str]:
    """The case forms of a Russian name (lower-cased), the word itself first."""
    for ending in _RU_ENDINGS:
        yield word + ending
    for tail, endings in _RU_STEM_ENDINGS.items():
        if word.endswith(tail) and len(word) > 3:
            for ending in endings:
                yield word[: -len(tail)] + ending


@dataclass(frozen=True)
class Entry:
    """One canonical thing: a person's or organisation's name, a place, or a country by ISO code."""

    kind: str
    key: str
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Mention:
    """An alias found in the text: tokens [start, end) refer to `entry`."""

    entry: Entry
    start: int
    end: int


@dataclass(frozen=True)
class _Alias:
    entry: Entry
    words: tuple[str, ...]
    # Per alias word: "exact" (acronyms), "upper" (a capitalised word must be capitalised in the text), "any".
    case: tuple[str, ...]


def _case_rule(token: str) -> str:
    letters = [ch for ch in token if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(letters) <= _ACRONYM_MAX and len(token) > 1:
        return "exact"
    if len(token) == 1 and token.isupper():
        return "exact"
    return "upper" if token[:1].isupper() else "any"


def _case_ok(rule: str, alias_token: str, text_token: str) -> bool:
    if rule == "any":
        return True
    if rule == "upper":
        return text_token[:1].isupper()
    return text_token == alias_token


@dataclass
class Gazetteer:
    """Every alias indexed by its lower-cased words; built once per process and shared by every article."""

    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    countries: dict[str, Entry] = field(default_factory=dict)
    # Spellings that differ only in case ("Kim Jong Un", "Kim Jong-un") share a key and keep their own rules.
    _aliases: dict[str, list[_Alias]] = field(default_factory=dict)
    # Every alias's leading runs of keys ("north", "north korea", …): a match grows only while in here.
    _prefixes: set[str] = field(default_factory=set)
    _russian: dict[str, str] = field(default_factory=dict)
    _russian_bases: set[str] = field(default_factory=set)
    _pending: list[tuple[Entry, list[str]]] = field(default_factory=list)

    def add(self, entry: Entry, aliases: Iterable[str]) -> None:
        """Register `entry` under its name and aliases; an alias already taken keeps its first owner."""
        known = self.entries.setdefault((entry.kind, entry.key), entry)
        if entry.kind == "country":
            self.countries.setdefault(entry.key, known)
        for alias in [known.name, *aliases] if entry.kind != "country" else aliases:
            words = TOKEN.findall(str(alias))
            if words and len(words) <= MAX_ALIAS_TOKENS:
                self._pending.append((known, words))
            variant = korean_alias_variant(words) if entry.kind == "person" else None
            if variant:
                self._pending.append((known, variant))

    def index(self) -> None:
        """Index the aliases added so far (find() does it too, but a shared gazetteer is indexed up front)."""
        self._index_pending()

    def _index_pending(self) -> None:
        """Index the aliases added so far: Russian forms first, as each alias word is keyed by its base."""
        for _entry, words in self._pending:
            for word in words:
                key = normal_key(word)
                if is_cyrillic(key):
                    self._russian_bases.add(key)
        # A form of one base may be another alias word ("Китая" in "Коммунистическая партия Китая"):
        # the declined reading wins, and both the alias and the text are keyed by the same base.
        for base in sorted(self._russian_bases):
            for form in russian_forms(base):
                if form != base:
                    self._russian.setdefault(form, base)
        for entry, words in self._pending:
            self._index_alias(entry, words)
        self._pending.clear()

    def _index_alias(self, entry: Entry, words: list[str]) -> None:
        keys = [self._key(word) for word in words]
        joined = " ".join(keys)
        spellings = self._aliases.setdefault(joined, [])
        if any(alias.words == tuple(words) or alias.entry != entry for alias in spellings):
            return
        spellings.append(_Alias(entry, tuple(words), tuple(_case_rule(word) for word in words)))
        self._prefixes.update(" ".join(keys[:n]) for n in range(1, len(keys) + 1))

    def _key(self, word: str) -> str:
        key = word.casefold()
        if "’" in key:
            key = key.replace("’", "'")
        if "\u0400" <= key[0] <= "\u04ff":
            key = key.replace("ё", "е")
            return self._russian.get(key, key)
        return key

    def find(self, words: list[str]) -> list[Mention]:
        """Longest alias match at each position, left to right, never overlapping."""
        if self._pending:
            self._index_pending()
        # Most words are ASCII, whose key is their case fold; the rest go through the full rule.
        keys = [word.casefold() if word.isascii() else self._key(word) for word in words]
        prefixes = self._prefixes
        # Most words start no alias; this test is the whole cost of the matcher for them.
        starts = [i for i, key in enumerate(keys) if key in prefixes or is_hangul(key)]
        mentions: list[Mention] = []
        end = 0
        for i in starts:
            if i < end:  # inside the previous match
                continue
            match = self._match_at(words, keys, i)
            if match is not None:
                mentions.append(match)
                end = match.end
        return mentions

    def _match_at(self, words: list[str], keys: list[str], i: int) -> Mention | None:
        if is_hangul(keys[i]):
            # Korean particles attach to the name ("김정은동지께서"), so a word may start with an alias.
            return self._hangul_match_at(words, keys, i)
        # No alias is longer than the longest run of keys that begins one.
        run, longest = keys[i], 1
        while i + longest < len(keys) and (grown := f"{run} {keys[i + longest]}") in self._prefixes:
            run, longest = grown, longest + 1
        for n in range(longest, 0, -1):
            for alias in self._aliases.get(" ".join(keys[i : i + n]), ()):
                if self._case_matches(alias, words[i : i + n]):
                    return Mention(alias.entry, i, i + n)
        return None

    def _hangul_match_at(self, words: list[str], keys: list[str], i: int) -> Mention | None:
        for n in range(min(MAX_ALIAS_TOKENS, len(words) - i), 0, -1):
            head = " ".join(keys[i : i + n - 1])
            last = keys[i + n - 1]
            for cut in range(len(last), 1, -1):
                candidate = f"{head} {last[:cut]}" if head else last[:cut]
                spellings = self._aliases.get(candidate)
                if spellings:
                    return Mention(spellings[0].entry, i, i + n)
        return None

    @staticmethod
    def _case_matches(alias: _Alias, words: list[str]) -> bool:
        return all(map(_case_ok, alias.case, alias.words, words))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"gazetteer {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"gazetteer {path}: expected a mapping of people/organisations/places/countries")
    unknown = set(data) - {"people", "organisations", "places", "countries"}
    if unknown:
        raise ConfigError(f"gazetteer {path}: unknown sections {sorted(unknown)}")
    return data


def _aliases_of(value: Any, path: Path, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    raise ConfigError(f"gazetteer {path}: aliases of {name!r} must be a list of strings")


def _add_gazetteer_file(gazetteer: Gazetteer, path: Path, geodata: dict[str, Any]) -> None:
    data = _read_yaml(path)
    for name, aliases in (data.get("people") or {}).items():
        gazetteer.add(Entry("person", str(name), str(name)), _aliases_of(aliases, path, name))
    for name, aliases in (data.get("organisations") or {}).items():
        gazetteer.add(Entry("organisation", str(name), str(name)), _aliases_of(aliases, path, name))
    for name, place in (data.get("places") or {}).items():
        place = place if isinstance(place, dict) else {"aliases": place}
        country = place.get("country")
        if country and country not in geodata["countries"]:
            raise ConfigError(f"gazetteer {path}: place {name!r} has unknown country {country!r}")
        entry = Entry("place", str(name), str(name), country, place.get("lat"), place.get("lon"))
        gazetteer.add(entry, _aliases_of(place.get("aliases"), path, name))
    for code, aliases in (data.get("countries") or {}).items():
        code = str(code).upper()
        if code not in geodata["countries"]:
            raise ConfigError(f"gazetteer {path}: unknown ISO 3166 country code {code!r}")
        gazetteer.add(_country_entry(code, geodata), _aliases_of(aliases, path, code))


def _country_entry(code: str, geodata: dict[str, Any]) -> Entry:
    country = geodata["countries"][code]
    return Entry("country", code, country["name"], code, country["lat"], country["lon"])


def load_gazetteer(extra: Path | None = None) -> Gazetteer:
    """The bundled gazetteer, the user's file (if any) first so its aliases win, then countries and cities."""
    geodata = json.loads(GEODATA_FILE.read_text(encoding="utf-8"))
    gazetteer = Gazetteer()
    if extra is not None:
        _add_gazetteer_file(gazetteer, extra, geodata)
    _add_gazetteer_file(gazetteer, BUNDLED_GAZETTEER, geodata)
    for code, country in geodata["countries"].items():
        # ISO codes are not aliases: "IN", "TO" and "AS" are words far more often than countries.
        gazetteer.add(_country_entry(code, geodata), country["aliases"])
    for place in geodata["places"]:
        entry = Entry("place", place["name"], place["name"], place["country"], place["lat"], place["lon"])
        gazetteer.add(entry, place["aliases"])
    gazetteer.index()
    return gazetteer
