"""Removal watch: a known article that answers "gone" for longer than the grace period is marked removed."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from elasticsearch import Elasticsearch

from index.writer import mark_removed, read_current
from newsdesk.errors import Rejected
from newsdesk.revisionstate import GoneWatch
from newsdesk.settings import Settings
from tasks.dedupe import canonical_url, document_id
from tasks.revisions import removal_evidence

log = logging.getLogger(__name__)


def watch_removal(
    es: Elasticsearch, watch: GoneWatch, settings: Settings, payload: dict[str, Any], now: dt.datetime
) -> str | None:
    """For a fetched page that says its article is gone: note it, and past the grace period mark it removed.

    Returns None (the page is not gone), "waiting" (gone, within the grace period) or what
    `mark_removed` did ("unknown" for a page never archived, "already", "removed").
    """
    at = now.isoformat(timespec="milliseconds")
    evidence = removal_evidence(
        payload.get("url") or "", payload.get("final_url") or "", int(payload.get("status") or 0), at
    )
    if evidence is None:
        return None
    try:
        doc_id = document_id(canonical_url(payload["url"]))
    except (Rejected, KeyError):
        return None
    if doc_id not in read_current(es, settings.articles_alias, [doc_id]):
        return "unknown"  # never archived: an ordinary failed fetch, dead-lettered by the parse stage
    first_gone = watch.observe(doc_id, at)
    evidence["first_gone_at"] = first_gone
    if (now - dt.datetime.fromisoformat(first_gone)).total_seconds() < settings.removal_grace_seconds:
        return "waiting"
    outcome = mark_removed(es, settings, doc_id, evidence, at)
    if outcome == "removed":
        log.info("article %s marked removed: %s", payload["url"], evidence["kind"])
    return outcome
