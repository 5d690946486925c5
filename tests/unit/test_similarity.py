"""Unit tests for content identity: the exact fingerprint, MinHash signatures and bands."""

from __future__ import annotations

import html

import pytest

from newsdesk.demosite.site import generate_site
from newsdesk.kernel.messages import Article
from tasks.dedupe.identity import content_identity
from tasks.dedupe.similarity import (
    BANDS,
    NUM_PERM,
    SIGNATURE_BITS,
    content_fingerprint,
    content_key,
    day_number,
    estimated_similarity,
    normalised_words,
    strip_boilerplate,
)

BODY = (
    "Kim Jong Un had talks with Vladimir Putin, president of the Russian Federation, on June 19.\n\n"
    "They had an in-depth discussion on the situation on the Korean peninsula.\n\n"
    "The talks proceeded in a friendly atmosphere."
)


@pytest.mark.parametrize(
    "variant",
    [
        BODY,
        BODY.upper(),
        BODY.replace(" ", "   ").replace("\n\n", "\n"),
        BODY.replace(",", "").replace(".", " !"),
        "PYONGYANG, June 19 (KCNA) -- " + BODY,
        "HAVANA, June 20 (Ministry of Foreign Affairs (EN)) -- " + BODY,
        BODY + "\n\nReprinted from Central News Agency.",
        "Follow us on social media\n\n" + BODY + "\n\n© 2024 The Daily Courier. All rights reserved.",
        BODY.replace("Kim", "Kím"),
    ],
)
def test_copies_differing_in_case_space_punctuation_or_boilerplate_share_the_fingerprint(variant):
    assert content_fingerprint(variant) == content_fingerprint(BODY)


@pytest.mark.parametrize(
    "other",
    [
        BODY.replace("June 19", "June 20"),
        BODY.replace("friendly", "tense"),
        BODY.rsplit("\n\n", 1)[0],
    ],
)
def test_a_changed_word_or_paragraph_changes_the_fingerprint(other):
    assert content_fingerprint(other) != content_fingerprint(BODY)


def test_boilerplate_is_only_short_credit_lines_never_a_long_paragraph_that_starts_alike():
    long_paragraph = "Source: " + " ".join(["officials said the delegation toured the plant"] * 5)
    assert strip_boilerplate(["Source: KCNA", long_paragraph]) == [long_paragraph]


def test_normalised_words_fold_case_accents_and_punctuation():
    assert normalised_words("Miguel Díaz-Canel, President!") == ["miguel", "diaz", "canel", "president"]


def test_signature_is_compact_and_deterministic():
    key = content_key(BODY, "2024-06-19")
    assert len(key.signature) == NUM_PERM * SIGNATURE_BITS // 8
    assert len(key.bands) == BANDS and len(set(key.bands)) == BANDS
    assert content_key(BODY, "2024-06-19") == key
    assert key.day == day_number("2024-06-19") > 0


def test_similarity_ranks_a_republication_above_a_different_article_on_the_same_event():
    site = generate_site(90, seed=4, republications=True)
    by_id = {article.article_id: article for article in site.articles}
    copies = [a for a in site.articles if a.copy_of]
    follow_ups = [a for a in site.articles if a.follows]
    assert copies and follow_ups

    def similarity(a, b) -> float:
        return estimated_similarity(content_key(a.body, None).signature, content_key(b.body, None).signature)

    lowest_copy = min(similarity(a, by_id[a.copy_of]) for a in copies)
    highest_follow_up = max(similarity(a, by_id[a.follows]) for a in follow_ups)
    assert lowest_copy >= 0.6
    assert highest_follow_up < 0.45
    assert similarity(copies[0], copies[0]) == 1.0


def test_exact_republications_share_the_fingerprint_and_edited_ones_do_not():
    site = generate_site(60, seed=2, republications=True)
    by_id = {article.article_id: article for article in site.articles}
    same = [
        content_fingerprint(a.body) == content_fingerprint(by_id[a.copy_of].body)
        for a in site.articles
        if a.copy_of
    ]
    assert True in same and False in same


def test_day_number_of_unknown_or_bad_dates_is_zero():
    assert day_number(None) == 0
    assert day_number("not a date") == 0
    assert day_number("1970-01-02T10:00:00") == 1


def test_content_identity_sets_the_fingerprint():
    article = Article(
        url="http://x.test/a", final_url="", crawl_source="t", fetched_at="", title="T", body=BODY
    )
    marked, key = content_identity(article)
    assert marked.content_fingerprint == key.fingerprint == content_fingerprint(BODY)


def test_duplicate_kind_lets_the_content_verdict_decide_where_a_url_variant_is_listed():
    from tasks.dedupe.identity import UrlVerdict, duplicate_kind

    article = Article(
        url="http://x.test/a", final_url="", crawl_source="t", fetched_at="", title="T", body=""
    )
    owner, variant = UrlVerdict(article, None), UrlVerdict(article, "http://x.test/a?utm_source=y")
    assert duplicate_kind(owner, "new") is None
    assert duplicate_kind(variant, "new") == "url"
    assert duplicate_kind(owner, "near") == "near"
    assert duplicate_kind(variant, "exact") == "exact"


def test_demo_republications_are_off_by_default_and_served_when_asked():
    plain, republished = generate_site(30, seed=6), generate_site(30, seed=6, republications=True)
    assert plain.articles == republished.articles[:30]
    extra = republished.articles[30:]
    assert extra and all(a.copy_of or a.follows for a in extra)
    assert len({a.path for a in republished.articles}) == len(republished.articles)
    by_id = {a.article_id: a for a in plain.articles}
    for article in extra:
        earlier = by_id[article.copy_of or article.follows]
        assert article.source != earlier.source and article.title != earlier.title
        assert 0 <= (article.published - earlier.published).days <= 1
        status, _, page = republished.render(article.path)
        assert status == 200 and html.escape(article.title).encode() in page
