"""`python -m benchmarks [SUITE] [options]`: run a benchmark suite, print its table, keep its JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

from benchmarks.report import build_result, check_result, format_table, machine_description, write_result

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Other suites (extraction, dedupe, enrich) register here with one line: "name": "module:function",
# where the function takes the remaining arguments and returns an exit code.
SUITES = {
    "throughput": "benchmarks.__main__:run_throughput",
    "profile": "benchmarks.profile_worker:main",
    "revisions": "benchmarks.revisions:main",
    "orchestration": "benchmarks.orchestration:main",
    "search-cost": "benchmarks.search_cost:main",
    "warc-import": "benchmarks.warc_import:main",
    "replication": "benchmarks.replication:main",
    "redis-maps": "benchmarks.redis_maps:main",
    "crawl-state-growth": "benchmarks.crawl_state_growth:main",
}
QUICK = {
    "size": 300,
    "backlog": 600,
    "scale_pages": 300,
    "stage_pages": 400,
    "peer_timeout": 90,
    "real_pages_sample": 200,
}


def section_order(section: str) -> tuple[int, str]:
    """Sections by their number ("10. …" after "9. …"), then by name."""
    number = section.split(".", 1)[0]
    return (int(number) if number.isdigit() else 0, section)


def throughput_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks throughput",
        description="End to end, per stage, bounds, a peer, re-crawl, memory and scale-out, in one run.",
    )
    parser.add_argument("--size", type=int, default=None, help="articles on the demo site (default 5000)")
    parser.add_argument("--backlog", type=int, default=None, help="pages in the memory backlog (10000)")
    parser.add_argument("--scale-pages", type=int, default=None, help="pages per scale-out run (600)")
    parser.add_argument("--stage-pages", type=int, default=None, help="pages timed per stage (500)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every section")
    parser.add_argument("--skip-peer", action="store_true", help="do not install or run news-please")
    parser.add_argument("--peer-timeout", type=float, default=None, help="seconds news-please may crawl")
    parser.add_argument("--concurrency", type=int, default=2, help="worker concurrency end to end")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="where the JSON result goes")
    parser.add_argument(
        "--real-pages",
        type=Path,
        default=None,
        metavar="DIR",
        help="saved pages for the real-pages site: evaldata.json and pages/ (../shared/corpus/real-pages)",
    )
    parser.add_argument(
        "--real-pages-sample", type=int, default=None, help="crawl this many of them (all; 200 with --quick)"
    )
    parser.add_argument(
        "--only", choices=("realsite", "rendering", "scale-out"), help="run this one section on its own"
    )
    return parser


def run_throughput(argv: list[str]) -> int:
    from benchmarks.stack import BenchStack
    from benchmarks.throughput import Options, Run, log, run_suite

    args = throughput_parser().parse_args(argv)
    options = Options(
        skip_peer=args.skip_peer, concurrency=args.concurrency, real_pages=args.real_pages, only=args.only
    )
    if args.quick:
        for name, value in QUICK.items():
            setattr(options, name, value)
    for name in ("size", "backlog", "scale_pages", "stage_pages", "peer_timeout", "real_pages_sample"):
        if getattr(args, name) is not None:
            setattr(options, name, getattr(args, name))
    started = dt.datetime.now(dt.UTC)
    machine = machine_description()
    log(
        f"machine: {machine['cores']} cores, {machine['cpu_model']}, "
        f"load average {', '.join(f'{x:.1f}' for x in machine['load_average_at_start'])}"
    )
    run, stack, failure = Run(options), BenchStack(), None
    clock = time.monotonic()
    try:
        run_suite(options, stack, run)
    except Exception as exc:  # the table of what was measured is still worth printing
        failure = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
        print(stack.worker_log_tail(), file=sys.stderr)
    finally:
        stack.stop()
    machine["load_average_at_end"] = list(os.getloadavg())
    run.details["seconds"] = time.monotonic() - clock
    run.details["failure"] = failure
    rows = sorted(run.rows, key=lambda row: section_order(row.section))
    result = build_result(started, machine, vars(options) | {"quick": args.quick}, rows, run.details)
    problems = check_result(result)
    path = write_result(result, args.results)
    print()
    scope = f"the {options.only} section alone" if options.only else f"{options.size} articles"
    print(
        f"newsdesk benchmarks, {started:%Y-%m-%d %H:%M} UTC: {scope}, "
        f"{machine['cores']} cores, load average at start "
        f"{machine['load_average_at_start'][0]:.1f}, at end {machine['load_average_at_end'][0]:.1f}"
    )
    print(format_table(rows))
    print(f"\n{run.details['seconds']:.0f}s in all; result written to {path}")
    for problem in problems:
        print(f"warning: result {problem}", file=sys.stderr)
    if failure:
        print(f"benchmark stopped early: {failure}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    suite = "throughput"
    if argv and not argv[0].startswith("-"):
        suite = argv.pop(0)
    if suite not in SUITES:
        print(f"unknown suite {suite!r}; available: {', '.join(SUITES)}", file=sys.stderr)
        return 2
    module_name, function = SUITES[suite].split(":")
    if module_name == __name__ or module_name == "benchmarks.__main__":
        return globals()[function](argv)
    return getattr(importlib.import_module(module_name), function)(argv)


if __name__ == "__main__":
    sys.exit(main())
