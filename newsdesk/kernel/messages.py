"""Versioned, plain-data messages passed between the spider and the pipeline stages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.wire import ARTICLE_SCHEMA, PAGE_SCHEMA

# The response headers a FetchedPage carries: what parse and the raw store use, whoever fetched the page.
KEPT_HEADERS = ("content-type", "last-modified", "etag", "content-language", "date")


def _from_dict(cls, data: dict[str, Any], schema: int):
    if not isinstance(data, dict):
        raise Rejected("bad_message", f"expected an object, got {type(data).__name__}")
    version = data.get("schema")
    if version != schema:
        raise Rejected("bad_message", f"{cls.__name__} schema {version!r}, this worker reads {schema}")
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in names})
    except TypeError as exc:
        raise Rejected("bad_message", str(exc)) from exc


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP response as the spider saw it, handed to the pipeline."""

    url: str
    final_url: str
    crawl_source: str
    fetched_at: str
    status: int
    headers: dict[str, str]
    html: str
    run_id: str | None = None
    error: str | None = None
    # The response's bytes as served (base64), so parse decides the encoding; absent from older spiders.
    body_base64: str | None = None
    # Revisions: a scheduled re-check of a known article, not a discovery.
    recheck: bool = False
    schema: int = PAGE_SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FetchedPage:
        return _from_dict(cls, data, PAGE_SCHEMA)


@dataclass(frozen=True)
class RelatedItem:
    """A teaser from the page's "More From" block."""

    text: str
    url: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "url": self.url, "date": self.date}


@dataclass(frozen=True)
class Article:
    """A parsed article; later stages fill in the fields after `body`."""

    url: str
    final_url: str
    crawl_source: str
    fetched_at: str
    title: str
    body: str
    source: str | None = None
    published_at: str | None = None
    published_at_raw: str | None = None
    related: list[RelatedItem] = field(default_factory=list)
    canonical_hint: str | None = None
    warnings: list[str] = field(default_factory=list)
    run_id: str | None = None
    canonical_url: str | None = None
    doc_id: str | None = None
    language: str | None = None
    word_count: int | None = None
    # Parse (richer extraction): filled where the page has them.
    subtitle: str | None = None
    updated_at: str | None = None
    updated_at_raw: str | None = None
    # How precisely the page states each date: "time", "day", "month" or "year". A month or a year is
    # written as stated ("2023-05", "2023"): search sorts and filters it by the period's first day.
    published_precision: str | None = None
    updated_precision: str | None = None
    authors: list[str] = field(default_factory=list)
    lead: str | None = None
    section: str | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    outlinks: list[str] = field(default_factory=list)
    extraction: str | None = None
    # The page as served (zlib + base64 bytes, headers), for the raw store; never in the searchable document.
    raw_page: dict[str, Any] | None = None
    # Dedupe (content level).
    content_fingerprint: str | None = None
    story_id: str | None = None
    # The MinHash signature (hex) the index stage archives for later near-copies; not in the document.
    content_signature: str | None = None
    # Enrich (entities, places, topics).
    language_confidence: float | None = None
    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    country_names: list[str] = field(default_factory=list)
    geo: list[dict[str, float]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    reading_time_minutes: float | None = None
    enrich_errors: list[str] = field(default_factory=list)
    # Revisions: fetched by a re-check, so it updates its document whichever URL variant owns it.
    recheck: bool = False
    schema: int = ARTICLE_SCHEMA

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict returns, built directly: asdict's generic deep copy was a tenth of a
        # worker's CPU (three hand-offs per article; see the README's performance section).
        return {name: _plain(getattr(self, name)) for name in _ARTICLE_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        if not isinstance(data, dict) or data.get("schema") != ARTICLE_SCHEMA:
            return _from_dict(cls, data, ARTICLE_SCHEMA)  # raises the precise Rejected
        data = dict(data)
        try:
            data["related"] = [
                RelatedItem(**r) if isinstance(r, dict) else r for r in data.get("related") or []
            ]
        except TypeError as exc:
            raise Rejected("bad_message", f"related: {exc}") from exc
        return _from_dict(cls, data, ARTICLE_SCHEMA)

    def replace(self, **changes: Any) -> Article:
        """What dataclasses.replace returns, without its call of __init__ with all 48 fields: every stage
        replaces a few fields, about ten times a page."""
        unknown = changes.keys() - _ARTICLE_FIELD_NAMES
        if unknown:
            raise TypeError(f"Article has no field(s) {', '.join(sorted(unknown))}")
        copy = object.__new__(Article)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy


_ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
_ARTICLE_FIELD_NAMES = frozenset(_ARTICLE_FIELDS)


def _plain(value: Any) -> Any:
    """A copy of message data as plain lists, dicts and scalars (RelatedItem becomes its dict)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, RelatedItem):
        return value.to_dict()
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value
