"""Per-source URL rules: which article URLs a crawl takes (allow/deny) and how old an article may be."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from newsdesk.kernel.sources import Source

REGEX_MARK = "re:"
NOT_ALLOWED = "not in allow list"
# A date as sitemaps and feeds write it without a time: 2024-05-01, 20240501, 2024-05 or 2024.
_DAY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class UrlPattern:
    """One `allow`/`deny` entry: a path prefix (`/video/`) or a regular expression (`re:...`)."""

    text: str
    prefix: str | None = None
    regex: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, text: str) -> UrlPattern:
        """The pattern `text` stands for; ValueError names the pattern and what is wrong with it."""
        if text.startswith(REGEX_MARK):
            expression = text[len(REGEX_MARK) :]
            if not expression:
                raise ValueError(f"{text!r}: an empty regular expression would match every URL")
            try:
                return cls(text, regex=re.compile(expression))
            except re.error as exc:
                raise ValueError(f"{text!r} is not a valid regular expression ({exc})") from exc
        if text.startswith("/"):
            return cls(text, prefix=text)
        raise ValueError(
            f"{text!r} is neither a path prefix (starting with /) nor a regular expression (re:...)"
        )

    def matches(self, url: str) -> bool:
        """A prefix matches the URL's path (and query); a regular expression is searched in the whole URL."""
        if self.regex is not None:
            return self.regex.search(url) is not None
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return path.startswith(self.prefix or "")


def check_pattern(text: str) -> str:
    """`text` if it is a valid pattern (ValueError otherwise): the registry's validator."""
    UrlPattern.parse(text)
    return text


def read_date(value: dt.datetime | dt.date | str | None) -> dt.datetime | dt.date | None:
    """A publication date as a datetime (UTC when it carried no zone) or, for a day alone, a date.

    Reads ISO 8601 (JSON-LD, Atom, sitemap `<lastmod>`, the parse stage's `published_at`), RFC 822 (RSS
    `<pubDate>`) and the W3C shortenings 2024-05 and 2024, which stand for their last day. None when the
    value is missing or unreadable.
    """
    if value is None or isinstance(value, dt.datetime):
        return _utc(value) if value is not None else None
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    try:
        if day := _DAY.match(text):
            return dt.date(int(day[1]), int(day[2]), int(day[3]))
        if month := _MONTH.match(text):
            year, number = int(month[1]), int(month[2])
            return dt.date(year, number, calendar.monthrange(year, number)[1])
        if year := _YEAR.match(text):
            return dt.date(int(year[1]), 12, 31)
    except ValueError:
        return None
    try:
        return _utc(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return _utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _utc(moment: dt.datetime) -> dt.datetime:
    # A time written without a zone is read as UTC: the window is days wide, so hours hardly matter.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class UrlRules:
    """A source's `urls:` block, compiled: ask `verdict(url)` of each candidate article URL and
    `too_old(date, now)` of each date seen before or after fetching it.

    The start URLs are always fetched whatever the rules say: they are the discovery pages the source names.
    """

    allow: tuple[UrlPattern, ...] = ()
    deny: tuple[UrlPattern, ...] = ()
    max_age: dt.timedelta | None = None
    start_urls: frozenset[str] = frozenset()

    @classmethod
    def from_source(cls, source: Source) -> UrlRules:
        """The rules of `source` (give the resolved source, so its start URLs are the ones requested)."""
        urls = source.urls
        return cls(
            allow=tuple(UrlPattern.parse(text) for text in urls.allow),
            deny=tuple(UrlPattern.parse(text) for text in urls.deny),
            max_age=dt.timedelta(days=urls.max_age_days) if urls.max_age_days else None,
            start_urls=frozenset(source.start_urls),
        )

    def verdict(self, url: str) -> str | None:
        """None when `url` may be crawled as an article, else the rule that refused it: `deny <pattern>`
        or `not in allow list`. Deny wins over allow; a start URL is never refused."""
        if url in self.start_urls:
            return None
        refusal = self.discovery_verdict(url)
        if refusal is not None:
            return refusal
        if self.allow and not any(pattern.matches(url) for pattern in self.allow):
            return NOT_ALLOWED
        return None

    def discovery_verdict(self, url: str) -> str | None:
        """For a discovery page (listing, feed, sitemap) reached from another: only `deny` applies, so an
        allow list of article sections does not stop the crawl from reading the listings that link them."""
        if url in self.start_urls:
            return None
        for pattern in self.deny:
            if pattern.matches(url):
                return f"deny {pattern.text}"
        return None

    def too_old(self, published: dt.datetime | dt.date | str | None, now: dt.datetime) -> bool:
        """Whether an article published at `published` is outside the `max_age_days` window at `now`.

        A missing or unreadable date is never too old (the page decides); a day without a time is too old
        only once the whole day is outside the window. Naive datetimes, `now` included, are read as UTC.
        """
        if self.max_age is None:
            return False
        when = read_date(published)
        if when is None:
            return False
        oldest = _utc(now) - self.max_age
        if isinstance(when, dt.datetime):
            return when < oldest
        return when < oldest.date()

    @property
    def active(self) -> bool:
        return bool(self.allow or self.deny or self.max_age)

    def describe(self) -> str:
        """One line for `newsdesk sources list|check`."""
        parts = []
        if self.allow:
            parts.append("allow " + " ".join(pattern.text for pattern in self.allow))
        if self.deny:
            parts.append("deny " + " ".join(pattern.text for pattern in self.deny))
        if self.max_age is not None:
            parts.append(f"published within {self.max_age.days} days")
        return "; ".join(parts) or "every URL, any age"
