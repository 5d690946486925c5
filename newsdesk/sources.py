"""The source registry: a YAML file of sites to crawl, validated at load with errors that name the field."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsdesk.errors import ConfigError


class Source(BaseModel):
    """One site (or one section of a site) and the rules for finding its articles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    start_urls: list[str] = Field(min_length=1)
    article_pattern: str
    allowed_domains: list[str] = Field(default_factory=list)
    language: str | None = None
    max_pages: int = Field(default=10_000, gt=0)
    example: bool = False
    schedule: str | None = None

    @field_validator("article_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    def resolved(self, demo_url: str) -> Source:
        """The same source with `{demo_url}` filled in and allowed domains derived from the start URLs."""
        urls = [u.replace("{demo_url}", demo_url.rstrip("/")) for u in self.start_urls]
        domains = self.allowed_domains or sorted({urlsplit(u).hostname or "" for u in urls} - {""})
        return self.model_copy(update={"start_urls": urls, "allowed_domains": domains})


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[Source]


def load_sources(path: Path) -> dict[str, Source]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the source registry ({exc})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    try:
        registry = Registry.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = list(error["loc"])
            if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
                entry = (raw or {}).get("sources", [])[loc[1]]
                name = entry.get("name", f"#{loc[1]}") if isinstance(entry, dict) else f"#{loc[1]}"
                problems.append(
                    f"source {name!r}, field {'.'.join(map(str, loc[2:])) or '(entry)'}: {error['msg']}"
                )
            else:
                problems.append(f"{'.'.join(map(str, loc))}: {error['msg']}")
        raise ConfigError(f"{path}: " + "; ".join(problems)) from exc
    names = [s.name for s in registry.sources]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ConfigError(f"{path}: source names must be unique, repeated: {', '.join(sorted(duplicates))}")
    return {s.name: s for s in registry.sources}


def get_source(path: Path, name: str) -> Source:
    sources = load_sources(path)
    if name not in sources:
        raise ConfigError(f"{path}: no source named {name!r} (known: {', '.join(sorted(sources))})")
    return sources[name]
