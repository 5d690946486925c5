"""What every command shares: the settings built once per command, the error line, the archive client."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from newsdesk.kernel.settings import Settings


def load_settings() -> Settings:
    return Settings.from_env()


def fail(message: str, code: int = 1) -> None:
    """Print `message` as the command's error and exit with `code`."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def es_client(settings: Settings):
    from index.client import build_client

    return build_client(settings)


@contextmanager
def progress(what: str, total: int | None = None, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (Rich), nothing elsewhere or with --json; yields `advance(n)`.

    Long commands (reenrich, reparse, migrate, dlq replay, state rebuild) report each batch through it.
    """
    if not enabled or not sys.stdout.isatty():
        yield lambda _n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


def running_total(advance: Callable[[int], None]) -> Callable[[int], None]:
    """Turns reports of a running total (1000, 2000, ...) into the steps `advance` takes."""
    reported = 0

    def report(total: int) -> None:
        nonlocal reported
        advance(total - reported)
        reported = total

    return report
