"""Redis that fails over: a master, a replica and three Sentinels, real processes on loopback ports.

The same program as the single Redis (`redis-server`, which runs as a Sentinel with `--sentinel`), so a
machine that has Redis has all of it. Sentinels agree (quorum 2 of 3) that the master is down after
`down_after_ms` without an answer, and promote the replica; a master that comes back is made a replica of
the new one. Clients find the master by asking the Sentinels (`sentinel://` addresses).
"""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from newsdesk.kernel.errors import ServiceError
from newsdesk.localstack.services import RedisServer, free_port

log = logging.getLogger(__name__)

MASTER_NAME = "newsdesk"
QUORUM = 2


@dataclass
class SentinelServer(RedisServer):
    """One Sentinel watching `master_name` (its configuration file is its own: Sentinels rewrite it)."""

    master_port: int = 0
    master_name: str = MASTER_NAME
    master_password: str = ""
    down_after_ms: int = 1000
    failover_timeout_ms: int = 5000

    def command(self, binary: str) -> list[str]:
        config = self.data_dir / "sentinel.conf"
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            "daemonize no",
            f"dir {self.data_dir}",
            f"sentinel monitor {self.master_name} 127.0.0.1 {self.master_port} {QUORUM}",
            f"sentinel down-after-milliseconds {self.master_name} {self.down_after_ms}",
            f"sentinel failover-timeout {self.master_name} {self.failover_timeout_ms}",
            f"sentinel parallel-syncs {self.master_name} 1",
        ]
        if self.master_password:
            lines.append(f"sentinel auth-pass {self.master_name} {self.master_password}")
        if not config.exists():  # a restarted Sentinel keeps what it learnt (the current master, its peers)
            config.write_text("\n".join(lines) + "\n")
        return [binary, str(config), "--sentinel"]

    @property
    def address(self) -> str:
        return f"sentinel://127.0.0.1:{self.port}"


@dataclass
class RedisSentinelGroup:
    """A master, `replicas` replicas and `sentinels` Sentinels under `base_dir`."""

    base_dir: Path
    password: str = ""
    master_name: str = MASTER_NAME
    replicas: int = 1
    sentinels: int = 3
    down_after_ms: int = 1000
    failover_timeout_ms: int = 5000
    servers: list[RedisServer] = field(default_factory=list)
    watchers: list[SentinelServer] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The `sentinel://` address clients are given (NEWSDESK_REDIS_URL); the password is the servers'."""
        auth = f":{self.password}@" if self.password else ""
        parts = [
            f"sentinel://{auth}127.0.0.1:{s.port}/0" if i == 0 else s.address
            for i, s in enumerate(self.watchers)
        ]
        return ";".join(parts)

    def start(self, timeout: float = 60, detached: bool = False) -> RedisSentinelGroup:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        master = RedisServer(
            self.base_dir / "redis-0", port=free_port(), persistent=True, password=self.password
        ).start(detached=detached)
        self.servers = [master]
        for index in range(1, self.replicas + 1):
            replica = RedisServer(
                self.base_dir / f"redis-{index}",
                port=free_port(),
                persistent=True,
                password=self.password,
                extra_args=("--replicaof", "127.0.0.1", str(master.port)),
            ).start(detached=detached)
            self.servers.append(replica)
        self._until(lambda: all(self._linked(s) for s in self.servers[1:]), timeout, "replicas in sync")
        self.watchers = [
            SentinelServer(
                self.base_dir / f"sentinel-{index}",
                port=free_port(),
                master_port=master.port,
                master_name=self.master_name,
                master_password=self.password,
                down_after_ms=self.down_after_ms,
                failover_timeout_ms=self.failover_timeout_ms,
            ).start(detached=detached)
            for index in range(self.sentinels)
        ]
        self._until(self._watching, timeout, "Sentinels that know each other and every replica")
        log.info("started Redis through Sentinel: %s", self.describe())
        return self

    def describe(self) -> str:
        return (
            f"master {self.master_port()}, replicas "
            f"{[s.port for s in self.servers if s.port != self.master_port()]}, "
            f"Sentinels {[w.port for w in self.watchers]}"
        )

    def client(self, server: RedisServer) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1",
            port=server.port,
            password=self.password or None,
            socket_timeout=2,
            decode_responses=True,
        )

    def _sentinel_client(self, watcher: SentinelServer) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=watcher.port, socket_timeout=2, decode_responses=True)

    def master_port(self) -> int:
        """The master's port as the Sentinels see it (a majority of those that answer)."""
        seen: dict[int, int] = {}
        for watcher in self.watchers:
            try:
                with self._sentinel_client(watcher) as client:
                    host_port = client.execute_command(
                        "SENTINEL", "get-master-addr-by-name", self.master_name
                    )
            except (redis.RedisError, OSError):
                continue
            if host_port:
                port = int(host_port[1])
                seen[port] = seen.get(port, 0) + 1
        if not seen:
            raise ServiceError("no Sentinel answers")
        return max(seen, key=seen.__getitem__)

    def master(self) -> RedisServer:
        port = self.master_port()
        return next(server for server in self.servers if server.port == port)

    def _linked(self, server: RedisServer) -> bool:
        try:
            with self.client(server) as client:
                info = client.info("replication")
        except (redis.RedisError, OSError):
            return False
        return info.get("role") == "slave" and info.get("master_link_status") == "up"

    def _watching(self) -> bool:
        for watcher in self.watchers:
            try:
                with self._sentinel_client(watcher) as client:
                    state = client.execute_command("SENTINEL", "master", self.master_name)
            except (redis.RedisError, OSError):
                return False
            state = dict(zip(state[::2], state[1::2], strict=False)) if isinstance(state, list) else state
            if int(state.get("num-other-sentinels", 0)) < len(self.watchers) - 1:
                return False
            if int(state.get("num-slaves", 0)) < self.replicas:
                return False
        return True

    def _until(self, check, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.2)
        raise ServiceError(f"Redis through Sentinel: no {what} after {timeout:.0f}s")

    def kill_master(self) -> RedisServer:
        """SIGKILL the current master, as a crash would: what it had not yet sent its replica is lost."""
        server = self.master()
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(10)
        return server

    def wait_for_new_master(self, old_port: int, timeout: float = 60) -> int:
        """Until the Sentinels name another master and it takes writes; returns its port."""

        def promoted() -> bool:
            port = self.master_port()
            if port == old_port:
                return False
            server = next(s for s in self.servers if s.port == port)
            with self.client(server) as client:
                return client.info("replication").get("role") == "master"

        self._until(promoted, timeout, "new master")
        return self.master_port()

    def restart(self, server: RedisServer, timeout: float = 60) -> None:
        """Start a stopped server again on its port and data; the Sentinels make it the master's replica."""
        server.extra_args = ()
        server.start()
        self._until(lambda: self._linked(server), timeout, f"replica {server.port} in sync")

    def stop(self) -> None:
        for process in [*self.watchers, *reversed(self.servers)]:
            process.stop()

    @property
    def pids(self) -> dict[str, int]:
        pids = {f"redis-{i}": server.proc.pid for i, server in enumerate(self.servers) if server.proc}
        pids.update({f"sentinel-{i}": w.proc.pid for i, w in enumerate(self.watchers) if w.proc})
        return pids
