"""A stored date's precision, read from how it is written, and older articles upgraded by `migrate`."""

from __future__ import annotations

import pytest

from index.documents import precision_of, upgraded_article


@pytest.mark.parametrize(
    ("stamp", "precision"),
    [("2023", "year"), ("2023-05", "month"), ("2023-05-03", "day"), ("2023-05-03T10:00:00+09:00", "time")],
)
def test_the_precision_is_how_the_date_is_written(stamp: str, precision: str) -> None:
    assert precision_of(stamp) == precision


def test_an_article_from_before_precisions_gets_them_and_one_that_has_them_keeps_them() -> None:
    old = {"doc_id": "a", "published_at": "2019-04-26", "updated_at": "2019-04-27T10:00:00Z"}
    assert upgraded_article(old) == {**old, "published_precision": "day", "updated_precision": "time"}
    current = {"doc_id": "b", "published_at": "2023", "published_precision": "year"}
    assert upgraded_article(current) == current
    undated = {"doc_id": "c", "published_at": None}
    assert upgraded_article(undated) == undated
