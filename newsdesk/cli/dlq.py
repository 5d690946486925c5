"""`newsdesk dlq`: list, show, replay and purge the dead-letter store (failed or rejected payloads)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from newsdesk.cli.common import fail, load_settings, progress
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.wire import QUEUE, stage_task

REPLAYABLE_STAGES = ("parse", "dedupe", "enrich", "index")

dlq_app = typer.Typer(
    help="The dead-letter store: every failed or rejected payload with its stage, reason and attempts.",
    no_args_is_help=True,
)

StageOption = Annotated[str | None, typer.Option(help="only records of this stage")]
ReasonOption = Annotated[str | None, typer.Option(help="only records with this reason")]
SourceOption = Annotated[str | None, typer.Option(help="only records of this crawl source")]


@functools.lru_cache(maxsize=4)
def _resources(settings: Settings):
    from tasks.worker.resources import Resources

    return Resources(settings, upgrade_layout=False)


def drain_pending(settings: Settings) -> int:
    """Failures kept in Redis while Elasticsearch was down join the index before anyone reads it."""
    return _resources(settings).drain_pending_dead_letters()


def replay_records(
    settings: Settings, records: list[dict[str, Any]], on_progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Send each payload back to the stage that failed it; drop a record only once its task is queued.

    A replay that fails again writes a fresh record under the same id, which the conditional delete
    then leaves alone.
    """
    from index.deadletters import delete_dead_letter, get_dead_letter
    from newsdesk.state.reliable.broker import task_sender

    resources = _resources(settings)
    client = task_sender("newsdesk-dlq", settings)
    counts = {"replayed": 0, "skipped": 0, "kept": 0}
    for summary in records:
        if on_progress is not None:
            on_progress(1)
        record = get_dead_letter(resources.es, settings, summary["id"])
        if record is None:
            counts["skipped"] += 1
            continue
        if record.get("stage") not in REPLAYABLE_STAGES or not isinstance(record.get("payload"), dict):
            typer.echo(f"skip {record['id']}: stage {record.get('stage')!r} cannot be replayed", err=True)
            counts["skipped"] += 1
            continue
        try:
            client.send_task(stage_task(record["stage"]), args=[record["payload"]], queue=QUEUE)
        except Exception as exc:  # noqa: BLE001 - the broker's many errors all mean "not queued"
            raise NewsdeskError(f"could not queue {record['url']} for {record['stage']}: {exc}") from exc
        counts["replayed"] += 1
        if not delete_dead_letter(resources.es, record):
            counts["kept"] += 1
    return counts


def _select(settings: Settings, ids: list[str], stage, reason, source, everything: bool) -> list[dict]:
    from index.deadletters import get_dead_letter, iter_dead_letters

    es = _resources(settings).es
    if ids:
        found = [get_dead_letter(es, settings, record_id) for record_id in ids]
        missing = [record_id for record_id, record in zip(ids, found, strict=True) if record is None]
        if missing:
            fail(f"no dead letter with id {', '.join(missing)}")
        return [r for r in found if r is not None]
    if not (stage or reason or source or everything):
        fail("name record ids, or select with --stage/--reason/--source, or pass --all")
    return list(iter_dead_letters(es, settings, stage, reason, source))


@dlq_app.command("list")
def list_command(
    stage: StageOption = None,
    reason: ReasonOption = None,
    source: SourceOption = None,
    limit: Annotated[int, typer.Option(help="how many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Newest dead letters first: id, stage, reason, attempts, URL."""
    from index.deadletters import list_dead_letters

    settings = load_settings()
    try:
        drained = drain_pending(settings)
        total, records = list_dead_letters(_resources(settings).es, settings, stage, reason, source, limit)
    except NewsdeskError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"total": total, "drained": drained, "records": records}, ensure_ascii=False))
        return
    typer.echo(f"{total} dead letters" + (f" ({drained} moved in from Redis)" if drained else ""))
    for r in records:
        typer.echo(
            f"{r['id']}  {r.get('recorded_at', '')[:19]}  {r.get('stage', '?'):7} "
            f"{r.get('reason', '?'):22} x{r.get('attempts', 1)}  {r.get('url')}"
        )


@dlq_app.command("show")
def show_command(record_id: Annotated[str, typer.Argument(help="an id from `newsdesk dlq list`")]) -> None:
    """One dead letter in full, payload included (JSON)."""
    from index.deadletters import get_dead_letter

    settings = load_settings()
    try:
        drain_pending(settings)
        record = get_dead_letter(_resources(settings).es, settings, record_id)
    except NewsdeskError as exc:
        fail(str(exc))
    if record is None:
        fail(f"no dead letter with id {record_id}")
    typer.echo(json.dumps(record, ensure_ascii=False, indent=2))


@dlq_app.command("replay")
def replay_command(
    ids: Annotated[list[str] | None, typer.Argument(help="record ids (default: select with options)")] = None,
    stage: StageOption = None,
    reason: ReasonOption = None,
    source: SourceOption = None,
    everything: Annotated[bool, typer.Option("--all", help="every record")] = False,
) -> None:
    """Send payloads back into the chain at the stage that failed them."""
    settings = load_settings()
    try:
        drain_pending(settings)
        selected = _select(settings, ids or [], stage, reason, source, everything)
        with progress("replaying dead letters", total=len(selected)) as advance:
            counts = replay_records(settings, selected, on_progress=advance)
    except NewsdeskError as exc:
        fail(str(exc))
    typer.echo(
        f"replayed {counts['replayed']}, skipped {counts['skipped']}, "
        f"kept {counts['kept']} (failed again while replaying)"
    )


@dlq_app.command("purge")
def purge_command(
    ids: Annotated[list[str] | None, typer.Argument(help="record ids (default: select with options)")] = None,
    stage: StageOption = None,
    reason: ReasonOption = None,
    source: SourceOption = None,
    everything: Annotated[bool, typer.Option("--all", help="every record")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Delete dead letters for good."""
    from index.deadletters import delete_dead_letter

    settings = load_settings()
    try:
        drain_pending(settings)
        records = _select(settings, ids or [], stage, reason, source, everything)
        if records and not yes:
            typer.confirm(f"delete {len(records)} dead letters?", abort=True)
        deleted = sum(delete_dead_letter(_resources(settings).es, r) for r in records)
    except NewsdeskError as exc:
        fail(str(exc))
    typer.echo(f"purged {deleted} of {len(records)}")


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")
