"""The one place that talks to Redis for state: crawl runs, URL and content claims; errors become ours."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis

from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
RUN_TTL_SECONDS = 30 * 24 * 3600
OUTCOMES = ("new", "updated", "unchanged", "duplicate", "rejected", "failed")
# Count an outcome once per URL and run, however often a task is retried or redelivered. Two deliveries
# of one page can reach the index at once: the one that created the document counts it as new even when
# the other one's "unchanged" was recorded first.
_RECORD_OUTCOME = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
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


def build_redis(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=30,
    )


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
        raise TransientError(f"{action}: Redis unavailable ({exc})") from exc


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def patiently(read: Callable[[], T], what: str, seconds: float = 60.0) -> T:
    """`read()`, retried through a Redis outage of up to `seconds` (a restart, a failover): for the
    bookkeeping around a crawl, which must not be lost because Redis blinked just as the crawl ended."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return read()
        except TransientError as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("%s: waiting for Redis (%s)", what, exc)
            time.sleep(1.0)


# Progress is written from a thread that may still be running when the crawl closes: once the final
# figures are in, a late progress write must not bring back older ones (or a "running" finish reason).
_RECORD_PROGRESS = """
if redis.call('HEXISTS', KEYS[1], 'crawl_finished') == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


class RunStore:
    """Crawl-run records: what the spider handed off, and what became of each page."""

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix
        self._record = client.register_script(_RECORD_OUTCOME)
        self._progress = client.register_script(_RECORD_PROGRESS)

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
            pipe.zadd(f"{self.prefix}:runs", {run_id: dt.datetime.now(dt.UTC).timestamp()})
            pipe.execute()
        return run_id

    def count_sent(self, run_id: str, amount: int = 1, client=None) -> None:
        """Count pages sent to the pipeline (on `client`, e.g. a pipeline its owner sends, when given)."""
        with translated_errors("count sent"):
            (client if client is not None else self.client).hincrby(self._key(run_id), "sent", amount)

    def finish_crawl(self, run_id: str, stats: dict[str, Any]) -> None:
        fields = {"crawl_finished": 1, "crawl_finished_at": utc_now()}
        fields.update({f"crawl_{k}": str(v) for k, v in stats.items()})
        with translated_errors("finish crawl"):
            self.client.hset(self._key(run_id), mapping=fields)

    def record_crawl_progress(self, run_id: str, stats: dict[str, Any]) -> None:
        """The crawl's counters so far, for live progress; `finish_crawl` writes the final ones."""
        fields = [item for k, v in stats.items() for item in (f"crawl_{k}", str(v))]
        with translated_errors("crawl progress"):
            self._progress(keys=[self._key(run_id)], args=fields)

    def _count_outcome(self, run_id: str, url: str, outcome: str, client=None):
        """One call of the outcome script (on `client`, e.g. a pipeline, when given)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        return self._record(
            keys=[f"{self._key(run_id)}:urls", self._key(run_id)],
            args=[url, outcome, RUN_TTL_SECONDS],
            client=client,
        )

    def record_outcome(self, run_id: str | None, url: str, outcome: str) -> bool:
        """Count `outcome` for `url` in this run unless one was counted already; True if counted."""
        if not run_id:
            return False
        with translated_errors("record outcome"):
            return bool(self._count_outcome(run_id, url, outcome))

    def record_outcomes(self, outcomes: list[tuple[str | None, str, str]]) -> None:
        """`record_outcome` for many (run_id, url, outcome) at once: one round trip for a whole batch."""
        counted = [(run_id, url, outcome) for run_id, url, outcome in outcomes if run_id]
        if not counted:
            return
        with translated_errors("record outcomes"):
            pipe = self.client.pipeline(transaction=False)
            for run_id, url, outcome in counted:
                self._count_outcome(run_id, url, outcome, client=pipe)
            pipe.execute()

    def get(self, run_id: str) -> dict[str, Any]:
        with translated_errors("read run"):
            raw = self.client.hgetall(self._key(run_id))
        run: dict[str, Any] = {k: int(v) if v.lstrip("-").isdigit() else v for k, v in raw.items()}
        if run:
            run["done"] = sum(int(run.get(o, 0)) for o in OUTCOMES)
            run["complete"] = bool(run.get("crawl_finished")) and run["done"] >= int(run.get("sent", 0))
        return run

    def recent(self, limit: int = 20) -> list[str]:
        with translated_errors("list runs"):
            return list(self.client.zrevrange(f"{self.prefix}:runs", 0, limit - 1))


# Per-article maps (URL owners, fingerprints, verdicts) live in 256 hashes each, named by the first two
# hex digits of the id, with 8 raw bytes of the rest as the field: Redis keeps a hash of a few hundred short
# entries as one listpack (~20-60 bytes an entry) where a key per article costs ~200 (the Redis we start
# raises the listpack bounds; see newsdesk.localstack.services.REDIS_COMPACT_HASHES).
SHARD_HEX = 2
FIELD_HEX = 16


def sharded(prefix: str, hex_id: str) -> tuple[str, bytes]:
    """(key, field) of a hex id in a sharded map: shard by its first digits, 64 further bits as field."""
    return f"{prefix}:{hex_id[:SHARD_HEX]}", bytes.fromhex(hex_id[SHARD_HEX : SHARD_HEX + FIELD_HEX])


class UrlClaims:
    """Which fetched URL owns each document id: the first to claim it, atomically.

    The owner is stored as "" when it is the canonical URL itself (most articles), else in full.
    """

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk") -> None:
        self.client = client
        self.prefix = prefix

    def _slot(self, doc_id: str) -> tuple[str, bytes]:
        return sharded(f"{self.prefix}:url-owner", doc_id)

    def claim(self, doc_id: str, url: str, canonical: str) -> str:
        """Claim `doc_id` for `url`; return the owner (this URL if it won or already owned it).

        `canonical` is the canonical URL the document id was made from, so the same for every claimer.
        """
        key, field = self._slot(doc_id)
        with translated_errors("claim url"):
            if self.client.hsetnx(key, field, "" if url == canonical else url):
                return url
            owner = self.client.hget(key, field)
        if owner is None:
            return url
        return owner or canonical

    def restore(self, doc_id: str, url: str, canonical: str | None) -> bool:
        """Give `doc_id` back to the URL that owned it (a rebuild); an existing claim is kept.

        Without the document's `canonical` URL the owner is kept in full.
        """
        key, field = self._slot(doc_id)
        with translated_errors("restore url claim"):
            return bool(self.client.hsetnx(key, field, "" if url == canonical else url))


_TAKE_BATCH = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""
_RECOVER_STALE = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, key in ipairs(stale) do
  local items = redis.call('LRANGE', key, 0, -1)
  if #items > 0 then redis.call('LPUSH', KEYS[1], unpack(items)) end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[2], key)
end
return #stale
"""


class IndexBuffer:
    """Articles waiting to be bulk-written, kept in Redis so a batch survives a worker's death.

    A batch moves atomically from the pending list to an in-flight list; it is deleted only after
    every item's result was handled. An in-flight list older than `stale_after` seconds belonged to
    a worker that died, and goes back to pending: writes are idempotent, so a replay is harmless.
    """

    def __init__(self, client: redis.Redis, prefix: str = "newsdesk", stale_after: float = 300) -> None:
        self.client = client
        self.pending_key = f"{prefix}:index:pending"
        self.inflight_key = f"{prefix}:index:inflight"
        self.stale_after = stale_after
        self._take = client.register_script(_TAKE_BATCH)
        self._recover = client.register_script(_RECOVER_STALE)

    def push(self, payload: dict[str, Any]) -> int:
        """Add one article; returns how many are now pending."""
        with translated_errors("buffer article"):
            return int(self.client.rpush(self.pending_key, json.dumps(payload, ensure_ascii=False)))

    def pending(self) -> int:
        with translated_errors("buffer length"):
            return int(self.client.llen(self.pending_key))

    def needs_flush(self) -> bool:
        """Articles wait, or a batch outlived its worker: a flush has work to do."""
        with translated_errors("buffer state"):
            pipe = self.client.pipeline(transaction=False)
            pipe.llen(self.pending_key)
            pipe.zcount(self.inflight_key, "-inf", time.time() - self.stale_after)
            waiting, stale = pipe.execute()
        return bool(waiting or stale)

    def take(self, size: int) -> tuple[str, list[dict[str, Any]]] | None:
        batch_key = f"{self.inflight_key}:{uuid.uuid4().hex}"
        with translated_errors("take batch"):
            items = self._take(
                keys=[self.pending_key, batch_key, self.inflight_key], args=[size, time.time()]
            )
        if not items:
            return None
        return batch_key, [json.loads(item) for item in items]

    def complete(self, batch_key: str, requeue: list[dict[str, Any]] | None = None) -> None:
        """Forget a handled batch, putting back the items that must be tried again."""
        with translated_errors("complete batch"):
            pipe = self.client.pipeline(transaction=True)
            if requeue:
                pipe.lpush(self.pending_key, *[json.dumps(p, ensure_ascii=False) for p in requeue])
            pipe.delete(batch_key)
            pipe.zrem(self.inflight_key, batch_key)
            pipe.execute()

    def recover_stale(self) -> int:
        with translated_errors("recover stale batches"):
            return int(
                self._recover(
                    keys=[self.pending_key, self.inflight_key], args=[time.time() - self.stale_after]
                )
            )


# One atomic decision per article: is its text a copy (exact fingerprint) or a near-copy (MinHash bands,
# verified on the stored signatures) of an article claimed earlier, or is it new? Deciding and registering
# in one script means two workers seeing copies of one story at once can never both find it new.
# Redis holds the articles claimed but maybe not yet searchable in the archive (index.minhash); the caller
# searched the archive just before and passes its closest match, so both are weighed in one decision.
# KEYS: the verdicts shard of this doc, the fingerprints shard of this text, signatures (this bucket, the
# previous one), then each band's shard in this bucket and in the previous one. ARGV: doc id, its short id
# (signatures), the text's fingerprint field, the signature entry (doc_id (40) .. published day (6) ..
# bytes), threshold, days apart, expiry, the doc's verdict field, the closest archived article and its
# score ("" and 0 for none), the mode ("archived": this doc is in the archive itself; "variant": another
# address of a document claimed under its own URL; "" otherwise), then the bands.
_CLAIM_CONTENT = """
local verdicts, fingerprints, sigs, old_sigs = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local doc, short, fp, entry = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local threshold, max_days, expire_at = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local doc_field, archived_doc, archived_score, mode = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local first_band, first_shard = 12, 5

local verdict = redis.call('HGET', verdicts, doc_field)
if verdict then return verdict end

local function register(canonical)
  redis.call('HSETNX', fingerprints, fp, canonical)
  redis.call('HSET', sigs, short, entry)
  redis.call('EXPIREAT', sigs, expire_at)
  for i = first_band, #ARGV do
    local shard = KEYS[first_shard + 2 * (i - first_band)]
    redis.call('HSETNX', shard, ARGV[i], short)
    redis.call('EXPIREAT', shard, expire_at)
  end
  return 'new ' .. canonical
end

-- A retry, or a re-crawl of a canonical article: it stays what it was.
local pending = redis.call('HEXISTS', sigs, short) == 1 or redis.call('HEXISTS', old_sigs, short) == 1
-- Another address of a document claimed by its own URL: the verdict above, or its being canonical,
-- decides. Nothing is written: no index write of this document follows to settle it.
if mode == 'variant' then return 'new ' .. doc end
if pending or mode == 'archived' then
  return register(doc)
end
local owner = redis.call('HGET', fingerprints, fp)
if owner == doc then return register(doc) end
if owner then
  verdict = 'exact ' .. owner
  redis.call('HSET', verdicts, doc_field, verdict)
  return verdict
end

local my_day = tonumber(string.sub(entry, 41, 46))
local my_sig = string.sub(entry, 47)
local units = #my_sig
local best_score, best_doc, seen = -1, nil, {}
if archived_doc ~= '' then best_score, best_doc = archived_score, archived_doc end
for i = first_band, #ARGV do
  local shard = first_shard + 2 * (i - first_band)
  for _, band_key in ipairs({KEYS[shard], KEYS[shard + 1]}) do
    local candidate = redis.call('HGET', band_key, ARGV[i])
    if candidate and candidate ~= short and not seen[candidate] then
      seen[candidate] = true
      local other = redis.call('HGET', sigs, candidate) or redis.call('HGET', old_sigs, candidate)
      if other then
        local day = tonumber(string.sub(other, 41, 46))
        if my_day == 0 or day == 0 or math.abs(day - my_day) <= max_days then
          local sig, equal = string.sub(other, 47), 0
          for u = 1, units do
            if string.byte(sig, u) == string.byte(my_sig, u) then equal = equal + 1 end
          end
          local score = equal / units
          if score > best_score then best_score, best_doc = score, string.sub(other, 1, 40) end
        end
      end
    end
  end
end
if best_doc and best_score >= threshold then
  verdict = 'near ' .. best_doc
  redis.call('HSETNX', fingerprints, fp, best_doc)
  redis.call('HSET', verdicts, doc_field, verdict)
  return verdict
end
return register(doc)
"""
SHORT_ID_CHARS = 16
# Bytes of one band's minima: tasks.dedupe.similarity's ROWS × SIGNATURE_BITS / 8 (a unit test holds them equal).
BAND_BYTES = 4
# Seconds an article stays in Redis after the index stage archived it: any search for candidates started
# before its archive entry became searchable (a refresh, about a second) has long been decided by then.
SETTLE_SECONDS = 30

# The articles archived at least `age` seconds ago (on Redis's clock, whichever worker asks) leave the
# Redis window: their signature and every band entry still naming them, in this bucket and the previous.
# KEYS: the settling set. ARGV: age, at most how many, the signature and band key prefixes, this bucket.
# Band shard keys are derived here from the stored signature, as `ContentClaims._shard` names them.
_FORGET_SETTLED = """
local settling = KEYS[1]
local age, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local sig_prefix, band_prefix, bucket, width = ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local now = tonumber(redis.call('TIME')[1])
local due = redis.call('ZRANGEBYSCORE', settling, '-inf', now - age, 'LIMIT', 0, limit)
for _, doc in ipairs(due) do
  local short = ''
  for i = 1, 16, 2 do short = short .. string.char(tonumber(string.sub(doc, i, i + 1), 16)) end
  for b = bucket - 1, bucket do
    local sigs = sig_prefix .. b
    local entry = redis.call('HGET', sigs, short)
    if entry and string.sub(entry, 1, 40) == doc then
      redis.call('HDEL', sigs, short)
      local sig = string.sub(entry, 47)
      for band = 0, #sig / width - 1 do
        local field = string.sub(sig, band * width + 1, (band + 1) * width)
        local shard_name = string.format('%02d%x', band, math.floor(string.byte(field, 1) / 16))
        local shard = band_prefix .. b .. ':' .. shard_name
        if redis.call('HGET', shard, field) == short then redis.call('HDEL', shard, field) end
      end
    end
  end
  redis.call('ZREM', settling, doc)
end
return #due
"""
_SETTLE = """
local now = redis.call('TIME')[1]
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
return #ARGV
"""


def _short_id(doc_id: str) -> bytes:
    """The first 64 bits of a document id, as 8 raw bytes: how bands and signatures name an article."""
    return bytes.fromhex(doc_id[:SHORT_ID_CHARS])


def _band_field(band: str) -> bytes:
    """A band's minima as raw bytes (the band number is in its shard's key)."""
    return bytes.fromhex(band[2:])


# A band key is its number (2 digits) and its minima in hex. Bands are spread over small hashes, by number
# and first hex digit, because Redis stores a hash of up to 128 short entries as one compact listpack
# (raw bytes: ~15 bytes an entry instead of ~70): 512 shards per bucket stay compact up to ~2,000
# articles a window.
BAND_SHARD_CHARS = 3


class ContentClaims:
    """The dedupe state for article texts: fingerprints, MinHash signatures and bands, in time buckets.

    Signatures and bands live in hashes per bucket of `window_seconds`; a bucket expires two windows
    after it opened, so a near-copy is found while its original is between one and two windows old
    (an article is compared with the current and the previous bucket). Fingerprints (which text each
    canonical article has) and verdicts (which article each copy is a copy of) are kept for good, in
    sharded maps (see `sharded`).
    """

    def __init__(self, client: redis.Redis, prefix: str, window_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.window_seconds = max(1, window_seconds)
        self._claim = client.register_script(_CLAIM_CONTENT)
        self._settle = client.register_script(_SETTLE)
        self._forget_settled = client.register_script(_FORGET_SETTLED)
        self.settling_key = f"{prefix}:dedupe:settling"

    def _bucket(self, at: float) -> int:
        return int(at // self.window_seconds)

    def _expire_at(self, at: float) -> int:
        """A bucket is searched during its own window and the next one, then it goes."""
        return (self._bucket(at) + 2) * self.window_seconds

    @staticmethod
    def _entry(doc_id: str, day: int, signature: bytes) -> bytes:
        return doc_id.encode() + f"{day:06d}".encode() + signature

    def text_is_claimed(self, fingerprint: str) -> bool:
        """Some article claimed this text already: the claim decides without near-duplicate candidates."""
        fingerprints, field = self.fingerprint_slot(fingerprint)
        with translated_errors("read fingerprint"):
            return bool(self.client.hexists(fingerprints, field))

    def verdict_slot(self, doc_id: str) -> tuple[str, bytes]:
        return sharded(f"{self.prefix}:dedupe:verdicts", doc_id)

    def fingerprint_slot(self, fingerprint: str) -> tuple[str, bytes]:
        return sharded(f"{self.prefix}:dedupe:fingerprints", fingerprint)

    def signature_keys(self, at: float) -> list[str]:
        """This bucket's signatures, the previous bucket's."""
        bucket = self._bucket(at)
        return [f"{self.prefix}:dedupe:sigs:{bucket}", f"{self.prefix}:dedupe:sigs:{bucket - 1}"]

    def _shard(self, bucket: int, band: str) -> str:
        return f"{self.prefix}:dedupe:bands:{bucket}:{band[:BAND_SHARD_CHARS]}"

    def claim(
        self,
        doc_id: str,
        fingerprint: str,
        signature: bytes,
        bands: list[str],
        day: int,
        threshold: float,
        max_days_apart: int,
        at: float | None = None,
        archived: tuple[str, float] | None = None,
        mode: str = "",
    ) -> tuple[str, str]:
        """Return (kind, canonical doc_id): kind is "new" (this article is canonical), "exact" or "near".

        `archived` is the closest article the archive search found (doc_id, estimated similarity). `mode`
        "archived" says that search found this article itself (it is canonical already); "variant" that
        this is another address of a document claimed under its own URL.
        """
        at = dt.datetime.now(dt.UTC).timestamp() if at is None else at
        bucket = self._bucket(at)
        shards = [key for band in bands for key in (self._shard(bucket, band), self._shard(bucket - 1, band))]
        verdicts, doc_field = self.verdict_slot(doc_id)
        fingerprints, fingerprint_field = self.fingerprint_slot(fingerprint)
        with translated_errors("claim content"):
            answer = self._claim(
                keys=[verdicts, fingerprints, *self.signature_keys(at), *shards],
                args=[
                    doc_id,
                    _short_id(doc_id),
                    fingerprint_field,
                    self._entry(doc_id, day, signature),
                    threshold,
                    max_days_apart,
                    self._expire_at(at),
                    doc_field,
                    archived[0] if archived else "",
                    archived[1] if archived else 0,
                    mode,
                    *(_band_field(band) for band in bands),
                ],
            )
        kind, canonical = answer.split(" ", 1)
        return kind, canonical

    def settle(self, doc_ids: list[str]) -> None:
        """These articles are in the archive now: their signatures and bands leave Redis `SETTLE_SECONDS`
        later (`forget_settled`), once every search that could have missed them is decided."""
        if doc_ids:
            with translated_errors("settle content claims"):
                self._settle(keys=[self.settling_key], args=doc_ids)

    def forget_settled(self, settle_seconds: float = SETTLE_SECONDS, limit: int = 1000) -> int:
        """Drop the Redis entries of articles archived `settle_seconds` ago; how many articles left."""
        bucket = self._bucket(dt.datetime.now(dt.UTC).timestamp())
        with translated_errors("forget settled content claims"):
            return int(
                self._forget_settled(
                    keys=[self.settling_key],
                    args=[
                        settle_seconds,
                        limit,
                        f"{self.prefix}:dedupe:sigs:",
                        f"{self.prefix}:dedupe:bands:",
                        bucket,
                        BAND_BYTES,
                    ],
                )
            )

    def restore_fingerprint(self, doc_id: str, fingerprint: str) -> None:
        """The text of `doc_id` is claimed by it, unless another article claimed it first."""
        fingerprints, fingerprint_field = self.fingerprint_slot(fingerprint)
        with translated_errors("restore fingerprint"):
            self.client.hsetnx(fingerprints, fingerprint_field, doc_id)

    def restore_verdict(self, doc_id: str, kind: str, canonical: str) -> None:
        verdicts, doc_field = self.verdict_slot(doc_id)
        with translated_errors("restore verdict"):
            self.client.hsetnx(verdicts, doc_field, f"{kind} {canonical}")

    def memory_bytes(self) -> int:
        """Bytes Redis spends on the dedupe keys (MEMORY USAGE, every key sampled in full)."""
        total = 0
        with translated_errors("measure dedupe state"):
            for key in self.client.scan_iter(match=f"{self.prefix}:dedupe:*", count=1000):
                total += self.client.memory_usage(key, samples=0) or 0
        return total

    def clear(self) -> int:
        """Delete every dedupe key (before a rebuild); the number deleted."""
        deleted = 0
        with translated_errors("clear dedupe state"):
            for key in self.client.scan_iter(match=f"{self.prefix}:dedupe:*", count=1000):
                deleted += self.client.delete(key)
        return deleted


class SeenElsewhere:
    """Where copies of each canonical article ran, gathered once per URL before they reach its document."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds

    def _key(self, doc_id: str) -> str:
        return f"{self.prefix}:seen:{doc_id}"

    def add_many(self, copies: list[tuple[str, dict[str, Any]]]) -> None:
        """Remember each copy (doc_id, entry), in one round trip; a URL already gathered for the document
        (a retry, a re-crawl) is kept as first seen."""
        if not copies:
            return
        with translated_errors("record copies"):
            pipe = self.client.pipeline(transaction=False)
            for doc_id, entry in copies:
                pipe.hsetnx(self._key(doc_id), entry["url"], json.dumps(entry, sort_keys=True))
                pipe.expire(self._key(doc_id), self.ttl_seconds)
            pipe.execute()

    def entries(self, doc_id: str) -> list[dict[str, Any]]:
        return self.entries_of([doc_id])[doc_id]

    def forget(self, listed: dict[str, list[str]]) -> None:
        """Drop the copies now listed on their document (doc_id → URLs): the document holds them for good,
        and lists a URL once however often it is seen again. A copy gathered meanwhile stays."""
        listed = {doc_id: urls for doc_id, urls in listed.items() if urls}
        if not listed:
            return
        with translated_errors("forget listed copies"):
            pipe = self.client.pipeline(transaction=False)
            for doc_id, urls in listed.items():
                pipe.hdel(self._key(doc_id), *urls)
            pipe.execute()

    def entries_of(self, doc_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The copies gathered for each of `doc_ids`, in one round trip."""
        with translated_errors("read copies"):
            pipe = self.client.pipeline(transaction=False)
            for doc_id in doc_ids:
                pipe.hgetall(self._key(doc_id))
            answers = pipe.execute()
        return {
            doc_id: [json.loads(value) for value in raw.values()]
            for doc_id, raw in zip(doc_ids, answers, strict=True)
        }
