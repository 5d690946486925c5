"""Dedupe stage: one canonical URL (and document id) per address, one content key per text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import Article
from tasks.dedupe.similarity import ContentKey, content_key, estimated_similarity

# Parameters that say how a reader arrived, never which article they read.
TRACKING_PARAMS = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|ref|ref_src|"
    r"cmpid|ncid|ocid|sr_share|share|spm|at_medium|at_campaign|"
    r"phpsessid|jsessionid|sid|sessionid|session_id|aspsessionid.*)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Escapes that are not UTF-8 (EUC-KR, cp1251 addresses) round-trip as the same bytes; decoding them with
# "replace" would turn every such address into U+FFFD and give different articles one document id.
LEGACY_BYTES = "surrogateescape"
# Not "%": a decoded "%" must stay "%25", or "/a%2541" would become "/a%41", another address.
SAFE_PATH_CHARS = "/:@!$&'()*+,;=-._~"


# Not w3lib's canonicalize_url: it keeps trailing slashes, default ports, userinfo and tracking parameters,
# so 44014 of 118031 URLs (tests/, real-pages corpus) would change document id and 950 fewer copies merge.
def canonical_url(url: str) -> str:
    """The one form of `url` that every copy of the same address shares.

    Lower-case scheme and host, no default port, no fragment, no tracking or session parameters,
    the remaining parameters sorted, no trailing slash (except the root), `..` segments resolved.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:  # a port out of range, an unclosed IPv6 bracket
        raise Rejected("bad_url", f"{exc}: {url!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Rejected("bad_url", f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise Rejected("bad_url", f"no host in {url!r}")
    if ":" in host:  # an IPv6 literal: `hostname` dropped the brackets the netloc needs
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalise_path(parts.path)
    params = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True, errors=LEGACY_BYTES)
        if not TRACKING_PARAMS.match(k)
    ]
    query = urlencode(sorted(params), doseq=True, errors=LEGACY_BYTES)
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalise_path(path: str) -> str:
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in (".", ""):
            decoded = unquote(segment, errors=LEGACY_BYTES)
            segments.append(quote(decoded, safe=SAFE_PATH_CHARS.replace("/", ""), errors=LEGACY_BYTES))
    return "/" + "/".join(segments)


def document_id(canonical: str) -> str:
    """Stable `_id` from the canonical URL: a re-crawl or a retry writes the same document."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class UrlVerdict:
    """Whether this fetch is the article's own address or a copy of an address already claimed."""

    article: Article
    duplicate_of: str | None


def assign_identity(article: Article) -> Article:
    """Set canonical_url and doc_id: the page's canonical link when on the same host, else its URL."""
    fetched = canonical_url(article.final_url or article.url)
    hint = article.canonical_hint
    canonical = fetched
    if hint:
        try:
            hinted = canonical_url(hint)
        except Rejected:
            hinted = None
        # A canonical link to another host is how syndication is declared, not an alias of this page; one
        # to the site's front page from a page that is not it is a template's mistake (a saved page's
        # relative link, a theme's default), never this article's address.
        same_host = hinted and urlsplit(hinted).hostname == urlsplit(fetched).hostname
        to_front_page = (
            hinted and urlsplit(hinted).path in ("", "/") and urlsplit(fetched).path not in ("", "/")
        )
        if same_host and not to_front_page:
            canonical = hinted
    return article.replace(canonical_url=canonical, doc_id=document_id(canonical))


def judge_claim(article: Article, owner_url: str) -> UrlVerdict:
    """Given the URL that first claimed the document id, is this fetch the owner or a duplicate?"""
    mine = article.final_url or article.url
    return UrlVerdict(article, None if owner_url == mine else owner_url)


def content_identity(article: Article) -> tuple[Article, ContentKey]:
    """The article with its content fingerprint and signature set, and the key its text is claimed under."""
    key = content_key(article.body, article.published_at)
    return article.replace(content_fingerprint=key.fingerprint, content_signature=key.signature.hex()), key


def closest_archived(
    key: ContentKey, candidates: list[tuple[str, bytes, int]], max_days_apart: int
) -> tuple[str, float] | None:
    """The candidate (doc_id, signature, day) most similar to `key`, published close enough, and its score.

    The same rule the claim script applies to the articles in Redis: an unknown day is close to any day.
    """
    best: tuple[str, float] | None = None
    for doc_id, signature, day in candidates:
        if key.day and day and abs(day - key.day) > max_days_apart:
            continue
        score = estimated_similarity(key.signature, signature)
        if best is None or score > best[1]:
            best = (doc_id, score)
    return best


def duplicate_kind(url_verdict: UrlVerdict, content_kind: str) -> str | None:
    """None for a canonical article; else how this copy relates to the canonical document.

    A URL variant shares its owner's document id, so the content claim made under that id (by whichever
    copy came first) also decides where the variant is listed: on this document, or on its original.
    """
    if content_kind != "new":
        return content_kind
    return "url" if url_verdict.duplicate_of else None


def copy_record(article: Article, kind: str, canonical_doc_id: str, seen_at: str) -> dict[str, Any]:
    """What the index flush does with a copy: its duplicates record, and its entry on the canonical's
    `also_seen_at`. `url` and `run_id` are the fetch's, which the run counts and a dead letter names."""
    url = article.final_url or article.url
    return {
        "copy_of": canonical_doc_id,
        "url": article.url,
        "run_id": article.run_id,
        "crawl_source": article.crawl_source,
        "record": {
            "url": url,
            "canonical_url": article.canonical_url if kind == "url" else None,
            "doc_id": canonical_doc_id,
            "crawl_source": article.crawl_source,
            "kind": kind,
            "seen_at": seen_at,
            "run_id": article.run_id,
        },
        "entry": {
            "url": url,
            "source": article.source or article.crawl_source,
            "seen_at": article.fetched_at,
            "kind": kind,
        },
    }


def is_copy(payload: dict[str, Any]) -> bool:
    """A copy waiting in the index buffer (`copy_record`), not an article."""
    return "copy_of" in payload
