"""Versioned, plain-data messages passed between the spider and the pipeline stages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from newsdesk.errors import Rejected

PAGE_SCHEMA = 1
ARTICLE_SCHEMA = 1


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
    schema: int = ARTICLE_SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        data["related"] = [RelatedItem(**r) if isinstance(r, dict) else r for r in data.get("related", [])]
        return _from_dict(cls, data, ARTICLE_SCHEMA)

    def replace(self, **changes: Any) -> Article:
        return dataclasses.replace(self, **changes)
