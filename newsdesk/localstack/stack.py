"""The local stack for people without Docker: Redis, Elasticsearch, a worker and the demo site."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from newsdesk.kernel.settings import STACK_FILE
from newsdesk.kernel.wire import CRAWL_QUEUE
from newsdesk.localstack.redis_group import RedisSentinelGroup
from newsdesk.localstack.services import (
    REPO_ROOT,
    ElasticsearchCluster,
    ElasticsearchNode,
    RedisServer,
    WorkerProcess,
    free_port,
    install_all,
    port_is_free,
)

PREFERRED_PORTS = {"redis": 6379, "elasticsearch": 9200, "demo": 8765}


def _port(name: str) -> int:
    preferred = PREFERRED_PORTS[name]
    return preferred if port_is_free(preferred) else free_port()


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class LocalStack:
    """Processes started detached under `home`; their addresses go to `home/stack.json` for every command."""

    home: Path

    @property
    def stack_file(self) -> Path:
        return self.home / STACK_FILE

    def read(self) -> dict:
        if not self.stack_file.exists():
            return {}
        return json.loads(self.stack_file.read_text())

    def _password(self, service: str = "elasticsearch", name: str = "elastic-password") -> str:
        path = self.home / service / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(18))
            path.chmod(0o600)
        return path.read_text().strip()

    def up(
        self,
        demo_size: int = 60,
        external_es: str | None = None,
        external_redis: str | None = None,
        redis_mode: str = "single",
        workers: int = 1,
        es_nodes: int = 1,
    ) -> dict:
        """Start whatever is not running yet; reuse what is. Returns the stack description.

        `redis_mode` "sentinel": a master, a replica and three Sentinels instead of one Redis, and every
        hand-over confirmed on the replica; `workers`: page-worker processes (concurrency 2 each);
        `es_nodes` above 1: an Elasticsearch cluster of that many nodes, TLS between them.
        """
        shape = {"redis_mode": redis_mode, "workers": workers, "es_nodes": es_nodes}
        current = self.read()
        if current and self.status(current)["healthy"] and self._shaped(current, shape):
            return current
        if current:
            self.down()
        self.home.mkdir(parents=True, exist_ok=True)
        install_all(self.home)
        stack: dict = {"started_at": time.time(), "pids": {}, **shape}
        if external_redis:
            stack["redis_url"] = external_redis
        elif redis_mode == "sentinel":
            group = RedisSentinelGroup(
                self.home / "redis-sentinel", password=self._password("redis-sentinel", "redis-password")
            ).start(detached=True)
            stack.update(redis_url=group.url, redis_master=group.master_name, redis_min_replicas=1)
            stack["pids"].update(group.pids)
        else:
            redis_server = RedisServer(self.home / "redis", port=_port("redis"), persistent=True).start(
                detached=True
            )
            stack["redis_url"] = redis_server.url
            stack["pids"]["redis"] = redis_server.proc.pid
        if external_es:
            stack["es_url"] = external_es
        elif es_nodes > 1:
            cluster = ElasticsearchCluster(
                self.home / "elasticsearch-cluster",
                password=self._password(),
                install_home=self.home,
                nodes=es_nodes,
            ).start()
            stack["es_url"] = cluster.url
            stack["es_password"] = cluster.password
            stack["pids"].update({f"elasticsearch-{i}": m.proc.pid for i, m in enumerate(cluster.members)})
        else:
            node = ElasticsearchNode(
                self.home / "elasticsearch",
                password=self._password(),
                install_home=self.home,
                port=_port("elasticsearch"),
            ).start(detached=True)
            stack["es_url"] = node.url
            stack["es_password"] = node.password
            stack["pids"]["elasticsearch"] = node.proc.pid
        demo_port = _port("demo")
        demo_log = open(self.home / "demosite.log", "ab")  # noqa: SIM115 - handed to the detached child
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsdesk.demosite.site",
                "--size",
                str(demo_size),
                "--port",
                str(demo_port),
            ],
            stdout=demo_log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
        stack["demo_url"] = f"http://127.0.0.1:{demo_port}"
        stack["pids"]["demo"] = demo.pid
        self._write(stack)
        worker_env = {
            "NEWSDESK_HOME": str(self.home),
            "NEWSDESK_REDIS_URL": stack["redis_url"],
            "NEWSDESK_ES_URL": stack["es_url"],
        }
        if stack.get("es_password"):
            worker_env["NEWSDESK_ES_PASSWORD"] = stack["es_password"]
        if stack.get("redis_master"):
            worker_env["NEWSDESK_REDIS_MASTER"] = stack["redis_master"]
            worker_env["NEWSDESK_REDIS_MIN_REPLICAS"] = str(stack["redis_min_replicas"])
        for number in range(1, workers + 1):
            name = "worker" if number == 1 else f"worker-{number}"
            worker = WorkerProcess(
                env=worker_env, log_file=self.home / "logs" / f"{name}.log", name=name
            ).start(detached=True)
            stack["pids"][name] = worker.proc.pid
            self._write(stack)
        # Scheduled and `crawl --now` crawls run on a worker of their own (the crawl queue).
        crawl_worker = WorkerProcess(
            env=worker_env,
            log_file=self.home / "logs" / "crawl-worker.log",
            concurrency=1,
            name="crawl",
            queues=(CRAWL_QUEUE,),
        ).start(detached=True)
        stack["pids"]["crawl-worker"] = crawl_worker.proc.pid
        self._write(stack)
        return stack

    @staticmethod
    def _shaped(stack: dict, shape: dict) -> bool:
        """A running stack is reused only when it is the one asked for."""
        return stack_shape(stack) == shape

    def _write(self, stack: dict) -> None:
        self.stack_file.write_text(json.dumps(stack, indent=2))
        self.stack_file.chmod(0o600)

    def down(self) -> list[str]:
        stack = self.read()
        stopped = []
        # Workers first, so they can finish in-flight tasks while Redis and Elasticsearch still answer;
        # Sentinels before the servers they watch, so none of them starts a failover as the master stops.
        order = ("crawl-worker", "worker", "demo", "elasticsearch", "sentinel", "redis")
        pids = stack.get("pids", {})
        for name in sorted(
            pids, key=lambda n: next((i for i, p in enumerate(order) if n.startswith(p)), len(order))
        ):
            pid = pids[name]
            if not _alive(pid):
                continue
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + 60
            while _alive(pid) and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.2)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
            stopped.append(name)
        self.stack_file.unlink(missing_ok=True)
        return stopped

    def status(self, stack: dict | None = None) -> dict:
        stack = self.read() if stack is None else stack
        components = {name: _alive(pid) for name, pid in stack.get("pids", {}).items()}
        return {
            "running": bool(stack),
            "healthy": bool(components) and all(components.values()),
            "components": components,
            "redis_url": stack.get("redis_url"),
            "es_url": stack.get("es_url"),
            "demo_url": stack.get("demo_url"),
        }


def stack_shape(stack: dict) -> dict:
    """What `up` was asked for: Redis alone or through Sentinel, page workers, Elasticsearch nodes."""
    return {
        "redis_mode": stack.get("redis_mode", "single"),
        "workers": stack.get("workers", 1),
        "es_nodes": stack.get("es_nodes", 1),
    }


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
