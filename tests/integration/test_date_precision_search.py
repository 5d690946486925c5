"""Articles dated to the month or the year only: stored as stated, searched and sorted by the period's start.

The pages go through the parse stage as a crawl's would; the documents are written by the index writer
into a real Elasticsearch, and `newsdesk search` and a date histogram (what Kibana draws) read them back.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.kernel.messages import FetchedPage
from tasks.parse.page import parse_page

pytestmark = pytest.mark.services

BODY = (
    "<p>The delegation visited the machine plant and the cooperative farm, and it spoke with the managers "
    "about the year's plan, the harvest and the new equipment that arrived from the capital in spring.</p>"
    "<p>Workers showed the visitors the new lines and explained how the output had grown since the last "
    "visit, and the managers set out the tasks for the months ahead in detail.</p>"
)
PAGES = {
    "year": ("Plant visited in the Juche year", "<p class='date'>Juche 112</p>"),
    "month": ("Farm reports its harvest", "<p class='date'>March 2023</p>"),
    "day": ("Delegation meets the managers", "<p class='date'>15 March 2023</p>"),
}


def _article(key: str) -> dict:
    title, dateline = PAGES[key]
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{dateline}{BODY}</body></html>"
    page = FetchedPage(
        url=f"https://agency.test/{key}",
        final_url=f"https://agency.test/{key}",
        crawl_source="agency",
        fetched_at="2026-01-10T00:00:00+00:00",
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        html=html,
    )
    article = parse_page(page)
    return {
        "doc_id": key,
        "url": article.final_url,
        "title": article.title,
        "body": article.body,
        "source": "Agency",
        "crawl_source": "agency",
        "published_at": article.published_at,
        "published_precision": article.published_precision,
        "language": "en",
    }


@pytest.fixture
def indexed(searchable):
    documents = [_article(key) for key in PAGES]
    assert {d["doc_id"]: (d["published_at"], d["published_precision"]) for d in documents} == {
        "year": ("2023", "year"),
        "month": ("2023-03", "month"),
        "day": ("2023-03-15", "day"),
    }
    return searchable(documents)


def _search(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, ["search", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _ids(hits: list[dict]) -> list[str]:
    return [hit["doc_id"] for hit in hits]


def test_since_and_until_filter_by_the_start_of_the_stated_period(indexed):
    assert sorted(_ids(_search("--since", "2023-03-01", "--until", "2023-03-31"))) == ["day", "month"]
    assert sorted(_ids(_search("--since", "2023-01-01", "--until", "2023-12-31"))) == ["day", "month", "year"]
    assert _ids(_search("--until", "2023-02-28")) == ["year"]
    assert _ids(_search("--since", "2023-03-02")) == ["day"]
    assert _ids(_search("--since", "2024-01-01")) == []


def test_sorted_by_date_and_shown_as_precise_as_stated(indexed):
    hits = _search("--sort", "date")
    assert _ids(hits) == ["day", "month", "year"]
    assert [(h["published_at"], h["published_precision"]) for h in hits] == [
        ("2023-03-15", "day"),
        ("2023-03", "month"),
        ("2023", "year"),
    ]
    table = CliRunner().invoke(app, ["search", "--sort", "date"])
    assert table.exit_code == 0 and "2023-03 " in table.output


def test_a_date_histogram_counts_each_article_in_the_period_it_starts(indexed, es_client):
    # What Kibana's time field and the "Articles over time" chart ask of the published_at field.
    result = es_client.search(
        index=indexed.articles_alias,
        size=0,
        aggs={"per_month": {"date_histogram": {"field": "published_at", "calendar_interval": "month"}}},
        query={"range": {"published_at": {"gte": "2023-01-01", "lte": "2023-12-31"}}},
    )
    buckets = {b["key_as_string"][:7]: b["doc_count"] for b in result["aggregations"]["per_month"]["buckets"]}
    assert buckets == {"2023-01": 1, "2023-02": 0, "2023-03": 2}
    mapping = es_client.indices.get_mapping(index=indexed.articles_alias)
    properties = next(iter(mapping.values()))["mappings"]["properties"]
    assert properties["published_at"]["type"] == "date"
    assert properties["published_precision"]["type"] == "keyword"
