"""Re-enrichment on a real Elasticsearch: a gazetteer alias added by a user reaches indexed documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.documents import article_document
from index.writer import write_articles
from newsdesk.kernel.messages import Article
from tasks.dedupe.versions import REVISION_RULES
from tasks.enrich.enricher import Enricher, enrich_article

pytestmark = pytest.mark.services
REPO_ROOT = Path(__file__).resolve().parents[2]

ARTICLES = {
    "marshal": (
        "Dear Respected Marshal Inspects Fishery Station",
        "The Dear Respected Marshal inspected a fishery station in Wonsan on Tuesday. He praised the "
        "workers for overfulfilling the plan and gave instructions on modernising the cold storage.",
    ),
    "talks": (
        "Kim Jong Un Holds Talks with Vladimir Putin",
        "Kim Jong Un had talks with Vladimir Putin, president of the Russian Federation, in Vladivostok. "
        "Both sides agreed to expand co-operation in trade and railway transport.",
    ),
}


def _index(es_client, settings, enricher: Enricher) -> None:
    documents = []
    for doc_id, (title, body) in ARTICLES.items():
        article = Article(
            url=f"http://example.test/{doc_id}",
            final_url=f"http://example.test/{doc_id}",
            crawl_source="test",
            fetched_at="2026-01-01T00:00:00+00:00",
            title=title,
            body=body,
            canonical_url=f"http://example.test/{doc_id}",
            doc_id=doc_id,
        )
        documents.append(
            article_document(enrich_article(article, enricher), indexed_at="2026-01-01T00:00:01Z")
        )
    assert [r.outcome for r in write_articles(es_client, settings, documents, REVISION_RULES)] == [
        "created",
        "created",
    ]


def _reenrich(settings, gazetteer: Path | None) -> dict:
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("NEWSDESK_GAZETTEER_FILE", None)
    if gazetteer is not None:
        env["NEWSDESK_GAZETTEER_FILE"] = str(gazetteer)
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "reenrich", "--batch-size", "1", "--json"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _people_search(es_client, settings, person: str) -> list[str]:
    es_client.indices.refresh(index=settings.articles_alias)
    response = es_client.search(index=settings.articles_alias, query={"term": {"people": person}})
    return sorted(hit["_id"] for hit in response["hits"]["hits"])


def test_a_gazetteer_alias_added_later_reaches_indexed_documents(clean_stores, es_client, tmp_path):
    _index(es_client, clean_stores, Enricher.build())
    assert _people_search(es_client, clean_stores, "Kim Jong Un") == ["talks"]
    versions = {
        doc_id: es_client.get(index=clean_stores.articles_alias, id=doc_id)["_version"] for doc_id in ARTICLES
    }

    unchanged = _reenrich(clean_stores, gazetteer=None)
    assert unchanged == {"scanned": 2, "updated": 0, "unchanged": 2, "failed": 0, "errors": []}

    gazetteer = tmp_path / "gazetteer.yaml"
    gazetteer.write_text("people:\n  Kim Jong Un: [Dear Respected Marshal]\n", encoding="utf-8")
    result = _reenrich(clean_stores, gazetteer)

    assert result == {"scanned": 2, "updated": 1, "unchanged": 1, "failed": 0, "errors": []}
    assert _people_search(es_client, clean_stores, "Kim Jong Un") == ["marshal", "talks"]
    marshal = es_client.get(index=clean_stores.articles_alias, id="marshal")
    assert marshal["_version"] == versions["marshal"] + 1
    assert {"name": "Kim Jong Un", "type": "person", "count": 2} in marshal["_source"]["entities"]
    assert marshal["_source"]["countries"] == ["KP"]
    assert marshal["_source"]["title"] == ARTICLES["marshal"][0]
    assert marshal["_source"]["indexed_at"] == "2026-01-01T00:00:01Z"
    talks = es_client.get(index=clean_stores.articles_alias, id="talks")
    assert talks["_version"] == versions["talks"]


def test_enriched_fields_are_searchable_and_mapped(clean_stores, es_client):
    _index(es_client, clean_stores, Enricher.build())
    es_client.indices.refresh(index=clean_stores.articles_alias)

    by_country = es_client.search(
        index=clean_stores.articles_alias, query={"term": {"countries": "RU"}}, size=10
    )
    near_vladivostok = es_client.search(
        index=clean_stores.articles_alias,
        query={"geo_distance": {"distance": "50km", "geo": {"lat": 43.1, "lon": 131.9}}},
    )

    assert [hit["_id"] for hit in by_country["hits"]["hits"]] == ["talks"]
    assert [hit["_id"] for hit in near_vladivostok["hits"]["hits"]] == ["talks"]
