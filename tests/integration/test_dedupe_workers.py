"""Several real worker processes receive copies of one story at once: one document lists them all."""

from __future__ import annotations

import time

import pytest
from celery import Celery

from newsdesk.demosite.site import generate_site
from newsdesk.kernel.messages import FetchedPage
from newsdesk.localstack.services import WorkerProcess
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services


@pytest.fixture
def second_worker(base_settings, services_dir, worker):
    process = WorkerProcess(
        env=base_settings.to_env(), log_file=services_dir / "worker-2.log", name="second"
    ).start()
    yield process
    process.stop()


def _page(url: str, html: str, run_id: str) -> dict:
    return FetchedPage(
        url=url,
        final_url=url,
        crawl_source="test",
        fetched_at="2026-11-27T10:00:00+00:00",
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        html=html,
        run_id=run_id,
    ).to_dict()


def test_copies_of_one_story_sent_to_several_workers_at_once_become_one_listed_document(
    clean_stores, worker, second_worker, es_client, redis_client
):
    site = generate_site(12, seed=3, republications=True)
    edited = next(a for a in site.articles if a.copy_of and len(a.paragraphs) > 3)
    original = next(a for a in site.articles if a.article_id == edited.copy_of)
    pages = {}
    for host in ("a.test", "b.test", "c.test", "d.test"):
        pages[f"http://{host}{original.path}"] = site.render(original.path)[2].decode()
        pages[f"http://{host}{original.path}?utm_source=x"] = site.render(original.path)[2].decode()
    for host in ("e.test", "f.test", "g.test"):
        pages[f"http://{host}{edited.path}"] = site.render(edited.path)[2].decode()
    runs = RunStore(redis_client, clean_stores.index_prefix)
    run_id = runs.create("test")
    client = Celery("test-client", broker=clean_stores.redis_url)
    # Every copy twice, as a redelivery after a lost acknowledgement would do.
    for url, html in list(pages.items()) * 2:
        client.send_task("newsdesk.parse", args=[_page(url, html, run_id)], queue="newsdesk")

    deadline = time.monotonic() + 120
    while runs.get(run_id)["done"] < len(pages) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # let the redelivered copies finish too
    run = runs.get(run_id)
    assert run["new"] == 1 and run["duplicate"] == len(pages) - 1

    es_client.indices.refresh(index=[clean_stores.articles_alias, clean_stores.duplicates_index])
    hits = es_client.search(index=clean_stores.articles_alias, size=10)["hits"]["hits"]
    assert len(hits) == 1
    document = hits[0]["_source"]
    listed = [item["url"] for item in document["also_seen_at"]]
    assert sorted(listed) == sorted(set(pages) - {document["final_url"], document["url"]})
    assert document["also_seen_count"] == len(listed)
    kinds = {item["url"]: item["kind"] for item in document["also_seen_at"]}
    assert {kinds[url] for url in kinds if "e.test" in url or "f.test" in url} <= {"near", "exact"}
    assert es_client.count(index=clean_stores.duplicates_index)["count"] == len(pages) - 1
    assert second_worker.proc.poll() is None and worker.proc.poll() is None
