"""The beat scheduler: RedBeat (schedule in Redis, one active beat behind a lock) fed by sources.yaml."""

from __future__ import annotations

import redis
from redbeat import RedBeatScheduler

from newsdesk.redisstore import translated_errors
from newsdesk.settings import Settings
from newsdesk.sources import load_sources
from tasks.schedule import beat_schedule


class RegistryScheduler(RedBeatScheduler):
    """Reads sources.yaml when beat starts: editing a source's `schedule` needs a beat restart, no code."""

    def setup_schedule(self) -> None:
        settings = self.app.newsdesk_settings
        self.app.conf.beat_schedule = beat_schedule(load_sources(settings.sources_file).values())
        super().setup_schedule()


def redbeat_prefix(settings: Settings) -> str:
    return f"{settings.index_prefix}:redbeat:"


def due_times(client: redis.Redis, settings: Settings) -> dict[str, float]:
    """Entry name -> when beat next runs it (epoch seconds), from RedBeat's schedule in Redis."""
    prefix = redbeat_prefix(settings)
    with translated_errors("read the beat schedule"):
        scored = client.zrange(prefix + ":schedule", 0, -1, withscores=True)
    return {key.removeprefix(prefix): score for key, score in scored}
