"""One crawl of one source: under its lock, in its own Scrapy process, within a time limit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

from newsdesk.crawllock import CrawlLocks
from newsdesk.redisstore import RunStore, build_redis
from newsdesk.services import REPO_ROOT
from newsdesk.settings import Settings

# Scrapy closes the spider itself at the time limit (stats intact); the kill is only a backstop.
KILL_GRACE_SECONDS = 60


def crawl_source(settings: Settings, source: str, trigger: str = "manual") -> dict[str, Any]:
    """Crawl `source` once and return its run record (with `crawler_exit` and `log_file`).

    Raises CrawlBusy, after recording the skip, when a crawl of the same source still runs.
    """
    client = build_redis(settings)
    runs = RunStore(client, settings.index_prefix)
    locks = CrawlLocks(client, settings.index_prefix, ttl=settings.crawl_lock_ttl)
    holder = f"{trigger} on {socket.gethostname()} pid {os.getpid()}"
    with locks.held(source, holder, trigger):
        run_id = runs.create(source)
        log_dir = settings.home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / f"crawl-{run_id}.log"
        with open(log_file, "wb") as out:
            try:
                exit_code: int | str = subprocess.run(
                    [sys.executable, "-m", "crawler.run", source, "--run-id", run_id],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=REPO_ROOT,
                    env={**os.environ, **settings.to_env(), "PYTHONPATH": str(REPO_ROOT)},
                    timeout=settings.crawl_time_limit + KILL_GRACE_SECONDS,
                ).returncode
            except subprocess.TimeoutExpired:
                exit_code = "killed at the time limit"
        if not runs.get(run_id).get("crawl_finished"):
            # The spider died before closing: the run still ends, with what it had handed off.
            runs.finish_crawl(run_id, {"finish_reason": f"crawler exit {exit_code}"})
    run = runs.get(run_id)
    run["crawler_exit"] = exit_code
    run["trigger"] = trigger
    run["log_file"] = str(log_file)
    return run
