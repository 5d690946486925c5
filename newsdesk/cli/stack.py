"""`newsdesk services up|down|status` and `newsdesk demo`: the local stack without Docker, and a job on it."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from newsdesk.cli.common import es_client, fail, load_settings
from newsdesk.cli.crawl import format_run, run_crawl
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.redaction import scrub
from newsdesk.localstack.stack import LocalStack, stack_shape

services_app = typer.Typer(
    help="Run a local stack (Redis, Elasticsearch, a worker, the demo site) without Docker.",
    no_args_is_help=True,
)


@services_app.command("up")
def services_up(
    demo_size: Annotated[int, typer.Option(help="articles on the demo site")] = 60,
    redis: Annotated[
        str, typer.Option(help="single: one Redis; sentinel: a master, a replica and three Sentinels")
    ] = "single",
    workers: Annotated[int, typer.Option(min=1, help="page-worker processes")] = 1,
    es_nodes: Annotated[int, typer.Option(min=1, help="Elasticsearch nodes (3: a cluster)")] = 1,
) -> None:
    """Start Redis, Elasticsearch, Celery workers and the demo site (reusing what already runs)."""
    if redis not in ("single", "sentinel"):
        fail(f"--redis {redis}: expected single or sentinel")
    settings = load_settings()
    stack = LocalStack(settings.home)
    try:
        info = stack.up(
            demo_size=demo_size,
            external_es=os.environ.get("NEWSDESK_ES_URL"),
            external_redis=os.environ.get("NEWSDESK_REDIS_URL"),
            redis_mode=redis,
            workers=workers,
            es_nodes=es_nodes,
        )
    except NewsdeskError as exc:
        fail(str(exc))
    typer.echo(f"redis:         {scrub(info['redis_url'])}")
    typer.echo(f"elasticsearch: {info['es_url']}")
    typer.echo(f"demo site:     {info['demo_url']}")
    typer.echo(f"state:         {settings.home} (stop with `newsdesk services down`)")


@services_app.command("down")
def services_down() -> None:
    """Stop the local stack (the worker first, so in-flight tasks finish)."""
    stopped = LocalStack(load_settings().home).down()
    typer.echo(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@services_app.command("status")
def services_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show whether each local service runs, and where."""
    status = LocalStack(load_settings().home).status()
    if as_json:
        typer.echo(json.dumps(status))
        return
    if not status["running"]:
        typer.echo("the local stack is not running")
        raise typer.Exit(3)
    for name, alive in status["components"].items():
        typer.echo(f"{name:16} {'running' if alive else 'STOPPED'}")
    redis_url = scrub(status["redis_url"] or "")
    typer.echo(f"redis {redis_url}  elasticsearch {status['es_url']}  demo {status['demo_url']}")
    if not status["healthy"]:
        raise typer.Exit(3)


def demo(
    size: Annotated[int, typer.Option(help="articles on the demo site")] = 60,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the pipeline")] = 900,
) -> None:
    """The main job on the bundled demo site: start the stack, crawl, index, summarise, search."""
    from index.client import wait_for_health
    from index.query import SearchRequest, collect_stats, search_articles
    from index.setup import detect_capabilities, ensure_setup, migrate_stale

    settings = load_settings()
    stack = LocalStack(settings.home)
    try:
        typer.echo("starting the local stack (Redis, Elasticsearch, worker, demo site)…")
        # A stack started with `services up --redis sentinel --es-nodes 3 …` is kept as it is.
        stack.up(
            demo_size=size,
            external_es=os.environ.get("NEWSDESK_ES_URL"),
            external_redis=os.environ.get("NEWSDESK_REDIS_URL"),
            **stack_shape(stack.read()),
        )
        settings = load_settings()
        es = es_client(settings)
        wait_for_health(es, timeout="60s")
        capabilities = detect_capabilities(es)
        ensure_setup(es, settings, capabilities)
        # A stack kept from an older newsdesk holds indices on an older, strict mapping: this code's
        # articles would all be refused, so the demo moves them first (`newsdesk migrate` does the same).
        for moved in migrate_stale(es, settings, capabilities):
            typer.echo(f"migrated {moved['alias']}: {moved['documents']} documents → {moved['to']}")
        typer.echo(f"crawling the demo site at {settings.demo_url}…")
        run = run_crawl(settings, "demo", wait=True, timeout=timeout)
        typer.echo(format_run(run))
        totals = collect_stats(es, settings)
        typer.echo(
            f"archive: {totals['documents']} documents, {totals['duplicates']} duplicate URLs, "
            f"{totals['failures']} failures {totals['failures_by_reason']}"
        )
        result = search_articles(es, settings, SearchRequest(query="talks", limit=3))
    except NewsdeskError as exc:
        fail(str(exc))
    typer.echo(f"sample search 'talks': {result['total']} hits")
    for hit in result["hits"]:
        typer.echo(f"  {hit.get('published_at')}  {hit.get('source')}  {hit['title']}")
    typer.echo("the stack keeps running: try `newsdesk search …`; stop it with `newsdesk services down`")


def register(app: typer.Typer) -> None:
    app.add_typer(services_app, name="services")
    app.command()(demo)
