"""Elasticsearch over HTTPS as Compose runs it: certificates from certutil, clients trusting only that CA."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app as cli
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.settings import Settings, default_home
from newsdesk.localstack.services import ElasticsearchNode

pytestmark = pytest.mark.services
ES_START_TIMEOUT = 420


@pytest.fixture(scope="module")
def tls_node(services_dir: Path):
    node = ElasticsearchNode(
        services_dir / "tls-es",
        password=secrets.token_urlsafe(12),
        install_home=default_home(),
        heap="512m",
        tls=True,
    ).start(timeout=ES_START_TIMEOUT)
    yield node
    node.stop()


def test_setup_and_search_over_https_trusting_only_our_ca(
    tls_node: ElasticsearchNode, base_settings, tmp_path
):
    from index.client import build_client, wait_for_health

    settings = Settings(
        es_url=tls_node.url,
        es_password=tls_node.password,
        es_ca_certs=str(tls_node.ca_certs),
        redis_url=base_settings.redis_url,
        index_prefix="ndtls",
        home=tmp_path / "home",
    )

    assert tls_node.url.startswith("https://")
    result = CliRunner().invoke(cli, ["setup"], env=settings.to_env())
    assert result.exit_code == 0, result.output
    es = build_client(settings)
    wait_for_health(es, timeout="30s")
    assert es.indices.exists_alias(name=settings.articles_alias)
    es.close()


def test_a_client_without_the_ca_is_refused_with_a_clear_error(tls_node: ElasticsearchNode, tmp_path):
    from index.client import build_client, wait_for_health

    untrusting = Settings(es_url=tls_node.url, es_password=tls_node.password, home=tmp_path / "home")

    with pytest.raises(NewsdeskError, match="(?i)certificate"):
        wait_for_health(build_client(untrusting), timeout="5s")
