"""One frozen settings object, built once at process start from NEWSDESK_* variables and passed in."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.redaction import scrub

STACK_FILE = "stack.json"


def default_home(environ: Mapping[str, str] = os.environ) -> Path:
    """Where local services keep their files; outside the repo.

    Elasticsearch refuses to run as root, so as root the local stack lives under /var/tmp,
    where the unprivileged account it runs as can reach it (root's home is private).
    """
    if environ.get("NEWSDESK_HOME"):
        return Path(environ["NEWSDESK_HOME"])
    if os.geteuid() == 0:
        return Path("/var/tmp/newsdesk")
    return Path(environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newsdesk"


@dataclass(frozen=True)
class Settings:
    """Everything a process of newsdesk needs to know about its environment."""

    es_url: str = "http://127.0.0.1:9200"
    es_username: str = "elastic"
    es_password: str = ""
    es_ca_certs: str | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    # With a `sentinel://…;sentinel://…` address: the master the Sentinels watch, and their own password.
    redis_master: str = "newsdesk"
    redis_sentinel_password: str = ""
    # How many replicas must hold a hand-over (a page sent, an article buffered, a fate recorded) before it
    # counts as done: 1 with a replica behind Sentinel, so a failover cannot lose it; 0 for a single Redis.
    redis_min_replicas: int = 0
    index_prefix: str = "newsdesk"
    home: Path = Path("/var/tmp/newsdesk")
    sources_file: Path = Path(__file__).resolve().parents[2] / "sources.yaml"
    demo_url: str = "http://127.0.0.1:8765"
    # The project's name only: the operator's contact is theirs to give (NEWSDESK_CONTACT, a URL or an
    # e-mail address), and a production crawler refuses a User-Agent without one.
    user_agent: str = "newsdesk/0.1"
    contact: str = ""
    production: bool = False
    max_retries: int = 6
    retry_backoff_max: int = 300
    index_batch_size: int = 200
    index_batch_seconds: float = 1.0
    rollover_max_size: str = "30gb"
    rollover_max_age: str = "90d"
    # Shards and replicas of every index generation created from now on (the templates'). Replicas are a
    # count or an auto-expanding range: "0-1" is none on one node and one, on another node, from two.
    index_shards: int = 1
    index_replicas: str = "0-1"
    # Near-duplicates: MinHash similarity from which two texts are one story (chosen by benchmarks/dedupe),
    # how long an article stays a candidate, and how far apart two copies' publication dates may be.
    dedupe_threshold: float = 0.5
    dedupe_window_days: int = 7
    dedupe_max_days_apart: int = 3
    max_page_bytes: int = 10_000_000
    crawl_state_max_urls: int = 2_000_000
    enrichers: str = "language,entities,keywords,stats"
    gazetteer_file: Path | None = None
    # Revisions: how long a known article must keep answering "gone" before it is marked removed.
    removal_grace_seconds: int = 2 * 24 * 3600
    # Dead links (404/410 where no article was known): the first wait before a re-check, doubled with
    # every answer that the link is still dead, up to the longest.
    dead_link_first_wait: int = 24 * 3600
    dead_link_longest_wait: int = 30 * 24 * 3600
    # Operations: redelivery, crawl locking and scheduling, backpressure, logs.
    broker_visibility_timeout: int = 3600
    crawl_time_limit: int = 3600
    crawl_lock_ttl: int = 60
    max_queue_depth: int = 5000
    log_format: str = "text"
    # Accounts `newsdesk setup` creates (each only when its password is given): the workers', a read-only
    # analyst's for Kibana and search, an operator's for setup, migrations and dead letters.
    worker_es_username: str = "newsdesk_worker"
    worker_es_password: str = ""
    analyst_es_username: str = "newsdesk_analyst"
    analyst_es_password: str = ""
    operator_es_username: str = "newsdesk_operator"
    operator_es_password: str = ""

    @property
    def articles_alias(self) -> str:
        return f"{self.index_prefix}-articles"

    @property
    def duplicates_index(self) -> str:
        return f"{self.index_prefix}-duplicates"

    @property
    def deadletter_index(self) -> str:
        return f"{self.index_prefix}-deadletter"

    @property
    def crawl_runs_index(self) -> str:
        return f"{self.index_prefix}-crawl-runs"

    @property
    def crawl_log_index(self) -> str:
        return f"{self.index_prefix}-crawl-log"

    @property
    def raw_index(self) -> str:
        return f"{self.index_prefix}-raw"

    @property
    def revisions_index(self) -> str:
        return f"{self.index_prefix}-revisions"

    @property
    def minhash_index(self) -> str:
        return f"{self.index_prefix}-minhash"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Build settings: defaults, then the running local stack (if any), then NEWSDESK_* variables."""
        home = default_home(environ)
        settings = cls(home=home)
        stack_file = home / STACK_FILE
        if stack_file.exists():
            try:
                stack = json.loads(stack_file.read_text())
            except ValueError as exc:
                raise ConfigError(
                    f"{stack_file}: not valid JSON ({exc}); run `newsdesk services down`"
                ) from exc
            settings = replace(
                settings,
                es_url=stack.get("es_url", settings.es_url),
                es_password=stack.get("es_password", settings.es_password),
                redis_url=stack.get("redis_url", settings.redis_url),
                redis_master=stack.get("redis_master", settings.redis_master),
                redis_min_replicas=stack.get("redis_min_replicas", settings.redis_min_replicas),
                demo_url=stack.get("demo_url", settings.demo_url),
            )
        overrides: dict[str, object] = {}
        for name, var, kind in _ENV_FIELDS:
            if var in environ and environ[var] != "":
                raw = environ[var]
                try:
                    overrides[name] = kind(raw)
                except ValueError as exc:
                    raise ConfigError(f"{var}={raw!r}: {exc}") from exc
        return replace(settings, **overrides)

    def to_env(self) -> dict[str, str]:
        """These settings as NEWSDESK_* variables, for the child processes (crawler, worker) they start."""
        env = {"NEWSDESK_HOME": str(self.home)}
        for name, var, _kind in _ENV_FIELDS:
            value = getattr(self, name)
            if value is not None and value != "":
                env[var] = str(value)
        return env

    def public_dict(self) -> dict[str, str]:
        """The settings with the secret masked, for logs and `newsdesk services status`."""
        shown = {k: str(v) for k, v in self.__dict__.items()}
        shown["redis_url"] = scrub(self.redis_url)
        if self.es_password:
            shown["es_password"] = "***"
        for name in (
            "worker_es_password",
            "analyst_es_password",
            "operator_es_password",
            "redis_sentinel_password",
        ):
            if getattr(self, name):
                shown[name] = "***"
        return shown


def _flag(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a yes/no value (1, true, yes, on; 0, false, no, off)")


def _shards(raw: str) -> int:
    shards = int(raw)
    if shards < 1:
        raise ValueError("an index needs at least one shard")
    return shards


REPLICAS = re.compile(r"\d+(-(\d+|all))?")


def _replicas(raw: str) -> str:
    replicas = raw.strip()
    if not REPLICAS.fullmatch(replicas):
        raise ValueError("a replica count (1) or an auto-expanding range (0-1, 0-all)")
    return replicas


_ENV_FIELDS = [
    ("es_url", "NEWSDESK_ES_URL", str),
    ("es_username", "NEWSDESK_ES_USERNAME", str),
    ("es_password", "NEWSDESK_ES_PASSWORD", str),
    ("es_ca_certs", "NEWSDESK_ES_CA_CERTS", str),
    ("redis_url", "NEWSDESK_REDIS_URL", str),
    ("redis_master", "NEWSDESK_REDIS_MASTER", str),
    ("redis_sentinel_password", "NEWSDESK_REDIS_SENTINEL_PASSWORD", str),
    ("redis_min_replicas", "NEWSDESK_REDIS_MIN_REPLICAS", int),
    ("index_prefix", "NEWSDESK_INDEX_PREFIX", str),
    ("sources_file", "NEWSDESK_SOURCES_FILE", Path),
    ("demo_url", "NEWSDESK_DEMO_URL", str),
    ("user_agent", "NEWSDESK_USER_AGENT", str),
    ("contact", "NEWSDESK_CONTACT", str),
    ("production", "NEWSDESK_PRODUCTION", _flag),
    ("max_retries", "NEWSDESK_MAX_RETRIES", int),
    ("retry_backoff_max", "NEWSDESK_RETRY_BACKOFF_MAX", int),
    ("max_page_bytes", "NEWSDESK_MAX_PAGE_BYTES", int),
    ("index_batch_size", "NEWSDESK_INDEX_BATCH_SIZE", int),
    ("index_batch_seconds", "NEWSDESK_INDEX_BATCH_SECONDS", float),
    ("rollover_max_size", "NEWSDESK_ROLLOVER_MAX_SIZE", str),
    ("rollover_max_age", "NEWSDESK_ROLLOVER_MAX_AGE", str),
    ("index_shards", "NEWSDESK_INDEX_SHARDS", _shards),
    ("index_replicas", "NEWSDESK_INDEX_REPLICAS", _replicas),
    ("dedupe_threshold", "NEWSDESK_DEDUPE_THRESHOLD", float),
    ("dedupe_window_days", "NEWSDESK_DEDUPE_WINDOW_DAYS", int),
    ("dedupe_max_days_apart", "NEWSDESK_DEDUPE_MAX_DAYS_APART", int),
    ("crawl_state_max_urls", "NEWSDESK_CRAWL_STATE_MAX_URLS", int),
    ("enrichers", "NEWSDESK_ENRICHERS", str),
    ("gazetteer_file", "NEWSDESK_GAZETTEER_FILE", Path),
    ("removal_grace_seconds", "NEWSDESK_REMOVAL_GRACE_SECONDS", int),
    ("dead_link_first_wait", "NEWSDESK_DEAD_LINK_FIRST_WAIT", int),
    ("dead_link_longest_wait", "NEWSDESK_DEAD_LINK_LONGEST_WAIT", int),
    ("broker_visibility_timeout", "NEWSDESK_BROKER_VISIBILITY_TIMEOUT", int),
    ("crawl_time_limit", "NEWSDESK_CRAWL_TIME_LIMIT", int),
    ("crawl_lock_ttl", "NEWSDESK_CRAWL_LOCK_TTL", int),
    ("max_queue_depth", "NEWSDESK_MAX_QUEUE_DEPTH", int),
    ("log_format", "NEWSDESK_LOG_FORMAT", str),
    ("worker_es_username", "NEWSDESK_WORKER_ES_USERNAME", str),
    ("worker_es_password", "NEWSDESK_WORKER_ES_PASSWORD", str),
    ("analyst_es_username", "NEWSDESK_ANALYST_ES_USERNAME", str),
    ("analyst_es_password", "NEWSDESK_ANALYST_ES_PASSWORD", str),
    ("operator_es_username", "NEWSDESK_OPERATOR_ES_USERNAME", str),
    ("operator_es_password", "NEWSDESK_OPERATOR_ES_PASSWORD", str),
]
ENV_VARIABLES = [var for _, var, _ in _ENV_FIELDS] + ["NEWSDESK_HOME"]
