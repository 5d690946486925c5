"""Scale-out: 1, 2 and 4 worker processes drain the same backlog of pages, with the machine's load beside."""

from __future__ import annotations

import base64
import datetime as dt
import statistics
from pathlib import Path

from benchmarks.service_cost import metered
from benchmarks.stack import BenchStack
from benchmarks.throughput import Options, Run, _parse_messages, drain, log, new_run, reset_stores
from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.settings import Settings

PROCESS_COUNTS = (1, 2, 4)
# Pages each worker process takes before the timed drain: the language profiles and the gazetteer load on
# first use (about a second a process), which would otherwise weigh on the rows with more processes.
WARM_UP_PER_PROCESS = 5
WARM_UP = WARM_UP_PER_PROCESS * max(PROCESS_COUNTS)
# The real pages travel under this base, as a crawl of one site would send them; no request goes there.
REAL_BASE = "http://real-pages.test"
# What `crawl --url` names its source; the registry has no rules for it, as for the real-pages crawl.
ADHOC_SOURCE = "adhoc"


def real_backlog(directory: Path, count: int, seed: int) -> list[dict]:
    """`count` article pages of the real-pages site (fewer if the corpus has fewer), each as the spider
    hands it on: the bytes as served, base64, and their content type."""
    from newsdesk.demosite.realsite import generate_real_site, load_real_pages, sample_pages

    site = generate_real_site(sample_pages(load_real_pages(directory), count, seed), seed)
    fetched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    pages = []
    for path in sorted(site.articles):
        status, content_type, body, _ = site.render(path, REAL_BASE)
        pages.append(
            FetchedPage(
                url=REAL_BASE + path,
                final_url=REAL_BASE + path,
                crawl_source=ADHOC_SOURCE,
                fetched_at=fetched_at,
                status=status,
                headers={"content-type": content_type},
                html="",
                body_base64=base64.b64encode(body).decode("ascii"),
            ).to_dict()
        )
    return pages


def backlog_pages(options: Options, demo_pages: list[dict]) -> tuple[list[dict], str]:
    """The scale-out's pages and what they are: the real-pages site's when its corpus is there, else the
    demo pages the suite fetched."""
    from benchmarks.realsite import REAL_PAGES

    directory = options.real_pages or REAL_PAGES
    wanted = options.scale_pages + WARM_UP
    if (directory / "evaldata.json").is_file() or (directory / "expected.jsonl").is_file():
        return real_backlog(directory, wanted, options.seed), f"real pages from {directory}"
    return demo_pages[:wanted], "demo pages (no real-pages corpus)"


def drain_with(
    stack: BenchStack, settings: Settings, processes: int, warm_up: list[dict], workload: list[dict]
) -> dict:
    """`processes` worker processes of concurrency 1, warmed up, drain `workload` into emptied stores."""
    reset_stores(settings)
    pids = stack.start_workers(processes, 1, settings)
    try:
        warm = new_run(settings, "bench-scale-warm-up")
        drain(
            settings, [{**p, "run_id": warm} for p in warm_up[: WARM_UP_PER_PROCESS * processes]], pids, warm
        )
        run_id = new_run(settings, "bench-scale")
        log(f"scale-out: {len(workload)} pages, {processes} worker process(es) of concurrency 1")
        pages = [{**p, "run_id": run_id} for p in workload]
        result, spent = metered(stack, settings, pids, lambda: drain(settings, pages, pids, run_id))
    finally:
        stack.stop_workers()
    return {
        **{k: v for k, v in result.items() if k != "rss_samples"},
        "pages_per_second": len(workload) / result["seconds"],
        "spent": spent,
    }


def row_note(row: dict, pages: int) -> str:
    """Wall time, CPU per page of the workers and of the stores, speed-up and how busy the cores were."""
    spent, cpu = row["spent"], row["spent"]["cpu"]

    def ms(name: str) -> str:
        return f"{1000 * cpu[name] / pages:.1f}"

    return (
        f"{row['seconds']:.1f} s; worker CPU {ms('workers')} ms/page; speed-up {row['speed_up']:.2f}x; "
        f"{spent['cores']} cores {100 * (spent['busy_share'] or 0):.0f}% busy, "
        f"{100 * (spent['own_share'] or 0):.0f}% by this run; Redis {ms('redis-server')} "
        f"and Elasticsearch {ms('elasticsearch')} ms CPU/page"
    )


def scale_out(
    run: Run, stack: BenchStack, settings: Settings, demo_pages: list[dict], options: Options
) -> None:
    """Each process count drains the same pages into emptied stores, after a warm-up of its own."""
    from celery import Celery

    pages, kind = backlog_pages(options, demo_pages)
    warm_up, workload = pages[:WARM_UP], pages[WARM_UP:]
    sizes = [len(m) for m in _parse_messages(Celery("newsdesk-bench", broker=settings.redis_url), workload)]
    section = f"7. scale-out: {len(workload)} {kind}, enqueued at once as parse tasks"
    rows = {n: drain_with(stack, settings, n, warm_up, workload) for n in PROCESS_COUNTS}
    cores = rows[PROCESS_COUNTS[0]]["spent"]["cores"]
    for processes, row in rows.items():
        row["speed_up"] = row["pages_per_second"] / rows[PROCESS_COUNTS[0]]["pages_per_second"]
        name = f"{processes} worker process{'es' if processes > 1 else ''}"
        run.add(section, name, row["pages_per_second"], "pages/s", note=row_note(row, len(workload)))
        log(f"scale-out: {name}: {row['pages_per_second']:.1f} pages/s")
    for processes in PROCESS_COUNTS[1:]:
        run.add(
            section,
            f"speed-up {processes} vs 1",
            rows[processes]["speed_up"],
            "x",
            note=f"ideal {processes}x on {processes} free cores; this machine has {cores}",
        )
    median = statistics.median(sizes) if sizes else None
    run.add(
        section,
        "broker message",
        statistics.mean(sizes) if sizes else None,
        "B/page",
        note=f"a parse task as the crawler sends it (the page's bytes, base64); median {median or 0:,.0f} B",
    )
    run.details["scale_out"] = {
        "pages": kind,
        "workload": len(workload),
        "warm_up_per_process": WARM_UP_PER_PROCESS,
        "message_bytes": {"mean": statistics.mean(sizes), "median": median} if sizes else None,
        "rows": {str(processes): row for processes, row in rows.items()},
    }
