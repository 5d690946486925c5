"""The compose services, run for real without Docker: each service built from our image runs its own
`command`, with the environment compose would give it, against a real Redis and Elasticsearch.

What compose's network and volumes provide is mapped to this machine: `elasticsearch:9200` and
`redis:6379` become the local services (TLS and passwords as in compose, the values of `.env.example`),
`/certs/ca/ca.crt` the local node's CA, and the mounted `/app/sources.yaml` a registry with one source
enabled. Then the setup job sets `kibana_system`'s password and creates the stores and the users, beat
schedules exactly the enabled source, the crawl worker crawls it, and the page worker, logged in as the
least-privileged `newsdesk_worker` setup created, indexes every article.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import yaml
from elasticsearch import Elasticsearch

from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.schedules import entry_name
from newsdesk.kernel.settings import Settings, default_home
from newsdesk.localstack.services import ElasticsearchNode, RedisServer
from newsdesk.state.runs import RunStore
from tasks.worker.beat import redbeat_prefix

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]
SOURCE = "watched"
SITE_SIZE = 12
# The operator's gazetteer names a person its own way; the alias is a name the demo articles use, so
# an article that mentions him lists the operator's canonical name: the mounted file was read.
OPERATOR_PERSON = "V. V. Putin"
OPERATOR_ALIAS = "Vladimir Putin"
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?[-?](?P<default>[^}]*))?\}")


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$", line)
        if match:
            values[match["name"]] = match["value"]
    return values


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}`, and `$$` for a literal `$`."""

    def value(match: re.Match) -> str:
        given = variables.get(match["name"])
        if given:
            return given
        return match["default"] if match.group(0).count(":-") else ""

    return INTERPOLATION.sub(value, text.replace("$$", "\0")).replace("\0", "$")


def service_env(service: dict, variables: dict[str, str], local: dict[str, str]) -> dict[str, str]:
    env = {
        name: interpolate(str(value), variables) for name, value in (service.get("environment") or {}).items()
    }
    for name, value in env.items():
        for remote, here in local.items():
            value = value.replace(remote, here)
        env[name] = value
    return env


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_interpolation_reads_compose_as_compose_does() -> None:
    variables = {"SET": "yes", "EMPTY": ""}
    assert interpolate("${SET:?set it}", variables) == "yes"
    assert interpolate("${EMPTY:-fallback}/${MISSING:-x}", variables) == "fallback/x"
    assert interpolate("$$HOSTNAME", variables) == "$HOSTNAME"


def test_the_image_services_run_their_own_commands(compose, tmp_path: Path, services_dir: Path) -> None:
    variables = env_example()
    # An operator names a contact before enabling a source: compose runs in production mode, where a
    # crawl refuses a User-Agent no one could be reached at (.env.example says so).
    assert variables["NEWSDESK_PRODUCTION"] == "1" and not variables["NEWSDESK_CONTACT"]
    variables["NEWSDESK_CONTACT"] = "https://newsdesk.test/contact"
    services = {
        name: svc
        for name, svc in compose["services"].items()
        if svc.get("image") in ("newsdesk:local", "newsdesk:browser")
    }
    assert {"setup", "worker", "crawl-worker", "beat"} <= set(services)
    prefix = variables["NEWSDESK_INDEX_PREFIX"]
    settings = Settings(index_prefix=prefix)
    redis_server = RedisServer(services_dir / "compose-redis", password=variables["REDIS_PASSWORD"]).start()
    node = ElasticsearchNode(
        services_dir / "compose-es",
        password=variables["ELASTIC_PASSWORD"],
        install_home=default_home(),
        heap="512m",
        tls=True,
    )
    processes: list[tuple[str, subprocess.Popen, Path]] = []
    site = generate_site(SITE_SIZE, seed=5)
    try:
        node.start()
        with DemoServer(site) as demo:
            registry = yaml.safe_load((ROOT / "sources.yaml").read_text(encoding="utf-8"))
            registry["sources"].append(
                {
                    "name": SOURCE,
                    "start_urls": [f"{demo.url}/"],
                    "article_pattern": "/article/",
                    "allow_private": True,
                    "schedule": "every 10s",
                }
            )
            sources = tmp_path / "sources.yaml"
            sources.write_text(yaml.safe_dump(registry), encoding="utf-8")
            # The mounted gazetteer, with one entry of an operator's own that the worker must apply.
            gazetteer = tmp_path / "gazetteer.yaml"
            gazetteer.write_text(
                (ROOT / "config" / "gazetteer.yaml")
                .read_text(encoding="utf-8")
                .replace("people: {}", f"people:\n  {OPERATOR_PERSON}: [{OPERATOR_ALIAS}]"),
                encoding="utf-8",
            )
            local = {
                "https://elasticsearch:9200": node.url,
                "/certs/ca/ca.crt": str(node.ca_certs),
                "@redis:6379": f"@127.0.0.1:{redis_server.port}",
                "/app/sources.yaml": str(sources),
                "/app/config/gazetteer.yaml": str(gazetteer),
            }
            base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "CELERY_"))}
            base["NEWSDESK_HOME"] = str(tmp_path / "home")
            # The image puts its virtual environment first on PATH; so does this run.
            base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"

            # setup, its whole command: kibana_system's password, then `newsdesk setup` (stores and users).
            setup_env = service_env(services["setup"], variables, local)
            command = [interpolate(str(part), variables) for part in services["setup"]["command"]]
            done = subprocess.run(
                command, env={**base, **setup_env}, capture_output=True, text=True, timeout=300, cwd=tmp_path
            )
            assert done.returncode == 0, done.stdout + done.stderr
            assert "kibana_system password set" in done.stdout
            for user in ("newsdesk_worker", "newsdesk_analyst", "newsdesk_operator"):
                assert f"user {user} has role" in done.stdout

            for name in ("worker", "crawl-worker", "beat"):
                env = {**base, **service_env(services[name], variables, local)}
                command = [interpolate(str(part), variables) for part in services[name]["command"]]
                command = [
                    part.replace("/tmp/celerybeat-schedule", str(tmp_path / "beat-schedule"))
                    for part in command
                ]
                log_file = tmp_path / f"{name}.log"
                with open(log_file, "wb") as out:
                    process = subprocess.Popen(
                        command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path
                    )
                processes.append((name, process, log_file))

            worker_env = service_env(services["worker"], variables, local)
            assert worker_env["NEWSDESK_ES_USERNAME"] == "newsdesk_worker"
            client = redis.Redis.from_url(worker_env["NEWSDESK_REDIS_URL"], decode_responses=True)
            runs = RunStore(client, prefix)
            deadline = time.monotonic() + 240
            complete = []
            while time.monotonic() < deadline and not complete:
                time.sleep(2)
                complete = [r for r in (runs.get(i) for i in runs.recent(50)) if r.get("complete")]
                for name, process, log_file in processes:
                    assert process.poll() is None, f"{name} exited:\n{log_file.read_text()[-3000:]}"
            logs = {name: log_file.read_text(errors="replace") for name, _, log_file in processes}
            assert complete, "no crawl completed:\n" + "\n".join(f"{n}: {t[-2000:]}" for n, t in logs.items())

            # Beat scheduled exactly the enabled source: the examples stay off.
            beat_prefix = redbeat_prefix(settings)
            scheduled = {key.removeprefix(beat_prefix) for key in client.keys(f"{beat_prefix}crawl:*")}
            assert scheduled == {entry_name(SOURCE)}, scheduled
            run = min(complete, key=lambda r: r["started_at"])
            assert run["crawl_source"] == SOURCE
            assert (run["new"], run["failed"]) == (SITE_SIZE, 0), run
            es = Elasticsearch(node.url, basic_auth=("elastic", node.password), ca_certs=str(node.ca_certs))
            es.indices.refresh(index=f"{prefix}-articles")
            assert es.count(index=f"{prefix}-articles")["count"] == int(run["new"])
            mentions = es.search(
                index=f"{prefix}-articles", query={"match_phrase": {"body": OPERATOR_ALIAS}}, size=SITE_SIZE
            )["hits"]["hits"]
            assert mentions, "the demo articles name the alias"
            assert all(OPERATOR_PERSON in hit["_source"]["people"] for hit in mentions)
            # The crawl's log reached the crawl worker's own output, as `docker compose logs` shows it.
            assert "Spider closed" in logs["crawl-worker"] or "spider_closed" in logs["crawl-worker"]
    finally:
        for _, process, _ in processes:
            process.terminate()
        for _, process, _ in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        node.stop()
        redis_server.stop()
