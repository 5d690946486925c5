"""A run's record and every URL's fate reach Elasticsearch once the pipeline has finished with it."""

from __future__ import annotations

import json
import time

import pytest
from celery import Celery

from newsdesk.kernel.wire import ARCHIVE_RUN_TASK, QUEUE
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services


def _log_entries(es, settings) -> dict[str, dict]:
    es.indices.refresh(index=settings.crawl_log_index)
    hits = es.search(index=settings.crawl_log_index, size=100, query={"match_all": {}})["hits"]["hits"]
    return {hit["_source"]["url"]: hit["_source"] for hit in hits}


def test_a_finished_run_is_archived_with_the_fate_of_each_url(clean_stores, worker, es_client, redis_client):
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("alpha")
    runs.count_sent(run_id, 2)
    runs.record_crawler_fates(run_id, [("http://a.test/", "discovery", "html")])
    runs.record_outcome(run_id, "http://a.test/story", "new")
    client = Celery("test-client", broker=clean_stores.redis_url)
    client.send_task(ARCHIVE_RUN_TASK, args=[run_id, time.time()], queue=QUEUE)
    time.sleep(2)
    # Not complete yet (one page still without a fate): nothing archived, the task waits.
    assert not es_client.indices.exists(index=clean_stores.crawl_log_index) or not _log_entries(
        es_client, clean_stores
    )

    runs.record_outcome(run_id, "http://a.test/hub", "not_article", "not_an_article: a list of links")
    runs.finish_crawl(run_id, {"finish_reason": "finished", "urls": 3})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_log_entries(es_client, clean_stores)) < 3:
        time.sleep(0.5)

    entries = _log_entries(es_client, clean_stores)
    assert {url: entry["fate"] for url, entry in entries.items()} == {
        "http://a.test/": "discovery",
        "http://a.test/story": "new",
        "http://a.test/hub": "not_article",
    }
    assert entries["http://a.test/hub"]["detail"] == "not_an_article: a list of links"
    assert {entry["run_id"] for entry in entries.values()} == {run_id}
    es_client.indices.refresh(index=clean_stores.crawl_runs_index)
    record = es_client.get(index=clean_stores.crawl_runs_index, id=run_id)["_source"]
    assert record["urls"] == 3 and record["fates"]["not_article"] == 1 and record["complete"]


def test_runs_show_lists_each_url_with_its_fate_and_why(base_settings, redis_client):
    from typer.testing import CliRunner

    from newsdesk.cli import app

    runs = RunStore(redis_client, base_settings.index_prefix)
    run_id = runs.create("beta")
    runs.count_sent(run_id, 1)
    runs.record_crawler_fates(
        run_id, [("http://b.test/", "discovery", "html"), ("http://b.test/gone", "dead_link", "answered 404")]
    )
    runs.record_outcome(run_id, "http://b.test/story", "new")
    env = base_settings.to_env()

    shown = CliRunner().invoke(app, ["runs", "show", run_id, "--urls"], env=env)
    dead = CliRunner().invoke(app, ["runs", "show", run_id, "--fate", "dead_link", "--json"], env=env)
    listed = CliRunner().invoke(app, ["runs", "list", "--json"], env=env)
    unknown = CliRunner().invoke(app, ["runs", "show", run_id, "--fate", "lost"], env=env)

    assert shown.exit_code == 0, shown.output
    assert "fates of 3 URLs fetched: new 1, dead_link 1, discovery 1" in shown.output
    assert "dead_link     http://b.test/gone  (answered 404)" in shown.output
    assert json.loads(dead.output)["urls"] == [
        {"url": "http://b.test/gone", "fate": "dead_link", "detail": "answered 404"}
    ]
    assert run_id in {run["run_id"] for run in json.loads(listed.output)}
    assert unknown.exit_code == 2 and "unknown fate 'lost'" in unknown.output
