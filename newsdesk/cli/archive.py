"""`newsdesk import-warc` (backfill a source from WARC files) and `newsdesk export` (JSON lines or WARC)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from newsdesk.cli.common import es_client, fail, load_settings, progress
from newsdesk.kernel.errors import NewsdeskError


def import_warc(
    paths: Annotated[
        list[Path], typer.Argument(help="WARC files (.warc or .warc.gz)", exists=True, dir_okay=False)
    ],
    source: Annotated[str, typer.Option(help="the source of sources.yaml whose pages these are")],
    url: Annotated[str | None, typer.Option(help="the site of a generic source (as crawl --url)")] = None,
    wait: Annotated[bool, typer.Option(help="return once the pipeline has a fate for every page")] = True,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the pipeline")] = 3600,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Hand the source's HTML responses in WARC files to the pipeline, as a crawl would; every other
    record gets its fate in the run (`newsdesk runs show RUN --urls`). A re-run skips handled records."""
    from newsdesk.cli.crawl import format_run
    from newsdesk.cli.crawl_report import record_crawl_run
    from newsdesk.state.client import build_redis, patiently
    from newsdesk.state.runs import RunStore
    from webarchive.backfill import import_warcs

    settings = load_settings()
    try:
        total = sum(path.stat().st_size for path in paths)
        with progress("reading WARC records (bytes)", total, enabled=not as_json) as advance:
            run = import_warcs(settings, source, paths, url=url, wait=wait, timeout=timeout, on_bytes=advance)
        runs = RunStore(build_redis(settings), settings.index_prefix)
        fates = patiently(lambda: runs.url_fates(run["run_id"]), "read url fates") if wait else None
        record_crawl_run(settings, run, fates)
    except NewsdeskError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(run))
        return
    typer.echo(format_run(run))
    typer.echo(
        f"  records      {run.get('crawl_records', 0):>6}  in {run.get('crawl_files', 0)} files: "
        f"{run.get('crawl_imported', 0)} imported, {run.get('crawl_already_handled', 0)} handled by an "
        f"earlier run, {run.get('crawl_revisits_resolved', 0)} revisits resolved"
    )
    reasons = json.loads(run.get("crawl_reasons") or "{}")
    typer.echo("  by reason    " + (", ".join(f"{k} {v}" for k, v in reasons.items()) or "none"))


def export(
    source: Annotated[str, typer.Option(help="the source whose articles to export")],
    output_format: Annotated[str, typer.Option("--format", help="jsonl (documents) or warc (raw pages)")],
    since: Annotated[str | None, typer.Option(help="published on or after (a date or a time)")] = None,
    until: Annotated[str | None, typer.Option(help="published on or before (a date or a time)")] = None,
    out: Annotated[
        Path | None, typer.Option(help="the file to write (jsonl: standard output without)")
    ] = None,
) -> None:
    """Export a source's indexed articles: their documents as JSON lines, or the pages as served, as a WARC
    of response records that `newsdesk import-warc` (or any WARC reader) takes back."""
    from webarchive.export import export_jsonl, export_warc

    if output_format not in ("jsonl", "warc"):
        fail(f"unknown format {output_format!r}: jsonl or warc", code=2)
    if output_format == "warc" and out is None:
        fail("a WARC is written to a file: give --out PATH (e.g. export.warc.gz)", code=2)
    settings = load_settings()
    es = es_client(settings)
    try:
        with progress("exporting articles", enabled=out is not None) as advance:
            if output_format == "jsonl":
                if out is None:
                    tally = export_jsonl(es, settings, source, sys.stdout, since, until)
                else:
                    with open(out, "w", encoding="utf-8") as stream:
                        tally = export_jsonl(es, settings, source, stream, since, until, advance)
            else:
                assert out is not None
                with open(out, "wb") as stream:
                    tally = export_warc(es, settings, source, stream, out.name, since, until, advance)
    except NewsdeskError as exc:
        fail(str(exc))
    finally:
        es.close()
    missing = f", {tally.without_raw_page} without a stored raw page" if tally.without_raw_page else ""
    typer.echo(f"{tally.written} of {tally.articles} articles of {source} exported{missing}", err=True)


def register(app: typer.Typer) -> None:
    app.command("import-warc")(import_warc)
    app.command("export")(export)
