"""Integration: raw pages kept in Elasticsearch rebuild their articles in place with `reparse`."""

from __future__ import annotations

import pytest

from index.documents import article_document, raw_page_record
from index.raw import iter_raw_pages, write_raw_pages
from index.writer import write_articles
from newsdesk.demosite.site import generate_site
from newsdesk.kernel.messages import FetchedPage
from tasks.dedupe.identity import assign_identity
from tasks.dedupe.versions import REVISION_RULES
from tasks.enrich.enricher import enrich_article
from tasks.parse.page import pack_body, parse_page, unpack_body
from tasks.worker.reparse import reparse_source

pytestmark = pytest.mark.services
SITE = generate_site(6, seed=2)
BASE = "http://demo.example"


def _page(path: str, source: str = "demo") -> FetchedPage:
    status, content_type, body = SITE.render(path)
    assert status == 200
    return FetchedPage(
        url=BASE + path,
        final_url=BASE + path,
        crawl_source=source,
        fetched_at="2025-07-31T10:00:00+00:00",
        status=200,
        headers={"content-type": content_type},
        html=body.decode("utf-8"),
    )


def _store(es, settings, page: FetchedPage, **stale) -> str:
    """Index an article and its raw page as the index stage does, `stale` fields as an old parser had them."""
    article = enrich_article(assign_identity(parse_page(page)))
    (raw,) = write_raw_pages(es, settings, [raw_page_record(article)])
    assert raw.outcome == "created"
    document = article_document(article.replace(**stale), indexed_at="2025-07-31T10:00:01+00:00")
    (result,) = write_articles(es, settings, [document], REVISION_RULES)
    assert result.outcome == "created"
    return article.doc_id


def _get(es, settings, doc_id: str) -> dict:
    response = es.get(index=settings.articles_alias, id=doc_id)
    return {**response["_source"], "_version": response["_version"]}


def test_reparse_rebuilds_documents_in_place_from_raw_pages(clean_stores, es_client):
    settings = clean_stores
    first, second = SITE.articles[0], SITE.articles[1]
    stale_id = _store(
        es_client, settings, _page(first.path), title="Stale title", body="stale", extraction=None
    )
    fresh_id = _store(es_client, settings, _page(second.path))
    other_id = _store(es_client, settings, _page(SITE.articles[2].path, source="other"), title="Other stale")
    es_client.indices.refresh(index=f"{settings.raw_index},{settings.articles_alias}")
    before = {doc_id: _get(es_client, settings, doc_id) for doc_id in (stale_id, fresh_id, other_id)}

    reported: list[int] = []
    summary = reparse_source(es_client, settings, "demo", hints=None, on_progress=reported.append)

    assert (summary["updated"], summary["unchanged"], summary["rejected"], summary["failed"]) == (1, 1, 0, 0)
    assert sum(reported) == 2  # the progress bar of `newsdesk reparse` counts every stored page
    rebuilt = _get(es_client, settings, stale_id)
    assert rebuilt["title"] == first.title
    assert rebuilt["body"] == first.body
    assert rebuilt["extraction"] == "seed_layout"
    assert rebuilt["_version"] == before[stale_id]["_version"] + 1
    assert rebuilt["first_fetched_at"] == before[stale_id]["first_fetched_at"]
    assert rebuilt["indexed_at"] == before[stale_id]["indexed_at"]
    assert _get(es_client, settings, fresh_id) == before[fresh_id]
    assert _get(es_client, settings, other_id) == before[other_id], "another source's documents are untouched"
    es_client.indices.refresh(index=settings.articles_alias)
    assert es_client.count(index=settings.articles_alias)["count"] == 3

    again = reparse_source(es_client, settings, "demo", hints=None)

    assert (again["updated"], again["unchanged"]) == (0, 2)


def test_raw_pages_are_compressed_bytes_outside_the_searchable_fields(clean_stores, es_client):
    settings = clean_stores
    page = _page(SITE.articles[0].path)
    doc_id = _store(es_client, settings, page)
    es_client.indices.refresh(index=settings.raw_index)

    (record,) = list(iter_raw_pages(es_client, settings, "demo"))

    assert record["doc_id"] == doc_id
    assert unpack_body(record["body"]) == page.html.encode("utf-8")
    assert len(record["body"]) < record["body_bytes"]
    mapping = es_client.indices.get_mapping(index=settings.raw_index)
    (properties,) = [m["mappings"]["properties"] for m in mapping.body.values()]
    assert properties["body"]["type"] == "binary"
    article_fields = next(iter(es_client.indices.get_mapping(index=settings.articles_alias).body.values()))
    assert "raw_page" not in article_fields["mappings"]["properties"]
    hits = es_client.search(index=settings.articles_alias, query={"match": {"body": "raw_page"}})["hits"]
    assert hits["total"]["value"] == 0


def test_a_page_todays_parser_rejects_keeps_its_document(clean_stores, es_client):
    settings = clean_stores
    _store(es_client, settings, _page(SITE.articles[0].path))
    notice = _page(SITE.rejected_paths[0])
    body = notice.html.encode("utf-8")
    record = {
        "doc_id": "notice-doc",
        "url": notice.url,
        "final_url": notice.url,
        "crawl_source": "demo",
        "fetched_at": notice.fetched_at,
        "headers": notice.headers,
        "body": pack_body(body),
        "body_bytes": len(body),
    }
    write_raw_pages(es_client, settings, [record])
    es_client.indices.refresh(index=settings.raw_index)

    summary = reparse_source(es_client, settings, "demo", hints=None)

    assert (summary["unchanged"], summary["rejected"]) == (1, 1)
    (problem,) = summary["problems"]
    assert problem["doc_id"] == "notice-doc"
    assert problem["reason"].startswith("not_an_article")
