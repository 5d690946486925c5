"""`newsdesk parse` and `newsdesk reparse`: the parse stage on saved pages, or again on stored raw HTML."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from newsdesk.cli.common import fail, load_settings, progress
from newsdesk.kernel.errors import ConfigError, NewsdeskError, Rejected
from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import ExtractionHints, load_sources


def _hints(settings: Settings, source: str | None) -> ExtractionHints | None:
    if source is None:
        return None
    sources = load_sources(settings.sources_file)
    if source not in sources:
        known = ", ".join(sorted(sources))
        raise ConfigError(f"{settings.sources_file}: no source named {source!r} (known: {known})")
    return sources[source].extraction


def text_as_html(body: bytes) -> bytes:
    """A page saved as text (one line per block, like the seed page) set as the flat layout: a <p> a line."""
    from tasks.parse.encoding import decode_html

    lines = decode_html(body).text.splitlines()
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return f"<html><body>{paragraphs}</body></html>".encode()


def saved_page(path: Path, url: str | None, source: str | None) -> FetchedPage:
    """A saved file as the spider would hand it over; its modification time stands for the fetch time."""
    body = path.read_bytes()
    if b"<" not in body[:4096] and body.strip():
        body = text_as_html(body)
    fetched_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    page_url = url or path.resolve().as_uri()
    return FetchedPage(
        url=page_url,
        final_url=page_url,
        crawl_source=source or "local",
        fetched_at=fetched_at,
        status=200,
        headers={"content-type": "text/html"},
        html="",
        body_base64=base64.b64encode(body).decode("ascii"),
    )


def _jobs(paths: list[Path], url: str | None, manifest: Path | None) -> list[tuple[Path, str | None]]:
    if url is not None and (len(paths) != 1 or manifest is not None):
        raise ConfigError("--url names the URL of a single PATH; use --manifest for batches")
    jobs = [(path, url) for path in paths]
    if manifest is not None:
        for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                jobs.append((manifest.parent / entry["path"], entry.get("url")))
            except (ValueError, KeyError, TypeError) as exc:
                expected = '{"path": …, "url": …}'
                raise ConfigError(f"{manifest}:{number}: expected {expected} ({exc})") from exc
    if not jobs:
        raise ConfigError("nothing to parse: give PATH arguments or --manifest FILE")
    return jobs


def parse_files(
    paths: list[Path],
    url: str | None,
    source: str | None,
    manifest: Path | None,
    settings: Settings,
    enrich: bool = False,
) -> list[dict[str, Any]]:
    """One result per page: the article as JSON (enriched too with `enrich`), or its rejection and reason."""
    from tasks.parse.page import parse_page

    hints = _hints(settings, source)
    enricher = None
    if enrich:
        from tasks.enrich.enricher import Enricher

        enricher = Enricher.from_settings(settings)
    results = []
    for path, page_url in _jobs(paths, url, manifest):
        try:
            page = saved_page(path, page_url, source)
        except OSError as exc:
            results.append({"path": str(path), "url": page_url, "rejected": "unreadable", "detail": str(exc)})
            continue
        try:
            article = parse_page(page, settings.max_page_bytes, hints)
        except Rejected as exc:
            results.append({"path": str(path), "url": page.url, "rejected": exc.reason, "detail": exc.detail})
            continue
        if enricher is not None:
            from tasks.enrich.enricher import enrich_article

            article = enrich_article(article, enricher)
        results.append({"path": str(path), **article.replace(raw_page=None).to_dict()})
    return results


def register(app: typer.Typer) -> None:
    """Add `parse` and `reparse` to the main command line."""

    @app.command("parse")
    def parse(
        paths: Annotated[list[Path] | None, typer.Argument(help="saved HTML files")] = None,
        url: Annotated[str | None, typer.Option(help="the page URL of a single PATH")] = None,
        source: Annotated[str | None, typer.Option(help="a source in sources.yaml (its hints)")] = None,
        manifest: Annotated[Path | None, typer.Option(help='JSON lines of {"path": …, "url": …}')] = None,
        as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
        enrich: Annotated[
            bool, typer.Option("--enrich", help="also run enrichment (language, people, countries, …)")
        ] = False,
    ) -> None:
        """Parse saved pages without any service running: one article (or rejection) per page."""
        try:
            results = parse_files(paths or [], url, source, manifest, load_settings(), enrich=enrich)
        except NewsdeskError as exc:
            fail(str(exc), code=2)
        for result in results:
            if as_json:
                typer.echo(json.dumps(result, ensure_ascii=False))
            elif "rejected" in result:
                typer.echo(f"{result['path']}: rejected {result['rejected']}: {result['detail']}")
            else:
                date = result["published_at"] or "no date"
                typer.echo(f"{result['path']}: {result['title']!r} ({date}, {len(result['body'])} chars)")

    @app.command("reparse")
    def reparse(
        source: Annotated[str, typer.Option(help="the source whose stored pages are parsed again")],
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Parse a source's stored raw pages again and update its documents in place."""
        from index.client import build_client
        from tasks.worker.reparse import reparse_source

        settings = load_settings()
        try:
            hints = _hints(settings, source)
            es = build_client(settings)
            with progress(f"re-parsing {source}", enabled=not as_json) as advance:
                summary = reparse_source(es, settings, source, hints, on_progress=advance)
        except NewsdeskError as exc:
            fail(str(exc))
        if as_json:
            typer.echo(json.dumps(summary, ensure_ascii=False))
            return
        counts = ", ".join(
            f"{summary[k]} {k}" for k in ("updated", "unchanged", "created", "rejected", "failed")
        )
        typer.echo(f"reparse of {source}: {counts}")
        for problem in summary["problems"]:
            typer.echo(f"  {problem['url']}: {problem['reason']}")
