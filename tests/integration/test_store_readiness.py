"""A store that is not set up, on a real Elasticsearch: `newsdesk crawl` refuses before fetching anything,
`--setup` sets it up and crawls, and an older mapping asks for `newsdesk migrate`."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from index.client import build_client
from index.security import analyst_role, worker_role
from index.setup import StoreReadiness, ensure_setup, migrate_stale, store_readiness
from index.templates import MAPPING_VERSION, Capabilities
from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import StoreNotReady
from newsdesk.kernel.settings import Settings
from newsdesk.state.runs import RunStore
from tasks.worker.crawls import crawl_source

pytestmark = pytest.mark.services
# A Redis database of its own: pages a crawl here hands on wait in this broker queue, never reaching the
# session's worker, which would index them under its own prefix.
REDIS_DB = 7


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer(generate_site(size=6, seed=5)) as server:
        yield server


@pytest.fixture
def fresh(base_settings: Settings, es_client, demo_server: DemoServer, tmp_path) -> Iterator[Settings]:
    """Settings for a prefix nothing was ever set up under, and the demo site as `{demo_url}`."""
    prefix = f"fresh-{uuid.uuid4().hex[:8]}"
    settings = dataclasses.replace(
        base_settings,
        index_prefix=prefix,
        redis_url=base_settings.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}",
        home=tmp_path / "home",
        demo_url=demo_server.url,
    )
    demo_server.requests.clear()
    yield settings
    es_client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
    es_client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
    redis.Redis.from_url(settings.redis_url).flushdb()


def _newsdesk(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    """The command as a person runs it: its own process, stdout and stderr apart."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args],
        env={**env, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _prefix_indices(es_client, settings: Settings) -> list[str]:
    return sorted(es_client.indices.get(index=f"{settings.index_prefix}-*", expand_wildcards="all"))


def test_a_crawl_on_an_unset_store_refuses_in_one_line_and_fetches_nothing(fresh, es_client, demo_server):
    started = time.monotonic()
    readiness = store_readiness(es_client, fresh)
    checked_in = time.monotonic() - started

    result = _newsdesk(fresh, "crawl", "demo")

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: the Elasticsearch store is not set up (missing alias ")
    assert line.endswith("run `newsdesk setup`")
    assert demo_server.request_count == 0, "nothing was fetched"
    assert _prefix_indices(es_client, fresh) == [], "the check wrote nothing"
    assert not readiness.ready and readiness.commands == ("newsdesk setup",)
    assert f"alias {fresh.articles_alias}" in readiness.missing
    assert f"template {fresh.articles_alias}" in readiness.missing
    assert checked_in < 5, f"the check took {checked_in:.2f}s"


def test_a_scheduled_crawl_on_an_unset_store_ends_its_run_with_the_reason(fresh, es_client, demo_server):
    with pytest.raises(StoreNotReady, match="run `newsdesk setup`"):
        crawl_source(fresh, CrawlRequest("demo"), trigger="schedule")

    runs = RunStore(redis.Redis.from_url(fresh.redis_url, decode_responses=True), fresh.index_prefix)
    (run_id,) = runs.recent()
    run = runs.get(run_id)
    assert run["crawl_finished"] == 1 and run["sent"] == 0
    assert run["crawl_finish_reason"].startswith("the Elasticsearch store is not set up")
    assert demo_server.request_count == 0
    assert not (fresh.home / "logs").exists(), "no crawler process was started"


def test_crawl_with_setup_sets_the_store_up_and_crawls(fresh, es_client, demo_server):
    result = _newsdesk(fresh, "crawl", "demo", "--setup", "--json")

    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"setup: created {fresh.articles_alias}-000001 behind alias {fresh.articles_alias}" in result.stderr
    )
    run = json.loads(result.stdout)
    assert run["crawl_finished"] == 1 and run["sent"] > 0
    assert demo_server.request_count > 0
    assert store_readiness(es_client, fresh) == StoreReadiness()

    again = _newsdesk(fresh, "crawl", "demo", "--setup", "--json")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "setup:" not in again.stderr, "setup is idempotent: nothing changed the second time"


def test_after_setup_the_store_is_ready(fresh, es_client):
    assert not store_readiness(es_client, fresh).ready

    ensure_setup(es_client, fresh)

    assert store_readiness(es_client, fresh) == StoreReadiness()


def test_an_older_mapping_asks_for_migrate(fresh, es_client, demo_server):
    ensure_setup(es_client, fresh)
    index = f"{fresh.articles_alias}-000001"
    # The marker setup and migrate keep: the mapping's _meta.mapping_version, as an older newsdesk left it.
    es_client.indices.put_mapping(
        index=index, meta={"mapping_version": MAPPING_VERSION - 1, "owner": "newsdesk"}
    )

    readiness = store_readiness(es_client, fresh)
    crawl = _newsdesk(fresh, "crawl", "demo")
    with_setup = _newsdesk(fresh, "crawl", "demo", "--setup")

    assert readiness.outdated == (index,) and readiness.commands == ("newsdesk migrate",)
    for result in (crawl, with_setup):
        assert result.returncode == 2, result.stdout + result.stderr
        (line,) = result.stderr.strip().splitlines()[-1:]
        assert line.startswith("error: the Elasticsearch store is not up to date")
        assert index in line and line.endswith("run `newsdesk migrate`")
    assert crawl.stderr.count("\n") == 1, crawl.stderr
    assert demo_server.request_count == 0

    migrate_stale(es_client, fresh, Capabilities())

    assert store_readiness(es_client, fresh).ready


@pytest.mark.parametrize("role", [worker_role, analyst_role], ids=["worker", "no-cluster-privilege"])
def test_a_crawling_account_judges_the_store_with_its_own_privileges(fresh, es_client, role):
    ensure_setup(es_client, fresh)
    name = f"{fresh.index_prefix}_{role.__name__}".replace("-", "_")
    password = secrets.token_urlsafe(12)
    es_client.security.put_role(name=name, **{k: v for k, v in role(fresh).items() if k != "applications"})
    es_client.security.put_user(username=name, password=password, roles=[name])
    account = build_client(dataclasses.replace(fresh, es_username=name, es_password=password))
    try:
        templates = account.options(ignore_status=403).indices.get_index_template(
            name=f"{fresh.index_prefix}-*"
        )
        # The workers' `monitor` privilege reads templates; without it they are judged by the aliases alone.
        assert templates.meta.status == (200 if role is worker_role else 403)
        assert store_readiness(account, fresh) == StoreReadiness()
        es_client.indices.delete(index=f"{fresh.raw_index}-000001")
        assert store_readiness(account, fresh).missing == (f"alias {fresh.raw_index}",)
    finally:
        account.close()
        es_client.security.delete_user(username=name)
        es_client.security.delete_role(name=name)
