"""Unit tests for the messages between stages, the errors Celery ships, and the indexed document."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from index.documents import article_document
from index.templates import ARTICLE_PROPERTIES
from newsdesk.kernel.errors import NewsdeskError, Rejected, TransientError
from newsdesk.kernel.messages import Article, FetchedPage, RelatedItem
from newsdesk.kernel.wire import ARTICLE_SCHEMA, PAGE_SCHEMA


def wire(data: dict) -> dict:
    """What the next stage receives: the message as JSON text and back."""
    return json.loads(json.dumps(data))


PAGE = FetchedPage(
    url="https://news.example.org/a?utm_source=x",
    final_url="https://news.example.org/a",
    crawl_source="demo",
    fetched_at="2025-08-01T00:00:00+00:00",
    status=200,
    headers={"Content-Type": "text/html; charset=utf-8", "X-Cache": "HIT"},
    html="<h1>김정은</h1><p>“Quoted” text\x7f</p>",
    run_id="run-7",
)

ARTICLE = Article(
    url="https://news.example.org/a?utm_source=x",
    final_url="https://news.example.org/a",
    crawl_source="demo",
    fetched_at="2025-08-01T00:00:00+00:00",
    title="Talks Held",
    body="First paragraph.\n\nSecond paragraph.",
    source="Ministry of Foreign Affairs (EN)",
    published_at="2019-04-26",
    published_at_raw="26/04/2019",
    related=[
        RelatedItem("A teaser", "https://news.example.org/b", "2025-07-30"),
        RelatedItem("Another teaser"),
    ],
    canonical_hint="https://news.example.org/a",
    warnings=["date_in_future"],
    run_id="run-7",
    canonical_url="https://news.example.org/a",
    doc_id="96948b92ab8fb73dccdad34e50362b7ef754b207",
    language="en",
    word_count=4,
)


def test_fetched_page_round_trips_through_json() -> None:
    data = wire(PAGE.to_dict())

    assert data["schema"] == PAGE_SCHEMA == 1
    assert FetchedPage.from_dict(data) == PAGE


def test_article_round_trips_through_json() -> None:
    data = wire(ARTICLE.to_dict())

    assert data["schema"] == ARTICLE_SCHEMA == 1
    assert data["related"][0] == {
        "text": "A teaser",
        "url": "https://news.example.org/b",
        "date": "2025-07-30",
    }
    restored = Article.from_dict(data)
    assert restored == ARTICLE
    assert restored.related[1] == RelatedItem("Another teaser", None, None)


def test_a_fresh_article_round_trips_with_its_defaults() -> None:
    fresh = Article(url="u", final_url="u", crawl_source="s", fetched_at="f", title="t", body="b")

    assert Article.from_dict(wire(fresh.to_dict())) == fresh


def test_unknown_fields_from_a_newer_writer_are_ignored() -> None:
    data = wire(PAGE.to_dict()) | {"added_later": True}

    assert FetchedPage.from_dict(data) == PAGE


@pytest.mark.parametrize("schema", [None, 0, 2, "1"])
@pytest.mark.parametrize("cls", [FetchedPage, Article])
def test_a_wrong_schema_version_is_rejected(cls, schema) -> None:
    data = wire((PAGE if cls is FetchedPage else ARTICLE).to_dict())
    if schema is None:
        del data["schema"]
    else:
        data["schema"] = schema

    with pytest.raises(Rejected) as caught:
        cls.from_dict(data)

    assert caught.value.reason == "bad_message"
    assert cls.__name__ in caught.value.detail


@pytest.mark.parametrize("cls", [FetchedPage, Article])
def test_a_message_missing_a_field_is_rejected(cls) -> None:
    data = wire((PAGE if cls is FetchedPage else ARTICLE).to_dict())
    del data["url"]

    with pytest.raises(Rejected) as caught:
        cls.from_dict(data)

    assert caught.value.reason == "bad_message"
    assert "url" in caught.value.detail


@pytest.mark.parametrize("payload", [None, "a string", 42])
def test_a_page_that_is_not_an_object_is_rejected(payload) -> None:
    with pytest.raises(Rejected) as caught:
        FetchedPage.from_dict(payload)

    assert caught.value.reason == "bad_message"


def test_article_replace_returns_a_changed_copy() -> None:
    changed = ARTICLE.replace(language="ko")

    assert changed.language == "ko"
    assert ARTICLE.language == "en"
    assert changed.replace(language="en") == ARTICLE


def test_article_replace_matches_dataclasses_replace() -> None:
    changes = {"doc_id": "abc", "people": ["Kim Jong Un"], "related": [], "warnings": ["no_date"]}

    assert ARTICLE.replace(**changes) == dataclasses.replace(ARTICLE, **changes)
    assert ARTICLE.replace(**changes).to_dict() == dataclasses.replace(ARTICLE, **changes).to_dict()


def test_article_replace_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="colour"):
        ARTICLE.replace(colour="red")


# Errors: Celery pickles them from the worker to the result backend and the caller.


@pytest.mark.parametrize(
    "error",
    [Rejected("not_an_article", "no 'Date: DD/MM/YYYY | Source: NAME' line"), Rejected("duplicate")],
)
def test_rejected_survives_pickle(error: Rejected) -> None:
    restored = pickle.loads(pickle.dumps(error))

    assert type(restored) is Rejected
    assert (restored.reason, restored.detail) == (error.reason, error.detail)
    assert str(restored) == str(error)
    assert isinstance(restored, NewsdeskError)


def test_rejected_str_names_reason_and_detail() -> None:
    assert str(Rejected("http_404", "server answered 404")) == "http_404: server answered 404"
    assert str(Rejected("duplicate")) == "duplicate"


def test_transient_error_survives_pickle() -> None:
    error = TransientError("elasticsearch unavailable: 503")

    restored = pickle.loads(pickle.dumps(error))

    assert type(restored) is TransientError
    assert restored.args == ("elasticsearch unavailable: 503",)
    assert str(restored) == "elasticsearch unavailable: 503"


def test_chained_errors_survive_pickle() -> None:
    try:
        try:
            raise ConnectionError("refused")
        except ConnectionError as exc:
            raise TransientError("redis down") from exc
    except TransientError as caught:
        restored = pickle.loads(pickle.dumps(caught))

    assert str(restored) == "redis down"


# The indexed document.


def test_article_document_requires_identity() -> None:
    for missing in ({"doc_id": None}, {"canonical_url": None}, {"doc_id": "", "canonical_url": ""}):
        with pytest.raises(ValueError, match="no identity"):
            article_document(ARTICLE.replace(**missing), "2025-08-01T00:00:05+00:00")


def test_article_document_maps_the_fields() -> None:
    document = article_document(ARTICLE, "2025-08-01T00:00:05+00:00")
    expected = {
        "doc_id": "96948b92ab8fb73dccdad34e50362b7ef754b207",
        "url": "https://news.example.org/a",
        "final_url": "https://news.example.org/a",
        "crawl_source": "demo",
        "source": "Ministry of Foreign Affairs (EN)",
        "title": "Talks Held",
        "body": "First paragraph.\n\nSecond paragraph.",
        "published_at": "2019-04-26",
        "published_at_raw": "26/04/2019",
        "related": [
            {"text": "A teaser", "url": "https://news.example.org/b", "date": "2025-07-30"},
            {"text": "Another teaser", "url": None, "date": None},
        ],
        "language": "en",
        "word_count": 4,
        "warnings": ["date_in_future"],
        "first_fetched_at": "2025-08-01T00:00:00+00:00",
        "indexed_at": "2025-08-01T00:00:05+00:00",
        "run_id": "run-7",
        "schema_version": ARTICLE_SCHEMA,
    }

    # Later stages add fields of their own; these are the ones every document has carried since schema 1.
    assert {key: document.get(key, "<missing>") for key in expected} == expected
    assert json.loads(json.dumps(document)) == document


def test_article_document_url_is_the_canonical_url() -> None:
    article = ARTICLE.replace(
        url="https://news.example.org/a?fbclid=1", final_url="https://news.example.org/a/?fbclid=1"
    )

    document = article_document(article, "2025-08-01T00:00:05+00:00")

    assert document["url"] == "https://news.example.org/a"
    assert document["final_url"] == "https://news.example.org/a/?fbclid=1"


def test_article_document_warnings_are_a_copy() -> None:
    document = article_document(ARTICLE, "2025-08-01T00:00:05+00:00")
    document["warnings"].append("changed")

    assert ARTICLE.warnings == ["date_in_future"]


def test_every_document_key_is_in_the_strict_mapping() -> None:
    document = article_document(ARTICLE, "2025-08-01T00:00:05+00:00")

    assert set(document) - set(ARTICLE_PROPERTIES) == set()
    assert document["related"], "the nested check below needs items"
    for key, value in document.items():
        nested = ARTICLE_PROPERTIES[key].get("properties")
        if nested is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            assert set(item) - set(nested) == set(), key


def test_article_to_dict_is_what_dataclasses_asdict_gives_and_shares_nothing_mutable():
    import dataclasses

    article = ARTICLE.replace(
        images=[{"url": "http://x/a.jpg", "alt": "a"}],
        geo=[{"lat": 1.0, "lon": 2.0}],
        entities=[{"text": "Pyongyang", "labels": ["GPE"]}],
    )
    data = article.to_dict()
    assert data == dataclasses.asdict(article)
    assert [type(item) for item in data["related"]] == [dict] * len(article.related)
    data["images"][0]["alt"] = "changed"
    data["entities"][0]["labels"].append("LOC")
    data["warnings"].append("changed")
    assert article.images[0]["alt"] == "a"
    assert article.entities[0]["labels"] == ["GPE"]
    assert "changed" not in article.warnings
