"""`newsdesk setup|rollover|migrate` and `newsdesk state rebuild`: the stores behind the archive."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsdesk.cli.common import es_client, fail, load_settings, progress, running_total
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.settings import Settings
from newsdesk.state.client import build_redis

if TYPE_CHECKING:
    from index.templates import Capabilities

state_app = typer.Typer(help="The dedupe state kept in Redis.", no_args_is_help=True)


def set_up_stores(settings: Settings) -> tuple[Capabilities, list[str]]:
    """What `newsdesk setup` does without Kibana: templates, indices, aliases and accounts (idempotent).
    Returns the engine's capabilities and what changed."""
    from index.client import wait_for_health
    from index.security import ensure_users
    from index.setup import detect_capabilities, ensure_setup

    es = es_client(settings)
    try:
        wait_for_health(es, timeout="60s")
        capabilities = detect_capabilities(es)
        changes = ensure_setup(es, settings, capabilities)
        changes += ensure_users(es, settings)
    finally:
        es.close()
    return capabilities, changes


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
    settings = load_settings()
    try:
        capabilities, changes = set_up_stores(settings)
    except NewsdeskError as exc:
        fail(str(exc))
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
            fail(str(exc))
        typer.echo(
            f"kibana: {imported['imported']} of {imported['objects']} saved objects imported into {kibana} "
            "(dashboards: News, Crawl health)"
        )


def rollover(
    max_size: Annotated[str | None, typer.Option(help="roll over past this primary shard size")] = None,
    max_age: Annotated[str | None, typer.Option(help="roll over past this index age")] = None,
    max_docs: Annotated[int | None, typer.Option(help="roll over past this many documents")] = None,
    force: Annotated[bool, typer.Option(help="roll over now, whatever the conditions")] = False,
) -> None:
    """Start a new index generation behind the articles alias when a condition holds (core rollover API)."""
    from index.setup import rollover as rollover_alias

    settings = load_settings()
    conditions: dict[str, Any] = {}
    if not force:
        conditions = {
            "max_primary_shard_size": max_size or settings.rollover_max_size,
            "max_age": max_age or settings.rollover_max_age,
        }
        if max_docs:
            conditions["max_docs"] = max_docs
    try:
        result = rollover_alias(es_client(settings), settings.articles_alias, conditions)
    except NewsdeskError as exc:
        fail(str(exc))
    verdict = f"rolled over to {result['new_index']}" if result["rolled_over"] else "no condition met"
    typer.echo(f"{result['alias']}: {verdict} (was {result['old_index']})")


def migrate() -> None:
    """Move every store to the current mapping version: copy into a new index, then swap the alias."""
    from index.setup import detect_capabilities
    from index.setup import migrate as migrate_alias
    from index.templates import index_templates

    settings = load_settings()
    try:
        es = es_client(settings)
        templates = index_templates(settings, detect_capabilities(es))
        for alias, template in templates.items():
            with progress(f"migrating {alias}") as advance:
                result = migrate_alias(es, alias, template, on_progress=running_total(advance))
            typer.echo(
                f"{alias}: {result['documents']} documents {', '.join(result['from'])} → {result['to']}"
            )
    except NewsdeskError as exc:
        fail(str(exc))


@state_app.command("rebuild")
def state_rebuild(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Reconstruct URL owners, fingerprints and near-duplicate signatures in Redis from the index."""
    from tasks.worker.rebuild import rebuild_dedupe_state

    settings = load_settings()
    try:
        with progress("rebuilding dedupe state", enabled=not as_json) as advance:
            counts = rebuild_dedupe_state(
                es_client(settings), build_redis(settings), settings, on_progress=advance
            )
    except NewsdeskError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(counts))
        return
    typer.echo(
        f"rebuilt dedupe state from {counts['articles']} articles and {counts['copies']} listed copies "
        f"({counts['dedupe_bytes']} bytes in Redis; {counts['cleared_keys']} old keys cleared)"
    )


def register(app: typer.Typer) -> None:
    app.command()(setup)
    app.command()(rollover)
    app.command()(migrate)
    app.add_typer(state_app, name="state")
