"""End to end: a page handed on whose task and fate Redis lost is fetched again by the next crawl, once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crawler.run import lost_after
from newsdesk.cli.crawl import format_run, run_crawl
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.state.client import build_redis
from newsdesk.state.runs import RunStore
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
SITE_SIZE = 12


@pytest.fixture(scope="module")
def demo_site():
    site = generate_site(size=SITE_SIZE, seed=23)
    with DemoServer(site) as server:
        yield site, server


def _asked_for(server: DemoServer, path: str) -> int:
    return sum(count for asked, count in server.requests.items() if asked.split("?")[0] == path)


def test_a_page_lost_with_its_fate_is_fetched_again_by_the_next_crawl_once(
    demo_site, clean_stores, worker, es_client
):
    site, server = demo_site
    settings = dataclasses.replace(clean_stores, demo_url=server.url)
    redis = build_redis(settings)
    runs = RunStore(redis, settings.index_prefix)
    first = run_crawl(settings, "demo", wait=True, timeout=300)
    key = f"{settings.index_prefix}:run:{first['run_id']}"

    # Every page the run counted as sent has its fate under the same URL: nothing is lost in a normal run.
    sent = redis.smembers(f"{key}:sent_urls")
    assert len(sent) == first["sent"] == SITE_SIZE + len(site.rejected_paths)
    assert sent <= set(redis.hkeys(f"{key}:urls"))

    # What a failover without confirmed replication can do: the send survived, the task and its fate not.
    article = site.articles[3]
    lost_url = next(url for url in sent if url.split("?")[0] == server.url + article.path)
    assert redis.hget(f"{key}:urls", lost_url) == "new"
    redis.hdel(f"{key}:urls", lost_url)
    redis.hincrby(key, "new", -1)
    es_client.delete(index=settings.articles_alias, id=document_id(canonical_url(lost_url)), refresh=True)
    settled = lost_after(settings) - 60
    redis.hset(key, "crawl_finished_at", dt.datetime.fromtimestamp(settled, dt.UTC).isoformat())
    assert runs.get(first["run_id"])["complete"] is False
    asked_before = _asked_for(server, article.path)

    second = run_crawl(settings, "demo", wait=True, timeout=300)

    assert second["complete"]
    assert second["sent"] == 1
    assert int(second["crawl_lost_handoffs_redone"]) == 1
    assert second["new"] == 1
    assert _asked_for(server, article.path) == asked_before + 1
    es_client.indices.refresh(index=settings.articles_alias)
    assert es_client.count(index=settings.articles_alias)["count"] == SITE_SIZE
    lost_run = runs.get(first["run_id"])
    assert (lost_run["lost"], lost_run["lost_redone_in"]) == (1, second["run_id"])
    assert runs.lost_urls(first["run_id"]) == [lost_url]
    assert f"fetched again by run {second['run_id']}" in format_run(lost_run)

    third = run_crawl(settings, "demo", wait=True, timeout=300)
    assert third["sent"] == 0
    assert int(third.get("crawl_lost_handoffs_redone", 0)) == 0
