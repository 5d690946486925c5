"""Installs and runs real local services (Redis, Elasticsearch, a Celery worker) without Docker."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.kernel.errors import ServiceError

log = logging.getLogger(__name__)

ES_VERSION = "9.2.4"
ES_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
# Elasticsearch 9 needs Java 21+; the machine's default Java is 17, Temurin 25 sits beside it.
JAVA_CANDIDATES = ("/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/temurin-21-jdk-amd64")
UNPRIVILEGED_UID = 65534  # `nobody`: Elasticsearch refuses to run as root
REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    log.info("running %s", " ".join(cmd))
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)
    except FileNotFoundError as exc:
        raise ServiceError(f"{cmd[0]} is not installed") from exc
    except subprocess.CalledProcessError as exc:
        raise ServiceError(f"{' '.join(cmd)} failed ({exc.returncode}): {exc.stderr[-2000:]}") from exc


def is_root() -> bool:
    return os.geteuid() == 0


# --- installation -------------------------------------------------------------------------------


def _apt_install(package: str) -> None:
    """Install one Debian package (as root, or through password-less sudo), without recommended extras."""
    prefix = [] if is_root() else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run([*prefix, "apt-get", "update", "-q"], env=env)
    _run([*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", package], env=env)


def _ensure_installed(program: str, package: str) -> str:
    """The path of `program`, installing Debian's `package` when it is missing."""
    found = shutil.which(program)
    if found:
        return found
    _apt_install(package)
    found = shutil.which(program)
    if not found:
        raise ServiceError(f"{program} still missing after apt-get install {package}")
    return found


def ensure_redis_installed() -> str:
    """Return the path of redis-server (which also runs as a Sentinel), installing it when missing."""
    return _ensure_installed("redis-server", "redis-server")


def ensure_chromium_installed() -> str:
    """Return the path of Debian's chromium, which crawls of rendering sources drive, installing it when
    missing (Playwright's own browser download is not used: the system one is kept up to date by apt)."""
    return _ensure_installed("chromium", "chromium")


def find_java_home() -> Path:
    """A JDK that can run Elasticsearch 9: ES_JAVA_HOME if set, else Temurin 25 beside the default Java."""
    if os.environ.get("ES_JAVA_HOME"):
        return Path(os.environ["ES_JAVA_HOME"])
    for candidate in JAVA_CANDIDATES:
        if (Path(candidate) / "bin" / "java").exists():
            return Path(candidate)
    raise ServiceError(f"no JDK 21+ found (looked at {', '.join(JAVA_CANDIDATES)}); set ES_JAVA_HOME")


def elasticsearch_zip() -> Path:
    """The Elasticsearch distribution zip, fetched once with Maven into the local repository."""
    group, artifact, version, ext = ES_ARTIFACT.split(":")
    m2 = Path(os.environ.get("MAVEN_REPO", Path.home() / ".m2" / "repository"))
    path = m2.joinpath(*group.split("."), artifact, version, f"{artifact}-{version}.{ext}")
    if not path.exists():
        _run(["mvn", "-q", "-B", "dependency:get", f"-Dartifact={ES_ARTIFACT}", "-Dtransitive=false"])
    if not path.exists():
        raise ServiceError(f"Maven did not produce {path}")
    return path


def ensure_elasticsearch_installed(home: Path) -> Path:
    """Unpack the distribution under `home` (once) and return its ES_HOME, with the security analysis."""
    dist = home / "dist"
    es_home = dist / f"elasticsearch-{ES_VERSION}"
    if (es_home / "bin" / "elasticsearch").exists():
        ensure_security_analysis(es_home)
        return es_home
    archive = elasticsearch_zip()
    dist.mkdir(parents=True, exist_ok=True)
    staging = dist / f".unpack-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = zf.extract(info, staging)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode)
    staging.joinpath(es_home.name).rename(es_home)
    shutil.rmtree(staging, ignore_errors=True)
    ensure_security_analysis(es_home)
    _open_path_to(es_home)
    return es_home


SECURITY_ANALYSIS = Path(__file__).resolve().parent / "security_analysis" / "SecurityIndexAnalysisPlugin.java"
SECURITY_ANALYSIS_PLUGIN = "newsdesk-security-analysis"
SECURITY_ANALYSIS_DESCRIPTOR = f"""description=The security index's analysis, for the minimal distribution
version=1.0
name={SECURITY_ANALYSIS_PLUGIN}
classname=newsdesk.analysis.SecurityIndexAnalysisPlugin
java.version=21
elasticsearch.version={ES_VERSION}
"""


def ensure_security_analysis(es_home: Path) -> None:
    """Compile and install the plugin that lets the security API store roles and users (once per source).

    Built against the distribution's own jars with its JDK; a node loads plugins as it starts, so a node
    already running is not affected, and the install is atomic (a rename) for one that starts meanwhile.
    """
    source = SECURITY_ANALYSIS.read_bytes()
    stamp = hashlib.sha256(source).hexdigest()[:16]
    plugin = es_home / "plugins" / SECURITY_ANALYSIS_PLUGIN
    if (plugin / "source.sha256").exists() and (plugin / "source.sha256").read_text() == stamp:
        return
    bin_dir = find_java_home() / "bin"
    with tempfile.TemporaryDirectory(prefix="security-analysis-", dir=es_home) as build:
        build_dir = Path(build)
        classes = build_dir / "classes"
        _run(
            [str(bin_dir / "javac"), "--release", "21", "-cp", str(es_home / "lib" / "*")]
            + ["-d", str(classes), str(SECURITY_ANALYSIS)]
        )
        staged = build_dir / SECURITY_ANALYSIS_PLUGIN
        staged.mkdir()
        _run(
            [
                str(bin_dir / "jar"),
                "cf",
                str(staged / f"{SECURITY_ANALYSIS_PLUGIN}.jar"),
                "-C",
                str(classes),
                ".",
            ]
        )
        (staged / "plugin-descriptor.properties").write_text(SECURITY_ANALYSIS_DESCRIPTOR)
        (staged / "source.sha256").write_text(stamp)
        for path in [staged, *staged.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        shutil.rmtree(plugin, ignore_errors=True)
        staged.rename(plugin)


def _open_path_to(path: Path) -> None:
    """Let the unprivileged Elasticsearch account traverse every parent directory we created."""
    if not is_root():
        return
    for parent in [path, *path.parents]:
        if parent == Path("/") or not parent.exists():
            continue
        mode = parent.stat().st_mode
        if parent.owner() == "root" and not mode & 0o001 and str(parent).startswith(("/var/tmp", "/tmp")):
            os.chmod(parent, mode | 0o005)


def install_all(home: Path) -> Path:
    ensure_redis_installed()
    find_java_home()
    return ensure_elasticsearch_installed(home)


# --- processes ----------------------------------------------------------------------------------


def _wait(
    check, timeout: float, what: str, proc: subprocess.Popen | None = None, log_file: Path | None = None
):
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log_file.read_text(errors="replace")[-3000:] if log_file and log_file.exists() else ""
            raise ServiceError(f"{what} exited with {proc.returncode} while starting:\n{tail}")
        try:
            result = check()
            if result:
                return result
        except (OSError, ValueError, urllib.error.URLError) as exc:
            last_error = exc
        time.sleep(0.5)
    raise ServiceError(f"{what} not ready after {timeout:.0f}s (last error: {last_error})")


def _stop(proc: subprocess.Popen | None, timeout: float = 30, group: bool = False) -> None:
    """SIGTERM, then SIGKILL: to the whole group when `group` (a launcher killed alone would leave its
    server behind)."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(10)


# Hashes of up to this many short entries stay one compact listpack: the sharded per-article maps
# (newsdesk.state.claims.sharded) then cost ~20-60 bytes an entry instead of ~100-200 up to ~250,000 articles;
# a hash past either bound still works, only bigger. docker-compose.yml starts Redis with the same.
REDIS_COMPACT_HASHES = ["--hash-max-listpack-entries", "1024", "--hash-max-listpack-value", "128"]


@dataclass
class RedisServer:
    """A real redis-server on a loopback port."""

    data_dir: Path
    port: int = 0
    persistent: bool = False
    # A password clients must send (`requirepass`), as a deployment's Redis has; none by default. A server
    # that may become a replica (a Sentinel group's) sends it to its master too (`masterauth`).
    password: str = ""
    # More options for the command line (`--replicaof HOST PORT` for a replica).
    extra_args: tuple[str, ...] = ()
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def _hello(self) -> bytes:
        """What a connection says first: AUTH when the server asks for a password."""
        return f"AUTH {self.password}\r\n".encode() if self.password else b""

    def command(self, binary: str) -> list[str]:
        persistence = ["--appendonly", "yes"] if self.persistent else ["--save", "", "--appendonly", "no"]
        password = ["--requirepass", self.password, "--masterauth", self.password] if self.password else []
        return [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            *REDIS_COMPACT_HASHES,
            *persistence,
            *password,
            *self.extra_args,
        ]

    def start(self, timeout: float = 30, detached: bool = False) -> RedisServer:
        binary = ensure_redis_installed()
        self.port = self.port or free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = self.command(binary)
        log_file = self.data_dir / "redis.log"
        with open(log_file, "ab") as out:
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=detached
            )
        _wait(self.ping, timeout, f"redis-server on port {self.port}", self.proc, log_file)
        version = self.info_version()
        log.info("started real Redis %s (pid %s) at %s", version, self.proc.pid, self.url)
        return self

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(self._hello() + b"PING\r\n")
            answer = b""
            while b"\r\n" not in answer.removeprefix(b"+OK\r\n"):
                chunk = sock.recv(128)
                if not chunk:
                    break
                answer += chunk
            return answer.removeprefix(b"+OK\r\n").startswith(b"+PONG")

    def info_version(self) -> str:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(self._hello() + b"INFO server\r\n")
            data = b""
            while b"redis_version" not in data or not data.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        for line in data.decode(errors="replace").splitlines():
            if line.startswith("redis_version:"):
                return line.split(":", 1)[1]
        return "unknown"

    def stop(self) -> None:
        _stop(self.proc)


ES_CONFIG = """\
cluster.name: {cluster_name}
node.name: {node_name}
discovery.type: single-node
network.host: 127.0.0.1
http.port: {http_port}
transport.port: {transport_port}
path.data: {data}
path.logs: {logs}
# Security on, as in production, so the client code path is the production one.
xpack.security.enabled: true
xpack.security.transport.ssl.enabled: false
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
"""
# One node of several: it finds the others through their transport ports. The nodes authenticate each
# other with certificates from the cluster's one CA (Elasticsearch refuses a secured cluster without
# transport TLS); `full` also checks that the certificate names the address connected to.
ES_CLUSTER_CONFIG = """\
cluster.name: {cluster_name}
node.name: {node_name}
discovery.seed_hosts: [{seed_hosts}]
network.host: 127.0.0.1
http.port: {http_port}
transport.port: {transport_port}
path.data: {data}
path.logs: {logs}
xpack.security.enabled: true
xpack.security.transport.ssl.enabled: true
xpack.security.transport.ssl.verification_mode: full
xpack.security.transport.ssl.key: certs/{cert}/{cert}.key
xpack.security.transport.ssl.certificate: certs/{cert}/{cert}.crt
xpack.security.transport.ssl.certificate_authorities: certs/ca/ca.crt
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
"""
# HTTPS with certificates from our own CA, made by the distribution's certutil (as Compose's `certs` job).
ES_TLS_CONFIG = """\
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: certs/{cert}/{cert}.key
xpack.security.http.ssl.certificate: certs/{cert}/{cert}.crt
xpack.security.http.ssl.certificate_authorities: certs/ca/ca.crt
"""
SINGLE_NODE_CERT = "elasticsearch"


@dataclass
class ElasticsearchNode:
    """A real Elasticsearch 9 on loopback, with security on and a password we set: a single-node cluster
    of its own, or, given `seed_hosts`, one node of several (see ElasticsearchCluster)."""

    base_dir: Path
    password: str
    install_home: Path
    port: int = 0
    heap: str = "1g"
    cluster_name: str = "newsdesk"
    tls: bool = False
    # One node of several: every node's transport address (`127.0.0.1:port`), this one's included; none
    # makes a single-node cluster, whose transport port is any free one at each start.
    seed_hosts: tuple[str, ...] = ()
    transport_port: int = 0
    node_name: str = ""
    # The master-eligible nodes that elect the first master; read only by a node's first start.
    initial_master_nodes: tuple[str, ...] = ()
    # Certificates made once for the whole cluster: `ca/` and one `<node_name>/` per node.
    shared_certs: Path | None = None
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def ca_certs(self) -> Path | None:
        """The CA certificate a client needs to trust this node (None without TLS)."""
        return self.base_dir / "config" / "certs" / "ca" / "ca.crt" if self.tls else None

    @property
    def name(self) -> str:
        return self.node_name or f"newsdesk-{self.port}"

    def _config(self, fresh: bool) -> str:
        paths = {"data": self.base_dir / "data", "logs": self.base_dir / "logs"}
        if not self.seed_hosts:
            return ES_CONFIG.format(
                cluster_name=self.cluster_name,
                node_name=self.name,
                http_port=self.port,
                transport_port=free_port(),
                **paths,
            ) + (
                ES_TLS_CONFIG.format(cert=SINGLE_NODE_CERT)
                if self.tls
                else "xpack.security.http.ssl.enabled: false\n"
            )
        config = ES_CLUSTER_CONFIG.format(
            cluster_name=self.cluster_name,
            node_name=self.name,
            seed_hosts=", ".join(f'"{host}"' for host in self.seed_hosts),
            http_port=self.port,
            transport_port=self.transport_port,
            cert=self.name,
            **paths,
        )
        # Only while the cluster forms for the first time: a node that has joined keeps the cluster's
        # identity in its data, and Elasticsearch warns about the setting left behind.
        if fresh and self.initial_master_nodes:
            masters = ", ".join(f'"{name}"' for name in self.initial_master_nodes)
            config += f"cluster.initial_master_nodes: [{masters}]\n"
        return config + (
            ES_TLS_CONFIG.format(cert=self.name) if self.tls else "xpack.security.http.ssl.enabled: false\n"
        )

    def _prepare(self, es_home: Path) -> Path:
        conf = self.base_dir / "config"
        fresh = not (conf / "elasticsearch.keystore").exists()
        (self.base_dir / "data").mkdir(parents=True, exist_ok=True)
        (self.base_dir / "logs").mkdir(parents=True, exist_ok=True)
        shutil.copytree(
            es_home / "config",
            conf,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("elasticsearch.yml", "elasticsearch.keystore"),
        )
        (conf / "elasticsearch.yml").write_text(self._config(fresh))
        if self.shared_certs is not None:
            for part in ("ca", self.name):
                shutil.copytree(self.shared_certs / part, conf / "certs" / part, dirs_exist_ok=True)
        elif self.tls and not (conf / "certs" / "elasticsearch" / "elasticsearch.crt").exists():
            _make_certificates(es_home, conf / "certs", self._env(conf))
        (conf / "jvm.options.d").mkdir(exist_ok=True)
        (conf / "jvm.options.d" / "heap.options").write_text(f"-Xms{self.heap}\n-Xmx{self.heap}\n")
        if fresh:
            env = self._env(conf)
            keystore = str(es_home / "bin" / "elasticsearch-keystore")
            _run([keystore, "create"], env=env)
            # The bootstrap password becomes the `elastic` user's password on the first start.
            _run([keystore, "add", "-x", "-f", "bootstrap.password"], env=env, input=self.password)
        if is_root():
            for path in [self.base_dir, *self.base_dir.rglob("*")]:
                os.chown(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID)
            _open_path_to(self.base_dir)
        return conf

    def _env(self, conf: Path) -> dict[str, str]:
        return _es_env(conf)

    @property
    def log_file(self) -> Path:
        return self.base_dir / "elasticsearch.out"

    def launch(self, detached: bool = False) -> ElasticsearchNode:
        """Start the process and return at once; `start` also waits until the node answers."""
        es_home = ensure_elasticsearch_installed(self.install_home)
        self.port = self.port or free_port()
        conf = self._prepare(es_home)
        cmd = [str(es_home / "bin" / "elasticsearch")]
        if is_root():
            cmd = [
                "setpriv",
                f"--reuid={UNPRIVILEGED_UID}",
                f"--regid={UNPRIVILEGED_UID}",
                "--clear-groups",
                *cmd,
            ]
        with open(self.log_file, "ab") as out:
            self.proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self._env(conf),
                cwd=self.base_dir,
                start_new_session=detached,
            )
        return self

    def start(self, timeout: float = 180, detached: bool = False) -> ElasticsearchNode:
        self.launch(detached)
        health = _wait(self.health, timeout, f"Elasticsearch on port {self.port}", self.proc, self.log_file)
        log.info(
            "started real Elasticsearch %s (pid %s) at %s, cluster %s",
            self.version(),
            self.proc.pid,
            self.url,
            health.get("status"),
        )
        return self

    def _request(self, path: str) -> dict:
        token = base64.b64encode(f"elastic:{self.password}".encode()).decode()
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Basic {token}"})
        trusted = ssl.create_default_context(cafile=str(self.ca_certs)) if self.tls else None
        try:
            with urllib.request.urlopen(req, timeout=5, context=trusted) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            # The error holds the response open; left to the garbage collector, its socket is a warning.
            exc.close()
            raise

    def health(self) -> dict | None:
        """Cluster health (this distribution answers no `GET /`); None until yellow or green."""
        try:
            health = self._request("/_cluster/health")
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 503):
                return None
            raise
        return health if health.get("status") in ("yellow", "green") else None

    def version(self) -> str:
        nodes = self._request("/_nodes/_local?filter_path=nodes.*.version")
        return next(iter(nodes["nodes"].values()))["version"]

    def kill(self) -> None:
        """SIGKILL the node, as a crash: its process group, since the launcher runs the server as a child
        (the node must have been launched detached, in a group of its own)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        _stop(self.proc, timeout=60)


def _make_certificates(
    es_home: Path, certs: Path, env: dict[str, str], instances: tuple[str, ...] = (SINGLE_NODE_CERT,)
) -> None:
    """A CA and a certificate for localhost per instance name in `certs`, each in `certs/<name>/`
    (certutil resolves relative paths oddly: absolute)."""
    certutil = str(es_home / "bin" / "elasticsearch-certutil")
    certs.mkdir(parents=True, exist_ok=True)
    _run([certutil, "ca", "--silent", "--pem", "--out", str(certs / "ca.zip")], env=env)
    shutil.unpack_archive(certs / "ca.zip", certs)
    (certs / "instances.yml").write_text(tls_instances(instances))
    ca = certs / "ca"
    _run(
        [certutil, "cert", "--silent", "--pem", "--in", str(certs / "instances.yml")]
        + ["--ca-cert", str(ca / "ca.crt"), "--ca-key", str(ca / "ca.key")]
        + ["--out", str(certs / "certs.zip")],
        env=env,
    )
    shutil.unpack_archive(certs / "certs.zip", certs)


def _es_env(conf: Path) -> dict[str, str]:
    """The environment Elasticsearch and its tools run in: our JDK, the configuration in `conf`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "JAVA_"))}
    env.update(ES_JAVA_HOME=str(find_java_home()), ES_PATH_CONF=str(conf))
    return env


def _distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@dataclass
class ElasticsearchCluster:
    """Several real Elasticsearch nodes on loopback forming one cluster, each with its own data and ports,
    every one master-eligible and holding data; security on, TLS between the nodes, HTTPS if `tls`.

    `url` is what NEWSDESK_ES_URL takes: every node's URL, comma-separated.
    """

    base_dir: Path
    password: str
    install_home: Path
    nodes: int = 3
    heap: str = "1g"
    tls: bool = False
    cluster_name: str = "newsdesk-cluster"
    members: list[ElasticsearchNode] = field(default_factory=list, repr=False)
    # Nodes killed and not restarted since, by position.
    killed: set[int] = field(default_factory=set, repr=False)
    # Seconds the last `start` took, from launching the nodes to a cluster of all of them.
    start_seconds: float = 0.0

    @property
    def urls(self) -> list[str]:
        return [member.url for member in self.members]

    @property
    def url(self) -> str:
        return ",".join(self.urls)

    @property
    def certs_dir(self) -> Path:
        return self.base_dir / "certs"

    @property
    def ca_certs(self) -> Path | None:
        """The CA certificate a client needs to trust the nodes' HTTPS (None without TLS)."""
        return self.certs_dir / "ca" / "ca.crt" if self.tls else None

    def _plan(self) -> list[ElasticsearchNode]:
        """The nodes, their ports chosen up front: each node's configuration names every transport port."""
        ports = _distinct_free_ports(2 * self.nodes)
        names = tuple(f"node-{i}" for i in range(self.nodes))
        seeds = tuple(f"127.0.0.1:{port}" for port in ports[self.nodes :])
        return [
            ElasticsearchNode(
                self.base_dir / name,
                password=self.password,
                install_home=self.install_home,
                port=ports[i],
                heap=self.heap,
                cluster_name=self.cluster_name,
                tls=self.tls,
                seed_hosts=seeds,
                transport_port=ports[self.nodes + i],
                node_name=name,
                initial_master_nodes=names,
                shared_certs=self.certs_dir,
            )
            for i, name in enumerate(names)
        ]

    def start(self, timeout: float = 300) -> ElasticsearchCluster:
        """Start every node at once and wait until the cluster holds them all, yellow or green."""
        es_home = ensure_elasticsearch_installed(self.install_home)
        self.members = self.members or self._plan()
        self.killed.clear()
        if not (self.certs_dir / "ca" / "ca.crt").exists():
            names = tuple(member.name for member in self.members)
            _make_certificates(es_home, self.certs_dir, _es_env(es_home / "config"), names)
        began = time.monotonic()
        try:
            # Concurrently: each launch first runs the keystore tool, a JVM of its own.
            with ThreadPoolExecutor(len(self.members)) as pool:
                list(pool.map(lambda member: member.launch(detached=True), self.members))
            health = _wait(self._complete, timeout, f"Elasticsearch cluster of {self.nodes} nodes")
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        log.info(
            "started a real Elasticsearch cluster of %s nodes in %.1fs at %s, %s",
            self.nodes,
            self.start_seconds,
            self.url,
            health["status"],
        )
        return self

    def _up(self) -> list[ElasticsearchNode]:
        """The nodes meant to be running: all but those killed and not restarted since."""
        return [member for i, member in enumerate(self.members) if i not in self.killed]

    def _cluster_health(self) -> dict:
        """Cluster health from the first node up that answers; raises the last node's error."""
        error: Exception = OSError("no node of the cluster is up")
        for member in self._up():
            try:
                return member._request("/_cluster/health")
            except (OSError, ValueError) as exc:
                error = exc
        raise error

    def _complete(self) -> dict | None:
        """The health once every node up is in the cluster, yellow or green, and answers; None before.

        Every node is asked, not one: right after the cluster forms it creates its security index, and a
        node refuses the password (401) until that index is available to it. A node asked alone could
        also count one just killed as present for a moment.
        """
        up = self._up()
        for member in up:
            if member.proc is None or member.proc.poll() is not None:
                tail = member.log_file.read_text(errors="replace")[-3000:] if member.log_file.exists() else ""
                code = member.proc.returncode if member.proc else None
                raise ServiceError(f"{member.name} exited with {code}:\n{tail}")
        healths = [member._request("/_cluster/health") for member in up]
        complete = all(
            health.get("number_of_nodes") == len(up) and health.get("status") in ("yellow", "green")
            for health in healths
        )
        return healths[0] if complete else None

    def health(self) -> dict:
        """`_cluster/health` as a node up reports it (status, number_of_nodes, shard counts)."""
        try:
            return self._cluster_health()
        except (OSError, ValueError) as exc:
            raise ServiceError(f"no node of the cluster answers: {exc}") from exc

    def kill(self, i: int) -> None:
        """SIGKILL node `i`, as a crash; the others carry on without it."""
        member = self.members[i]
        self.killed.add(i)
        member.kill()
        # The server process is its launcher's child: wait until the whole group is gone (ports free).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(member.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        log.warning("processes of %s still present 30s after SIGKILL", member.name)

    def restart(self, i: int, timeout: float = 300) -> None:
        """Start node `i` again on its ports and data (stopped first if running); return once it rejoined."""
        member = self.members[i]
        _stop(member.proc, timeout=60, group=True)
        member.launch(detached=True)
        self.killed.discard(i)
        _wait(self._complete, timeout, f"{member.name} rejoining the cluster")

    def stop(self) -> None:
        with ThreadPoolExecutor(max(1, len(self.members))) as pool:
            list(pool.map(lambda member: _stop(member.proc, timeout=60, group=True), self.members))


def tls_instances(names: tuple[str, ...]) -> str:
    """certutil's instances file: each name a certificate valid for localhost and 127.0.0.1."""
    lines = [f"  - {{name: {name}, dns: [localhost], ip: [127.0.0.1]}}" for name in names]
    return "instances:\n" + "\n".join(lines) + "\n"


@dataclass
class WorkerProcess:
    """A real Celery worker process (`celery -A tasks.worker.app worker`)."""

    env: dict[str, str]
    log_file: Path
    concurrency: int = 2
    name: str = "newsdesk"
    # The queues it takes from (`-Q`); none: the page queue. One queue a worker keeps the broker's
    # delivering list (several fall back to kombu's BRPOP), so crawls get a worker of their own.
    queues: tuple[str, ...] = ()
    # Where the worker's code comes from: this checkout, or another one a benchmark compares with.
    code_root: Path = REPO_ROOT
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 60, detached: bool = False) -> WorkerProcess:
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tasks.worker.app",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{self.name}@%h",
            *(["-Q", ",".join(self.queues)] if self.queues else []),
        ]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        env = {**os.environ, **self.env, "PYTHONPATH": str(self.code_root)}
        with open(self.log_file, "ab") as out:
            self.proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.code_root,
                start_new_session=detached,
            )
        _wait(
            lambda: b" ready." in self.log_file.read_bytes()[offset:],
            timeout,
            "Celery worker",
            self.proc,
            self.log_file,
        )
        log.info(
            "started real Celery worker process (pid %s), concurrency %s", self.proc.pid, self.concurrency
        )
        return self

    def stop(self) -> None:
        _stop(self.proc, timeout=60)


def ensure_compose_validator() -> str:
    """Debian's docker-compose, used only to validate docker-compose.yml (no Docker engine needed)."""
    found = shutil.which("docker-compose")
    if found:
        return found
    _apt_install("docker-compose")
    return shutil.which("docker-compose") or "docker-compose"


def main(argv: list[str] | None = None) -> int:
    """`python -m newsdesk.localstack.services install`: what the tests and the demo need, installed once."""
    import argparse

    from newsdesk.kernel.settings import default_home

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("action", choices=["install"])
    parser.add_argument("--with-compose", action="store_true", help="also install the compose validator")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    home = default_home()
    print(f"redis-server:   {ensure_redis_installed()}")
    print(f"chromium:       {ensure_chromium_installed()}")
    print(f"java for ES:    {find_java_home()}")
    print(f"elasticsearch:  {ensure_elasticsearch_installed(home)}")
    if args.with_compose:
        print(f"docker-compose: {ensure_compose_validator()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
