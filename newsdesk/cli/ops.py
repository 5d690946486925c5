"""`newsdesk schedule list` and `newsdesk metrics`: what runs when, and how the pipeline is doing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer

from newsdesk.cli.common import fail, load_settings
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.wire import CRAWL_QUEUE, CRAWL_TASK

PIPELINE_STAGES = ("parse", "dedupe", "enrich", "index", "crawl", "drain_dead_letters")
schedule_app = typer.Typer(
    help="Recurring crawls: the schedule beat runs from sources.yaml.", no_args_is_help=True
)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def schedule_rows(settings: Settings) -> list[dict[str, Any]]:
    """Per source: its schedule, next run, last run, whether a crawl holds its lock, skipped ticks."""
    from newsdesk.kernel.schedules import entry_name, parse_schedule
    from newsdesk.kernel.sources import load_sources
    from newsdesk.state.client import build_redis
    from newsdesk.state.locks import CrawlLocks
    from newsdesk.state.runs import RunStore
    from tasks.worker.beat import due_times

    client = build_redis(settings)
    locks = CrawlLocks(client, settings.index_prefix)
    runs = RunStore(client, settings.index_prefix)
    due = due_times(client, settings)
    recent = [runs.get(run_id) for run_id in runs.recent(200)]
    skip_counts = client.hgetall(f"{settings.index_prefix}:crawl-skip-counts")
    rows = []
    for source in load_sources(settings.sources_file).values():
        if source.schedule:
            parse_schedule(source.schedule)  # a bad schedule is reported here, before beat refuses it
        last = next((r for r in recent if r.get("crawl_source") == source.name), None)
        holder = locks.holder(source.name)
        rows.append(
            {
                "source": source.name,
                "schedule": source.schedule,
                "scheduled": source.scheduled,
                "not_scheduled_because": source.unscheduled_because,
                "next_run": _when(due.get(entry_name(source.name))) if source.scheduled else None,
                "last_run": last.get("started_at") if last else None,
                "last_run_id": last.get("run_id") if last else None,
                "running": holder,
                "skipped_ticks": int(skip_counts.get(source.name, 0)),
            }
        )
    return rows


@schedule_app.command("list")
def schedule_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each source's schedule and next run (as beat keeps it in Redis), its last run and skipped ticks."""
    settings = load_settings()
    try:
        rows = schedule_rows(settings)
    except NewsdeskError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = f"running ({row['running']['holder']})" if row["running"] else "idle"
        schedule = row["schedule"] if row["scheduled"] else "manual only"
        if row["not_scheduled_because"]:
            state += f"; schedule {row['schedule']!r} not run: {row['not_scheduled_because']}"
        typer.echo(
            f"{row['source']:16} {schedule:18} next {row['next_run'] or '-':25} "
            f"last {row['last_run'] or 'never':29} {state}, {row['skipped_ticks']} skipped ticks"
        )


def queue_crawl(settings: Settings, source: str) -> str:
    """Ask the workers to crawl `source` now, through the same lock and time limit as a scheduled tick."""
    from newsdesk.kernel.sources import get_source
    from newsdesk.state.reliable.broker import task_sender

    get_source(settings.sources_file, source)  # an unknown name fails here, not in a worker
    client = task_sender("newsdesk-cli", settings)
    try:
        return client.send_task(CRAWL_TASK, args=[source, "manual"], queue=CRAWL_QUEUE).id
    except Exception as exc:  # noqa: BLE001 - the broker's many errors all mean "not queued"
        raise NewsdeskError(f"could not queue a crawl of {source}: {exc}") from exc


def metrics(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Queue depth, unacknowledged tasks, per-stage counts, latency, retries and failures, dead letters."""
    from newsdesk.state.client import build_redis
    from newsdesk.state.metrics import Metrics
    from newsdesk.state.reliable.deadletters import PENDING_KEY, UNSTORABLE_KEY

    settings = load_settings()
    try:
        snapshot = Metrics(build_redis(settings), settings.index_prefix).snapshot(
            PIPELINE_STAGES,
            {
                "deadletters_pending": PENDING_KEY,
                "deadletters_unstorable": UNSTORABLE_KEY,
            },
        )
    except NewsdeskError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(snapshot))
        return
    typer.echo(f"queue depth        {snapshot['queue_depth']}")
    typer.echo(f"crawls queued      {snapshot['crawl_queue_depth']}")
    typer.echo(f"unacknowledged     {snapshot['unacknowledged']}")
    typer.echo(
        f"dead letters kept in Redis: {snapshot['deadletters_pending']} pending, "
        f"{snapshot['deadletters_unstorable']} unstorable"
    )
    typer.echo(f"{'stage':20} {'succeeded':>9} {'retried':>8} {'failed':>7} {'mean ms':>8} {'max ms':>7}")
    for stage, c in snapshot["stages"].items():
        typer.echo(
            f"{stage:20} {c['succeeded']:>9} {c['retried']:>8} {c['failed']:>7} "
            f"{c['mean_ms']:>8.2f} {c['max_ms']:>7.2f}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
    app.command("metrics")(metrics)
