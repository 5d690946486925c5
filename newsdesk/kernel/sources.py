"""The source registry: a YAML file of sites to crawl, validated at load with errors that name the field."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsdesk.kernel.access import SourceRequest
from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.recheck import Recheck
from newsdesk.kernel.url_rules import UrlRules, check_pattern

DiscoveryMode = Literal["listing", "feed", "sitemap", "robots", "auto"]
RenderedPages = Literal["listings", "articles", "both"]


def check_schedule(value: str) -> None:
    """Accept what beat can run (`every 30m`, a five-field cron line, `@daily`, ...) at least a few seconds
    apart; raise ValueError naming the problem. One parser for both, so a source that loads also schedules."""
    from newsdesk.kernel.schedules import parse_schedule

    try:
        parse_schedule(value)
    except ConfigError as exc:
        raise ValueError(str(exc)) from exc


class Politeness(BaseModel):
    """Per-source overrides of how hard and how patiently the crawler fetches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    download_delay: float = Field(default=0.0, ge=0, le=600)
    concurrency: int = Field(default=4, ge=1, le=64)
    autothrottle: bool = True
    obey_robots: bool = True
    timeout: float = Field(default=30.0, gt=0, le=600)
    retry_times: int = Field(default=3, ge=0, le=10)
    max_retry_after: float = Field(default=120.0, ge=0, le=3600)
    user_agent: str | None = None


class Render(BaseModel):
    """The `render:` block: which pages a headless browser runs the scripts of before they are read.

    Only for sites whose listings or article text exist only after JavaScript runs: a rendered page costs
    a browser page (tens of milliseconds and tens of megabytes) where a plain fetch costs about one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    javascript: RenderedPages
    # The budget of rendered pages in one crawl; pages past it are left unread (fate `skipped`).
    max_pages: int = Field(default=1_000, gt=0, strict=True)
    # Seconds a page may take to load and, with `wait_for`, to show what it waits for.
    timeout: float = Field(default=30.0, gt=0, le=300)
    # Browser pages open at once: each is a renderer process of its own.
    concurrency: int = Field(default=2, ge=1, le=16)
    # A CSS selector a rendered page must show before it is read (content fetched by a script after
    # the page's load event); a page that never shows it fails to render.
    wait_for: str | None = None

    @field_validator("wait_for")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        if value is not None:
            from lxml.cssselect import CSSSelector, SelectorError

            try:
                CSSSelector(value)
            except SelectorError as exc:
                raise ValueError(f"not a CSS selector: {value!r} ({exc})") from exc
        return value

    @property
    def listings(self) -> bool:
        return self.javascript in ("listings", "both")

    @property
    def articles(self) -> bool:
        return self.javascript in ("articles", "both")


class ExtractionHints(BaseModel):
    """Per-source selectors (CSS, or XPath when it starts with "/" or "(") tried before the fallback chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = None
    subtitle: str | None = None
    body: str | None = None
    date: str | None = None
    authors: str | None = None
    section: str | None = None
    lead: str | None = None
    related: str | None = None
    # The locale that decides 04/05/2019 (en-US: month first; most others: day first) and naive times' zone.
    date_locale: str | None = None
    timezone: str | None = None
    # When the source began publishing (a year or a date): an earlier date on its pages is not its own.
    founded: dt.date | None = None

    @field_validator("founded", mode="before")
    @classmethod
    def _year_or_date(cls, value: object) -> object:
        # A year alone (1945, "1945") is its first day; pydantic would read an integer as a timestamp.
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return dt.date(int(value), 1, 1)
        return value

    @field_validator("title", "subtitle", "body", "date", "authors", "section", "lead", "related")
    @classmethod
    def _selects(cls, value: str | None) -> str | None:
        if value is not None:
            compile_selector(value)
        return value


UrlPatternText = Annotated[str, AfterValidator(check_pattern)]


class SourceUrls(BaseModel):
    """The `urls:` block: which article URLs a crawl takes, and how old an article may be.

    A pattern is a path prefix (`/video/`, matched against the path and query) or `re:<expression>`
    (searched in the whole URL). `newsdesk.kernel.url_rules.UrlRules` applies them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # With an allow list, only article URLs matching one of its patterns are crawled.
    allow: list[UrlPatternText] = Field(default_factory=list)
    # Never crawled, even when an allow pattern matches too.
    deny: list[UrlPatternText] = Field(default_factory=list)
    # Articles published more than this many days ago are skipped (a missing date never is).
    max_age_days: int | None = Field(default=None, ge=1, strict=True)


def compile_selector(expression: str):
    """A compiled selector: XPath when it starts like a path, CSS otherwise; ValueError names the problem."""
    from lxml.cssselect import CSSSelector, SelectorError
    from lxml.etree import XPath, XPathSyntaxError

    try:
        if expression.lstrip().startswith(("/", "(", "./")):
            return XPath(expression)
        return CSSSelector(expression)
    except (SelectorError, XPathSyntaxError) as exc:
        raise ValueError(f"not a CSS selector or XPath: {expression!r} ({exc})") from exc


class Source(BaseModel):
    """One site (or one section of a site) and the rules for finding its articles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    start_urls: list[str] = Field(min_length=1)
    article_pattern: str | None = None
    allowed_domains: list[str] = Field(default_factory=list)
    language: str | None = None
    # The page budget of one crawl (Scrapy's CLOSESPIDER_PAGECOUNT). Strict: `max_pages: yes` is a typo,
    # not a budget of one page.
    max_pages: int = Field(default=10_000, gt=0, strict=True)
    example: bool = False
    # Whether beat crawls it on its `schedule`. Unset: yes, except an example, which stays off until an
    # operator sets `enabled: true`; a fresh deployment crawls nothing nobody asked for.
    enabled: bool | None = None
    # The site a generic source (`{url}` in start_urls) crawls when beat runs it; `--url` gives it otherwise.
    url: str | None = None
    # --- Crawling: how articles are discovered, how politely, how often.
    discovery: list[DiscoveryMode] = Field(default_factory=lambda: ["listing"], min_length=1)
    max_depth: int = Field(default=0, ge=0, le=10)
    allow_private: bool = False
    schedule: str | None = None
    politeness: Politeness = Field(default_factory=lambda: Politeness())
    # Proxy, headers, cookies and credentials (secrets by environment variable name only).
    request: SourceRequest = Field(default_factory=lambda: SourceRequest())
    # Listings run newest first, so once a page lists only articles known from earlier crawls its further
    # pages (page 2, 3, ...) hold older, known ones: a re-crawl stops paginating there unless this is set
    # (a listing in another order, e.g. "most read"). With listing-based removal (recheck) a crawl still
    # reads them all at least every half grace period, as absence is judged only on such a crawl.
    paginate_known: bool = False
    urls: SourceUrls = Field(default_factory=lambda: SourceUrls())
    # Pages run in a headless browser before they are read; None (the default) fetches them as they are.
    render: Render | None = None
    # --- end of crawling fields
    extraction: ExtractionHints = Field(default_factory=ExtractionHints)
    # --- Revisions: when known articles are fetched again to see whether they changed or vanished.
    recheck: Recheck = Field(default_factory=lambda: Recheck())

    @field_validator("article_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @field_validator("start_urls")
    @classmethod
    def _absolute_http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not re.match(r"^(https?://[^/\s]+|\{demo_url\}|\{url\}$)", url):
                raise ValueError(f"{url!r} is not an absolute http(s) URL, {{demo_url}}… or {{url}}")
            if urlsplit(url).password is not None:
                raise ValueError("no credentials in start URLs: use request.auth")
        return urls

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str | None) -> str | None:
        if value is not None:
            check_schedule(value)
        return value

    @field_validator("url")
    @classmethod
    def _url_absolute(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an absolute http(s) URL")
        return value

    @property
    def needs_url(self) -> bool:
        """True for generic sources ("any RSS feed") whose start URL is given at crawl time."""
        return any("{url}" in u for u in self.start_urls)

    @property
    def is_enabled(self) -> bool:
        return self.enabled if self.enabled is not None else not self.example

    @property
    def unscheduled_because(self) -> str | None:
        """Why beat does not run this source's `schedule` (None when it does, or it has none)."""
        if not self.schedule:
            return None
        if not self.is_enabled:
            return "an example, off until `enabled: true`" if self.example else "disabled (`enabled: false`)"
        if self.needs_url and not self.url:
            return "generic: give it `url:` to crawl on a schedule"
        return None

    @property
    def scheduled(self) -> bool:
        """Beat crawls it on its `schedule`."""
        return bool(self.schedule) and self.unscheduled_because is None

    def resolved(self, demo_url: str, url: str | None = None) -> Source:
        """The same source with `{demo_url}` (and `{url}`) filled in and allowed domains derived."""
        url = url or self.url
        if self.needs_url and not url:
            raise ConfigError(f"source {self.name!r} is generic: give the site with --url URL")
        urls = [
            u.replace("{demo_url}", demo_url.rstrip("/")).replace("{url}", url or "") for u in self.start_urls
        ]
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


def adhoc_source(url: str, allow_private: bool = False) -> Source:
    """A source for `newsdesk crawl --url`: generic discovery (links, feeds, sitemaps, robots.txt)."""
    return Source(
        name="adhoc",
        description=f"ad-hoc crawl of {url}",
        start_urls=[url],
        discovery=["auto"],
        allow_private=allow_private,
        max_depth=1,
        max_pages=2_000,
    )


def describe_problems(source: Source) -> list[str]:
    """Warnings `newsdesk sources check` prints: things that load but will probably not crawl well."""
    problems = []
    modes = set(source.discovery)
    if source.article_pattern is None and "auto" not in modes and modes <= {"listing"}:
        problems.append("no article_pattern: articles are recognised by generic heuristics only")
    for url in source.start_urls:
        host = urlsplit(url).hostname or ""
        if (
            source.allowed_domains
            and host
            and not any(host == d or host.endswith("." + d) for d in source.allowed_domains)
        ):
            problems.append(f"start URL {url} is outside allowed_domains")
    if source.render is not None and shutil.which("chromium") is None:
        problems.append("render: no chromium on this machine (`make services-install` installs it)")
    rules = UrlRules.from_source(source)
    for url in source.start_urls:
        refusal = UrlRules(deny=rules.deny).verdict(url)
        if refusal is not None:
            problems.append(f"start URL {url} matches urls.{refusal}: start URLs are fetched all the same")
    return problems


def resolve_source(
    path: Path, demo_url: str, name: str | None, url: str | None = None, allow_private: bool = False
) -> Source:
    """The named source (with `{url}` filled for generic ones), or an ad-hoc one for a bare URL."""
    if name is None:
        if not url:
            raise ConfigError("give a source name or --url URL")
        return adhoc_source(url, allow_private).resolved(demo_url)
    source = get_source(path, name).resolved(demo_url, url)
    if allow_private:
        source = source.model_copy(update={"allow_private": True})
    return source
