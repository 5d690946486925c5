"""The beat scheduler: RedBeat (schedule in Redis, one active beat behind a lock) fed by sources.yaml."""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from redbeat import RedBeatScheduler

from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.redis_address import parse_redis_url
from newsdesk.kernel.schedules import beat_schedule
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import load_sources
from newsdesk.state.client import CLIENT_OPTIONS, sentinel_options, translated_errors

log = logging.getLogger(__name__)


class RegistryScheduler(RedBeatScheduler):
    """Schedules from sources.yaml, read when beat starts and again on the first tick after the file changed:
    editing a source's `schedule` (or adding, removing a source) needs neither code nor a restart."""

    def setup_schedule(self) -> None:
        sources_file = self.app.newsdesk_settings.sources_file
        self.registry_version = _file_version(sources_file)
        self.app.conf.beat_schedule = beat_schedule(load_sources(sources_file).values())
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        sources_file = self.app.newsdesk_settings.sources_file
        version = _file_version(sources_file)
        if version != getattr(self, "registry_version", version):
            try:
                self.setup_schedule()
                entries = sorted(self.app.conf.beat_schedule)
                log.info("beat: %s changed; the schedule is now %s", sources_file, entries)
            except NewsdeskError as exc:
                # A half-edited or broken file: keep scheduling what was valid, say why, retry on next change.
                self.registry_version = version
                log.error("beat: %s changed but cannot be used, keeping the schedule: %s", sources_file, exc)
        return super().tick(*args, **kwargs)


def _file_version(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def redbeat_prefix(settings: Settings) -> str:
    return f"{settings.index_prefix}:redbeat:"


def redbeat_redis_config(settings: Settings) -> dict:
    """Where RedBeat keeps the schedule and its lock: the same Redis, through the Sentinels when there are
    some (RedBeat's own form: a `redis-sentinel://` address and the Sentinels in its options)."""
    address = parse_redis_url(settings.redis_url)
    if not address.through_sentinel:
        return {"redbeat_redis_url": settings.redis_url, "redbeat_redis_options": {}}
    options: dict = {
        "sentinels": list(address.sentinels),
        "service_name": settings.redis_master,
        "db": address.db,
        "socket_timeout": CLIENT_OPTIONS["socket_timeout"],
        "sentinel_kwargs": sentinel_options(settings),
    }
    if address.password:
        options["password"] = address.password
    if address.username:
        options["username"] = address.username
    return {"redbeat_redis_url": "redis-sentinel://", "redbeat_redis_options": options}


def due_times(client: redis.Redis, settings: Settings) -> dict[str, float]:
    """Entry name -> when beat next runs it (epoch seconds), from RedBeat's schedule in Redis."""
    prefix = redbeat_prefix(settings)
    with translated_errors("read the beat schedule"):
        scored = client.zrange(prefix + ":schedule", 0, -1, withscores=True)
    return {key.removeprefix(prefix): score for key, score in scored}
