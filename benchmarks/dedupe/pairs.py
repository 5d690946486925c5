"""The labelled pairs: copies that must be found, and different articles that must not be merged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from random import Random

from newsdesk.demosite.site import DemoArticle, _follow_up, _republish, generate_site


@dataclass(frozen=True)
class Pair:
    """Two articles, whether they are one story, and what kind of pair they are."""

    first: DemoArticle
    second: DemoArticle
    same_story: bool
    kind: str


def _heavily_edited(rng: Random, original: DemoArticle, article_id: int) -> DemoArticle:
    """A republication that also drops a paragraph and reorders the sentences of another."""
    copy = _republish(rng, original, article_id, edited=True)
    paragraphs = list(copy.paragraphs)
    if len(paragraphs) > 4:
        del paragraphs[1 + int(rng.random() * (len(paragraphs) - 3))]
    target = len(paragraphs) - 2
    sentences = paragraphs[target].split(". ")
    rng.shuffle(sentences)
    paragraphs[target] = ". ".join(sentences)
    return DemoArticle(**{**copy.__dict__, "paragraphs": tuple(paragraphs)})


def _shared_background(rng: Random, original: DemoArticle, article_id: int) -> DemoArticle:
    """Next day's different report that repeats two of the first report's paragraphs as background."""
    follow_up = _follow_up(rng, original, article_id)
    paragraphs = (*follow_up.paragraphs, *original.paragraphs[1:2])
    return DemoArticle(**{**follow_up.__dict__, "paragraphs": paragraphs})


def _exact_copy(original: DemoArticle, article_id: int) -> DemoArticle:
    """The same text under another address, differing in case, spacing and a credit line only."""
    paragraphs = tuple(
        text.upper() if i == 0 else text.replace(", ", " , ") for i, text in enumerate(original.paragraphs)
    )
    return DemoArticle(
        **{
            **original.__dict__,
            "article_id": article_id,
            "path": original.path.replace("/article/", "/mirror/"),
            "paragraphs": (*paragraphs, "© All rights reserved."),
        }
    )


def labelled_pairs(originals: int = 600, seed: int = 42) -> list[Pair]:
    """For every original: one copy of some kind and one different article of the same event or period."""
    site = generate_site(originals, seed=seed)
    rng = Random(seed)
    pairs: list[Pair] = []
    next_id = originals + 1
    articles = list(site.articles)
    for position, original in enumerate(articles):
        kind = ("exact", "republished", "edited", "heavily_edited")[position % 4]
        if kind == "exact":
            copy = _exact_copy(original, next_id)
        elif kind == "republished":
            copy = _republish(rng, original, next_id, edited=False)
        elif kind == "edited":
            copy = _republish(rng, original, next_id, edited=True)
        else:
            copy = _heavily_edited(rng, original, next_id)
        pairs.append(Pair(original, copy, True, kind))
        next_id += 1
        if position % 2:
            negative, negative_kind = _follow_up(rng, original, next_id), "next_day_same_event"
        else:
            negative, negative_kind = _shared_background(rng, original, next_id), "next_day_shared_paragraph"
        pairs.append(Pair(original, negative, False, negative_kind))
        next_id += 1
        # A different article published the same week: the templates make their wording alike.
        other = articles[(position + 1 + int(rng.random() * (len(articles) - 1))) % len(articles)]
        shifted = DemoArticle(
            **{**other.__dict__, "published": original.published + datetime.timedelta(days=position % 3)}
        )
        pairs.append(Pair(original, shifted, False, "same_week_other_story"))
    return pairs
