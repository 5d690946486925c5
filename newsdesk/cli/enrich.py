"""`newsdesk enrich-text` and `newsdesk reenrich`: enrichment of a text file offline, or of the archive."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from newsdesk.cli.common import es_client, fail, load_settings, progress
from newsdesk.kernel.errors import NewsdeskError


def enrich_text(
    path: Annotated[str, typer.Argument(help="a UTF-8 text file: first line the title, the rest the body")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Enrich a plain-text article (language, people, countries, keywords) with no service running."""
    from pathlib import Path

    from tasks.enrich.enricher import Enricher, enrich_article, text_article

    try:
        text = Path(path).read_text(encoding="utf-8")
        article = enrich_article(text_article(text, path), Enricher.from_settings(load_settings()))
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")
    except NewsdeskError as exc:
        fail(str(exc))
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


def reenrich(
    batch_size: Annotated[int, typer.Option(min=1, help="documents per search page and bulk request")] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Re-run enrichment over every indexed article (after a gazetteer change, say); unchanged ones stay."""
    from index.reenrich import reenrich_documents
    from tasks.enrich.enricher import Enricher, document_enrichment

    settings = load_settings()
    try:
        enricher = Enricher.from_settings(settings)
        with progress("re-enriching articles", enabled=not as_json) as advance:
            result = reenrich_documents(
                es_client(settings),
                settings,
                lambda source: document_enrichment(source, enricher),
                batch_size,
                on_progress=advance,
            )
    except NewsdeskError as exc:
        fail(str(exc))
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


def register(app: typer.Typer) -> None:
    app.command("enrich-text")(enrich_text)
    app.command()(reenrich)
