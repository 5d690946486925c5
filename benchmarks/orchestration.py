"""`python -m benchmarks orchestration --baseline REF`: worker CPU per page, this tree against a git revision,
alternated round by round on the same services and the same pages (a baseline measured in the same run)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.stack import REPO_ROOT, BenchStack
from benchmarks.throughput import drain, log, new_run, render_pages, reset_stores
from newsdesk.demosite.site import generate_site
from newsdesk.localstack.services import WorkerProcess


def _code_of(tree: Path) -> str:
    """Where a worker started in `tree` imports the pipeline from: proof the variant is what it claims."""
    probe = "import tasks.worker.pipeline as p; print(p.__file__)"
    return subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks orchestration", description=__doc__)
    parser.add_argument("--baseline", required=True, help="git revision to compare with (e.g. a commit)")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    checkout = Path(tempfile.mkdtemp(prefix="newsdesk-baseline-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(checkout), args.baseline], cwd=REPO_ROOT, check=True
    )
    variants = {f"baseline {args.baseline}": checkout, "this tree": REPO_ROOT}
    for name, tree in variants.items():
        log(f"{name}: pipeline from {_code_of(tree)}")
    stack = BenchStack()
    cpu_ms: dict[str, list[float]] = {name: [] for name in variants}
    rates: dict[str, list[float]] = {name: [] for name in variants}
    try:
        settings = stack.start()
        site = generate_site(args.pages, 5, republications=True)
        for round_number in range(1, args.rounds + 1):
            for name, tree in variants.items():
                reset_stores(settings)
                run_id = new_run(settings, "bench-orchestration")
                pages = render_pages(site, "http://127.0.0.1:1", args.pages, run_id)
                worker = WorkerProcess(
                    env=settings.to_env(),
                    log_file=stack.base / "orchestration-worker.log",
                    concurrency=1,
                    code_root=tree,
                ).start(timeout=180)
                try:
                    result = drain(settings, pages, [worker.proc.pid], run_id)
                finally:
                    worker.stop()
                cpu_ms[name].append(result["worker_cpu_seconds"] * 1000 / len(pages))
                rates[name].append(len(pages) / result["seconds"])
                figures = f"{cpu_ms[name][-1]:.1f} ms CPU/page, {rates[name][-1]:.1f} pages/s"
                log(f"round {round_number}, {name}: {figures}")
    finally:
        stack.stop()
        subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=REPO_ROOT, check=False)
    baseline_name = next(iter(variants))
    print(
        f"\norchestration: {args.pages} demo pages enqueued as parse tasks, one worker of concurrency 1, "
        f"{args.rounds} alternated rounds, medians"
    )
    print(f"{'variant':<28} {'worker CPU ms/page':>18} {'pages/s':>8} {'CPU vs baseline':>16}")
    for name in variants:
        ratio = statistics.median(cpu_ms[name]) / statistics.median(cpu_ms[baseline_name])
        print(
            f"{name:<28} {statistics.median(cpu_ms[name]):>18.1f} {statistics.median(rates[name]):>8.1f} "
            f"{ratio:>15.2f}x"
        )
    return 0
