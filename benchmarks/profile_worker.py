"""`python -m benchmarks profile`: one solo worker under cProfile drains a backlog; prints where time goes."""

from __future__ import annotations

import argparse
import io
import os
import pstats
import subprocess
import sys
import time

from benchmarks.stack import REPO_ROOT, BenchStack
from benchmarks.throughput import drain, log, new_run, render_pages, reset_stores
from newsdesk.demosite.site import generate_site
from newsdesk.localstack.services import _stop
from newsdesk.state.client import build_redis


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks profile", description=__doc__)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    stack = BenchStack()
    try:
        settings = stack.start()
        reset_stores(settings)
        out = stack.base / "worker.prof"
        log_file = stack.base / "worker-profiled.log"
        command = [
            sys.executable, "-m", "cProfile", "-o", str(out), "-m", "celery", "-A", "tasks.worker.app",
            "worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
            "-n", "profiled@%h",
        ]  # fmt: skip
        env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(REPO_ROOT)}
        with open(log_file, "wb") as output:
            worker = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT
            )
        time.sleep(5)
        run_id = new_run(settings, "bench-profile")
        site = generate_site(args.pages, 3, republications=True)
        pages = render_pages(site, "http://127.0.0.1:1", args.pages, run_id)
        log(f"profile: {len(pages)} pages through one solo worker under cProfile")
        redis_client = build_redis(settings)
        redis_client.config_resetstat()
        result = drain(settings, pages, [worker.pid], run_id)
        log(f"profile: {result['seconds']:.1f}s, {result['worker_cpu_seconds']:.1f} worker CPU seconds")
        # Every client's commands (the benchmark's polling and enqueueing too), per page drained.
        commands = redis_client.info("commandstats")
        print(f"Redis commands per page ({len(pages)} pages), every client:")
        for name, stat in sorted(commands.items(), key=lambda item: -item[1]["calls"]):
            print(f"  {name.removeprefix('cmdstat_'):28} {stat['calls'] / len(pages):8.2f}")
        _stop(worker, timeout=60)
        text = io.StringIO()
        stats = pstats.Stats(str(out), stream=text)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(text.getvalue())
    finally:
        stack.stop()
    return 0
