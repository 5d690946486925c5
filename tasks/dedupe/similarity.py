"""Content identity: an exact fingerprint of the normalised body and a compact MinHash for near-copies."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Paragraphs that say where a text came from or how to follow the outlet, never what happened.
BOILERPLATE = re.compile(
    r"^(?:(?:this (?:article|story) (?:was |is )?)?(?:originally |first )?"
    r"(?:published|reprinted|republished|reproduced) (?:by|from|in|with)\b"
    r"|read (?:the )?original\b|source\s*:|copyright\b|©|\(c\)|all rights reserved"
    r"|follow us\b|subscribe\b|share this\b|sign up\b|related\s*:|read more\b|click here\b)",
    re.IGNORECASE,
)
# "PYONGYANG, August 14 (KCNA) --": a dateline names the outlet (whose name may hold brackets itself),
# so copies differ in it.
DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{1,40},\s+[A-Za-z]+\.?\s+\d{1,2}\s*(?:\((?:[^()]|\([^()]*\)){1,80}\))?\s*(?:--|—|–|-)\s*"
)
BOILERPLATE_MAX_WORDS = 30
# A word: letters and digits, no underscore (what splitting at every other character leaves).
WORD_CHARS = re.compile(r"[^\W_]+")

SHINGLE_WORDS = 4
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
# One byte of each minimum (b-bit MinHash): two different minima agree by chance once in 256, which lifts
# an estimate by at most 0.004, while the stored signature is a quarter of the 32-bit one.
SIGNATURE_BITS = 8
# Multiply-shift hashing: (a*x + b) mod 2**64, top 32 bits; numpy's uint64 arithmetic wraps as it must.
_rng = np.random.default_rng(20261127)
_PERM_A = _rng.integers(0, 1 << 64, size=NUM_PERM, dtype=np.uint64, endpoint=False) | np.uint64(1)
_PERM_B = _rng.integers(0, 1 << 64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
_SHIFT = np.uint64(32)
_EPOCH = dt.date(1970, 1, 1)


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """The paragraphs without credit lines, follow-us lines and a leading dateline."""
    kept = []
    for paragraph in paragraphs:
        text = paragraph.strip()
        if not text:
            continue
        if BOILERPLATE.match(text) and len(text.split()) <= BOILERPLATE_MAX_WORDS:
            continue
        kept.append(DATELINE.sub("", text, count=1))
    return kept


def normalised_words(body: str) -> list[str]:
    """The body's words: boilerplate dropped, case folded, accents and punctuation removed."""
    text = " ".join(strip_boilerplate(body.split("\n")))
    text = text.casefold()
    if not text.isascii():  # most bodies are ASCII: skip the per-character pass for them
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return WORD_CHARS.findall(text)


def content_fingerprint(body: str) -> str:
    """Equal for two bodies that differ only in whitespace, punctuation, case or boilerplate."""
    return hashlib.blake2b(" ".join(normalised_words(body)).encode("utf-8"), digest_size=16).hexdigest()


def shingle_hashes(words: list[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """64-bit hashes of the distinct runs of `size` words (a short text is one shingle)."""
    if len(words) < size:
        runs = {" ".join(words)}
    else:
        runs = set(map(" ".join, zip(*[words[i:] for i in range(size)], strict=False)))
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(run.encode("utf-8"), digest_size=8).digest() for run in runs])
    # Each digest read as one big-endian number, as int.from_bytes reads it.
    return np.frombuffer(digests, dtype=">u8").astype(np.uint64)


def minhash(words: list[str]) -> np.ndarray:
    """NUM_PERM minima of universal hashes over the shingles, cut to SIGNATURE_BITS bits each."""
    hashes = shingle_hashes(words)
    minima = ((hashes[:, None] * _PERM_A[None, :] + _PERM_B[None, :]) >> _SHIFT).min(axis=0)
    return (minima & np.uint64((1 << SIGNATURE_BITS) - 1)).astype(np.uint8)


def estimated_similarity(left: bytes, right: bytes) -> float:
    """The share of equal minima: an estimate of the two shingle sets' Jaccard similarity."""
    a = np.frombuffer(left, dtype=np.uint8)
    b = np.frombuffer(right, dtype=np.uint8)
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(signature: bytes) -> list[str]:
    """Band number and the band's ROWS minima in hex: two texts sharing any band are candidates."""
    width = ROWS * SIGNATURE_BITS // 8
    return [f"{band:02d}{signature[band * width : (band + 1) * width].hex()}" for band in range(BANDS)]


def day_number(published_at: str | None) -> int:
    """Days since 1970 of an ISO date, 0 when unknown: how far apart two copies were published."""
    if not published_at:
        return 0
    try:
        return (dt.date.fromisoformat(published_at[:10]) - _EPOCH).days
    except ValueError:
        return 0


@dataclass(frozen=True)
class ContentKey:
    """What the dedupe state stores about one article's text: its fingerprint, signature and bands."""

    fingerprint: str
    signature: bytes
    bands: list[str]
    day: int


def content_key(body: str, published_at: str | None) -> ContentKey:
    words = normalised_words(body)
    signature = minhash(words).tobytes()
    fingerprint = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()
    return ContentKey(fingerprint, signature, band_keys(signature), day_number(published_at))
