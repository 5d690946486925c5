"""Turns a page's bytes into text, trusting what the bytes say over a wrong charset label."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer.md import mess_ratio

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What browsers do with these labels (the WHATWG encoding standard): the superset wins.
LABEL_SUPERSETS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_jp": "euc_jp",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
}
# Tried, least garbled first, when no label fits the bytes.
COMMON_ENCODINGS = ("cp949", "cp1251", "cp1252", "gb18030", "cp932", "big5", "cp1256", "iso8859-7")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")
# Above this share of odd character sequences a decoding is mojibake (charset_normalizer's measure).
MESS_LIMIT = 0.2
SAMPLE_BYTES = 64_000


@dataclass(frozen=True)
class Decoded:
    """A page's text and the encoding it was read with; `label_ignored` when the label was wrong."""

    text: str
    encoding: str
    label_ignored: str | None = None


def charset_from_content_type(content_type: str | None) -> str | None:
    match = HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return LABEL_SUPERSETS.get(name, name)


def _sample(body: bytes, encoding: str) -> str | None:
    """The first bytes decoded strictly (a multi-byte character cut at the end is forgiven)."""
    chunk = body[:SAMPLE_BYTES]
    try:
        return chunk.decode(encoding)
    except UnicodeDecodeError as exc:
        if len(body) > SAMPLE_BYTES and exc.start >= len(chunk) - 4:
            return chunk[: exc.start].decode(encoding, errors="replace")
        return None
    except LookupError:
        return None


def _garbled(text: str) -> float:
    words = TAG.sub(" ", text)
    return mess_ratio(words, 1.0) if words.strip() else 0.0


def decode_html(body: bytes, declared: str | None = None) -> Decoded:
    """Text from bytes: a BOM, then valid UTF-8, then a label that decodes cleanly, then the least garbled."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace"), encoding.replace("-sig", ""))
    try:
        return Decoded(body.decode("utf-8"), "utf-8", None)
    except UnicodeDecodeError:
        pass
    meta = META_CHARSET.search(body[:4096])
    labels = [declared, meta.group(1).decode("ascii", "replace") if meta else None]
    ignored = None
    for label in labels:
        encoding = _codec_name(label)
        if encoding is None or encoding == "utf-8":
            ignored = ignored or label
            continue
        sample = _sample(body, encoding)
        if sample is not None and _garbled(sample) < MESS_LIMIT:
            return Decoded(body.decode(encoding, errors="replace"), encoding, ignored)
        ignored = ignored or label
    scored = []
    for encoding in COMMON_ENCODINGS:
        sample = _sample(body, encoding)
        if sample is not None:
            scored.append((_garbled(sample), encoding))
    encoding = min(scored)[1] if scored else "utf-8"
    return Decoded(body.decode(encoding, errors="replace"), encoding, ignored)
