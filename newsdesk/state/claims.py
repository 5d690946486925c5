"""Dedupe claims in Redis: which URL owns each document, and which text (or near-copy) came first."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import redis

from newsdesk.state.client import translated_errors

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
# Bytes of one band's minima: tasks.dedupe.similarity's ROWS × SIGNATURE_BITS / 8; and its number of
# bands, BANDS (a unit test holds both equal).
BAND_BYTES = 4
BANDS = 32
# Seconds an article stays in Redis after the index stage archived it: any search for candidates started
# before its archive entry became searchable (a refresh, about a second) has long been decided by then.
SETTLE_SECONDS = 30

# The articles archived at least `age` seconds ago (on Redis's clock, whichever worker asks) leave the
# Redis window: their signature and every band entry still naming them, in this bucket and the previous.
# Which band shards that is depends on the stored signatures, and a script may touch only the keys it is
# given (or Redis Cluster cannot route it): the caller hands over every shard of both buckets, ~35 kB of
# key names a sweep. KEYS: the settling set, the signatures of the previous bucket and of this one, then
# the band shards of the previous bucket and of this one, `band_shard_keys` order (`shards` a bucket).
# ARGV: age, at most how many, the bytes of a band, the shards a bucket.
_FORGET_SETTLED = """
local settling = KEYS[1]
local age, limit, width, shards = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(redis.call('TIME')[1])
local due = redis.call('ZRANGEBYSCORE', settling, '-inf', now - age, 'LIMIT', 0, limit)
for _, doc in ipairs(due) do
  local short = ''
  for i = 1, 16, 2 do short = short .. string.char(tonumber(string.sub(doc, i, i + 1), 16)) end
  for b = 0, 1 do
    local sigs = KEYS[2 + b]
    local entry = redis.call('HGET', sigs, short)
    if entry and string.sub(entry, 1, 40) == doc then
      redis.call('HDEL', sigs, short)
      local sig = string.sub(entry, 47)
      for band = 0, #sig / width - 1 do
        local field = string.sub(sig, band * width + 1, (band + 1) * width)
        local nibble = math.floor(string.byte(field, 1) / 16)
        local shard = KEYS[4 + b * shards + band * 16 + nibble]
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

    def band_shard_keys(self, bucket: int) -> list[str]:
        """Every band shard of a bucket: by band number, then by the first hex digit of the minima."""
        return [self._shard(bucket, f"{band:02d}{digit:x}") for band in range(BANDS) for digit in range(16)]

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
        at = dt.datetime.now(dt.UTC).timestamp()
        bucket = self._bucket(at)
        previous, current = self.band_shard_keys(bucket - 1), self.band_shard_keys(bucket)
        keys = [self.settling_key, *reversed(self.signature_keys(at)), *previous, *current]
        with translated_errors("forget settled content claims"):
            return int(
                self._forget_settled(keys=keys, args=[settle_seconds, limit, BAND_BYTES, len(current)])
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


LAYOUT = "2"  # 2: URL owners, fingerprints and verdicts in sharded maps (newsdesk.state.claims.sharded)
DOC_ID_HEX = 40
SIGNATURE_BATCH = 500


def upgrade_dedupe_layout(client: redis.Redis, prefix: str) -> dict[str, int]:
    """Move dedupe state an older newsdesk left (a key per URL owner, one hash each for fingerprints and
    verdicts) into the sharded maps, once: nothing a crawl knew is forgotten by upgrading. Idempotent."""
    marker = f"{prefix}:dedupe:layout"
    moved = {"url_owners": 0, "fingerprints": 0, "verdicts": 0}
    with translated_errors("upgrade dedupe layout"):
        if client.get(marker) == LAYOUT:
            return moved
        owner_keys = [
            key
            for key in client.scan_iter(match=f"{prefix}:url-owner:*", count=1000)
            if len(key.rsplit(":", 1)[1]) == DOC_ID_HEX
        ]
        for start in range(0, len(owner_keys), 500):
            chunk = owner_keys[start : start + 500]
            pipe = client.pipeline(transaction=False)
            for key, owner in zip(chunk, client.mget(chunk), strict=True):
                if owner is not None:
                    # The old layout kept the owner in full: it stays so (its canonical is not known here).
                    pipe.hsetnx(*sharded(f"{prefix}:url-owner", key.rsplit(":", 1)[1]), owner)
                    moved["url_owners"] += 1
            pipe.delete(*chunk)
            pipe.execute()
        for name, kind in (("fingerprints", "fingerprints"), ("verdicts", "verdicts")):
            old = f"{prefix}:dedupe:{name}"
            if client.type(old) != "hash":
                continue
            pipe = client.pipeline(transaction=False)
            for field, value in client.hscan_iter(old, count=1000):
                pipe.hsetnx(*sharded(f"{prefix}:dedupe:{name}", field), value)
                moved[kind] += 1
            pipe.delete(old)
            pipe.execute()
        client.set(marker, LAYOUT)
    return moved
