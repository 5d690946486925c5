"""CLI commands for the source registry and the recurring-crawl state (registered by newsdesk.cli)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from newsdesk.errors import NewsdeskError
from newsdesk.settings import Settings

sources_app = typer.Typer(
    help="The source registry (sources.yaml): list and check sources.", no_args_is_help=True
)
crawl_state_app = typer.Typer(
    help="What recurring crawls remember: known article URLs and discovery-page validators.",
    no_args_is_help=True,
)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source with its discovery modes and schedule; examples are marked."""
    from newsdesk.sources import load_sources

    settings = Settings.from_env()
    try:
        sources = load_sources(settings.sources_file)
    except NewsdeskError as exc:
        _fail(str(exc), 2)
    if as_json:
        typer.echo(json.dumps([s.model_dump() for s in sources.values()]))
        return
    for source in sources.values():
        flags = " ".join(
            flag for flag, on in (("[example]", source.example), ("[needs --url]", source.needs_url)) if on
        )
        typer.echo(
            f"{source.name:22} {','.join(source.discovery):16} {source.schedule or '-':14} "
            f"{source.description} {flags}".rstrip()
        )


@sources_app.command("check")
def sources_check(
    name: Annotated[str, typer.Argument(help="the source to check")],
    url: Annotated[str | None, typer.Option(help="the URL a generic source needs")] = None,
) -> None:
    """Load the registry, validate one source and show what a crawl of it would use (nothing is fetched)."""
    from newsdesk.sources import describe_problems, resolve_source

    settings = Settings.from_env()
    try:
        source = resolve_source(settings.sources_file, settings.demo_url, name, url or "https://example.org/")
    except NewsdeskError as exc:
        _fail(str(exc), 2)
    typer.echo(f"{source.name}: ok")
    for key, value in source.model_dump().items():
        typer.echo(f"  {key:16} {value}")
    for problem in describe_problems(source):
        typer.secho(f"  warning: {problem}", fg=typer.colors.YELLOW)


@crawl_state_app.command("rebuild")
def crawl_state_rebuild(
    source: Annotated[str | None, typer.Option(help="only this source")] = None,
) -> None:
    """Restore the known-URL state from Elasticsearch (after Redis lost it)."""
    settings = Settings.from_env()
    try:
        counts = rebuild_crawl_state(settings, source)
    except NewsdeskError as exc:
        _fail(str(exc))
    for name, added in sorted(counts.items()):
        typer.echo(f"{name:22} {added} URLs restored")
    _rebuild_rechecks(settings, source)
    if not counts:
        typer.echo("nothing in the archive to restore")


@crawl_state_app.command("stats")
def crawl_state_stats() -> None:
    """Known URLs per source and what each costs in Redis (MEMORY USAGE / URLs)."""
    from newsdesk.crawlstate import CrawlState
    from newsdesk.redisstore import build_redis

    settings = Settings.from_env()
    try:
        state = CrawlState(build_redis(settings), settings.index_prefix, settings.crawl_state_max_urls)
        for name in state.sources():
            per_url = state.bytes_per_url(name)
            shown = f"{per_url:.1f} bytes/URL" if per_url else "-"
            typer.echo(f"{name:22} {state.count_known(name):>9} known URLs  {shown}")
    except NewsdeskError as exc:
        _fail(str(exc))


def _rebuild_rechecks(settings: Settings, source: str | None) -> None:
    """Revisions (issue 9): the re-check schedule comes back from the archive too."""
    from index.client import build_client
    from newsdesk.redisstore import build_redis
    from newsdesk.revisionstate import rebuild_recheck_schedule

    es = build_client(settings)
    try:
        counts = rebuild_recheck_schedule(es, build_redis(settings), settings, source)
    except NewsdeskError as exc:
        _fail(str(exc))
    finally:
        es.close()
    for name, scheduled in sorted(counts.items()):
        typer.echo(f"{name:22} {scheduled} articles scheduled for re-checks")


def rebuild_crawl_state(settings: Settings, source: str | None = None) -> dict[str, int]:
    """Mark every URL the archive holds a fate for as known, per source; returns how many were added.

    A separate function (not only a command) so another `state rebuild` can call it with its own.
    """
    from index.client import build_client
    from index.crawl_runs import ingested_urls
    from newsdesk.crawlstate import CrawlState
    from newsdesk.redisstore import build_redis

    state = CrawlState(build_redis(settings), settings.index_prefix, settings.crawl_state_max_urls)
    es = build_client(settings)
    counts: dict[str, int] = {}
    pending: dict[str, list[str]] = {}
    try:
        for name, url in ingested_urls(es, settings, source):
            pending.setdefault(name, []).append(url)
            if len(pending[name]) >= 5000:
                counts[name] = counts.get(name, 0) + state.mark_known(name, pending.pop(name))
        for name, urls in pending.items():
            counts[name] = counts.get(name, 0) + state.mark_known(name, urls)
    finally:
        es.close()
    return counts


def register_crawl_commands(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
    app.add_typer(crawl_state_app, name="crawl-state")
