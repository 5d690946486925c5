"""Two beat processes, a 10 s schedule: each source crawled once per tick, never two crawls of it at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.demosite.site import DemoServer, generate_site
from newsdesk.kernel.wire import CRAWL_QUEUE
from newsdesk.localstack.services import REPO_ROOT, WorkerProcess
from newsdesk.state.client import build_redis
from newsdesk.state.locks import CrawlLocks
from newsdesk.state.runs import RunStore
from tasks.worker.beat import redbeat_prefix

pytestmark = pytest.mark.services
TICK_SECONDS = 10
BEATS_RUN_FOR = 120
SOURCES = ("alpha", "beta")


def _start_beat(env: dict[str, str], log_file: Path) -> subprocess.Popen:
    with open(log_file, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks.worker.app", "beat", "--loglevel=INFO"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)},
            cwd=REPO_ROOT,
        )


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def _when(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_two_beats_crawl_each_source_once_per_tick_and_never_concurrently(
    base_settings, es_client, services_dir: Path, tmp_path: Path
):
    from index.setup import ensure_setup

    site = generate_site(size=6, seed=3)
    sources = tmp_path / "sources.yaml"
    with DemoServer(site) as server:
        sources.write_text(
            "sources:\n"
            + "".join(
                f"  - name: {name}\n"
                f'    start_urls: ["{server.url}/"]\n'
                '    article_pattern: "/article/"\n'
                "    allow_private: true\n"
                f'    schedule: "every {TICK_SECONDS}s"\n'
                for name in SOURCES
            )
        )
        # A database and prefix of its own: the session worker must not see these crawl tasks.
        settings = dataclasses.replace(
            base_settings,
            redis_url=base_settings.redis_url.rsplit("/", 1)[0] + "/3",
            index_prefix="ndbeat",
            sources_file=sources,
            home=tmp_path / "home",
        )
        build_redis(settings).flushdb()
        ensure_setup(es_client, settings)
        env = settings.to_env()
        worker = WorkerProcess(
            env=env,
            log_file=services_dir / "beat-worker.log",
            concurrency=3,
            name="beat",
            queues=(CRAWL_QUEUE,),
        )
        worker.start()
        beat_logs = [tmp_path / "beat-1.log", tmp_path / "beat-2.log"]
        beats = [_start_beat(env, log) for log in beat_logs]
        try:
            time.sleep(BEATS_RUN_FOR)
            alive = [beat.poll() is None for beat in beats]
            # Read while both still run: once the leader is stopped, the standby rightly takes over.
            leaders = [log.read_text().count("beat: Acquired lock") for log in beat_logs]
        finally:
            for beat in beats:
                beat.terminate()
            for beat in beats:
                _stop(beat)
            time.sleep(8)  # let the last tick's crawls finish
            worker.stop()

    client = build_redis(settings)
    runs = RunStore(client, settings.index_prefix)
    locks = CrawlLocks(client, settings.index_prefix)
    records = [runs.get(run_id) for run_id in runs.recent(1000)]

    assert alive == [True, True], "both beats ran for the whole test"
    assert sorted(leaders) == [0, 1], "one beat schedules, the other waits for the lock"
    ticks = BEATS_RUN_FOR // TICK_SECONDS
    for name in SOURCES:
        mine = sorted((r for r in records if r["crawl_source"] == name), key=lambda r: r["started_at"])
        skipped = locks.skips(name)
        # RedBeat counts the ticks it sent; each became one crawl or one recorded skip, never two crawls.
        sent_ticks = json.loads(client.hget(f"{redbeat_prefix(settings)}crawl:{name}", "meta"))[
            "total_run_count"
        ]
        assert ticks - 1 <= sent_ticks <= ticks + 1, (name, sent_ticks)
        # The last tick may still sit in the queue when the worker stops.
        assert sent_ticks - 1 <= len(mine) + len(skipped) <= sent_ticks, (name, len(mine), skipped)
        assert len(mine) >= 2
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert _when(later["started_at"]) >= _when(earlier["crawl_finished_at"]), "crawls overlapped"
        # The first crawl hands on every article; later ones skip the URLs already handed on.
        assert mine[0]["sent"] >= len(site.articles)
        for r in mine:
            handled = int(r["sent"]) + int(r.get("crawl_skipped_known", 0))
            assert r["crawl_finished"] and handled >= len(site.articles), r
        assert {r.get("crawl_finish_reason") for r in mine} == {"finished"}
