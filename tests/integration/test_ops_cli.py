"""`newsdesk metrics` and `newsdesk schedule list` read what real workers and crawls recorded."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest
from celery import Celery
from typer.testing import CliRunner

from newsdesk.cli import app as cli
from newsdesk.kernel.messages import FetchedPage
from newsdesk.state.locks import CrawlLocks
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services
ARTICLE_HTML = """<html><body><h1>Ministers Meet in Hanoi</h1>
<div>Date: 05/06/2025 | Source: Central News Agency</div>
<p>Ministers met in Hanoi on Thursday.</p><p>They discussed trade.</p></body></html>"""


def _cli(settings, *args: str) -> dict | list:
    result = CliRunner().invoke(cli, [*args, "--json"], env=settings.to_env())
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_metrics_count_each_stage_with_its_latency(clean_stores, worker, redis_client):
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    page = FetchedPage(
        url="http://site.test/article/1",
        final_url="http://site.test/article/1",
        crawl_source="test",
        fetched_at="2026-11-27T10:00:00+00:00",
        status=200,
        headers={"content-type": "text/html"},
        html=ARTICLE_HTML,
        run_id=run_id,
    ).to_dict()
    client = Celery("test-client", broker=clean_stores.redis_url)
    client.send_task("newsdesk.parse", args=[page], queue="newsdesk")
    client.send_task(
        "newsdesk.parse", args=[dict(page, url="http://site.test/empty", html=" ")], queue="newsdesk"
    )
    deadline = time.monotonic() + 60
    while runs.get(run_id)["done"] < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the last task's metrics are written just after its outcome

    metrics = _cli(clean_stores, "metrics")

    assert metrics["queue_depth"] == 0
    stages = metrics["stages"]
    assert stages["parse"]["succeeded"] == 2
    assert [stages[s]["succeeded"] for s in ("dedupe", "enrich", "index")] == [1, 1, 1]
    assert all(stages[s]["failed"] == 0 for s in ("parse", "dedupe", "enrich", "index"))
    assert 0 < stages["index"]["mean_ms"] <= stages["index"]["max_ms"]


def test_schedule_list_shows_each_source_its_schedule_and_whether_it_runs(
    clean_stores, redis_client, tmp_path: Path
):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        '  - {name: hourly, start_urls: ["http://a.test/"], article_pattern: "/a/", schedule: "@hourly"}\n'
        '  - {name: manual, start_urls: ["http://b.test/"], article_pattern: "/b/"}\n'
    )
    settings = dataclasses.replace(clean_stores, sources_file=sources)
    locks = CrawlLocks(redis_client, settings.index_prefix)
    token = locks.acquire("hourly", holder="a test crawl")

    rows = {row["source"]: row for row in _cli(settings, "schedule", "list")}

    assert rows["hourly"]["schedule"] == "@hourly"
    assert rows["hourly"]["running"]["holder"] == "a test crawl"
    assert rows["manual"]["schedule"] is None and rows["manual"]["running"] is None
    assert rows["manual"]["last_run"] is None
    locks.release("hourly", token)
