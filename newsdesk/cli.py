"""`newsdesk`: the command line people and scripts use to run, crawl, search and inspect the pipeline."""

from __future__ import annotations

import json
import os
import time
from typing import Annotated, Any

import typer

from newsdesk.errors import NewsdeskError
from newsdesk.redisstore import OUTCOMES, RunStore, build_redis
from newsdesk.settings import Settings
from newsdesk.stack import LocalStack

app = typer.Typer(
    help="newsdesk: crawl news sources into a searchable Elasticsearch archive.",
    no_args_is_help=True,
    add_completion=False,
)
services_app = typer.Typer(
    help="Run a local stack (Redis, Elasticsearch, a worker, the demo site) without Docker.",
    no_args_is_help=True,
)
app.add_typer(services_app, name="services")


def _settings() -> Settings:
    return Settings.from_env()


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _es(settings: Settings):
    from index.client import build_client

    return build_client(settings)


@services_app.command("up")
def services_up(demo_size: Annotated[int, typer.Option(help="articles on the demo site")] = 60) -> None:
    """Start Redis, Elasticsearch, a Celery worker and the demo site (reusing what already runs)."""
    settings = _settings()
    stack = LocalStack(settings.home)
    try:
        info = stack.up(
            demo_size=demo_size,
            external_es=os.environ.get("NEWSDESK_ES_URL"),
            external_redis=os.environ.get("NEWSDESK_REDIS_URL"),
        )
    except NewsdeskError as exc:
        _fail(str(exc))
    typer.echo(f"redis:         {info['redis_url']}")
    typer.echo(f"elasticsearch: {info['es_url']}")
    typer.echo(f"demo site:     {info['demo_url']}")
    typer.echo(f"state:         {settings.home} (stop with `newsdesk services down`)")


@services_app.command("down")
def services_down() -> None:
    """Stop the local stack (the worker first, so in-flight tasks finish)."""
    stopped = LocalStack(_settings().home).down()
    typer.echo(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@services_app.command("status")
def services_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show whether each local service runs, and where."""
    status = LocalStack(_settings().home).status()
    if as_json:
        typer.echo(json.dumps(status))
        return
    if not status["running"]:
        typer.echo("the local stack is not running")
        raise typer.Exit(3)
    for name, alive in status["components"].items():
        typer.echo(f"{name:14} {'running' if alive else 'STOPPED'}")
    typer.echo(f"redis {status['redis_url']}  elasticsearch {status['es_url']}  demo {status['demo_url']}")
    if not status["healthy"]:
        raise typer.Exit(3)


@app.command()
def setup() -> None:
    """Install index templates, versioned indices and aliases (idempotent)."""
    from index.client import wait_for_health
    from index.setup import ensure_setup

    settings = _settings()
    try:
        es = _es(settings)
        wait_for_health(es, timeout="60s")
        changes = ensure_setup(es, settings)
        from index.security import ensure_worker_user

        changes += ensure_worker_user(es, settings)
    except NewsdeskError as exc:
        _fail(str(exc))
    typer.echo("\n".join(changes) if changes else "templates up to date; indices and aliases already exist")


def run_crawl(settings: Settings, source: str, wait: bool, timeout: float) -> dict[str, Any]:
    """Crawl `source` in a child process; with `wait`, return once every page has a recorded fate."""
    from newsdesk.crawls import crawl_source

    runs = RunStore(build_redis(settings), settings.index_prefix)
    run = crawl_source(settings, source, trigger="cli")
    run_id, log_file = run["run_id"], run["log_file"]
    if run["crawler_exit"] != 0:
        raise NewsdeskError(f"crawler exited with {run['crawler_exit']}; see {log_file}")
    deadline = time.monotonic() + timeout
    run = runs.get(run_id)
    while wait and not run["complete"]:
        if time.monotonic() > deadline:
            raise NewsdeskError(
                f"run {run_id}: {run['done']} of {run['sent']} pages done after {timeout:.0f}s"
            )
        time.sleep(0.5)
        run = runs.get(run_id)
    run["log_file"] = str(log_file)
    return run


def format_run(run: dict[str, Any]) -> str:
    lines = [
        f"run {run['run_id']} of {run['crawl_source']}: "
        f"{'complete' if run.get('complete') else 'in progress'}",
        f"  found      {run.get('sent', 0):>6}  (article pages handed to the pipeline)",
    ]
    lines += [f"  {outcome:10} {run.get(outcome, 0):>6}" for outcome in OUTCOMES]
    return "\n".join(lines)


@app.command()
def crawl(
    source: Annotated[str, typer.Argument(help="a source name from the registry (sources.yaml)")],
    wait: Annotated[
        bool, typer.Option(help="return when every article is indexed or recorded as failed")
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait with --wait")] = 1800,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    now: Annotated[
        bool, typer.Option("--now", help="queue it on the workers now, under the scheduler's lock and limit")
    ] = False,
) -> None:
    """Crawl one source now; with --wait print the run's summary when the pipeline has finished with it."""
    settings = _settings()
    if now:
        from newsdesk.ops import queue_crawl

        try:
            typer.echo(f"crawl of {source} queued (task {queue_crawl(settings, source)})")
        except NewsdeskError as exc:
            _fail(str(exc))
        return
    try:
        run = run_crawl(settings, source, wait, timeout)
    except NewsdeskError as exc:
        _fail(str(exc))
    typer.echo(json.dumps(run) if as_json else format_run(run))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='words, "phrases", -exclusions')],
    size: Annotated[int, typer.Option(help="how many hits")] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Full-text search over the archive."""
    from index.query import search_articles

    settings = _settings()
    try:
        result = search_articles(_es(settings), settings, query, size)
    except NewsdeskError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"{result['total']} articles match {query!r}")
    for hit in result["hits"]:
        typer.echo(f"  {hit.get('published_at') or '????-??-??'}  {hit.get('source') or '?'}  {hit['title']}")
        typer.echo(f"      {hit['url']}")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents, duplicates and failures by reason."""
    from index.query import collect_stats

    settings = _settings()
    try:
        result = collect_stats(_es(settings), settings)
    except NewsdeskError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"documents   {result['documents']}")
    typer.echo(f"duplicates  {result['duplicates']}")
    typer.echo(f"failures    {result['failures']}")
    for reason, count in sorted(result["failures_by_reason"].items()):
        typer.echo(f"  {reason:24} {count}")


@app.command()
def demo(
    size: Annotated[int, typer.Option(help="articles on the demo site")] = 60,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the pipeline")] = 900,
) -> None:
    """The main job on the bundled demo site: start the stack, crawl, index, summarise, search."""
    from index.client import wait_for_health
    from index.query import collect_stats, search_articles
    from index.setup import ensure_setup

    settings = _settings()
    stack = LocalStack(settings.home)
    try:
        typer.echo("starting the local stack (Redis, Elasticsearch, worker, demo site)…")
        stack.up(
            demo_size=size,
            external_es=os.environ.get("NEWSDESK_ES_URL"),
            external_redis=os.environ.get("NEWSDESK_REDIS_URL"),
        )
        settings = _settings()
        es = _es(settings)
        wait_for_health(es, timeout="60s")
        ensure_setup(es, settings)
        typer.echo(f"crawling the demo site at {settings.demo_url}…")
        run = run_crawl(settings, "demo", wait=True, timeout=timeout)
        typer.echo(format_run(run))
        totals = collect_stats(es, settings)
        typer.echo(
            f"archive: {totals['documents']} documents, {totals['duplicates']} duplicate URLs, "
            f"{totals['failures']} failures {totals['failures_by_reason']}"
        )
        result = search_articles(es, settings, "talks", size=3)
    except NewsdeskError as exc:
        _fail(str(exc))
    typer.echo(f"sample search 'talks': {result['total']} hits")
    for hit in result["hits"]:
        typer.echo(f"  {hit.get('published_at')}  {hit.get('source')}  {hit['title']}")
    typer.echo("the stack keeps running: try `newsdesk search …`; stop it with `newsdesk services down`")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()


# --- operations (issue 8): dead letters, schedules --------------------------------------------------
from newsdesk.dlq import dlq_app  # noqa: E402 - registered here, at the end, to keep merges clean

app.add_typer(dlq_app, name="dlq")
from newsdesk.ops import metrics, schedule_app  # noqa: E402

app.add_typer(schedule_app, name="schedule")
app.command("metrics")(metrics)
