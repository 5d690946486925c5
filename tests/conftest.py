"""Test harness: real Redis, real Elasticsearch (a node, a cluster), a real Celery worker, on loopback."""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.kernel.settings import Settings, default_home
from newsdesk.localstack.redis_group import RedisSentinelGroup
from newsdesk.localstack.services import ElasticsearchCluster, ElasticsearchNode, RedisServer, WorkerProcess

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = REPO_ROOT / "tests" / "data" / "seed-article-page.txt"
TEST_PREFIX = "ndtest"
# Short, so the removal tests see a grace period pass; the worker reads it at start.
REMOVAL_GRACE_SECONDS = 2
# Three nodes starting at once on two cores: about 40 s measured, several minutes on a loaded machine.
ES_CLUSTER_START_TIMEOUT = 600


def _announce(config: pytest.Config, message: str) -> None:
    """Write straight to the terminal, so the log shows which real services the run used."""
    capture = config.pluginmanager.get_plugin("capturemanager")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if capture is None or reporter is None:
        print(f"[harness] {message}")
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[harness] {message}")


@pytest.fixture(scope="session")
def services_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="newsdesk-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(services_dir: Path, pytestconfig: pytest.Config) -> Iterator[RedisServer]:
    server = RedisServer(services_dir / "redis").start()
    _announce(
        pytestconfig, f"started real Redis {server.info_version()} (pid {server.proc.pid}) at {server.url}"
    )
    yield server
    server.stop()
    _announce(pytestconfig, "stopped Redis")


@pytest.fixture(scope="session")
def es_node(services_dir: Path, pytestconfig: pytest.Config) -> Iterator[ElasticsearchNode]:
    node = ElasticsearchNode(
        services_dir / "elasticsearch", password=secrets.token_urlsafe(12), install_home=default_home()
    ).start()
    _announce(
        pytestconfig,
        f"started real Elasticsearch {node.version()} (pid {node.proc.pid}) at {node.url}, security on",
    )
    yield node
    node.stop()
    _announce(pytestconfig, "stopped Elasticsearch")


@pytest.fixture(scope="session")
def sentinel_group(services_dir: Path, pytestconfig: pytest.Config) -> Iterator[RedisSentinelGroup]:
    """Redis that fails over: a master, a replica and three Sentinels. Tests that kill a server start it
    again before they end, so the group always has a master and a replica in sync."""
    group = RedisSentinelGroup(services_dir / "sentinel-group", password=secrets.token_urlsafe(12)).start()
    _announce(pytestconfig, f"started Redis through Sentinel: {group.describe()}")
    yield group
    group.stop()
    _announce(pytestconfig, "stopped Redis through Sentinel")


@pytest.fixture(scope="session")
def es_cluster(services_dir: Path, pytestconfig: pytest.Config) -> Iterator[ElasticsearchCluster]:
    """Three real Elasticsearch nodes forming one cluster (TLS between them, HTTP to clients), apart from
    the session's single node. `.url` is NEWSDESK_ES_URL (every node, comma-separated), `.urls`,
    `.password`, `.ca_certs` (None: plain HTTP); `.kill(i)` SIGKILLs node i, `.restart(i)` brings it back
    on its ports and data. A test that kills a node restarts it, so the next one finds all three."""
    cluster = ElasticsearchCluster(
        services_dir / "es-cluster",
        password=secrets.token_urlsafe(12),
        install_home=default_home(),
        heap="512m",
    ).start(timeout=ES_CLUSTER_START_TIMEOUT)
    _announce(
        pytestconfig,
        f"started a real Elasticsearch cluster of {cluster.nodes} nodes in {cluster.start_seconds:.0f}s "
        f"at {cluster.url}",
    )
    yield cluster
    cluster.stop()
    _announce(pytestconfig, "stopped the Elasticsearch cluster")


@pytest.fixture(scope="session")
def base_settings(redis_server: RedisServer, es_node: ElasticsearchNode, services_dir: Path) -> Settings:
    return dataclasses.replace(
        Settings(),
        es_url=es_node.url,
        es_password=es_node.password,
        redis_url=redis_server.url,
        index_prefix=TEST_PREFIX,
        home=services_dir / "home",
        sources_file=REPO_ROOT / "sources.yaml",
        max_retries=3,
        retry_backoff_max=4,
        removal_grace_seconds=REMOVAL_GRACE_SECONDS,
    )


@pytest.fixture(scope="session")
def worker(
    base_settings: Settings, services_dir: Path, pytestconfig: pytest.Config
) -> Iterator[WorkerProcess]:
    process = WorkerProcess(env=base_settings.to_env(), log_file=services_dir / "worker.log").start()
    _announce(
        pytestconfig,
        f"started real Celery worker process (pid {process.proc.pid}), concurrency {process.concurrency}",
    )
    yield process
    process.stop()
    _announce(pytestconfig, "stopped Celery worker")
    if process.proc.returncode not in (0, None, -15):
        print((services_dir / "worker.log").read_text()[-5000:])


@pytest.fixture
def es_client(base_settings: Settings):
    from index.client import build_client

    client = build_client(base_settings)
    yield client
    client.close()


@pytest.fixture
def redis_client(base_settings: Settings):
    from newsdesk.state.client import build_redis

    client = build_redis(base_settings)
    yield client
    client.close()


@pytest.fixture
def clean_stores(base_settings: Settings, es_client, redis_client) -> Settings:
    """Empty indices and state (the broker queue included), then the same setup a user runs."""
    from index.setup import ensure_setup

    es_client.options(ignore_status=404).indices.delete(
        index=f"{base_settings.index_prefix}-*", expand_wildcards="all"
    )
    redis_client.flushdb()
    ensure_setup(es_client, base_settings)
    return base_settings


@pytest.fixture
def searchable(clean_stores, es_client, monkeypatch):
    """Documents written by the index writer into fresh stores, for `newsdesk search` to read: call it
    with the documents; the command line then finds these stores through the environment."""
    from index.writer import write_articles
    from tasks.dedupe.versions import REVISION_RULES

    def write(documents: list[dict]) -> Settings:
        outcomes = write_articles(es_client, clean_stores, documents, REVISION_RULES)
        assert [r.outcome for r in outcomes] == ["created"] * len(documents)
        es_client.indices.refresh(index=clean_stores.articles_alias)
        for name, value in clean_stores.to_env().items():
            monkeypatch.setenv(name, value)
        return clean_stores

    return write
