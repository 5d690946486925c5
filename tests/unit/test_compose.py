"""The Compose deployment is valid, waits on health, and every variable it or the app reads is documented."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsdesk.kernel.settings import ENV_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# The cluster profile's changes to the services above, used with `--profile cluster`.
CLUSTER_FILE = ROOT / "docker-compose.cluster.yml"
CLUSTER = ("-f", str(COMPOSE_FILE), "-f", str(CLUSTER_FILE), "--profile", "cluster")
ENV_EXAMPLE = ROOT / ".env.example"

ONE_SHOT_SERVICES = {"certs", "setup", "kibana-setup"}
# The image every project service runs, and its variant that carries Chromium (the crawl worker).
PROJECT_IMAGES = ("newsdesk:local", "newsdesk:browser")
# Compose reads these itself; they are never interpolated into the file.
COMPOSE_CLI_VARIABLES = {"COMPOSE_PROJECT_NAME", "COMPOSE_FILE", "COMPOSE_PROFILES"}
PROJECT_ENVIRONMENT = {
    "NEWSDESK_ES_URL": "https://elasticsearch:9200",
    "NEWSDESK_ES_CA_CERTS": "/certs/ca/ca.crt",
    "NEWSDESK_REDIS_URL": "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}@redis:6379/0",
    "NEWSDESK_SOURCES_FILE": "/app/sources.yaml",
}
# Only the one-shot setup job is the superuser; long-running services use the least-privileged user.
SUPERUSER_SERVICES = {"setup", "kibana-setup"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY")
PLACEHOLDER = "change-me"
ENV_LINE = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
# `$$` is Compose's escape for a literal `$` handed to the container; only single `$` interpolates.
INTERPOLATION = re.compile(r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def load_cluster_override() -> dict[str, Any]:
    return yaml.safe_load(CLUSTER_FILE.read_text())


def documented_variables() -> dict[str, str]:
    """Every `NAME=value` in .env.example, set or commented out, with its value."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            found[match["name"]] = match["value"]
    return found


def strings_in(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


def interpolated_variables(compose: dict[str, Any]) -> set[str]:
    names = set()
    for text in strings_in(compose):
        for match in INTERPOLATION.finditer(text.replace("$$", "")):
            names.add(match["braced"] or match["bare"])
    return names


def project_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("image") in PROJECT_IMAGES}


def compose_env(extra_clear: set[str]) -> dict[str, str]:
    """The caller's environment minus anything that would shadow .env.example."""
    return {k: v for k, v in os.environ.items() if k not in extra_clear and not k.startswith("COMPOSE_")}


def run_docker_compose(
    env_file: Path, files: tuple[str, ...] = ("-f", str(COMPOSE_FILE)), quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed, so docker-compose.yml cannot be validated: "
            "run `apt-get install -y docker-compose` (the Makefile does this)"
        )
    shadowing = (
        set(documented_variables())
        | interpolated_variables(load_compose())
        | interpolated_variables(load_cluster_override())
    )
    return subprocess.run(
        [binary, *files, "--env-file", str(env_file), "config", *(["-q"] if quiet else [])],
        cwd=ROOT,
        env=compose_env(shadowing),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "files",
    [("-f", str(COMPOSE_FILE)), ("-f", str(COMPOSE_FILE), "--profile", "cluster"), CLUSTER],
    ids=["default", "cluster-profile", "cluster-profile-and-override"],
)
def test_docker_compose_accepts_the_file_with_the_example_env(files: tuple[str, ...]) -> None:
    result = run_docker_compose(ENV_EXAMPLE, files)

    assert result.returncode == 0, result.stderr
    # Unset variables are only a warning to Compose; here they are an error.
    assert "WARNING" not in result.stderr, result.stderr


def test_docker_compose_refuses_to_start_without_passwords(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")

    result = run_docker_compose(empty)

    assert result.returncode != 0
    assert "ELASTIC_PASSWORD" in result.stderr


def test_uses_the_compose_specification_without_a_version_key() -> None:
    assert "version" not in load_compose()


def test_every_long_running_service_has_a_healthcheck() -> None:
    services = load_compose()["services"]

    missing = [
        name
        for name, svc in services.items()
        if name not in ONE_SHOT_SERVICES
        and (not svc.get("healthcheck", {}).get("test") or svc["healthcheck"].get("disable"))
    ]

    assert missing == []


def test_one_shot_services_run_once() -> None:
    services = load_compose()["services"]

    for name in ONE_SHOT_SERVICES:
        assert services[name]["restart"] == "no", name
        assert "healthcheck" not in services[name], name


def test_every_dependency_waits_on_a_condition() -> None:
    services = load_compose()["services"]

    for name, svc in services.items():
        depends_on = svc.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on must be a mapping with conditions"
        for dependency, spec in depends_on.items():
            expected = (
                "service_completed_successfully" if dependency in ONE_SHOT_SERVICES else "service_healthy"
            )
            assert spec == {"condition": expected}, f"{name} -> {dependency}"


def test_project_services_share_the_newsdesk_environment() -> None:
    services = project_services(load_compose())

    assert set(services) == {"setup", "kibana-setup", "worker", "crawl-worker", "beat"}
    for name, svc in services.items():
        env = svc["environment"]
        assert PROJECT_ENVIRONMENT.items() <= env.items(), name
        if name in SUPERUSER_SERVICES:
            assert env["NEWSDESK_ES_USERNAME"] == "elastic", name
            assert env["NEWSDESK_ES_PASSWORD"].startswith("${ELASTIC_PASSWORD"), name
        else:
            assert env["NEWSDESK_ES_USERNAME"] == "newsdesk_worker", name
            assert env["NEWSDESK_ES_PASSWORD"].startswith("${WORKER_ES_PASSWORD"), name
        unknown = {var for var in env if var.startswith("NEWSDESK_")} - set(ENV_VARIABLES)
        assert unknown == set(), f"{name} sets variables the app never reads"


def test_published_ports_stay_on_the_bind_address() -> None:
    services = load_compose()["services"]

    ports = [port for svc in services.values() for port in svc.get("ports", [])]

    assert ports
    assert all(str(port).startswith("${BIND_ADDRESS:-127.0.0.1}:") for port in ports), ports
    assert documented_variables()["BIND_ADDRESS"] == "127.0.0.1"


def test_every_compose_variable_is_documented() -> None:
    used = interpolated_variables(load_compose()) | interpolated_variables(load_cluster_override())
    undocumented = used - set(documented_variables())

    assert undocumented == set()


def test_every_application_variable_is_documented() -> None:
    undocumented = set(ENV_VARIABLES) - set(documented_variables())

    assert undocumented == set()


def test_every_documented_variable_is_read_by_something() -> None:
    used = interpolated_variables(load_compose()) | set(ENV_VARIABLES) | COMPOSE_CLI_VARIABLES

    stale = set(documented_variables()) - used

    assert stale == set()


def test_every_documented_variable_has_a_comment_above_it() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()

    uncommented = [
        match["name"]
        for before, line in zip(["", *lines], lines, strict=False)
        if (match := ENV_LINE.match(line.strip()))
        and not (before.startswith("#") and not ENV_LINE.match(before.strip()))
    ]

    assert uncommented == []


def test_env_example_holds_placeholders_not_secrets() -> None:
    variables = documented_variables()

    secrets = {
        name: value
        for name, value in variables.items()
        if SECRET_NAME.search(name) and value and not value.startswith(PLACEHOLDER)
    }
    credentials_in_urls = {
        name: value for name, value in variables.items() if re.search(r"://[^/\s]*@", value)
    }

    assert secrets == {}
    assert credentials_in_urls == {}


def test_dashboards_are_imported_once_kibana_is_healthy() -> None:
    services = load_compose()["services"]

    importer = services["kibana-setup"]

    assert importer["depends_on"]["kibana"] == {"condition": "service_healthy"}
    assert importer["command"][:3] == ["newsdesk", "setup", "--kibana"]
    assert importer["command"][3] == "https://kibana:5601"
    # Kibana itself waits for `setup` (it sets kibana_system's password), so the import needs its own job.
    assert services["kibana"]["depends_on"]["setup"] == {"condition": "service_completed_successfully"}


def test_redis_requires_a_password_and_every_client_sends_it() -> None:
    services = load_compose()["services"]

    assert "--requirepass" in " ".join(services["redis"]["command"])
    assert services["redis"]["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD")
    assert services["flower"]["environment"]["CELERY_BROKER_URL"].startswith("redis://:${REDIS_PASSWORD")


def test_only_the_user_facing_services_publish_ports() -> None:
    services = load_compose()["services"]

    assert {name for name, svc in services.items() if svc.get("ports")} == {"kibana", "flower"}


def test_flower_asks_for_a_login() -> None:
    flower = load_compose()["services"]["flower"]

    assert flower["environment"]["FLOWER_BASIC_AUTH"].endswith(
        ":${FLOWER_PASSWORD:?set FLOWER_PASSWORD in .env}"
    )


def test_elasticsearch_and_kibana_speak_tls_with_certificates_made_once() -> None:
    services = load_compose()["services"]
    es, kibana, certs = services["elasticsearch"], services["kibana"], services["certs"]

    assert "elasticsearch-certutil ca" in certs["command"][-1]
    assert "if [ ! -f ca/ca.crt ]" in certs["command"][-1], "made once, kept across restarts"
    assert es["depends_on"]["certs"] == {"condition": "service_completed_successfully"}
    assert es["environment"]["xpack.security.http.ssl.enabled"] == "true"
    assert es["environment"]["xpack.security.transport.ssl.enabled"] == "true"
    assert "https://localhost:9200" in es["healthcheck"]["test"][-1]
    assert kibana["environment"]["ELASTICSEARCH_HOSTS"] == '["https://elasticsearch:9200"]'
    assert kibana["environment"]["ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES"].endswith("ca/ca.crt")
    assert kibana["environment"]["SERVER_SSL_ENABLED"] == "true"
    for name, svc in project_services(load_compose()).items():
        assert "certs:/certs:ro" in svc["volumes"], name
        assert svc["environment"]["NEWSDESK_ES_URL"].startswith("https://"), name


def test_compose_redis_keeps_the_dedupe_maps_as_compact_as_the_local_one() -> None:
    from newsdesk.localstack.services import REDIS_COMPACT_HASHES

    command = " ".join(load_compose()["services"]["redis"]["command"])
    assert " ".join(REDIS_COMPACT_HASHES) in command


def test_every_service_has_a_memory_limit() -> None:
    unlimited = [name for name, service in load_compose()["services"].items() if not service.get("mem_limit")]
    assert unlimited == []


def test_the_source_registry_and_the_gazetteer_are_mounted_not_baked_in() -> None:
    for name, service in project_services(load_compose()).items():
        assert "./sources.yaml:/app/sources.yaml:ro" in service["volumes"], name
        assert service["environment"]["NEWSDESK_SOURCES_FILE"] == "/app/sources.yaml", name
        assert "./config:/app/config:ro" in service["volumes"], name
        assert service["environment"]["NEWSDESK_GAZETTEER_FILE"] == "/app/config/gazetteer.yaml", name
    # What is mounted loads: the shipped override file is a valid, empty gazetteer.
    from tasks.enrich.gazetteer import load_gazetteer

    load_gazetteer(ROOT / "config" / "gazetteer.yaml")


def test_kibana_keeps_fixed_encryption_keys() -> None:
    kibana = load_compose()["services"]["kibana"]["environment"]
    for name in (
        "XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY",
        "XPACK_SECURITY_ENCRYPTIONKEY",
        "XPACK_REPORTING_ENCRYPTIONKEY",
    ):
        assert "KIBANA_ENCRYPTION_KEY" in kibana[name]
    assert len(documented_variables()["KIBANA_ENCRYPTION_KEY"]) >= 32


def test_pages_and_crawls_have_workers_of_their_own_one_queue_each() -> None:
    from newsdesk.kernel.wire import CRAWL_QUEUE, QUEUE

    services = load_compose()["services"]

    def queues(name: str) -> list[str]:
        command = services[name]["command"]
        return command[command.index("-Q") + 1].split(",")

    # One queue a worker: the broker transport's delivering list holds only then (several fall back to BRPOP).
    assert queues("worker") == [QUEUE]
    assert queues("crawl-worker") == [CRAWL_QUEUE]


def test_only_the_crawl_worker_image_carries_the_browser() -> None:
    services = project_services(load_compose())

    assert services["crawl-worker"]["build"]["args"] == {"WITH_CHROMIUM": "true"}
    assert services["crawl-worker"]["image"] != services["worker"]["image"]
    for name in set(services) - {"crawl-worker"}:
        assert "args" not in services[name].get("build", {}), name
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG WITH_CHROMIUM=false" in dockerfile
    assert 'if [ "$WITH_CHROMIUM" = "true" ]; then apt-get install -y --no-install-recommends chromium' in (
        dockerfile
    )


# --- the cluster profile ------------------------------------------------------------------------------

CLUSTER_SERVICES = {
    "es02",
    "es03",
    "redis-replica",
    "redis-sentinel-1",
    "redis-sentinel-2",
    "redis-sentinel-3",
}
ES_NODES = ["elasticsearch", "es02", "es03"]
SENTINELS = ["redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3"]
MASTER_NAME = "newsdesk"
SENTINEL_MONITOR = re.compile(
    r"^sentinel monitor (?P<name>\S+) (?P<host>\S+) (?P<port>\d+) (?P<quorum>\d+)$", re.M
)


@pytest.fixture(scope="module")
def cluster() -> dict[str, dict[str, Any]]:
    """The services as Compose runs them with the profile and its override file (the example env)."""
    result = run_docker_compose(ENV_EXAMPLE, CLUSTER, quiet=False)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_the_cluster_profile_adds_services_and_changes_none_without_its_override() -> None:
    services = load_compose()["services"]

    profiled = {name for name, svc in services.items() if svc.get("profiles")}
    assert profiled == CLUSTER_SERVICES
    assert all(services[name]["profiles"] == ["cluster"] for name in profiled)
    # The override file only changes services that run without the profile too.
    assert set(load_cluster_override()["services"]) <= set(services) - profiled


def test_the_cluster_has_three_elasticsearch_nodes_that_join_over_tls(cluster) -> None:
    nodes = {name: svc for name, svc in cluster.items() if "cluster.name" in svc.get("environment", {})}
    certs_command = cluster["certs"]["command"][-1]
    instances = re.search(r"for name in ([\w\s-]+); do", certs_command)

    assert sorted(nodes) == ES_NODES
    assert instances and set(ES_NODES) <= set(instances[1].split()), "every node gets a certificate"
    data_volumes = set()
    for name, node in nodes.items():
        env = node["environment"]
        assert env["cluster.name"] == "newsdesk", name
        assert env["node.name"] == name
        assert env.get("discovery.type", "multi-node") == "multi-node", name
        assert sorted(env["discovery.seed_hosts"].split(",")) == sorted(set(ES_NODES) - {name}), name
        # One node bootstraps, naming all three; the others only join, so they never form a cluster apart.
        if name == ES_NODES[0]:
            assert env["cluster.initial_master_nodes"].split(",") == ES_NODES
        else:
            assert "cluster.initial_master_nodes" not in env, name
        assert env["xpack.security.enabled"] == "true", name
        for layer in ("transport", "http"):
            assert env[f"xpack.security.{layer}.ssl.enabled"] == "true", (name, layer)
            assert env[f"xpack.security.{layer}.ssl.key"] == f"certs/{name}/{name}.key", (name, layer)
            assert env[f"xpack.security.{layer}.ssl.certificate"] == f"certs/{name}/{name}.crt", (name, layer)
            assert env[f"xpack.security.{layer}.ssl.certificate_authorities"] == "certs/ca/ca.crt", name
        assert env["xpack.security.transport.ssl.verification_mode"] in ("certificate", "full"), name
        assert node["depends_on"]["certs"] == {"condition": "service_completed_successfully"}, name
        assert "https://localhost:9200/_cluster/health" in node["healthcheck"]["test"][-1], name
        data = [v for v in node["volumes"] if v.endswith(":/usr/share/elasticsearch/data:rw")]
        assert len(data) == 1, name
        data_volumes.add(data[0])
    assert len(data_volumes) == len(ES_NODES), "each node its own volume"


def test_redis_has_a_replica_and_three_sentinels_with_a_quorum_of_two(cluster) -> None:
    from newsdesk.localstack.services import REDIS_COMPACT_HASHES

    master = " ".join(cluster["redis"]["command"])
    replica = " ".join(cluster["redis-replica"]["command"])
    sentinels = {
        name: svc for name, svc in cluster.items() if "--sentinel" in " ".join(svc.get("command", []))
    }

    for command in (master, replica):
        assert '--requirepass "$$REDISCLI_AUTH"' in command
        # Demoted or promoted by a failover, each authenticates to the other.
        assert '--masterauth "$$REDISCLI_AUTH"' in command
        assert "--appendonly yes" in command
        assert " ".join(REDIS_COMPACT_HASHES) in command
    assert "--replicaof redis 6379" in replica and "--replicaof" not in master
    assert (
        cluster["redis-replica"]["environment"]["REDISCLI_AUTH"] == documented_variables()["REDIS_PASSWORD"]
    )
    assert sorted(sentinels) == SENTINELS
    for name, sentinel in sentinels.items():
        config = sentinel["command"][-1]
        (monitor,) = SENTINEL_MONITOR.finditer(config)
        assert (monitor["name"], monitor["host"], monitor["port"]) == (MASTER_NAME, "redis", "6379"), name
        # Two Sentinels agree the master is down; a majority of three (two) authorises the failover.
        assert int(monitor["quorum"]) == 2 <= len(SENTINELS) // 2 + 1, name
        assert f"sentinel auth-pass {MASTER_NAME} $$REDISCLI_AUTH" in config, name
        assert "requirepass $$REDISCLI_AUTH" in config, name
        # Hostnames resolved and announced, so a recreated container's new address changes nothing.
        assert "sentinel resolve-hostnames yes" in config.split("sentinel monitor")[0], name
        assert sentinel["hostname"] == name
        assert sentinel["environment"]["REDISCLI_AUTH"] == documented_variables()["REDIS_PASSWORD"], name
        assert "ckquorum" in sentinel["healthcheck"]["test"][-1], name


def test_every_client_of_the_cluster_is_given_all_its_nodes(cluster) -> None:
    password = documented_variables()["REDIS_PASSWORD"]
    sentinel_url = ";".join(f"sentinel://:{password}@{name}:26379" for name in SENTINELS)
    es_url = ",".join(f"https://{name}:9200" for name in ES_NODES)

    clients = {name: svc for name, svc in cluster.items() if svc.get("image") in PROJECT_IMAGES}
    assert set(clients) == {"setup", "kibana-setup", "worker", "crawl-worker", "beat"}
    for name, svc in clients.items():
        env = svc["environment"]
        assert env["NEWSDESK_ES_URL"] == es_url, name
        assert env["NEWSDESK_REDIS_URL"] == sentinel_url, name
        assert env["NEWSDESK_REDIS_MASTER"] == MASTER_NAME, name
        assert env["NEWSDESK_REDIS_SENTINEL_PASSWORD"] == password, name
        assert env["NEWSDESK_REDIS_MIN_REPLICAS"] == "1", name
        unknown = {var for var in env if var.startswith("NEWSDESK_")} - set(ENV_VARIABLES)
        assert unknown == set(), name
        if name != "kibana-setup":  # it waits for Kibana, which waits for setup
            assert all(svc["depends_on"][s] == {"condition": "service_healthy"} for s in SENTINELS), name
    assert cluster["kibana"]["environment"]["ELASTICSEARCH_HOSTS"] == str(
        [f"https://{name}:9200" for name in ES_NODES]
    ).replace("'", '"').replace(" ", "")
    assert cluster["flower"]["environment"]["CELERY_BROKER_URL"] == sentinel_url
    assert f'"master_name": "{MASTER_NAME}"' in cluster["flower"]["command"][-1]
    assert "connection_for_write" in cluster["beat"]["healthcheck"]["test"][-1]
