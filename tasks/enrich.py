"""Enrich stage: language and word count (later: entities, places, keywords)."""

from __future__ import annotations

import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from newsdesk.messages import Article

WORD = re.compile(r"\w+", re.UNICODE)
_identifier: LanguageIdentifier | None = None


def _language_identifier() -> LanguageIdentifier:
    # The model ships inside the package; loading it once per process is the expensive part.
    global _identifier
    if _identifier is None:
        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence, or (None, 0.0) when there is too little text to tell."""
    if len(WORD.findall(text)) < 3:
        return None, 0.0
    language, confidence = _language_identifier().classify(text[:5000])
    return language, float(confidence)


def count_words(text: str) -> int:
    return len(WORD.findall(text))


def enrich_article(article: Article) -> Article:
    language, _confidence = detect_language(f"{article.title}\n{article.body}")
    return article.replace(language=language, word_count=count_words(article.body))
