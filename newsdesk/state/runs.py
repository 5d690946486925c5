"""Crawl-run records in Redis: what the spider handed off, and one recorded fate per fetched URL and run."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis

from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.fates import CRAWLER_FATES, FATES, PIPELINE_FATES
from newsdesk.kernel.redaction import scrub
from newsdesk.state.client import execute_replicated, patiently, translated_errors

RUN_TTL_SECONDS = 30 * 24 * 3600
# The pipeline's fates, counted in fields of their own name; a run is done when they add up to `sent`.
OUTCOMES = PIPELINE_FATES
# The crawler's own fates are counted apart (`crawled_<fate>`): they are not pages the pipeline owes.
CRAWLED = "crawled_"
# One fate per URL and run, however often a task is retried or redelivered (KEYS: the run's URL -> fate
# hash, the run record, its URL -> detail hash; ARGV: url, fate, ttl, counter field, detail). Two
# deliveries of one page can reach the index at once: the one that created the document counts it as new
# even when the other one's "unchanged" was recorded first.
_RECORD_OUTCOME = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
    redis.call('EXPIRE', KEYS[3], ARGV[3])
  end
  return 1
end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == 'new' and (previous == 'unchanged' or previous == 'updated') then
  redis.call('HSET', KEYS[1], ARGV[1], 'new')
  redis.call('HINCRBY', KEYS[2], previous, -1)
  redis.call('HINCRBY', KEYS[2], 'new', 1)
  return 1
end
return 0
"""


# A page counted as sent once per run, however often its hand-off is redone (a send the crawler could not
# confirm on a replica is sent again). KEYS: the run record, the run's sent URLs; ARGV: url, ttl.
_COUNT_SENT_ONCE = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'sent', 1)
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0
"""
# The sent URLs are needed only while the crawl may redo a hand-off: a day outlasts any crawl's time limit.
SENT_URLS_TTL_SECONDS = 24 * 3600


# Progress is written from a thread that may still be running when the crawl closes: once the final
# figures are in, a late progress write must not bring back older ones (or a "running" finish reason).
_RECORD_PROGRESS = """
if redis.call('HEXISTS', KEYS[1], 'crawl_finished') == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


class RunStore:
    """Crawl-run records: what the spider handed off, and what became of each page."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk", min_replicas: int = 0) -> None:
        self.client = client
        self.prefix = prefix
        # Fates recorded only count once on this many replicas (newsdesk.state.client.execute_replicated).
        self.min_replicas = min_replicas
        self._record = client.register_script(_RECORD_OUTCOME)
        self._progress = client.register_script(_RECORD_PROGRESS)
        self._count_once = client.register_script(_COUNT_SENT_ONCE)

    def _key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    def create(self, crawl_source: str) -> str:
        run_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        with translated_errors("create run"):
            pipe = self.client.pipeline()
            pipe.hset(
                self._key(run_id),
                mapping={
                    "run_id": run_id,
                    "crawl_source": crawl_source,
                    "started_at": utc_now(),
                    "sent": 0,
                    "crawl_finished": 0,
                    **{o: 0 for o in OUTCOMES},
                },
            )
            pipe.expire(self._key(run_id), RUN_TTL_SECONDS)
            now = dt.datetime.now(dt.UTC).timestamp()
            pipe.zadd(f"{self.prefix}:runs", {run_id: now})
            # The source's runs of the last day, for `lost_handoffs`: read at every crawl's start, so it
            # must not grow with the number of sources.
            by_source = self._source_runs_key(crawl_source)
            pipe.zadd(by_source, {run_id: now})
            pipe.zremrangebyscore(by_source, "-inf", now - SENT_URLS_TTL_SECONDS)
            pipe.expire(by_source, SENT_URLS_TTL_SECONDS)
            pipe.execute()
        return run_id

    def _source_runs_key(self, crawl_source: str) -> str:
        return f"{self.prefix}:runs:{crawl_source}"

    def count_sent(self, run_id: str, amount: int = 1, client=None) -> None:
        """Count pages sent to the pipeline (on `client`, e.g. a pipeline its owner sends, when given)."""
        with translated_errors("count sent"):
            (client if client is not None else self.client).hincrby(self._key(run_id), "sent", amount)

    def count_sent_once(self, run_id: str, url: str, client=None) -> None:
        """Count `url` as sent in this run unless it was (on `client`, a pipeline, when given)."""
        key = self._key(run_id)
        with translated_errors("count sent"):
            self._count_once(
                keys=[key, f"{key}:sent_urls"],
                args=[url, SENT_URLS_TTL_SECONDS],
                client=client if client is not None else self.client,
            )

    def finish_crawl(self, run_id: str, stats: dict[str, Any]) -> None:
        fields = {"crawl_finished": 1, "crawl_finished_at": utc_now()}
        # Problems and finish reasons quote URLs and errors: nothing credential-like is kept.
        fields.update({f"crawl_{k}": scrub(str(v)) for k, v in stats.items()})
        with translated_errors("finish crawl"):
            self.client.hset(self._key(run_id), mapping=fields)

    def record_crawl_progress(self, run_id: str, stats: dict[str, Any]) -> None:
        """The crawl's counters so far, for live progress; `finish_crawl` writes the final ones."""
        fields = [item for k, v in stats.items() for item in (f"crawl_{k}", str(v))]
        with translated_errors("crawl progress"):
            self._progress(keys=[self._key(run_id)], args=fields)

    def _count_outcome(
        self, run_id: str, url: str, fate: str, counter: str, detail: str = "", client=None
    ) -> Any:
        """One call of the fate script (on `client`, e.g. a pipeline, when given)."""
        return self._record(
            keys=[f"{self._key(run_id)}:urls", self._key(run_id), f"{self._key(run_id)}:why"],
            args=[url, fate, RUN_TTL_SECONDS, counter, scrub(detail[:500])],
            client=client,
        )

    def record_outcome(self, run_id: str | None, url: str, outcome: str, detail: str = "") -> bool:
        """Count the pipeline's `outcome` for `url` in this run unless one was counted already; True if
        counted. `detail`: why (a rejection's reason, a not-article's evidence), kept per URL."""
        if not run_id:
            return False
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        with translated_errors("record outcome"):
            pipe = self.client.pipeline(transaction=False)
            self._count_outcome(run_id, url, outcome, outcome, detail, client=pipe)
            return bool(execute_replicated(pipe, self.min_replicas, "record outcome")[0])

    def record_outcomes(self, outcomes: list[tuple[str | None, str, str]]) -> None:
        """`record_outcome` for many (run_id, url, outcome) at once: one round trip for a whole batch."""
        for _, _, outcome in outcomes:
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r}")
        self._record_many([(run_id, url, outcome, outcome, "") for run_id, url, outcome in outcomes])

    def record_crawler_fates(self, run_id: str | None, fates: list[tuple[str, str, str]]) -> None:
        """The crawler's own fates, (url, fate, detail) each, for URLs it fetched and never handed on."""
        for _, fate, _ in fates:
            if fate not in CRAWLER_FATES:
                raise ValueError(f"unknown crawler fate {fate!r}")
        self._record_many([(run_id, url, fate, CRAWLED + fate, detail) for url, fate, detail in fates])

    def _record_many(self, entries: list[tuple[str | None, str, str, str, str]]) -> None:
        """(run_id, url, fate, counter, detail) each, in one round trip; entries without a run are skipped."""
        counted = [entry for entry in entries if entry[0]]
        if not counted:
            return
        with translated_errors("record fates"):
            pipe = self.client.pipeline(transaction=False)
            for run_id, url, fate, counter, detail in counted:
                self._count_outcome(run_id, url, fate, counter, detail, client=pipe)
            execute_replicated(pipe, self.min_replicas, "record fates")

    def fates_of(self, asked: list[tuple[str, str]]) -> list[str | None]:
        """The fate recorded for each (run_id, url), None where there is none (yet, or any more)."""
        if not asked:
            return []
        with translated_errors("read fates"):
            pipe = self.client.pipeline(transaction=False)
            for run_id, url in asked:
                pipe.hget(f"{self._key(run_id)}:urls", url)
            return list(pipe.execute())

    def url_fates(self, run_id: str) -> dict[str, tuple[str, str]]:
        """Every URL of the run with its fate and the detail recorded with it (empty when none)."""
        with translated_errors("read url fates"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hgetall(f"{self._key(run_id)}:urls")
            pipe.hgetall(f"{self._key(run_id)}:why")
            fates, why = pipe.execute()
        return {url: (fate, why.get(url, "")) for url, fate in fates.items()}

    def get(self, run_id: str) -> dict[str, Any]:
        with translated_errors("read run"):
            raw = self.client.hgetall(self._key(run_id))
        return _parsed(raw)

    def recent(self, limit: int = 20) -> list[str]:
        with translated_errors("list runs"):
            return list(self.client.zrevrange(f"{self.prefix}:runs", 0, limit - 1))

    def lost_handoffs(self, crawl_source: str, settled_before: float) -> dict[str, list[str]]:
        """Per earlier run of `crawl_source`: the pages it handed to the pipeline that never got a fate.

        Only runs whose crawl finished before `settled_before` (so that no redelivery or retry of theirs
        can still come) and that are not reconciled yet; only within a day of their start, while the run
        still knows which URLs it sent. A page goes missing this way when Redis loses its task or its fate
        (a failover without `min_replicas`) but not the send that counted it. Three round trips, over
        this source's runs of the day only.
        """
        since = time.time() - SENT_URLS_TTL_SECONDS
        with translated_errors("find lost hand-offs"):
            run_ids = self.client.zrangebyscore(self._source_runs_key(crawl_source), since, "+inf")
            pipe = self.client.pipeline(transaction=False)
            for run_id in run_ids:
                pipe.hgetall(self._key(run_id))
            runs = [_parsed(raw) for raw in pipe.execute()] if run_ids else []
            unsettled = [
                run["run_id"]
                for run in runs
                if run.get("crawl_source") == crawl_source
                and not run["complete"]
                and "lost_redone_in" not in run
                and _finished_before(run, settled_before)
            ]
            pipe = self.client.pipeline(transaction=False)
            for run_id in unsettled:
                pipe.smembers(f"{self._key(run_id)}:sent_urls")
                pipe.hkeys(f"{self._key(run_id)}:urls")
            answers = pipe.execute() if unsettled else []
        lost = {}
        for number, run_id in enumerate(unsettled):
            sent, fated = answers[2 * number], answers[2 * number + 1]
            if missing := sorted(set(sent) - set(fated)):
                lost[run_id] = missing
        return lost

    def mark_redone(self, run_id: str, urls: list[str], in_run: str) -> None:
        """Record on `run_id` that `urls`, handed on and never given a fate, were fetched again by
        `in_run`."""
        key = self._key(run_id)
        with translated_errors("mark lost hand-offs"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hset(key, mapping={"lost": len(urls), "lost_redone_in": in_run})
            pipe.sadd(f"{key}:lost_urls", *urls)
            pipe.expire(f"{key}:lost_urls", RUN_TTL_SECONDS)
            execute_replicated(pipe, self.min_replicas, "mark lost hand-offs")

    def lost_urls(self, run_id: str) -> list[str]:
        """The pages of `run_id` found lost and fetched again by a later run (`mark_redone`)."""
        with translated_errors("read lost hand-offs"):
            return sorted(self.client.smembers(f"{self._key(run_id)}:lost_urls"))


def _parsed(raw: dict[str, str]) -> dict[str, Any]:
    """A run record as read from Redis, with its totals: done, fates, urls, complete."""
    run: dict[str, Any] = {k: int(v) if v.lstrip("-").isdigit() else v for k, v in raw.items()}
    if run:
        run["done"] = sum(int(run.get(o, 0)) for o in OUTCOMES)
        run["fates"] = {
            fate: int(run.get(fate, 0) if fate in OUTCOMES else 0) + int(run.get(CRAWLED + fate, 0))
            for fate in FATES
        }
        run["urls"] = sum(run["fates"].values())
        run["complete"] = bool(run.get("crawl_finished")) and run["done"] >= int(run.get("sent", 0))
    return run


def _finished_before(run: dict[str, Any], moment: float) -> bool:
    finished_at = run.get("crawl_finished_at")
    if not run.get("crawl_finished") or not isinstance(finished_at, str):
        return False
    try:
        return dt.datetime.fromisoformat(finished_at).timestamp() < moment
    except ValueError:
        return False


def wait_for_run(
    runs: RunStore,
    run_id: str,
    timeout: float,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    run: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The run once every page it sent has its pipeline fate (`run`: as last read, if it was);
    NewsdeskError after `timeout` seconds. Crawls and backfills wait the same way."""
    deadline = time.monotonic() + timeout
    if run is None:
        run = patiently(lambda: runs.get(run_id), "read run")
    while not run["complete"]:
        if time.monotonic() > deadline:
            done = f"{run['done']} of {run['sent']} pages done"
            raise NewsdeskError(f"run {run_id}: {done} after {timeout:.0f}s")
        if on_progress is not None:
            on_progress(run)
        time.sleep(0.5)
        run = patiently(lambda: runs.get(run_id), "read run")
    return run
