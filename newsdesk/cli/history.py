"""`newsdesk history URL`: every version of an archived article, with what changed and what vanished."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from newsdesk.cli.common import fail, load_settings
from newsdesk.kernel.errors import NewsdeskError


def format_history(history: dict[str, Any]) -> str:
    """The history as text: the current version's state, then each event with its diff or evidence."""
    article = history["article"]
    lines = [
        f"{article.get('title')}",
        f"  url        {article.get('url')}",
        f"  first seen {article.get('first_fetched_at')}",
        f"  revisions  {article.get('revision_count') or 1}"
        + (f" (last changed {article['last_changed_at']})" if article.get("last_changed_at") else ""),
    ]
    if article.get("removed_at"):
        evidence = article.get("removal_evidence") or {}
        lines.append(f"  removed    {article['removed_at']} ({evidence.get('kind', 'unknown evidence')})")
    if article.get("restored_at"):
        lines.append(f"  restored   {article['restored_at']}")
    for event in history["events"]:
        kind = event.get("event")
        lines.append("")
        if kind == "edited":
            lines.append(
                f"revision {event.get('revision')} → {event.get('revision', 0) + 1}, "
                f"changed at {event.get('recorded_at')} (version from {event.get('valid_from')}):"
            )
            lines.append(f"  was titled: {event.get('title')}")
            lines += ["  " + line for line in (event.get("diff") or "(no visible change)").splitlines()]
        else:
            evidence = event.get("evidence") or {}
            detail = ", ".join(f"{k}={v}" for k, v in evidence.items() if v is not None)
            lines.append(f"{kind} at {event.get('recorded_at')}: {detail}")
    if not history["events"]:
        lines += ["", "no revisions: unchanged since first seen"]
    return "\n".join(lines)


def history(
    url: Annotated[str, typer.Argument(help="the article URL, in any of its forms")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print an article's revisions with their diffs, and when it was removed or restored."""
    from index.client import build_client
    from index.history import article_history
    from tasks.dedupe.identity import canonical_url, document_id

    settings = load_settings()
    try:
        doc_id = document_id(canonical_url(url))
        es = build_client(settings)
        try:
            found = article_history(es, settings, doc_id)
        finally:
            es.close()
    except NewsdeskError as exc:
        fail(str(exc))
    if found is None:
        fail(f"{url} is not in the archive")
    typer.echo(json.dumps(found) if as_json else format_history(found))


def register(app: typer.Typer) -> None:
    app.command("history")(history)
