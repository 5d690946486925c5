"""Enrich stage: a configured chain of enrichers (language, entities, keywords, stats) over one article."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.messages import Article
from tasks.enrich.entities import find_entities
from tasks.enrich.gazetteer import Gazetteer, load_gazetteer
from tasks.enrich.keywords import extract_keywords
from tasks.enrich.language import SuffixLanguageIdentifier, load_identifier

log = logging.getLogger(__name__)
WORD = re.compile(r"\w+", re.UNICODE)
WORDS_PER_MINUTE = 200
# Enough text to tell the language of an article; py3langid's cost grows faster than the text beyond it
# (measured: 0.4 ms for 1,000 characters, 1.5 ms for 2,000, 9.8 ms for 5,000).
LANGUAGE_SAMPLE_CHARS = 2000
DEFAULT_CHAIN = ("language", "entities", "keywords", "stats")
# The fields each enricher fills; `newsdesk reenrich` rewrites exactly these.
ENRICHED_FIELDS = {
    "language": ("language", "language_confidence"),
    "entities": ("entities", "people", "organisations", "places", "countries", "country_names", "geo"),
    "keywords": ("keywords",),
    "stats": ("word_count", "reading_time_minutes"),
}
_identifier: SuffixLanguageIdentifier | None = None
_default_enricher: Enricher | None = None


def _language_identifier() -> SuffixLanguageIdentifier:
    # The model ships inside the package; loading it once per process is the expensive part.
    global _identifier
    if _identifier is None:
        _identifier = load_identifier()
    return _identifier


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence, or (None, 0.0) when there is too little text to tell."""
    if next(islice(WORD.finditer(text), 2, None), None) is None:  # fewer than three words
        return None, 0.0
    language, confidence = _language_identifier().classify(text[:LANGUAGE_SAMPLE_CHARS])
    return language, float(confidence)


def count_words(text: str) -> int:
    return len(WORD.findall(text))


EnrichStep = Callable[[Article, "Enricher"], dict[str, Any]]


def language_step(article: Article, _enricher: Enricher) -> dict[str, Any]:
    language, confidence = detect_language(f"{article.title}\n{article.body}")
    return {"language": language, "language_confidence": round(confidence, 4) if language else None}


def entities_step(article: Article, enricher: Enricher) -> dict[str, Any]:
    found = find_entities(article.body, enricher.gazetteer, rules=enricher.rules, title=article.title)
    by_kind = {kind: [f for f in found if f.kind == kind] for kind in ("person", "organisation", "place")}
    countries = [f for f in found if f.kind == "country"]
    points: list[dict[str, float]] = []
    for item in countries + by_kind["place"]:
        point = {"lat": item.lat, "lon": item.lon}
        if item.lat is not None and item.lon is not None and point not in points:
            points.append(point)
    return {
        "entities": [{"name": f.name, "type": f.kind, "count": f.count} for f in found],
        "people": [f.name for f in by_kind["person"]],
        "organisations": [f.name for f in by_kind["organisation"]],
        "places": [f.name for f in by_kind["place"]],
        "countries": [f.country for f in countries],
        "country_names": [f.name for f in countries],
        "geo": points,
    }


def keywords_step(article: Article, _enricher: Enricher) -> dict[str, Any]:
    return {"keywords": extract_keywords(article.title, article.body, article.language)}


def stats_step(article: Article, _enricher: Enricher) -> dict[str, Any]:
    words = count_words(article.body)
    return {"word_count": words, "reading_time_minutes": round(words / WORDS_PER_MINUTE, 1)}


STEPS: dict[str, EnrichStep] = {
    "language": language_step,
    "entities": entities_step,
    "keywords": keywords_step,
    "stats": stats_step,
}


@dataclass(frozen=True)
class Enricher:
    """The gazetteer and the chain of enrichers, built once per process and handed to every article."""

    gazetteer: Gazetteer
    chain: tuple[tuple[str, EnrichStep], ...]
    # False leaves only gazetteer matches: the baseline the benchmark compares against.
    rules: bool = True

    @classmethod
    def build(
        cls, names: Iterable[str] = DEFAULT_CHAIN, gazetteer_file: Path | None = None, rules: bool = True
    ) -> Enricher:
        names = [name.strip() for name in names if name.strip()]
        unknown = [name for name in names if name not in STEPS]
        if unknown:
            raise ConfigError(f"unknown enrichers {unknown}; known: {', '.join(STEPS)}")
        if gazetteer_file is not None and not Path(gazetteer_file).is_file():
            raise ConfigError(f"gazetteer file {gazetteer_file} does not exist")
        chain = tuple((name, STEPS[name]) for name in names)
        return cls(load_gazetteer(gazetteer_file), chain, rules)

    @classmethod
    def from_settings(cls, settings: Any) -> Enricher:
        return cls.build(settings.enrichers.split(","), settings.gazetteer_file)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for name, _ in self.chain for field in ENRICHED_FIELDS.get(name, ()))


def default_enricher() -> Enricher:
    """The bundled gazetteer and the full chain, for callers that configure nothing."""
    global _default_enricher
    if _default_enricher is None:
        _default_enricher = Enricher.build()
    return _default_enricher


def enrichment(article: Article, enricher: Enricher) -> dict[str, Any]:
    """The fields the chain fills for `article`, plus `enrich_errors`: one entry per enricher that failed."""
    changes: dict[str, Any] = {}
    errors: list[str] = []
    for name, step in enricher.chain:
        try:
            result = step(article.replace(**changes), enricher)
        # One enricher's bug must not cost the article: the failure is recorded on it and the chain goes on.
        except Exception as exc:  # noqa: BLE001
            log.warning("enricher %s failed on %s: %s", name, article.url, exc, exc_info=True)
            errors.append(f"{name}: {type(exc).__name__}: {exc}"[:500])
            continue
        changes.update(result)
    changes["enrich_errors"] = errors
    return changes


def enrich_article(article: Article, enricher: Enricher | None = None) -> Article:
    return article.replace(**enrichment(article, enricher or default_enricher()))


def document_enrichment(source: dict[str, Any], enricher: Enricher) -> dict[str, Any]:
    """The enriched fields for an indexed document's `_source` (what `newsdesk reenrich` writes back)."""
    article = Article(
        url=source.get("url") or "",
        final_url=source.get("final_url") or source.get("url") or "",
        crawl_source=source.get("crawl_source") or "",
        fetched_at=source.get("first_fetched_at") or "",
        title=source.get("title") or "",
        body=source.get("body") or "",
        doc_id=source.get("doc_id"),
    )
    return enrichment(article, enricher)


def text_article(text: str, name: str) -> Article:
    """An article from plain text: the first non-blank line is the title, the rest the body."""
    lines = text.strip().splitlines()
    title = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    return Article(url=name, final_url=name, crawl_source="file", fetched_at="", title=title, body=body)
