"""Beat follows sources.yaml on real Redis: an edited file changes the schedule without a restart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from redbeat import RedBeatSchedulerEntry
from redbeat.schedulers import acquire_distributed_beat_lock

from newsdesk.state.client import build_redis
from tasks.worker.app import create_app
from tasks.worker.beat import RegistryScheduler, due_times, redbeat_prefix

pytestmark = pytest.mark.services


def _registry(schedules: dict[str, str]) -> str:
    return "sources:\n" + "".join(
        f"  - name: {name}\n"
        '    start_urls: ["http://site.test/"]\n'
        '    article_pattern: "/article/"\n'
        f'    schedule: "{when}"\n'
        for name, when in schedules.items()
    )


def test_an_edited_registry_reschedules_adds_and_removes_sources(base_settings, tmp_path: Path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(_registry({"alpha": "every 1h"}))
    settings = dataclasses.replace(
        base_settings,
        # A database of its own: the ticks below queue crawl tasks that no worker must take.
        redis_url=base_settings.redis_url.rsplit("/", 1)[0] + "/4",
        index_prefix="ndreload",
        sources_file=sources,
    )
    client = build_redis(settings)
    client.flushdb()
    app = create_app(settings)
    scheduler = RegistryScheduler(app=app)
    # What `celery beat` does on start: this scheduler becomes the active one.
    acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=scheduler))

    def crawls() -> set[str]:
        return {name for name in due_times(client, settings) if name.startswith("crawl:")}

    def alpha_every() -> dt.timedelta:
        key = redbeat_prefix(settings) + "crawl:alpha"
        return RedBeatSchedulerEntry.from_key(key, app=app).schedule.run_every

    assert crawls() == {"crawl:alpha"}
    assert alpha_every() == dt.timedelta(hours=1)

    sources.write_text(_registry({"alpha": "every 2h", "beta": "every 10s"}))
    scheduler.tick()

    assert crawls() == {"crawl:alpha", "crawl:beta"}
    assert alpha_every() == dt.timedelta(hours=2)

    sources.write_text("sources: [half-edited")
    scheduler.tick()

    assert crawls() == {"crawl:alpha", "crawl:beta"}

    sources.write_text(_registry({"beta": "every 10s"}))
    scheduler.tick()

    assert crawls() == {"crawl:beta"}
    scheduler.lock.release()
    client.flushdb()
