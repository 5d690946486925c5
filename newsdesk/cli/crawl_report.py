"""A crawl run's visible side: its Elasticsearch record, live progress (Rich) and the printed summary."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.settings import Settings

log = logging.getLogger(__name__)


def record_crawl_run(settings: Settings, run: dict[str, Any], fates: dict | None = None) -> str | None:
    """Write the run to `<prefix>-crawl-runs` and, given the run's URL fates, each URL's to
    `<prefix>-crawl-log`; returns why they could not be written, or None.

    A crawl that worked is not failed because its record could not be written: the Redis record remains.
    """
    from index.client import build_client
    from index.crawl_log import archive_run
    from newsdesk.kernel.clock import utc_now

    es = build_client(settings)
    try:
        return archive_run(es, settings, run, fates or {}, utc_now())
    except NewsdeskError as exc:
        log.warning("crawl run %s not recorded in Elasticsearch: %s", run.get("run_id"), exc)
        return str(exc)
    finally:
        es.close()


def _number(run: dict[str, Any], key: str) -> int:
    try:
        return int(float(run.get(key) or 0))
    except (TypeError, ValueError):
        return 0


def format_crawl_side(run: dict[str, Any]) -> list[str]:
    """Summary lines for what the crawler did (the pipeline's outcomes are printed above them)."""
    errors = json.loads(run.get("crawl_errors_by_kind") or "{}")
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(errors.items())) or "none"
    # Revisions: known articles fetched again, and how many answered "not modified".
    rechecks = (
        [
            f"    re-checks {_number(run, 'crawl_rechecks')} "
            f"(not modified {_number(run, 'crawl_not_modified_articles')})"
        ]
        if _number(run, "crawl_rechecks")
        else []
    )
    redone = (
        [f"    pages an earlier run lost, asked for again {_number(run, 'crawl_lost_handoffs_redone')}"]
        if _number(run, "crawl_lost_handoffs_redone")
        else []
    )
    return [
        f"  crawl: {_number(run, 'crawl_pages_fetched')} pages fetched, "
        f"{_number(run, 'crawl_bytes') / 1024:.0f} KiB, finish reason {run.get('crawl_finish_reason', '?')}",
        f"    discovery pages {_number(run, 'crawl_discovery_pages')} "
        f"(not modified {_number(run, 'crawl_not_modified')}; further pages skipped, nothing new "
        f"before them {_number(run, 'crawl_pagination_skipped')}), "
        f"articles discovered {_number(run, 'crawl_discovered')}, "
        f"skipped as known {_number(run, 'crawl_skipped_known')}, "
        f"sent {_number(run, 'sent')}",
        f"    robots refusals {_number(run, 'crawl_robots_refused')}, "
        f"retries {_number(run, 'crawl_retries')}, "
        f"errors {_number(run, 'crawl_errors')}: {kinds}",
        *rechecks,
        *redone,
    ]


def _progress_table(run: dict[str, Any]):
    from rich.table import Table

    table = Table(title=f"crawl {run.get('run_id', '')} of {run.get('crawl_source', '')}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("pages fetched", _number(run, "crawl_pages_fetched")),
        (
            "discovery pages (not modified)",
            f"{_number(run, 'crawl_discovery_pages')} ({_number(run, 'crawl_not_modified')})",
        ),
        ("articles discovered", _number(run, "crawl_discovered")),
        ("skipped as known", _number(run, "crawl_skipped_known")),
        ("sent to the pipeline", _number(run, "sent")),
        ("done by the pipeline", _number(run, "done")),
        ("errors", _number(run, "crawl_errors")),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


@contextlib.contextmanager
def live_progress(enabled: bool) -> Iterator[Callable[[dict[str, Any]], None] | None]:
    """A callback that redraws a live Rich table of the run, or None when output is not a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.live import Live

    with Live(console=Console(stderr=True), refresh_per_second=4, transient=True) as live:

        def update(run: dict[str, Any]) -> None:
            if run:
                live.update(_progress_table(run))

        yield update
