"""What every command shares: the settings built once per command, the error line, the archive client."""

from __future__ import annotations

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
