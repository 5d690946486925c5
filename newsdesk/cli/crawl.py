"""`newsdesk crawl`, `newsdesk sources list|check` and `newsdesk crawl-state rebuild|stats`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from newsdesk.cli.common import fail, load_settings
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import NewsdeskError, StoreNotReady
from newsdesk.kernel.settings import Settings
from newsdesk.state.client import build_redis, patiently
from newsdesk.state.runs import OUTCOMES, RunStore, wait_for_run


def run_crawl(
    settings: Settings,
    request: CrawlRequest | str | None,
    wait: bool,
    timeout: float,
    *,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Crawl what `request` names (a source name alone is the plain crawl of that source) in a child
    process, under the source's lock; with `wait`, return once every page has a recorded fate.

    Raises StoreNotReady, fetching nothing, when Elasticsearch is not set up (or on an older mapping)."""
    from newsdesk.cli.crawl_report import record_crawl_run
    from tasks.worker.crawls import crawl_source

    runs = RunStore(build_redis(settings), settings.index_prefix)
    run = crawl_source(settings, CrawlRequest.of(request), trigger="cli", on_progress=on_progress)
    run_id, log_file, exit_code = run["run_id"], run["log_file"], run["crawler_exit"]
    run = patiently(lambda: runs.get(run_id), "read run")
    record_crawl_run(settings, run)
    if exit_code != 0:
        raise NewsdeskError(f"crawler exited with {exit_code}; see {log_file}")
    if wait:
        run = wait_for_run(runs, run_id, timeout, on_progress, run)
        fates = patiently(lambda: runs.url_fates(run_id), "read url fates")
        run["record_error"] = record_crawl_run(settings, run, fates)
    run["log_file"] = str(log_file)
    return run


def format_run(run: dict[str, Any]) -> str:
    lines = [
        f"run {run['run_id']} of {run['crawl_source']}: "
        f"{'complete' if run.get('complete') else 'in progress'}",
        f"  found        {run.get('sent', 0):>6}  (pages handed to the pipeline)",
    ]
    lines += [f"  {outcome:12} {run.get(outcome, 0):>6}" for outcome in OUTCOMES]
    lines += format_fates(run)
    if "crawl_pages_fetched" in run:
        from newsdesk.cli.crawl_report import format_crawl_side

        lines += format_crawl_side(run)
    return "\n".join(lines)


def format_fates(run: dict[str, Any]) -> list[str]:
    """One line: every URL the crawl fetched, by fate; and a warning when some have none (yet)."""
    fates = run.get("fates") or {}
    shown = ", ".join(f"{fate} {count}" for fate, count in fates.items() if count)
    lines = [f"  fates of {run.get('urls', 0)} URLs fetched: {shown or 'none yet'}"]
    fetched = int(run.get("crawl_urls") or 0)
    if run.get("complete") and fetched and fetched != run.get("urls", 0):
        lines.append(f"  !! {fetched} URLs fetched, {run.get('urls', 0)} with a recorded fate")
    if run.get("lost"):
        lines.append(
            f"  !! {run['lost']} pages handed on never got a fate; "
            f"fetched again by run {run.get('lost_redone_in', '?')}"
        )
    return lines


runs_app = typer.Typer(help="Crawl runs: what each crawl fetched and what became of every URL.")


@runs_app.command("list")
def runs_list(
    limit: Annotated[int, typer.Option(help="how many of the latest runs")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The latest runs, newest first."""
    settings = load_settings()
    try:
        store = RunStore(build_redis(settings), settings.index_prefix)
        runs = [store.get(run_id) for run_id in store.recent(limit)]
    except NewsdeskError as exc:
        fail(str(exc))
    runs = [run for run in runs if run]
    if as_json:
        typer.echo(json.dumps(runs))
        return
    for run in runs:
        state = "complete" if run.get("complete") else "in progress"
        typer.echo(
            f"{run['run_id']}  {run.get('crawl_source', ''):20} {state:12} {run.get('urls', 0):>7} URLs"
        )


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="a run id (`newsdesk runs list`)")],
    urls: Annotated[bool, typer.Option("--urls", help="every URL with its fate and why")] = False,
    fate: Annotated[str | None, typer.Option(help="only URLs with this fate (implies --urls)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A run's summary; with --urls, the fate of each URL it fetched."""
    from newsdesk.kernel.fates import FATES

    if fate is not None and fate not in FATES:
        fail(f"unknown fate {fate!r}; one of: {', '.join(FATES)}", code=2)
    settings = load_settings()
    try:
        store = RunStore(build_redis(settings), settings.index_prefix)
        run = store.get(run_id)
        fates = store.url_fates(run_id) if (urls or fate) else {}
        lost = store.lost_urls(run_id) if (urls and fate is None and run.get("lost")) else []
    except NewsdeskError as exc:
        fail(str(exc))
    if not run:
        fail(f"no run {run_id} in Redis (runs are kept 30 days; older ones are in the crawl-log index)")
    listed = sorted((url, f, why) for url, (f, why) in fates.items() if fate is None or f == fate)
    # Handed on, never given a fate here: the run named in the summary fetched them again.
    listed += [(url, "lost", f"fetched again by run {run.get('lost_redone_in')}") for url in lost]
    if as_json:
        entries = [{"url": url, "fate": f, "detail": why} for url, f, why in listed]
        typer.echo(json.dumps({"run": run, "urls": entries} if (urls or fate) else run))
        return
    typer.echo(format_run(run))
    for url, f, why in listed:
        typer.echo(f"{f:13} {url}" + (f"  ({why})" if why else ""))


def crawl(
    source: Annotated[
        str | None, typer.Argument(help="a source name from the registry (sources.yaml); omit with --url")
    ] = None,
    wait: Annotated[
        bool, typer.Option(help="return when every article is indexed or recorded as failed")
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait with --wait")] = 1800,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    url: Annotated[
        str | None, typer.Option(help="crawl this site with generic discovery, or fill a generic source")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="permit loopback and private addresses")
    ] = False,
    refetch_known: Annotated[
        bool, typer.Option("--refetch-known", help="fetch article URLs already handed on")
    ] = False,
    recheck_all: Annotated[
        bool, typer.Option("--recheck-all", help="re-check every scheduled known article now, conditionally")
    ] = False,
    now: Annotated[
        bool, typer.Option("--now", help="queue it on the workers now, under the scheduler's lock and limit")
    ] = False,
    set_up: Annotated[
        bool,
        typer.Option(
            "--setup", help="first set up Elasticsearch as `newsdesk setup` does, instead of refusing"
        ),
    ] = False,
) -> None:
    """Crawl one source now; with --wait print the run's summary when the pipeline has finished with it.

    Refuses (exit 2) when Elasticsearch is not set up or needs `newsdesk migrate`: the pages would all fail.
    """
    from newsdesk.cli.crawl_report import live_progress
    from newsdesk.kernel.sources import resolve_source

    settings = load_settings()
    try:
        if set_up:
            # The registry is checked first: a typo should not cost a setup.
            resolve_source(settings.sources_file, settings.demo_url, source, url, allow_private)
            _set_up_first(settings)
        if now:
            from newsdesk.cli.ops import queue_crawl
            from newsdesk.kernel.sources import get_source
            from tasks.worker.crawls import check_store

            get_source(settings.sources_file, source)  # a typo is reported before the store is asked
            check_store(settings)
            typer.echo(f"crawl of {source} queued (task {queue_crawl(settings, source)})")
            return
        with live_progress(enabled=not as_json and sys.stdout.isatty()) as on_progress:
            request = CrawlRequest(source, url, allow_private, refetch_known, recheck_all)
            run = run_crawl(settings, request, wait, timeout, on_progress=on_progress)
    except StoreNotReady as exc:
        fail(str(exc), 2)
    except NewsdeskError as exc:
        fail(str(exc))
    typer.echo(json.dumps(run) if as_json else format_run(run))


def _set_up_first(settings: Settings) -> None:
    """`newsdesk setup` before a crawl; what it changed goes to stderr, so --json output stays JSON."""
    from newsdesk.cli.store import set_up_stores

    _capabilities, changes = set_up_stores(settings)
    for change in changes:
        typer.echo(f"setup: {change}", err=True)


sources_app = typer.Typer(
    help="The source registry (sources.yaml): list and check sources.", no_args_is_help=True
)
crawl_state_app = typer.Typer(
    help="What recurring crawls remember: known article URLs and discovery-page validators.",
    no_args_is_help=True,
)


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source with its discovery modes and schedule; examples and URL rules are marked."""
    from newsdesk.kernel.access import describe_request
    from newsdesk.kernel.sources import load_sources
    from newsdesk.kernel.url_rules import UrlRules

    settings = load_settings()
    try:
        sources = load_sources(settings.sources_file)
    except NewsdeskError as exc:
        fail(str(exc), 2)
    if as_json:
        typer.echo(json.dumps([shown_source(s) for s in sources.values()]))
        return
    for source in sources.values():
        rules = UrlRules.from_source(source)
        access = ",".join(describe_request(source.request, os.environ))
        flags = " ".join(
            flag
            for flag, on in (
                ("[example]", source.example),
                ("[needs --url]", source.needs_url),
                (f"[urls: {rules.describe()}]", rules.active),
                (f"[request: {access}]", bool(access)),
                (f"[render: {source.render.javascript if source.render else ''}]", source.render is not None),
            )
            if on
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
    from newsdesk.kernel.access import crawl_user_agent
    from newsdesk.kernel.sources import describe_problems, get_source, resolve_source
    from newsdesk.kernel.url_rules import UrlRules

    settings = load_settings()
    try:
        registered = get_source(settings.sources_file, name)
        source = resolve_source(settings.sources_file, settings.demo_url, name, url or "https://example.org/")
    except NewsdeskError as exc:
        fail(str(exc), 2)
    errors, warnings = access_problems(settings, source, os.environ)
    typer.echo(f"{source.name}: {'ok' if not errors else 'cannot crawl'}")
    for key, value in shown_source(source).items():
        shown = UrlRules.from_source(source).describe() if key == "urls" else value
        typer.echo(f"  {key:16} {shown}")
    agent = crawl_user_agent(settings.user_agent, settings.contact, source.politeness.user_agent)
    typer.echo(f"  {'user agent':16} {agent}")
    problems = describe_problems(source) + warnings
    if registered.unscheduled_because:
        problems.append(f"schedule {registered.schedule!r} not run: {registered.unscheduled_because}")
    for problem in problems:
        typer.secho(f"  warning: {problem}", fg=typer.colors.YELLOW)
    for error in errors:
        typer.secho(f"  error: {error}", fg=typer.colors.RED, err=True)
    if errors:
        raise typer.Exit(2)


def shown_source(source) -> dict[str, Any]:
    """A source as `sources list --json` and `sources check` show it: the request block by variable
    names, cookie values masked."""
    from newsdesk.kernel.access import describe_request

    shown = source.model_dump()
    shown["request"] = describe_request(source.request, os.environ)
    return shown


def access_problems(settings: Settings, source, environ) -> tuple[list[str], list[str]]:
    """(errors, warnings) about how a crawl would reach the source: variables it names that are not set
    here, and a User-Agent without a real contact (an error in production)."""
    from newsdesk.kernel.access import crawl_user_agent, missing_variables, user_agent_refusal

    errors: list[str] = []
    warnings = [f"environment variable not set here: {m}" for m in missing_variables(source.request, environ)]
    agent = crawl_user_agent(settings.user_agent, settings.contact, source.politeness.user_agent)
    refusal = user_agent_refusal(agent)
    if refusal and settings.production:
        errors.append(f"NEWSDESK_PRODUCTION is on: {refusal}")
    elif refusal:
        warnings.append(f"{refusal} (refused when NEWSDESK_PRODUCTION is on)")
    return errors, warnings


@crawl_state_app.command("rebuild")
def crawl_state_rebuild(
    source: Annotated[str | None, typer.Option(help="only this source")] = None,
) -> None:
    """Restore the known-URL state from Elasticsearch (after Redis lost it)."""
    from tasks.worker.rebuild import rebuild_crawl_state

    settings = load_settings()
    try:
        counts = rebuild_crawl_state(settings, source)
    except NewsdeskError as exc:
        fail(str(exc))
    for name, added in sorted(counts.items()):
        typer.echo(f"{name:22} {added} URLs restored")
    _rebuild_rechecks(settings, source)
    if not counts:
        typer.echo("nothing in the archive to restore")


@crawl_state_app.command("stats")
def crawl_state_stats() -> None:
    """Known URLs per source and what each costs in Redis (MEMORY USAGE / URLs)."""
    from newsdesk.state.client import build_redis
    from newsdesk.state.crawl_state import CrawlState

    settings = load_settings()
    try:
        state = CrawlState(build_redis(settings), settings.index_prefix, settings.crawl_state_max_urls)
        for name in state.sources():
            per_url = state.bytes_per_url(name)
            shown = f"{per_url:.1f} bytes/URL" if per_url else "-"
            typer.echo(f"{name:22} {state.count_known(name):>9} known URLs  {shown}")
    except NewsdeskError as exc:
        fail(str(exc))


def _rebuild_rechecks(settings: Settings, source: str | None) -> None:
    """Revisions: the re-check schedule comes back from the archive too."""
    from index.client import build_client
    from newsdesk.state.client import build_redis
    from tasks.worker.rebuild import rebuild_recheck_schedule

    es = build_client(settings)
    try:
        counts = rebuild_recheck_schedule(es, build_redis(settings), settings, source)
    except NewsdeskError as exc:
        fail(str(exc))
    finally:
        es.close()
    for name, scheduled in sorted(counts.items()):
        typer.echo(f"{name:22} {scheduled} articles scheduled for re-checks")


def register(app: typer.Typer) -> None:
    app.command()(crawl)
    app.add_typer(sources_app, name="sources")
    app.add_typer(crawl_state_app, name="crawl-state")
    app.add_typer(runs_app, name="runs")
