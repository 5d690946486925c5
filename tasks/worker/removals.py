"""Removals: an article gone from its address, or from every listing, past a grace period is marked so."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from index.history import mark_removed, mark_restored
from index.writer import read_current
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.wire import LISTING_CHANGES_SCHEMA
from tasks.dedupe.identity import canonical_url, document_id
from tasks.dedupe.versions import REVISION_RULES, UNLISTED, removal_evidence

log = logging.getLogger(__name__)


def _doc_id(url: str) -> str | None:
    try:
        return document_id(canonical_url(url))
    except Rejected:
        return None


def watch_removal(resources, settings: Settings, payload: dict[str, Any], now: dt.datetime | None = None):
    """For a fetched page that says its article is gone: note it, and past the grace period mark it removed.

    Returns None (the page is not gone), "waiting" (gone, within the grace period) or what
    `mark_removed` did ("unknown" for a page never archived, "already", "removed").
    """
    now = now or dt.datetime.now(dt.UTC)
    at = now.isoformat(timespec="milliseconds")
    url = payload.get("url") or ""
    evidence = removal_evidence(url, payload.get("final_url") or "", int(payload.get("status") or 0), at)
    if evidence is None:
        return None
    doc_id = _doc_id(url)
    if doc_id is None:
        return None
    if doc_id not in read_current(resources.es, settings.articles_alias, [doc_id]):
        return "unknown"  # never archived: an ordinary failed fetch, dead-lettered by the parse stage
    first_gone = resources.gone.observe(doc_id, at)
    evidence["first_gone_at"] = first_gone
    if (now - dt.datetime.fromisoformat(first_gone)).total_seconds() < settings.removal_grace_seconds:
        return "waiting"
    outcome = mark_removed(resources.es, settings, doc_id, evidence, at, REVISION_RULES)
    if outcome == "removed":
        log.info("article %s marked removed: %s", url, evidence["kind"])
    return outcome


def apply_listing_changes(es, settings: Settings, payload: dict[str, Any]) -> dict[str, int]:
    """Mark the articles a complete crawl found in no listing past the grace period removed, and restore
    those removed that way which are listed again; returns how many of each outcome."""
    if payload.get("schema") != LISTING_CHANGES_SCHEMA:
        raise Rejected("bad_message", f"listing changes schema {payload.get('schema')!r}")
    at = payload["checked_at"]
    counts: dict[str, int] = {}
    for entry in payload.get("unlisted", []):
        doc_id = _doc_id(entry["url"])
        if doc_id is None:
            continue
        evidence = {
            "kind": UNLISTED,
            "url": entry["url"],
            "last_listed_at": entry["last_listed_at"],
            "checked_at": at,
            "pages_checked": payload.get("pages_checked"),
            "run_id": payload.get("crawl_run"),
        }
        outcome = mark_removed(es, settings, doc_id, evidence, at, REVISION_RULES)
        counts[outcome] = counts.get(outcome, 0) + 1
    for url in payload.get("relisted", []):
        doc_id = _doc_id(url)
        if doc_id is None:
            continue
        evidence = {"kind": "listed_again", "url": url, "checked_at": at, "run_id": payload.get("crawl_run")}
        outcome = mark_restored(es, settings, doc_id, evidence, at, UNLISTED, REVISION_RULES)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
