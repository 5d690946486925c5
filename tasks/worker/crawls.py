"""One crawl of one source: under its lock, in its own Scrapy process, within a time limit."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, BinaryIO

from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import NewsdeskError, TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.state.client import build_redis, patiently
from newsdesk.state.locks import CrawlLocks
from newsdesk.state.runs import RunStore

# Scrapy closes the spider itself at the time limit (stats intact); the kill is only a backstop.
KILL_GRACE_SECONDS = 60
PROGRESS_SECONDS = 0.25


def crawl_source(
    settings: Settings,
    request: CrawlRequest,
    trigger: str = "manual",
    *,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    echo: BinaryIO | None = None,
) -> dict[str, Any]:
    """Crawl what `request` names once and return its run record (with `crawler_exit` and
    `log_file`). The source is validated first: a bad registry entry starts no crawl.

    The crawler's log goes to the run's log file and, with `echo`, to that stream as well (a worker's
    own output, so a crawl's log is where the worker's is: `docker compose logs`).

    Raises CrawlBusy, after recording the skip, when a crawl of the same source still runs, and
    StoreNotReady (TransientError when Elasticsearch is unreachable), after ending the run with the reason
    and fetching nothing, when the store cannot take the pages (see `check_store`).
    """
    from newsdesk.kernel.sources import resolve_source

    resolved = resolve_source(
        settings.sources_file, settings.demo_url, request.source, request.url, request.allow_private
    )
    client = build_redis(settings)
    runs = RunStore(client, settings.index_prefix)
    locks = CrawlLocks(client, settings.index_prefix, ttl=settings.crawl_lock_ttl)
    holder = f"{trigger} on {socket.gethostname()} pid {os.getpid()}"
    command = [sys.executable, "-m", "crawler.run", *request.to_argv()]
    with locks.held(resolved.name, holder, trigger):
        run_id = runs.create(resolved.name)
        try:
            check_store(settings)
        except NewsdeskError as exc:
            reason = {"finish_reason": str(exc)}
            patiently(lambda: runs.finish_crawl(run_id, reason), "finish run")
            raise
        log_dir = settings.home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / f"crawl-{run_id}.log"
        exit_code = _run_crawler(
            settings, [*command, "--run-id", run_id], log_file, runs, run_id, on_progress, echo
        )
        if not patiently(lambda: runs.get(run_id), "read run").get("crawl_finished"):
            # The spider died before closing: the run still ends, with what it had handed off.
            patiently(
                lambda: runs.finish_crawl(run_id, {"finish_reason": f"crawler exit {exit_code}"}),
                "finish run",
            )
    run = patiently(lambda: runs.get(run_id), "read run")
    run["crawler_exit"] = exit_code
    run["trigger"] = trigger
    run["log_file"] = str(log_file)
    return run


def check_store(settings: Settings) -> None:
    """Raise StoreNotReady unless Elasticsearch is set up, on the mapping this code writes.

    Without it a crawl into a fresh cluster fetched every page for nothing: each one failed at the index
    stage with `index_not_found_exception`, and a scheduled crawl did so at every tick.
    """
    from index.client import build_client
    from index.setup import require_ready_store

    es = build_client(settings)
    try:
        require_ready_store(es, settings)
    finally:
        es.close()


def _run_crawler(
    settings: Settings,
    command: list[str],
    log_file,
    runs: RunStore,
    run_id: str,
    on_progress: Callable[[dict[str, Any]], None] | None,
    echo: BinaryIO | None = None,
) -> int | str:
    deadline = time.monotonic() + settings.crawl_time_limit + KILL_GRACE_SECONDS
    with open(log_file, "wb") as out:
        child = subprocess.Popen(
            command,
            stdout=out if echo is None else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # The crawler is an installed package: it runs the same from any directory, in any checkout.
            cwd=log_file.parent,
            env={**os.environ, **settings.to_env()},
        )
        copier = None
        if echo is not None:
            copier = threading.Thread(target=copy_lines, args=(child.stdout, (out, echo)), daemon=True)
            copier.start()
        try:
            while child.poll() is None:
                if time.monotonic() > deadline:
                    child.kill()
                    child.wait()
                    return "killed at the time limit"
                if on_progress is not None:
                    with contextlib.suppress(TransientError):  # progress can skip a beat; the crawl goes on
                        on_progress(runs.get(run_id))
                time.sleep(PROGRESS_SECONDS)
        except BaseException:
            # Interrupted (Ctrl-C, a worker shutting down): the crawler must not outlive its caller. SIGTERM
            # lets Scrapy close the spider and save its state; a kill if it does not within the grace.
            stop_child(child)
            raise
        finally:
            if copier is not None:
                copier.join(timeout=10)
    return child.returncode


def stop_child(child: subprocess.Popen, grace: float = 30.0) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def copy_lines(source: BinaryIO, targets: tuple[BinaryIO, ...]) -> None:
    """Every line the crawler writes, to each target as it comes (a target that fails is dropped)."""
    live = list(targets)
    for line in source:
        for target in list(live):
            try:
                target.write(line)
                target.flush()
            except (OSError, ValueError):
                live.remove(target)
    source.close()
