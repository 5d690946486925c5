"""`newsdesk`: the command line people and scripts use to run, crawl, search and inspect the pipeline."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Annotated, Any

import typer

from newsdesk import parsing_cli
from newsdesk.errors import NewsdeskError
from newsdesk.redisstore import OUTCOMES, RunStore, build_redis, patiently
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
def setup(
    kibana: Annotated[
        str | None,
        typer.Option("--kibana", metavar="URL", help="also import the dashboards into the Kibana at URL"),
    ] = None,
    kibana_wait: Annotated[
        float, typer.Option(help="seconds to keep retrying while Kibana is starting or unreachable")
    ] = 120,
) -> None:
    """Install index templates, versioned indices and aliases (idempotent: a second run changes nothing)."""
    from index.client import wait_for_health
    from index.setup import detect_capabilities, ensure_setup

    settings = _settings()
    try:
        es = _es(settings)
        wait_for_health(es, timeout="60s")
        capabilities = detect_capabilities(es)
        changes = ensure_setup(es, settings, capabilities)
        from index.security import ensure_worker_user

        changes += ensure_worker_user(es, settings)
    except NewsdeskError as exc:
        _fail(str(exc))
    typer.echo(
        f"engine: language analysers {'yes' if capabilities.language_analyzers else 'no (core only)'}, "
        f"ILM {'yes' if capabilities.ilm else 'no (use `newsdesk rollover`)'}"
    )
    typer.echo(
        "\n".join(changes) if changes else "nothing to do: templates, indices and aliases are up to date"
    )
    if kibana:
        from index.kibana import import_when_ready

        try:
            imported = import_when_ready(kibana, settings, wait_seconds=kibana_wait)
        except NewsdeskError as exc:
            _fail(str(exc))
        typer.echo(
            f"kibana: {imported['imported']} of {imported['objects']} saved objects imported into {kibana} "
            "(dashboards: News, Crawl health)"
        )


@app.command()
def rollover(
    max_size: Annotated[str | None, typer.Option(help="roll over past this primary shard size")] = None,
    max_age: Annotated[str | None, typer.Option(help="roll over past this index age")] = None,
    max_docs: Annotated[int | None, typer.Option(help="roll over past this many documents")] = None,
    force: Annotated[bool, typer.Option(help="roll over now, whatever the conditions")] = False,
) -> None:
    """Start a new index generation behind the articles alias when a condition holds (core rollover API)."""
    from index.setup import rollover as rollover_alias

    settings = _settings()
    conditions: dict[str, Any] = {}
    if not force:
        conditions = {
            "max_primary_shard_size": max_size or settings.rollover_max_size,
            "max_age": max_age or settings.rollover_max_age,
        }
        if max_docs:
            conditions["max_docs"] = max_docs
    try:
        result = rollover_alias(_es(settings), settings.articles_alias, conditions)
    except NewsdeskError as exc:
        _fail(str(exc))
    verdict = f"rolled over to {result['new_index']}" if result["rolled_over"] else "no condition met"
    typer.echo(f"{result['alias']}: {verdict} (was {result['old_index']})")


@app.command()
def migrate() -> None:
    """Move every store to the current mapping version: copy into a new index, then swap the alias."""
    from index.setup import detect_capabilities
    from index.setup import migrate as migrate_alias
    from index.templates import index_templates

    settings = _settings()
    try:
        es = _es(settings)
        templates = index_templates(settings, detect_capabilities(es))
        for alias, template in templates.items():
            result = migrate_alias(es, alias, template, on_progress=lambda n: typer.echo(f"  {n} copied…"))
            typer.echo(
                f"{alias}: {result['documents']} documents {', '.join(result['from'])} → {result['to']}"
            )
    except NewsdeskError as exc:
        _fail(str(exc))


def run_crawl(
    settings: Settings,
    source: str | None,
    wait: bool,
    timeout: float,
    *,
    url: str | None = None,
    allow_private: bool = False,
    refetch_known: bool = False,
    recheck_all: bool = False,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Crawl `source` (or the ad-hoc `url`) in a child process, under the source's lock; with `wait`,
    return once every page has a recorded fate."""
    from newsdesk.crawl_runs import record_crawl_run
    from newsdesk.crawls import crawl_source

    runs = RunStore(build_redis(settings), settings.index_prefix)
    run = crawl_source(
        settings,
        source,
        trigger="cli",
        url=url,
        allow_private=allow_private,
        refetch_known=refetch_known,
        recheck_all=recheck_all,
        on_progress=on_progress,
    )
    run_id, log_file, exit_code = run["run_id"], run["log_file"], run["crawler_exit"]
    run = patiently(lambda: runs.get(run_id), "read run")
    record_crawl_run(settings, run)
    if exit_code != 0:
        raise NewsdeskError(f"crawler exited with {exit_code}; see {log_file}")
    deadline = time.monotonic() + timeout
    while wait and not run["complete"]:
        if time.monotonic() > deadline:
            raise NewsdeskError(
                f"run {run_id}: {run['done']} of {run['sent']} pages done after {timeout:.0f}s"
            )
        if on_progress is not None:
            on_progress(run)
        time.sleep(0.5)
        run = patiently(lambda: runs.get(run_id), "read run")
    if wait:
        run["record_error"] = record_crawl_run(settings, run)
    run["log_file"] = str(log_file)
    return run


def format_run(run: dict[str, Any]) -> str:
    lines = [
        f"run {run['run_id']} of {run['crawl_source']}: "
        f"{'complete' if run.get('complete') else 'in progress'}",
        f"  found      {run.get('sent', 0):>6}  (article pages handed to the pipeline)",
    ]
    lines += [f"  {outcome:10} {run.get(outcome, 0):>6}" for outcome in OUTCOMES]
    if "crawl_pages_fetched" in run:
        from newsdesk.crawl_runs import format_crawl_side

        lines += format_crawl_side(run)
    return "\n".join(lines)


@app.command()
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
) -> None:
    """Crawl one source now; with --wait print the run's summary when the pipeline has finished with it."""
    from newsdesk.crawl_runs import live_progress

    settings = _settings()
    if now:
        from newsdesk.ops import queue_crawl

        try:
            typer.echo(f"crawl of {source} queued (task {queue_crawl(settings, source)})")
        except NewsdeskError as exc:
            _fail(str(exc))
        return
    try:
        with live_progress(enabled=not as_json and sys.stdout.isatty()) as on_progress:
            run = run_crawl(
                settings,
                source,
                wait,
                timeout,
                url=url,
                allow_private=allow_private,
                refetch_known=refetch_known,
                recheck_all=recheck_all,
                on_progress=on_progress,
            )
    except NewsdeskError as exc:
        _fail(str(exc))
    typer.echo(json.dumps(run) if as_json else format_run(run))


def _print_hits(result: dict[str, Any], show_outlets: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"{result['total']} articles match {result['query'] or '(everything)'!r}",
        show_lines=True,
        expand=True,
    )
    table.add_column("date", no_wrap=True)
    table.add_column("source")
    table.add_column("article", ratio=3)

    def emphasise(text: str) -> str:
        return (
            escape(text)
            .replace("&lt;em&gt;", "[bold]")
            .replace("&lt;/em&gt;", "[/bold]")
            .replace("<em>", "[bold]")
            .replace("</em>", "[/bold]")
        )

    for hit in result["hits"]:
        title = emphasise(hit.get("title_highlighted") or hit.get("title") or "")
        lines = [f"[bold]{title}[/bold]" if not hit.get("title_highlighted") else title]
        if hit.get("snippet"):
            lines.append(emphasise(hit["snippet"]))
        lines.append(f"[dim]{escape(hit.get('url', ''))}[/dim]")
        if show_outlets:
            for seen in hit.get("also_seen_at") or []:
                lines.append(
                    f"  also ran at {escape(seen.get('source') or '?')}: {escape(seen.get('url', ''))}"
                )
        table.add_row(
            hit.get("published_at") or "????-??-??", escape(hit.get("source") or "?"), "\n".join(lines)
        )
    console.print(table)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='words, "phrases", AND/OR/NOT, field:value')] = "",
    source: Annotated[list[str] | None, typer.Option(help="outlet or registry source (repeatable)")] = None,
    since: Annotated[str | None, typer.Option(help="published on or after (2019-04-26, now-7d)")] = None,
    until: Annotated[str | None, typer.Option(help="published on or before")] = None,
    person: Annotated[list[str] | None, typer.Option(help="a person's canonical name (repeatable)")] = None,
    country: Annotated[list[str] | None, typer.Option(help="ISO code or country name (repeatable)")] = None,
    lang: Annotated[list[str] | None, typer.Option(help="ISO 639-1 language (repeatable)")] = None,
    story: Annotated[
        str | None, typer.Option(help="a story id, doc id or URL: every outlet that ran it")
    ] = None,
    sort: Annotated[str, typer.Option(help="relevance or date")] = "relevance",
    limit: Annotated[int, typer.Option(help="how many hits")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="a JSON array of the documents")] = False,
) -> None:
    """Search the archive, with filters; --json prints a JSON array for scripts."""
    from index.query import SORTS, SearchRequest, search_articles

    if sort not in SORTS:
        _fail(f"--sort must be one of {', '.join(SORTS)}", code=2)
    request = SearchRequest(
        query=query,
        sources=tuple(source or ()),
        since=since,
        until=until,
        people=tuple(person or ()),
        countries=tuple(country or ()),
        languages=tuple(lang or ()),
        story=story,
        sort=sort,
        limit=limit,
    )
    settings = _settings()
    try:
        result = search_articles(_es(settings), settings, request)
    except NewsdeskError as exc:
        _fail(exc.detail if getattr(exc, "reason", "") == "bad_query" else str(exc), code=2)
    if as_json:
        typer.echo(json.dumps(result["hits"], ensure_ascii=False))
        return
    _print_hits(result, show_outlets=bool(story))


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
    from index.query import SearchRequest, collect_stats, search_articles
    from index.setup import detect_capabilities, ensure_setup, migrate_stale

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
        _fail(str(exc))
    typer.echo(f"sample search 'talks': {result['total']} hits")
    for hit in result["hits"]:
        typer.echo(f"  {hit.get('published_at')}  {hit.get('source')}  {hit['title']}")
    typer.echo("the stack keeps running: try `newsdesk search …`; stop it with `newsdesk services down`")


# --- dedupe state (issue 5) ---
state_app = typer.Typer(help="The dedupe state kept in Redis.", no_args_is_help=True)
app.add_typer(state_app, name="state")


@state_app.command("rebuild")
def state_rebuild(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Reconstruct URL owners, fingerprints and near-duplicate signatures in Redis from the index."""
    from newsdesk.dedupestate import rebuild_dedupe_state

    settings = _settings()
    try:
        counts = rebuild_dedupe_state(_es(settings), build_redis(settings), settings)
    except NewsdeskError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(counts))
        return
    typer.echo(
        f"rebuilt dedupe state from {counts['articles']} articles and {counts['copies']} listed copies "
        f"({counts['dedupe_bytes']} bytes in Redis; {counts['cleared_keys']} old keys cleared)"
    )


# --- Crawling (issue 3): `newsdesk sources list|check`, `newsdesk crawl-state rebuild|stats`.
from newsdesk.cli_crawl import register_crawl_commands  # noqa: E402

register_crawl_commands(app)
# --- Enrichment (issue 6): enrich a text file offline; re-enrich the indexed archive. ---


@app.command("enrich-text")
def enrich_text(
    path: Annotated[str, typer.Argument(help="a UTF-8 text file: first line the title, the rest the body")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Enrich a plain-text article (language, people, countries, keywords) with no service running."""
    from pathlib import Path

    from tasks.enrich import Enricher, enrich_article, text_article

    try:
        text = Path(path).read_text(encoding="utf-8")
        article = enrich_article(text_article(text, path), Enricher.from_settings(_settings()))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}")
    except NewsdeskError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(article.to_dict(), ensure_ascii=False))
        return
    typer.echo(f"language       {article.language} ({article.language_confidence})")
    typer.echo(f"people         {', '.join(article.people)}")
    typer.echo(f"organisations  {', '.join(article.organisations)}")
    typer.echo(f"places         {', '.join(article.places)}")
    typer.echo(f"countries      {', '.join(article.countries)}")
    typer.echo(f"keywords       {', '.join(article.keywords)}")
    typer.echo(f"words          {article.word_count} ({article.reading_time_minutes} min)")
    for error in article.enrich_errors:
        typer.echo(f"enricher failed: {error}")


@app.command()
def reenrich(
    batch_size: Annotated[int, typer.Option(min=1, help="documents per search page and bulk request")] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Re-run enrichment over every indexed article (after a gazetteer change, say); unchanged ones stay."""
    from index.reenrich import reenrich_documents
    from tasks.enrich import Enricher, document_enrichment

    settings = _settings()
    try:
        enricher = Enricher.from_settings(settings)
        result = reenrich_documents(
            _es(settings), settings, lambda source: document_enrichment(source, enricher), batch_size
        )
    except NewsdeskError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(
            f"re-enriched {result['scanned']} articles: {result['updated']} updated, "
            f"{result['unchanged']} unchanged, {result['failed']} failed"
        )
        for error in result["errors"]:
            typer.echo(f"  {error}")
    if result["failed"]:
        raise typer.Exit(1)


# --- Revisions (issue 9): `newsdesk history URL`.
from newsdesk.cli_history import register_history_command  # noqa: E402

register_history_command(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()


# Parsing saved pages and re-parsing stored raw HTML (issue 4).
parsing_cli.register(app)

# --- operations (issue 8): dead letters, schedules --------------------------------------------------
from newsdesk.dlq import dlq_app  # noqa: E402 - registered here, at the end, to keep merges clean

app.add_typer(dlq_app, name="dlq")
from newsdesk.ops import metrics, schedule_app  # noqa: E402

app.add_typer(schedule_app, name="schedule")
app.command("metrics")(metrics)
