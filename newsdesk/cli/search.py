"""`newsdesk search` and `newsdesk stats`: what the archive holds."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from newsdesk.cli.common import es_client, fail, load_settings
from newsdesk.kernel.errors import NewsdeskError


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
        fail(f"--sort must be one of {', '.join(SORTS)}", code=2)
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
    settings = load_settings()
    try:
        result = search_articles(es_client(settings), settings, request)
    except NewsdeskError as exc:
        fail(exc.detail if getattr(exc, "reason", "") == "bad_query" else str(exc), code=2)
    if as_json:
        typer.echo(json.dumps(result["hits"], ensure_ascii=False))
        return
    _print_hits(result, show_outlets=bool(story))


def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents, duplicates and failures by reason."""
    from index.query import collect_stats

    settings = load_settings()
    try:
        result = collect_stats(es_client(settings), settings)
    except NewsdeskError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"documents   {result['documents']}")
    typer.echo(f"duplicates  {result['duplicates']}")
    typer.echo(f"failures    {result['failures']}")
    for reason, count in sorted(result["failures_by_reason"].items()):
        typer.echo(f"  {reason:24} {count}")


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(stats)
