"""`newsdesk`: the command line people and scripts use to run, crawl, search and inspect the pipeline.

Each module here holds the commands of one concern and adds them with its `register(app)`; the app is
complete once this package is imported, whether as the `newsdesk` script or `python -m newsdesk.cli`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk import __version__
from newsdesk.cli import archive, crawl, dlq, enrich, history, ops, parse, search, stack, store

app = typer.Typer(
    help="newsdesk: crawl news sources into a searchable Elasticsearch archive.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"newsdesk {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    """newsdesk: crawl news sources into a searchable Elasticsearch archive."""


for commands in (stack, store, crawl, archive, search, enrich, parse, history, dlq, ops):
    commands.register(app)

__all__ = ["app"]
