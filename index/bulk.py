"""Bulk requests whose every item is read: each document's fate, retry or rejected, never assumed."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from elasticsearch import Elasticsearch

from index.client import is_transient_status, is_write_block, translated_errors

T = TypeVar("T")
# Writes refused for now (a shard without its primary while a node is lost, a 429) are sent again after
# 1, 2, 4, 8 and 16 s: a replica is promoted well within that.
RETRY_WAITS = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class WriteResult:
    """What Elasticsearch did with one document: created, updated, noop, retry or rejected."""

    doc_id: str
    outcome: str
    error: str | None = None
    # The run that created the document (articles only): a redone write can tell it made the document.
    created_by_run: str | None = None


def stable_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _item_result(item: dict[str, Any]) -> WriteResult:
    (body,) = item.values()
    status = body.get("status", 500)
    if "error" not in body:
        created_by = ((body.get("get") or {}).get("_source") or {}).get("run_id")
        return WriteResult(body["_id"], body.get("result", "updated"), created_by_run=created_by)
    error = body["error"]
    reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
    error_type = error.get("type") if isinstance(error, dict) else None
    # A conflict on a conditional write means another writer got there first: read again and redo.
    conflict = error_type == "version_conflict_engine_exception"
    retry = is_transient_status(status) or is_write_block(error_type) or conflict
    return WriteResult(body["_id"], "retry" if retry else "rejected", reason)


def run_bulk(es: Elasticsearch, operations: list[dict[str, Any]], action: str) -> list[WriteResult]:
    """Send `operations` in one bulk request; one WriteResult per item, in order."""
    if not operations:
        return []
    with translated_errors(action):
        response = es.bulk(operations=operations)
    return [_item_result(item) for item in response["items"]]


def with_retries(
    send: Callable[[list[T]], list[WriteResult]],
    items: Sequence[T],
    waits: Sequence[float] = RETRY_WAITS,
    sleep: Callable[[float], object] = time.sleep,
) -> list[WriteResult]:
    """The final WriteResult of each item: `send(items)` answers one result per item, and those answered
    "retry" are sent again after each of `waits` in turn. Still "retry" after the last: left for the
    caller to report."""
    results = dict(enumerate(send(list(items))))
    for wait in waits:
        again = [number for number, result in results.items() if result.outcome == "retry"]
        if not again:
            break
        sleep(wait)
        for number, result in zip(again, send([items[n] for n in again]), strict=True):
            results[number] = result
    return [results[number] for number in range(len(items))]
