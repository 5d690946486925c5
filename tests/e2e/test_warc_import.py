"""End to end: a WARC of the demo site backfilled through a real worker, re-run, exported and re-imported."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from index.setup import ensure_setup
from newsdesk.cli import app
from newsdesk.demosite.site import generate_site
from newsdesk.demosite.warc import CAPTURED_AT, write_demo_warc
from newsdesk.state.client import build_redis
from newsdesk.state.runs import RunStore
from newsdesk.state.warc_imports import HandledRecords
from tasks.dedupe.identity import canonical_url, document_id
from webarchive.backfill import import_warcs
from webarchive.export import export_jsonl, export_warc

pytestmark = pytest.mark.services
SITE_SIZE = 24
DEMO_URL = "http://127.0.0.1:8765"
COMPARED = ("title", "body", "published_at", "first_fetched_at", "url", "source")


def _odd_records(path: Path, site) -> dict[str, str]:
    """Records a backfill must not import, each kind once, appended after the demo pages; returns what
    each one's fate should be."""
    article = site.articles[0]
    with open(path, "ab") as stream:
        writer = WARCWriter(stream, gzip=True)

        def response(url: str, body: bytes, content_type: str) -> None:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                    warc_headers_dict={"WARC-Date": CAPTURED_AT},
                )
            )  # fmt: skip

        response(f"{DEMO_URL}/files/annual-report.pdf", b"%PDF-1.4 not a page", "application/pdf")
        response(f"http://elsewhere.test{article.path}", site.render(article.path)[2], "text/html")
        writer.write_record(
            writer.create_revisit_record(
                f"{DEMO_URL}/gone-earlier", "sha1:AAAA", f"{DEMO_URL}/gone-earlier",
                CAPTURED_AT, warc_headers_dict={"WARC-Date": CAPTURED_AT},
            )
        )  # fmt: skip
    # A last gzip member cut in its header: the file ends inside a record.
    whole = path.read_bytes()
    path.write_bytes(whole + whole[whole.rindex(b"\x1f\x8b\x08") :][:25])
    return {
        f"{DEMO_URL}/files/annual-report.pdf": "rejected",
        f"http://elsewhere.test{article.path}": "refused",
        f"{DEMO_URL}/gone-earlier": "not_modified",
        "unreadable": "rejected",
    }


def _documents(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.articles_alias)
    response = es.search(index=settings.articles_alias, size=1000, version=True, query={"match_all": {}})
    return {hit["_id"]: {**hit["_source"], "_version": hit["_version"]} for hit in response["hits"]["hits"]}


def _wipe(es, redis_client, settings) -> None:
    es.options(ignore_status=404).indices.delete(index=f"{settings.index_prefix}-*", expand_wildcards="all")
    redis_client.flushdb()
    ensure_setup(es, settings)


def test_a_backfill_indexes_every_page_records_every_other_record_and_a_rerun_changes_nothing(
    tmp_path, clean_stores, worker, es_client, redis_client
):
    settings = dataclasses.replace(clean_stores, demo_url=DEMO_URL)
    site = generate_site(size=SITE_SIZE, seed=5)
    warc = tmp_path / "demo.warc.gz"
    written = write_demo_warc(site, DEMO_URL, warc, with_requests=True)
    expected_odd = _odd_records(warc, site)
    records = written + len(expected_odd)
    pages = 1 + SITE_SIZE + len(site.rejected_paths)  # the home page, the articles, the look-alikes

    run = import_warcs(settings, "demo", [warc], timeout=300)

    assert run["complete"]
    assert int(run["crawl_records"]) == records
    assert run["sent"] == pages
    assert run["new"] == SITE_SIZE
    assert run["not_article"] == 1 + len(site.rejected_paths)
    assert run["failed"] == run["rejected"] == 0
    # Every record has one fate, and they add up.
    assert run["urls"] == int(run["crawl_urls"]) == records == sum(run["fates"].values())
    fates = RunStore(redis_client, settings.index_prefix).url_fates(run["run_id"])
    requests = [why for key, (fate, why) in fates.items() if why == "not_a_response: request record"]
    assert len(requests) == pages
    for what, fate in expected_odd.items():
        (found,) = [(f, why) for key, (f, why) in fates.items() if key.startswith(what + " [")]
        assert found[0] == fate, (what, found)
    assert fates[next(k for k in fates if k.startswith("warcinfo ["))][0] == "skipped"

    documents = _documents(es_client, settings)
    expected = {document_id(canonical_url(DEMO_URL + a.path)): a for a in site.articles}
    assert set(documents) == set(expected)
    for doc_id, article in expected.items():
        assert documents[doc_id]["title"] == article.title
        assert documents[doc_id]["body"] == article.body
        assert documents[doc_id]["published_at"] == article.published.isoformat()
        assert documents[doc_id]["first_fetched_at"] == "2026-01-15T10:00:00+00:00"  # the capture time

    # A re-run, through the command a user types, skips every record it handled: nothing sent or written.
    command = ["import-warc", str(warc), "--source", "demo", "--timeout", "300", "--json"]
    result = CliRunner().invoke(app, command, env=settings.to_env())
    assert result.exit_code == 0, result.output
    again = json.loads(result.output.strip().splitlines()[-1])
    assert again["sent"] == 0
    assert int(again["crawl_already_handled"]) == records
    assert _documents(es_client, settings) == documents

    # Without the handled marks (lost with Redis, or a crash before they were written), every page goes
    # through the pipeline again: the dedupe stage finds each unchanged, and no version moves.
    HandledRecords(build_redis(settings), settings.index_prefix).forget("demo")
    redone = import_warcs(settings, "demo", [warc], timeout=300)
    assert redone["sent"] == pages
    assert redone["unchanged"] == SITE_SIZE and redone["new"] == redone["updated"] == 0
    assert _documents(es_client, settings) == documents


def test_an_exported_warc_reimported_into_empty_stores_gives_the_same_documents(
    tmp_path, clean_stores, worker, es_client, redis_client
):
    settings = dataclasses.replace(clean_stores, demo_url=DEMO_URL)
    site = generate_site(size=SITE_SIZE, seed=9)
    source_warc = tmp_path / "demo.warc.gz"
    write_demo_warc(site, DEMO_URL, source_warc)
    import_warcs(settings, "demo", [source_warc], timeout=300)
    before = _documents(es_client, settings)
    assert len(before) == SITE_SIZE

    exported = tmp_path / "export.warc.gz"
    with open(exported, "wb") as stream:
        tally = export_warc(es_client, settings, "demo", stream, exported.name)
    assert (tally.articles, tally.written, tally.without_raw_page) == (SITE_SIZE, SITE_SIZE, 0)
    lines = io.StringIO()
    assert export_jsonl(es_client, settings, "demo", lines).written == SITE_SIZE
    first = sorted(before)[0]
    newest = max(a.published for a in site.articles).isoformat()
    windowed = io.StringIO()
    assert export_jsonl(es_client, settings, "demo", windowed, since=newest).written >= 1
    assert windowed.getvalue().count("\n") < SITE_SIZE

    _wipe(es_client, redis_client, settings)
    run = import_warcs(settings, "demo", [exported], timeout=300)
    assert run["new"] == SITE_SIZE and int(run["crawl_records"]) == SITE_SIZE + 1  # and the warcinfo

    after = _documents(es_client, settings)
    assert set(after) == set(before)
    for doc_id in before:
        assert {k: after[doc_id].get(k) for k in COMPARED} == {k: before[doc_id].get(k) for k in COMPARED}
    assert lines.getvalue().splitlines()[0].startswith(f'{{"doc_id": "{first}"')
