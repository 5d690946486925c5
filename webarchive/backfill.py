"""A backfill: the records of WARC files handed to the pipeline as crawled pages, in a run like a crawl's.

Each HTML response of the source becomes the parse task's `FetchedPage`, sent by name as the crawler
sends it (this module imports no worker code); every other record gets its fate in the run at once.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kombu.exceptions
import redis

from newsdesk.kernel.errors import Rejected, TransientError
from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import resolve_source
from newsdesk.kernel.url_rules import UrlRules
from newsdesk.kernel.wire import PARSE_TASK, QUEUE
from newsdesk.state.client import build_redis, patiently, translated_errors
from newsdesk.state.crawl_state import CrawlState
from newsdesk.state.reliable.broker import task_sender
from newsdesk.state.runs import RunStore, wait_for_run
from newsdesk.state.warc_imports import HandledRecords
from webarchive.reader import read_record_at, read_records
from webarchive.records import (
    RESPONSE,
    REVISIT,
    CapturedRecord,
    ImportScope,
    RecordFate,
    Unreadable,
    fate_of,
    page_of,
    resolved_revisit,
)

log = logging.getLogger(__name__)
SEND_ATTEMPTS = 5
# Bookkeeping (fates, the sent count, handled marks) goes to Redis in one round trip per this many records.
FLUSH_EVERY = 200
# The queue's depth is read once per this many sends: a backfill overshoots the bound by at most as many.
DEPTH_CHECK_EVERY = 50
BACKPRESSURE_POLL_SECONDS = 0.5


def import_scope(settings: Settings, source_name: str, url: str | None = None) -> ImportScope:
    """The source's hosts (its allowed domains, or its start URLs' hosts) and its URL rules; a generic
    source needs its site, `url`, as a crawl of it does."""
    source = resolve_source(settings.sources_file, settings.demo_url, source_name, url)
    hosts = tuple(sorted({host.lower() for host in source.allowed_domains}))
    return ImportScope(source.name, hosts, UrlRules.from_source(source), settings.max_page_bytes)


@dataclass
class BackfillTally:
    """What one backfill did, for the run record and the command's summary."""

    files: int = 0
    records: int = 0
    imported: int = 0
    already_handled: int = 0
    revisits_resolved: int = 0
    backpressure_pauses: int = 0
    reasons: Counter = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {
            "kind": "warc-import",
            "files": self.files,
            "records": self.records,
            "imported": self.imported,
            "already_handled": self.already_handled,
            "revisits_resolved": self.revisits_resolved,
            # Records given a fate by this run (an imported one gets the pipeline's).
            "urls": self.records - self.already_handled,
            "backpressure_pauses": self.backpressure_pauses,
            "reasons": json.dumps(dict(sorted(self.reasons.items()))),
        }


class Backfill:
    """Hands WARC records of one source to the pipeline, with backpressure, fates and resumption."""

    def __init__(self, settings: Settings, scope: ImportScope, client: redis.Redis | None = None) -> None:
        self.settings = settings
        self.scope = scope
        self.client = client if client is not None else build_redis(settings)
        self.runs = RunStore(self.client, settings.index_prefix)
        self.handled = HandledRecords(self.client, settings.index_prefix)
        self.known = CrawlState(self.client, settings.index_prefix, settings.crawl_state_max_urls)
        self.celery = task_sender("newsdesk-backfill", settings)
        self.tally = BackfillTally()
        self.run_id = ""
        self._fates: list[tuple[str, str, str]] = []
        self._sent_urls: list[str] = []
        self._handled_keys: list[str] = []
        self._imported_urls: dict[str, str] = {}
        self._sends_since_check = DEPTH_CHECK_EVERY

    def run(self, paths: Iterable[Path], on_bytes: Callable[[int], None] | None = None) -> str:
        """Import every file; returns the run id. The run's crawl side is finished when all are read."""
        self.run_id = self.runs.create(self.scope.source)
        for path in paths:
            self.tally.files += 1
            self._import_file(path, on_bytes)
        self._flush()
        self.runs.finish_crawl(self.run_id, {**self.tally.summary(), "finish_reason": "finished"})
        return self.run_id

    def _import_file(self, path: Path, on_bytes: Callable[[int], None] | None) -> None:
        previously: set[str] = set()

        def wanted(key: str) -> bool:
            if self.handled.handled_in(self.scope.source, key) is None:
                return True
            previously.add(key)
            return False

        # Where the file's responses lie, so a revisit later in it can be given its original's payload.
        by_id: dict[str, int] = {}
        by_digest: dict[str, int] = {}
        read = 0
        for item in read_records(path, self.scope.max_bytes, wanted):
            self.tally.records += 1
            if on_bytes is not None and item.offset > read:
                on_bytes(item.offset - read)
                read = item.offset
            if isinstance(item, Unreadable):
                if not wanted(item.key):
                    self.tally.already_handled += 1
                    continue
                self._settle(item.key, item.locator, fate_of(item.rejection))
                continue
            if item.record_type == RESPONSE:
                if item.record_id:
                    by_id[item.record_id] = item.offset
                if item.payload_digest:
                    by_digest.setdefault(item.payload_digest, item.offset)
            if item.key in previously:
                self.tally.already_handled += 1
                continue
            record = self._resolved(path, item, by_id, by_digest)
            outcome = page_of(record, self.scope, self.run_id)
            if isinstance(outcome, FetchedPage) and outcome.url in self._imported_urls:
                earlier = self._imported_urls[outcome.url]
                outcome = RecordFate("skipped", "repeated_capture", f"imported from {earlier}")
            if isinstance(outcome, RecordFate):
                self._settle(record.key, record.locator, outcome)
            else:
                self._send(outcome, record)
        if on_bytes is not None:
            on_bytes(max(0, path.stat().st_size - read))

    def _resolved(
        self, path: Path, record: CapturedRecord, by_id: dict[str, int], by_digest: dict[str, int]
    ) -> CapturedRecord:
        """A revisit with its original's payload when this file holds the original; else as it is."""
        if record.record_type != REVISIT:
            return record
        offset = by_id.get(record.refers_to or "")
        if offset is None:
            offset = by_digest.get(record.payload_digest or "")
        if offset is None:
            return record
        try:
            original = read_record_at(path, offset, self.scope.max_bytes)
        except Rejected as exc:
            log.warning("original of revisit %s unreadable: %s", record.locator, exc)
            return record
        self.tally.revisits_resolved += 1
        return resolved_revisit(record, original)

    def _settle(self, key: str, locator: str, fate: RecordFate) -> None:
        self.tally.reasons[fate.reason] += 1
        self._fates.append((locator, fate.fate, fate.why[:300]))
        self._handled_keys.append(key)
        if len(self._fates) + len(self._sent_urls) >= FLUSH_EVERY:
            self._flush()

    def _send(self, page: FetchedPage, record: CapturedRecord) -> None:
        self._wait_for_room()
        payload = page.to_dict()
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                # argsrepr: Celery would otherwise build a repr of the whole page for the message header.
                self.celery.send_task(PARSE_TASK, args=[payload], queue=QUEUE, argsrepr=repr(page.url))
                break
            except (kombu.exceptions.OperationalError, redis.RedisError, OSError) as exc:
                if attempt == SEND_ATTEMPTS:
                    # Stop here: the records handled so far are marked, a re-run resumes at this one.
                    self._flush()
                    raise TransientError(f"could not hand off {page.url}: {exc}") from exc
                log.warning("hand-off of %s failed (attempt %d): %s", page.url, attempt, exc)
                time.sleep(min(2**attempt, 30))
        self.tally.imported += 1
        self.tally.reasons["imported"] += 1
        self._imported_urls[page.url] = record.locator
        self._sent_urls.append(page.url)
        self._handled_keys.append(record.key)
        if len(self._fates) + len(self._sent_urls) >= FLUSH_EVERY:
            self._flush()

    def _wait_for_room(self) -> None:
        """Backpressure, as the crawler's hand-off: hold the next page while the queue is past its bound."""
        self._sends_since_check += 1
        if self._sends_since_check < DEPTH_CHECK_EVERY:
            return
        self._sends_since_check = 0
        paused = False
        while True:
            try:
                depth = self.client.llen(QUEUE)
            except redis.RedisError:
                return  # the send has its own retries for a broker that is away
            if depth < self.settings.max_queue_depth:
                return
            if not paused:
                paused = True
                self.tally.backpressure_pauses += 1
                log.info("queue holds %d tasks: pausing the backfill", depth)
            time.sleep(BACKPRESSURE_POLL_SECONDS)

    def _flush(self) -> None:
        """Fates, the sent count and the known URLs first, then the handled marks: a record is skipped by
        a re-run only once everything about it is in Redis."""
        fates, self._fates = self._fates, []
        sent, self._sent_urls = self._sent_urls, []
        keys, self._handled_keys = self._handled_keys, []
        if fates:
            patiently(lambda: self.runs.record_crawler_fates(self.run_id, fates), "record record fates")
        if not (sent or keys):
            return

        def write() -> None:
            with translated_errors("backfill bookkeeping"):
                pipe = self.client.pipeline()
                if sent:
                    self.runs.count_sent(self.run_id, len(sent), client=pipe)
                self.handled.mark(self.scope.source, self.run_id, keys, pipe=pipe)
                # Known from now on, as a crawled page is: a crawl of the source need not fetch it again.
                self.known.mark_known(self.scope.source, sent, pipe=pipe)

        patiently(write, "backfill bookkeeping")


def wait_for_pipeline(
    settings: Settings,
    run_id: str,
    timeout: float,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """The run once every imported page has its pipeline fate; NewsdeskError after `timeout` seconds."""
    return wait_for_run(RunStore(build_redis(settings), settings.index_prefix), run_id, timeout, on_progress)


def import_warcs(
    settings: Settings,
    source: str,
    paths: list[Path],
    *,
    url: str | None = None,
    wait: bool = True,
    timeout: float = 3600,
    on_bytes: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Backfill `source` from `paths`; with `wait`, return the run once every page has its pipeline
    fate. What `newsdesk import-warc` does, for the tests and the benchmark."""
    run_id = Backfill(settings, import_scope(settings, source, url)).run(paths, on_bytes)
    if wait:
        return wait_for_pipeline(settings, run_id, timeout)
    runs = RunStore(build_redis(settings), settings.index_prefix)
    return patiently(lambda: runs.get(run_id), "read run")
