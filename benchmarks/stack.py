"""Real services for a benchmark run: Redis, Elasticsearch and Celery workers on free loopback ports."""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
from pathlib import Path

from newsdesk.kernel.settings import Settings, default_home
from newsdesk.localstack.services import ElasticsearchNode, RedisServer, WorkerProcess

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_PREFIX = "ndbench"


class BenchStack:
    """Starts the same services the test harness does, in a scratch directory removed at the end."""

    def __init__(self, es_heap: str = "1g") -> None:
        self.base = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
        self.es_heap = es_heap
        self.redis: RedisServer | None = None
        self.es: ElasticsearchNode | None = None
        self.workers: list[WorkerProcess] = []
        self.settings: Settings | None = None

    def start(self) -> Settings:
        self.redis = RedisServer(self.base / "redis").start()
        self.es = ElasticsearchNode(
            self.base / "elasticsearch",
            password=secrets.token_urlsafe(12),
            install_home=default_home(),
            heap=self.es_heap,
        ).start(timeout=600)  # a loaded machine can take minutes to start a node
        self.settings = dataclasses.replace(
            Settings(),
            es_url=self.es.url,
            es_password=self.es.password,
            redis_url=self.redis.url,
            index_prefix=BENCH_PREFIX,
            home=self.base / "home",
            sources_file=REPO_ROOT / "sources.yaml",
            max_retries=3,
            retry_backoff_max=4,
        )
        return self.settings

    def start_workers(self, processes: int, concurrency: int, settings: Settings | None = None) -> list[int]:
        """Start `processes` worker processes of `concurrency` each; returns their pids."""
        env = (settings or self.settings).to_env()
        for number in range(processes):
            name = f"bench{len(self.workers)}-{number}"
            worker = WorkerProcess(
                env=env, log_file=self.base / f"worker-{name}.log", concurrency=concurrency, name=name
            )
            self.workers.append(worker.start(timeout=180))
        return [worker.proc.pid for worker in self.workers]

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def worker_log_tail(self, chars: int = 3000) -> str:
        return "\n".join(
            worker.log_file.read_text(errors="replace")[-chars:]
            for worker in self.workers
            if worker.log_file.exists()
        )

    def stop(self) -> None:
        self.stop_workers()
        if self.es is not None:
            self.es.stop()
        if self.redis is not None:
            self.redis.stop()
        shutil.rmtree(self.base, ignore_errors=True)
