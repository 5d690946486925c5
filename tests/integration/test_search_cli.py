"""`newsdesk search` against a real Elasticsearch: every filter, sorting, --json, and clear query errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app

pytestmark = pytest.mark.services

ARTICLES = [
    dict(
        doc_id="d1",
        title="Kim Jong Un holds talks with Vladimir Putin",
        source="Agency A",
        crawl_source="demo",
        published_at="2019-04-26",
        language="en",
        people=["Kim Jong Un", "Vladimir Putin"],
        countries=["KP", "RU"],
        country_names=["North Korea", "Russia"],
        story_id="s-summit",
    ),
    dict(
        doc_id="d2",
        title="Summit talks reported in Moscow",
        source="Daily B",
        crawl_source="other",
        published_at="2019-04-27",
        language="en",
        people=["Vladimir Putin"],
        countries=["RU"],
        country_names=["Russia"],
        story_id="s-summit",
    ),
    dict(
        doc_id="d3",
        title="김정은 동지 회담",
        source="Agency A",
        crawl_source="demo",
        published_at="2021-06-01",
        language="ko",
        people=["Kim Jong Un"],
        countries=["KP"],
        country_names=["North Korea"],
        story_id="s-ko",
    ),
    dict(
        doc_id="d4",
        title="Harvest season talks in Havana",
        source="Daily B",
        crawl_source="other",
        published_at="2023-09-10",
        language="en",
        people=[],
        countries=["CU"],
        country_names=["Cuba"],
        story_id="s-cuba",
    ),
]


@pytest.fixture
def indexed(searchable):
    return searchable(
        [
            {
                **a,
                "url": f"http://site.test/{a['doc_id']}",
                "body": f"{a['title']}. Talks were held." if a["language"] == "en" else a["title"],
            }
            for a in ARTICLES
        ]
    )


def _search(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, ["search", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _ids(hits: list[dict]) -> list[str]:
    return [hit["doc_id"] for hit in hits]


def test_each_filter_narrows_the_results(indexed):
    assert sorted(_ids(_search("talks"))) == ["d1", "d2", "d4"]
    assert sorted(_ids(_search("--source", "Agency A"))) == ["d1", "d3"]
    assert sorted(_ids(_search("--source", "other"))) == ["d2", "d4"]
    assert sorted(_ids(_search("--since", "2019-04-27", "--until", "2022-01-01"))) == ["d2", "d3"]
    assert sorted(_ids(_search("--person", "Kim Jong Un"))) == ["d1", "d3"]
    assert sorted(_ids(_search("--country", "RU"))) == ["d1", "d2"]
    assert sorted(_ids(_search("--country", "Cuba"))) == ["d4"]
    assert _ids(_search("--lang", "ko")) == ["d3"]
    assert sorted(_ids(_search("--story", "s-summit"))) == ["d1", "d2"]
    assert _ids(_search("talks", "--person", "Vladimir Putin", "--source", "Daily B")) == ["d2"]


def test_sorting_limit_and_json_shape(indexed):
    newest_first = _search("--sort", "date")
    assert _ids(newest_first) == ["d4", "d3", "d2", "d1"]
    assert _ids(_search("--sort", "date", "--limit", "2")) == ["d4", "d3"]
    hit = _search("Havana")[0]
    assert hit["title"] == "Harvest season talks in Havana"
    assert hit["published_at"] == "2023-09-10"
    assert "<em>Havana</em>" in hit["title_highlighted"]
    assert hit["url"] == "http://site.test/d4"


def test_table_output_and_query_errors(indexed):
    table = CliRunner().invoke(app, ["search", "Havana"])
    assert table.exit_code == 0
    assert "Harvest season talks in" in table.output and "1 articles match" in table.output
    broken = CliRunner().invoke(app, ["search", "title:(unclosed"])
    assert broken.exit_code == 2
    assert "cannot understand the query" in broken.output
    assert "Traceback" not in broken.output
    bad_sort = CliRunner().invoke(app, ["search", "x", "--sort", "sideways"])
    assert bad_sort.exit_code == 2
