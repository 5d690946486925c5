"""Pages a run handed on that never got a fate are found once the run has settled, and redone once."""

from __future__ import annotations

import dataclasses
import time

import pytest

from crawler.run import lost_after
from newsdesk.kernel.settings import Settings
from newsdesk.state.runs import RunStore

pytestmark = pytest.mark.services
SITE = "https://news.example"


def _run(runs: RunStore, source: str, sent: list[str], fated: list[str], finished: bool = True) -> str:
    """A run that handed on `sent` and recorded a fate for `fated`; its crawl finished now if `finished`."""
    run_id = runs.create(source)
    for url in sent:
        runs.count_sent_once(run_id, url)
    for url in fated:
        runs.record_outcome(run_id, url, "new")
    if finished:
        runs.finish_crawl(run_id, {"pages_fetched": len(sent)})
    return run_id


def test_a_page_sent_without_a_fate_is_found_once_the_run_has_settled(redis_client) -> None:
    redis_client.flushdb()
    runs = RunStore(redis_client, "ndlost")
    pages = [f"{SITE}/a/{n}.html" for n in range(4)]
    lossy = _run(runs, "alpha", sent=pages, fated=pages[:2])
    _run(runs, "alpha", sent=pages[:1], fated=pages[:1])  # complete: nothing lost
    _run(runs, "alpha", sent=pages, fated=[], finished=False)  # its crawl still runs
    _run(runs, "beta", sent=pages, fated=[])  # another source's

    assert runs.lost_handoffs("alpha", settled_before=time.time() - 60) == {}  # not settled yet
    assert runs.lost_handoffs("alpha", settled_before=time.time() + 1) == {lossy: pages[2:]}
    assert runs.get(lossy)["complete"] is False


def test_a_run_redone_once_is_not_found_again_and_shows_what_it_lost(redis_client) -> None:
    redis_client.flushdb()
    runs = RunStore(redis_client, "ndlost")
    pages = [f"{SITE}/b/{n}.html" for n in range(3)]
    lossy = _run(runs, "alpha", sent=pages, fated=pages[:1])

    runs.mark_redone(lossy, pages[1:], in_run="later-run")

    assert runs.lost_handoffs("alpha", settled_before=time.time() + 1) == {}
    run = runs.get(lossy)
    assert (run["lost"], run["lost_redone_in"]) == (2, "later-run")
    assert runs.lost_urls(lossy) == pages[1:]


def test_a_source_keeps_an_index_of_its_runs_of_the_day_only(redis_client) -> None:
    redis_client.flushdb()
    runs = RunStore(redis_client, "ndlost")
    redis_client.zadd("ndlost:runs:alpha", {"from-two-days-ago": time.time() - 2 * 86400})

    today = runs.create("alpha")
    runs.create("beta")

    assert redis_client.zrange("ndlost:runs:alpha", 0, -1) == [today]
    assert 0 < redis_client.ttl("ndlost:runs:alpha") <= 86400


def test_a_run_settles_after_the_visibility_timeout_and_every_retry():
    settings = dataclasses.replace(
        Settings(), broker_visibility_timeout=3600, max_retries=6, retry_backoff_max=300
    )
    assert lost_after(settings, now=100_000.0) == 100_000.0 - 3600 - 6 * 300
